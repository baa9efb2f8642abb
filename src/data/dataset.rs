//! [`Dataset`]: images as normalised floats plus `usize` labels, and loaders for the bundled
//! digit sets ([`Mnist`], [`Digits`]).

use std::path::{Path, PathBuf};
use std::vec::Vec;

use super::error::DataError;
use super::idx::{self, IdxError};
use crate::scalar::Real;

/// A labelled set of samples held in memory: `len` samples of `channels × rows × cols` features
/// each (row-major), with labels in `0..classes`.
///
/// Feature values are whatever the constructor put there: IDX loaders store `pixel / max_pixel`
/// (so `0.0..=1.0`). Float data given to [`Dataset::new`] is kept as is, NaN included: batching
/// copies NaN through unchanged, and what a NaN logit does to the metrics is documented in
/// [`crate::data::metrics`].
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T> {
    features: Vec<T>,
    labels: Vec<usize>,
    dims: [usize; 3],
    classes: usize,
}

impl<T: Real> Dataset<T> {
    /// A dataset from flat features (`labels.len()` samples of `channels·rows·cols` values each)
    /// and labels. Errors if the lengths disagree or a label is not below `classes`.
    ///
    /// ```
    /// use shaped::data::Dataset;
    /// let d = Dataset::new(vec![0.0f32, 1.0, 2.0, 3.0], vec![0, 1], [1, 1, 2], 2).unwrap();
    /// assert_eq!((d.len(), d.features(), d.sample(1)), (2, 2, &[2.0, 3.0][..]));
    /// assert!(Dataset::new(vec![0.0f32; 4], vec![0, 2], [1, 1, 2], 2).is_err()); // label 2 of 2
    /// ```
    pub fn new(
        features: Vec<T>,
        labels: Vec<usize>,
        dims: [usize; 3],
        classes: usize,
    ) -> Result<Self, DataError> {
        let per = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        let expected = per.and_then(|p| p.checked_mul(labels.len()));
        if expected != Some(features.len()) {
            return Err(DataError::FeatureCount {
                samples: labels.len(),
                dims,
                values: features.len(),
            });
        }
        if let Some(index) = labels.iter().position(|&l| l >= classes) {
            return Err(DataError::LabelOutOfRange {
                index,
                label: labels[index],
                classes,
            });
        }
        Ok(Dataset {
            features,
            labels,
            dims,
            classes,
        })
    }

    /// Loads an IDX image file and its label file, with pixels scaled to `pixel / max_pixel`.
    ///
    /// The image dims and class count must match the files; a pixel above `max_pixel` is an
    /// error (the data is not on the declared scale), as is a different number of images and labels.
    pub fn from_idx(
        images: impl AsRef<Path>,
        labels: impl AsRef<Path>,
        format: &IdxFormat,
    ) -> Result<Self, IdxError> {
        let (images, labels) = (images.as_ref(), labels.as_ref());
        let img = idx::read_images(images, format.rows, format.cols)?;
        let lab = idx::read_labels(labels, format.classes)?;
        if img.count != lab.len() {
            return Err(IdxError::CountMismatch {
                images: images.to_path_buf(),
                image_count: img.count,
                labels: labels.to_path_buf(),
                label_count: lab.len(),
            });
        }
        let max = format.max_pixel;
        if let Some(index) = img.pixels.iter().position(|&p| p > max) {
            return Err(IdxError::PixelOutOfRange {
                path: images.to_path_buf(),
                index,
                value: img.pixels[index],
                max,
            });
        }
        // One correctly rounded division per byte value, looked up per pixel.
        let max_t = T::from_usize(max.max(1) as usize);
        let table: [T; 256] = core::array::from_fn(|p| T::from_usize(p) / max_t);
        Ok(Dataset {
            features: img.pixels.iter().map(|&p| table[p as usize]).collect(),
            labels: lab.iter().map(|&l| l as usize).collect(),
            dims: [1, img.rows, img.cols],
            classes: format.classes,
        })
    }

    /// A new dataset holding the samples at `indices`, in that order (indices may repeat).
    /// Errors if an index is out of range.
    pub fn subset(&self, indices: &[usize]) -> Result<Self, DataError> {
        if let Some(&index) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(DataError::IndexOutOfRange {
                index,
                len: self.len(),
            });
        }
        let mut features = Vec::with_capacity(indices.len() * self.features());
        for &i in indices {
            features.extend_from_slice(self.sample(i));
        }
        Ok(Dataset {
            features,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            dims: self.dims,
            classes: self.classes,
        })
    }
}

impl<T> Dataset<T> {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True if there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Features per sample (`channels · rows · cols`).
    pub fn features(&self) -> usize {
        self.dims[0] * self.dims[1] * self.dims[2]
    }

