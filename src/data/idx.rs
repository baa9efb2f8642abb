//! Reading MNIST-style IDX files of `u8` images (magic `0x00000803`) and labels (`0x00000801`),
//! raw or gzipped.
//!
//! Policy, strict on purpose (a size mismatch means header and data disagree, so the data cannot
//! be trusted):
//! - a file is gzip iff it starts with the gzip magic `1f 8b` (IDX files start with `00 00`), so a
//!   raw file named `.gz` or a gzip file without the suffix both load;
//! - the payload must be exactly `N·rows·cols` (images) or `N` (labels) bytes: fewer is
//!   [`IdxError::TruncatedPayload`], more is [`IdxError::TrailingBytes`];
//! - the caller states the image dims and the number of classes, and any disagreement is an error.
//!
//! No input makes these functions panic; every problem is an [`IdxError`] naming the file.

use std::path::{Path, PathBuf};
use std::vec::Vec;

use super::gzip::{self, GzipError};

/// Images read from an IDX file: `count` images of `rows × cols` bytes, row-major, one after another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images.
    pub count: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// `count · rows · cols` pixels in (image, row, col) order.
    pub pixels: Vec<u8>,
}

/// Why an IDX file could not be read. Every variant that concerns one file carries its path.
#[derive(Debug)]
pub enum IdxError {
    /// The file could not be opened or read.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Neither `name` nor `name.gz` exists in a dataset folder.
    MissingFile {
        /// The folder that was searched.
        dir: PathBuf,
        /// The raw file name looked for (with and without `.gz`).
        name: &'static str,
    },
    /// The file starts like gzip but is not a valid gzip stream.
    Gzip {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: GzipError,
    },
    /// The file is shorter than its IDX header.
    TruncatedHeader {
        /// The file.
        path: PathBuf,
        /// Bytes needed for the header.
        needed: usize,
        /// Bytes present (after decompression).
        len: usize,
    },
    /// The first four bytes are not an IDX magic number (`00 00 <dtype> <rank>`).
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The four bytes read, big-endian.
        magic: u32,
    },
    /// A valid IDX data type, but not `u8` (`0x08`).
    WrongDtype {
        /// The file.
        path: PathBuf,
        /// The IDX data type found, e.g. "f32".
        found: &'static str,
    },
    /// The number of dimensions is not what this kind of file needs (3 for images, 1 for labels).
    WrongRank {
        /// The file.
        path: PathBuf,
        /// Rank required.
        expected: u8,
        /// Rank in the header.
        found: u8,
    },
    /// The images are not the size the caller asked for (e.g. 28×28 requested from an 8×8 file).
    WrongDims {
        /// The file.
        path: PathBuf,
        /// `(rows, cols)` requested.
        expected: (usize, usize),
        /// `(rows, cols)` in the header.
        found: (usize, usize),
    },
    /// The data is shorter than the header says.
    TruncatedPayload {
        /// The file.
        path: PathBuf,
        /// Payload bytes the header promises (`None` if that number overflows `usize`).
        expected: Option<usize>,
        /// Payload bytes present.
        found: usize,
    },
    /// Bytes after the payload the header describes.
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// Payload bytes the header promises.
        expected: usize,
        /// Payload bytes present.
        found: usize,
    },
    /// A label is not below the number of classes.
    LabelOutOfRange {
        /// The file.
        path: PathBuf,
        /// Position of the first bad label.
        index: usize,
        /// Its value.
        label: u8,
        /// Number of classes (labels must be `0..classes`).
        classes: usize,
    },
    /// A pixel exceeds the maximum the caller declared for the data (e.g. 17 in a 0..16 file).
    PixelOutOfRange {
        /// The file.
        path: PathBuf,
        /// Position of the first bad pixel (flat index).
        index: usize,
        /// Its value.
        value: u8,
        /// The declared maximum.
        max: u8,
    },
    /// The image and label files hold different numbers of items.
    CountMismatch {
        /// The images file.
        images: PathBuf,
        /// Number of images.
        image_count: usize,
        /// The labels file.
        labels: PathBuf,
        /// Number of labels.
        label_count: usize,
    },
}

