//! Safetensors files (`std`): every error names the file's path.

use core::fmt;
use std::boxed::Box;
use std::io;
use std::path::{Path, PathBuf};

use super::{Options, SafetensorsError, load_from_slice, to_bytes};
use crate::nn::Params;
use crate::nn::weights::WeightElem;

/// Why a safetensors file could not be saved or loaded; always carries the path.
#[derive(Debug)]
pub enum SafetensorsFileError {
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
    /// The file does not hold this model's tensors, or the model cannot be saved.
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong (boxed: it carries names and dims inline, the other variants are small).
        error: Box<SafetensorsError>,
    },
}

impl SafetensorsFileError {
    /// The file concerned.
    pub fn path(&self) -> &Path {
        match self {
            Self::Read { path, .. } | Self::Write { path, .. } | Self::Format { path, .. } => path,
        }
    }

    /// The format error, if that is what went wrong.
    pub fn format_error(&self) -> Option<SafetensorsError> {
        match self {
            Self::Format { error, .. } => Some(**error),
            _ => None,
        }
    }
}

impl fmt::Display for SafetensorsFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, error } => {
                write!(
                    f,
                    "cannot read safetensors file {}: {error}",
                    path.display()
                )
            }
            Self::Write { path, error } => {
                write!(
                    f,
                    "cannot write safetensors file {}: {error}",
                    path.display()
                )
            }
            Self::Format { path, error } => {
                write!(f, "safetensors file {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for SafetensorsFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { error, .. } | Self::Write { error, .. } => Some(error),
            Self::Format { error, .. } => Some(&**error),
        }
    }
}

/// For functions that return `io::Result`: the system error's kind (`InvalidData` for a format
/// error), the message with the path.
impl From<SafetensorsFileError> for io::Error {
    fn from(e: SafetensorsFileError) -> io::Error {
        let kind = match &e {
            SafetensorsFileError::Read { error, .. }
            | SafetensorsFileError::Write { error, .. } => error.kind(),
            SafetensorsFileError::Format { .. } => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

/// Saves `model` as a safetensors file (created or truncated); see
/// [`save_to_slice`](super::save_to_slice).
pub fn save_file<T: WeightElem, M: Params<T>>(
    model: &M,
    path: impl AsRef<Path>,
    opts: &Options<'_>,
) -> Result<(), SafetensorsFileError> {
    let path = path.as_ref();
    let bytes = to_bytes(model, opts).map_err(|error| SafetensorsFileError::Format {
        path: path.to_path_buf(),
        error: Box::new(error),
    })?;
    std::fs::write(path, bytes).map_err(|error| SafetensorsFileError::Write {
        path: path.to_path_buf(),
        error,
    })
}

/// Loads a safetensors file into `model` (see [`load_from_slice`]); on any error `model` is
/// unchanged.
pub fn load_file<T: WeightElem, M: Params<T>>(
    model: &mut M,
    path: impl AsRef<Path>,
    opts: &Options<'_>,
) -> Result<(), SafetensorsFileError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|error| SafetensorsFileError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    load_from_slice(model, &bytes, opts).map_err(|error| SafetensorsFileError::Format {
        path: path.to_path_buf(),
        error: Box::new(error),
    })
}