    /// `[channels, rows, cols]` of one sample (IDX images have one channel).
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// Number of classes: labels are in `0..classes`.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The features of sample `i`, row-major. Panics if `i >= len()`, like slice indexing.
    pub fn sample(&self, i: usize) -> &[T] {
        let f = self.features();
        &self.features[i * f..(i + 1) * f]
    }

    /// The label of sample `i`. Panics if `i >= len()`, like slice indexing.
    pub fn label(&self, i: usize) -> usize {
        self.labels[i]
    }

    /// All features, sample after sample.
    pub fn all_features(&self) -> &[T] {
        &self.features
    }

    /// All labels.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// How many samples each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = std::vec![0; self.classes];
        self.labels.iter().for_each(|&l| counts[l] += 1);
        counts
    }
}

/// What an IDX image/label pair must look like, and how to scale its pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdxFormat {
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// Number of classes.
    pub classes: usize,
    /// The largest pixel value; features are `pixel / max_pixel`, in `0.0..=1.0`.
    pub max_pixel: u8,
}

/// A train and a test set.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainTest<T> {
    /// Training samples.
    pub train: Dataset<T>,
    /// Held-out test samples.
    pub test: Dataset<T>,
}

/// The standard MNIST file names, looked up as `name` or `name.gz` (raw preferred).
const FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Loads the four MNIST-named files of `dir` in `format`.
fn load_dir<T: Real>(dir: &Path, format: &IdxFormat) -> Result<TrainTest<T>, IdxError> {
    let find = |name: &'static str| -> Result<PathBuf, IdxError> {
        let raw = dir.join(name);
        let gz = dir.join(std::format!("{name}.gz"));
        [raw, gz]
            .into_iter()
            .find(|p| p.is_file())
            .ok_or_else(|| IdxError::MissingFile {
                dir: dir.to_path_buf(),
                name,
            })
    };
    let [a, b, c, d] = FILES.map(find);
    Ok(TrainTest {
        train: Dataset::from_idx(a?, b?, format)?,
        test: Dataset::from_idx(c?, d?, format)?,
    })
}

/// MNIST-format folders of 28×28 digits with pixels 0..255 (scaled by 1/255), such as the bundled
/// `data/mnist-5k` (4000 train, 1000 test, see `data/README.md`).
///
/// ```
/// use shaped::data::Mnist;
/// let m = Mnist::bundled::<f32>().unwrap();
/// assert_eq!((m.train.len(), m.test.len(), m.train.features()), (4000, 1000, 784));
/// ```
pub struct Mnist;

impl Mnist {
    /// 28×28, 10 classes, pixels 0..255.
    pub const FORMAT: IdxFormat = IdxFormat {
        rows: 28,
        cols: 28,
        classes: 10,
        max_pixel: 255,
    };
    /// The bundled 5000-image subset, located at build time inside this crate's source.
    pub const BUNDLED_DIR: &'static str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-5k");

    /// Loads `train-*` and `t10k-*` images and labels (raw or `.gz`) from `dir`.
    pub fn load<T: Real>(dir: impl AsRef<Path>) -> Result<TrainTest<T>, IdxError> {
        load_dir(dir.as_ref(), &Self::FORMAT)
    }

    /// Loads the bundled `data/mnist-5k`.
    pub fn bundled<T: Real>() -> Result<TrainTest<T>, IdxError> {
        Self::load(Self::BUNDLED_DIR)
    }
}

/// Folders of 8×8 digits with pixels 0..16 (scaled by 1/16) in MNIST layout, such as the bundled
/// `data/digits-8x8` (scikit-learn's digits: 1500 train, 297 test).
///
/// ```
/// use shaped::data::Digits;
/// let d = Digits::bundled::<f64>().unwrap();
/// assert_eq!((d.train.len(), d.test.len(), d.train.dims()), (1500, 297, [1, 8, 8]));
/// ```
pub struct Digits;

impl Digits {
    /// 8×8, 10 classes, pixels 0..16.
    pub const FORMAT: IdxFormat = IdxFormat {
        rows: 8,
        cols: 8,
        classes: 10,
        max_pixel: 16,
    };
    /// The bundled digits, located at build time inside this crate's source.
    pub const BUNDLED_DIR: &'static str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits-8x8");

    /// Loads `train-*` and `t10k-*` images and labels (raw or `.gz`) from `dir`.
    pub fn load<T: Real>(dir: impl AsRef<Path>) -> Result<TrainTest<T>, IdxError> {
        load_dir(dir.as_ref(), &Self::FORMAT)
    }

    /// Loads the bundled `data/digits-8x8`.
    pub fn bundled<T: Real>() -> Result<TrainTest<T>, IdxError> {
        Self::load(Self::BUNDLED_DIR)
    }
}
