//! Deterministic, seeded train/dev/test splits of sample indices, optionally stratified by label.

use std::vec::Vec;

use super::dataset::Dataset;
use super::error::DataError;
use crate::rand::Rng;
use crate::scalar::Real;

/// Sample indices of a train/dev/test split. Each part is sorted ascending (the dataset's order
/// is kept; shuffle when batching), and together they hold every index exactly once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Training indices: everything not in dev or test.
    pub train: Vec<usize>,
    /// Development (validation) indices.
    pub dev: Vec<usize>,
    /// Test indices.
    pub test: Vec<usize>,
}

/// A dataset split three ways (see [`Split::apply`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SplitSets<T> {
    /// Training samples.
    pub train: Dataset<T>,
    /// Development (validation) samples.
    pub dev: Dataset<T>,
    /// Test samples.
    pub test: Dataset<T>,
}

impl Split {
    /// Splits `0..len` at random (from `seed`): `round(len·test)` indices go to test,
    /// `round(len·dev)` to dev (fewer if rounding would overdraw), the rest to train.
    ///
    /// ```
    /// let s = shaped::data::Split::random(10, 0.2, 0.3, 7).unwrap();
    /// assert_eq!((s.train.len(), s.dev.len(), s.test.len()), (5, 2, 3));
    /// assert_eq!(s, shaped::data::Split::random(10, 0.2, 0.3, 7).unwrap()); // same seed, same split
    /// ```
    pub fn random(len: usize, dev: f64, test: f64, seed: u64) -> Result<Self, DataError> {
        check(dev, test)?;
        let mut order: Vec<usize> = (0..len).collect();
        Rng::new(seed).shuffle(&mut order);
        let mut split = Split::empty();
        split.take(&order, dev, test);
        split.sort();
        Ok(split)
    }

    /// Like [`Split::random`], but class by class: for each label value with `n` samples,
    /// `round(n·test)` go to test and `round(n·dev)` to dev, so every part keeps the class
    /// proportions (up to rounding per class; the totals can differ from [`Split::random`]'s).
    ///
    /// ```
    /// let labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
    /// let s = shaped::data::Split::stratified(&labels, 0.0, 0.25, 1).unwrap();
    /// let test_labels: Vec<_> = s.test.iter().map(|&i| labels[i]).collect();
    /// assert_eq!(test_labels, [0, 1, 1]); // one of four 0s, two of eight 1s
    /// ```
    pub fn stratified(labels: &[usize], dev: f64, test: f64, seed: u64) -> Result<Self, DataError> {
        check(dev, test)?;
        // Group indices by label (stable: file order within a class), then deal each group.
        let mut by_class: Vec<usize> = (0..labels.len()).collect();
        by_class.sort_by_key(|&i| labels[i]);
        let mut rng = Rng::new(seed);
        let mut split = Split::empty();
        for group in by_class.chunk_by_mut(|&a, &b| labels[a] == labels[b]) {
            rng.shuffle(group);
            split.take(group, dev, test);
        }
        split.sort();
        Ok(split)
    }

    /// The three datasets these indices select from `data`. Errors if an index is out of range.
    pub fn apply<T: Real>(&self, data: &Dataset<T>) -> Result<SplitSets<T>, DataError> {
        Ok(SplitSets {
            train: data.subset(&self.train)?,
            dev: data.subset(&self.dev)?,
            test: data.subset(&self.test)?,
        })
    }

    fn empty() -> Self {
        Split {
            train: Vec::new(),
            dev: Vec::new(),
            test: Vec::new(),
        }
    }

    /// Deals shuffled `items` out: test first, then dev, then train.
    fn take(&mut self, items: &[usize], dev: f64, test: f64) {
        let n = items.len();
        let n_test = ((n as f64 * test).round() as usize).min(n);
        let n_dev = ((n as f64 * dev).round() as usize).min(n - n_test);
        self.test.extend_from_slice(&items[..n_test]);
        self.dev.extend_from_slice(&items[n_test..n_test + n_dev]);
        self.train.extend_from_slice(&items[n_test + n_dev..]);
    }

    fn sort(&mut self) {
        self.train.sort_unstable();
        self.dev.sort_unstable();
        self.test.sort_unstable();
    }
}

fn check(dev: f64, test: f64) -> Result<(), DataError> {
    let ok = |f: f64| f.is_finite() && f >= 0.0;
    if ok(dev) && ok(test) && dev + test <= 1.0 {
        Ok(())
    } else {
        Err(DataError::Fractions { dev, test })
    }
}