impl core::fmt::Display for IdxError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use IdxError::*;
        match self {
            Io { path, source } => write!(f, "{}: {source}", path.display()),
            MissingFile { dir, name } => write!(
                f,
                "{}: missing data file: neither {name} nor {name}.gz exists",
                dir.display()
            ),
            Gzip { path, source } => write!(f, "{}: {source}", path.display()),
            TruncatedHeader { path, needed, len } => write!(
                f,
                "{}: truncated IDX header: {len} bytes, the header needs {needed}",
                path.display()
            ),
            BadMagic { path, magic } => write!(
                f,
                "{}: not an IDX file (magic number {magic:#010x}, expected 0x00000801 or 0x00000803)",
                path.display()
            ),
            WrongDtype { path, found } => write!(
                f,
                "{}: IDX data type is {found}, only u8 (0x08) is supported",
                path.display()
            ),
            WrongRank {
                path,
                expected,
                found,
            } => write!(
                f,
                "{}: IDX file has {found} dimensions, expected {expected} ({})",
                path.display(),
                if *expected == 3 { "images" } else { "labels" }
            ),
            WrongDims {
                path,
                expected,
                found,
            } => write!(
                f,
                "{}: images are {}x{}, expected {}x{}",
                path.display(),
                found.0,
                found.1,
                expected.0,
                expected.1
            ),
            TruncatedPayload {
                path,
                expected,
                found,
            } => match expected {
                Some(e) => write!(
                    f,
                    "{}: truncated IDX data: header promises {e} bytes, file has {found}",
                    path.display()
                ),
                None => write!(
                    f,
                    "{}: IDX header dims overflow the address space (file has {found} bytes)",
                    path.display()
                ),
            },
            TrailingBytes {
                path,
                expected,
                found,
            } => write!(
                f,
                "{}: {} trailing bytes after the IDX data ({found} bytes, header describes {expected})",
                path.display(),
                found - expected
            ),
            LabelOutOfRange {
                path,
                index,
                label,
                classes,
            } => write!(
                f,
                "{}: label {label} at item {index} is out of range for {classes} classes",
                path.display()
            ),
            PixelOutOfRange {
                path,
                index,
                value,
                max,
            } => write!(
                f,
                "{}: pixel {value} at flat index {index} exceeds the declared maximum {max}",
                path.display()
            ),
            CountMismatch {
                images,
                image_count,
                labels,
                label_count,
            } => write!(
                f,
                "{} has {image_count} images but {} has {label_count} labels",
                images.display(),
                labels.display()
            ),
        }
    }
}

