//! Weights files (`std`): every error names the file's path.

use core::fmt;
use std::boxed::Box;
use std::io;
use std::path::{Path, PathBuf};

use super::{WeightElem, WeightsError, load_from_slice, to_bytes};
use crate::nn::Params;

/// Why a weights file could not be saved or loaded; always carries the path.
#[derive(Debug)]
pub enum FileError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The system's error.
        error: io::Error,
    },
    /// The file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// The system's error.
        error: io::Error,
    },
    /// The file was read but does not hold this model's weights, or the model cannot be saved.
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong (boxed: it carries a name and dims inline, the other variants are small).
        error: Box<WeightsError>,
    },
}

impl FileError {
    /// The file concerned.
    pub fn path(&self) -> &Path {
        match self {
            FileError::Read { path, .. }
            | FileError::Write { path, .. }
            | FileError::Format { path, .. } => path,
        }
    }

    /// The format error, if that is what went wrong.
    pub fn weights_error(&self) -> Option<WeightsError> {
        match self {
            FileError::Format { error, .. } => Some(**error),
            _ => None,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Read { path, error } => {
                write!(f, "cannot read weights file {}: {error}", path.display())
            }
            FileError::Write { path, error } => {
                write!(f, "cannot write weights file {}: {error}", path.display())
            }
            FileError::Format { path, error } => {
                write!(f, "weights file {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Read { error, .. } | FileError::Write { error, .. } => Some(error),
            FileError::Format { error, .. } => Some(&**error),
        }
    }
}

/// For functions that return `io::Result`: the kind of the system's error (`InvalidData` for a
/// format error), the message with the path.
impl From<FileError> for io::Error {
    fn from(e: FileError) -> io::Error {
        let kind = match &e {
            FileError::Read { error, .. } | FileError::Write { error, .. } => error.kind(),
            FileError::Format { .. } => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

/// Saves `model`'s tensors to a file (created or truncated).
pub fn save_file<T: WeightElem, M: Params<T>>(
    model: &M,
    path: impl AsRef<Path>,
) -> Result<(), FileError> {
    let path = path.as_ref();
    let bytes = to_bytes(model).map_err(|error| FileError::Format {
        path: path.to_path_buf(),
        error: Box::new(error),
    })?;
    std::fs::write(path, bytes).map_err(|error| FileError::Write {
        path: path.to_path_buf(),
        error,
    })
}

/// Loads a file written by [`save_file`] into `model` (see
/// [`load_from_slice`](super::load_from_slice)); on any error `model` is unchanged.
pub fn load_file<T: WeightElem, M: Params<T>>(
    model: &mut M,
    path: impl AsRef<Path>,
) -> Result<(), FileError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|error| FileError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    load_from_slice(model, &bytes).map_err(|error| FileError::Format {
        path: path.to_path_buf(),
        error: Box::new(error),
    })
}