impl std::error::Error for IdxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IdxError::Io { source, .. } => Some(source),
            IdxError::Gzip { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads an IDX image file (raw or gzip) whose images must be `rows × cols`.
///
/// ```
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits-8x8");
/// let img = shaped::data::read_images(format!("{dir}/t10k-images-idx3-ubyte.gz"), 8, 8).unwrap();
/// assert_eq!((img.count, img.pixels.len()), (297, 297 * 64));
/// // Asking for MNIST's 28×28 from the 8×8 file is an error, not a panic:
/// assert!(shaped::data::read_images(format!("{dir}/t10k-images-idx3-ubyte.gz"), 28, 28).is_err());
/// ```
pub fn read_images(
    path: impl AsRef<Path>,
    rows: usize,
    cols: usize,
) -> Result<IdxImages, IdxError> {
    let path = path.as_ref();
    let images = read_images_any(path)?;
    if (images.rows, images.cols) != (rows, cols) {
        return Err(IdxError::WrongDims {
            path: path.to_path_buf(),
            expected: (rows, cols),
            found: (images.rows, images.cols),
        });
    }
    Ok(images)
}

/// Reads an IDX image file (raw or gzip) of any image size (the dims come from the header).
pub fn read_images_any(path: impl AsRef<Path>) -> Result<IdxImages, IdxError> {
    let path = path.as_ref();
    images_from_bytes(path, read(path)?)
}

/// Parses an IDX image file already in memory (raw or gzip), as [`read_images_any`] does after
/// reading it; `path` only names the data in errors.
pub fn images_from_bytes(path: impl AsRef<Path>, bytes: Vec<u8>) -> Result<IdxImages, IdxError> {
    let path = path.as_ref();
    let (dims, pixels) = parse(path, decode(path, bytes)?, 3)?;
    Ok(IdxImages {
        count: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels,
    })
}

/// Reads an IDX label file (raw or gzip); every label must be below `classes`.
///
/// ```
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-5k");
/// let labels = shaped::data::read_labels(format!("{dir}/train-labels-idx1-ubyte.gz"), 10).unwrap();
/// assert_eq!(&labels[..5], &[5, 1, 9, 5, 0]);
/// ```
pub fn read_labels(path: impl AsRef<Path>, classes: usize) -> Result<Vec<u8>, IdxError> {
    let path = path.as_ref();
    labels_from_bytes(path, read(path)?, classes)
}

/// Parses an IDX label file already in memory (raw or gzip), as [`read_labels`] does after
/// reading it; `path` only names the data in errors.
pub fn labels_from_bytes(
    path: impl AsRef<Path>,
    bytes: Vec<u8>,
    classes: usize,
) -> Result<Vec<u8>, IdxError> {
    let path = path.as_ref();
    let (_, labels) = parse(path, decode(path, bytes)?, 1)?;
    if let Some(index) = labels.iter().position(|&l| l as usize >= classes) {
        return Err(IdxError::LabelOutOfRange {
            path: path.to_path_buf(),
            index,
            label: labels[index],
            classes,
        });
    }
    Ok(labels)
}

/// Reads the file.
fn read(path: &Path) -> Result<Vec<u8>, IdxError> {
    std::fs::read(path).map_err(|source| IdxError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Gunzips the bytes if they start with the gzip magic.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, IdxError> {
    if !gzip::is_gzip(&bytes) {
        return Ok(bytes);
    }
    gzip::gunzip(&bytes).map_err(|source| IdxError::Gzip {
        path: path.to_path_buf(),
        source,
    })
}

/// Checks the header of an IDX file of `u8` with `rank` dims and returns the dims and the payload.
fn parse(path: &Path, mut bytes: Vec<u8>, rank: u8) -> Result<([usize; 3], Vec<u8>), IdxError> {
    let path_buf = || path.to_path_buf();
    if bytes.len() < 4 {
        return Err(IdxError::TruncatedHeader {
            path: path_buf(),
            needed: 4 + 4 * rank as usize,
            len: bytes.len(),
        });
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let dtype = match (bytes[0], bytes[1], bytes[2]) {
        (0, 0, code) => dtype_name(code),
        _ => None,
    };
    let dtype = dtype.ok_or(IdxError::BadMagic {
        path: path_buf(),
        magic,
    })?;
    if dtype != "u8" {
        return Err(IdxError::WrongDtype {
            path: path_buf(),
            found: dtype,
        });
    }
    if bytes[3] != rank {
        return Err(IdxError::WrongRank {
            path: path_buf(),
            expected: rank,
            found: bytes[3],
        });
    }
    let header = 4 + 4 * rank as usize;
    if bytes.len() < header {
        return Err(IdxError::TruncatedHeader {
            path: path_buf(),
            needed: header,
            len: bytes.len(),
        });
    }
    let mut dims = [1usize; 3];
    for (d, chunk) in dims.iter_mut().zip(bytes[4..header].chunks_exact(4)) {
        *d = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) as usize;
    }
    let found = bytes.len() - header;
    let expected = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    match expected {
        Some(e) if found == e => {}
        Some(e) if found > e => {
            return Err(IdxError::TrailingBytes {
                path: path_buf(),
                expected: e,
                found,
            });
        }
        _ => {
            return Err(IdxError::TruncatedPayload {
                path: path_buf(),
                expected,
                found,
            });
        }
    }
    bytes.drain(..header);
    Ok((dims, bytes))
}

/// The IDX data type codes (the third magic byte).
fn dtype_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0x08 => "u8",
        0x09 => "i8",
        0x0B => "i16",
        0x0C => "i32",
        0x0D => "f32",
        0x0E => "f64",
        _ => return None,
    })
}
