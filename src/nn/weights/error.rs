//! Why weights could not be saved or loaded: [`WeightsError`], whose `Display` names the tensor.

use core::fmt;

use super::{Dims, Dtype, StoredKind, TensorName, VERSION};

/// Which part of a weights file was being read when the data ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// The file header (magic, version, tensor count).
    Header,
    /// The name (or its length) of the tensor at `index` (from 0) of `count`.
    Name {
        /// Position of the tensor in the file, from 0.
        index: u32,
        /// Number of tensors the header announces.
        count: u32,
    },
    /// The kind, dtype and dims of a tensor.
    Dims(TensorName),
    /// The values of a tensor.
    Values(TensorName),
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Header => f.write_str("the file header"),
            At::Name { index, count } => {
                write!(f, "the name of tensor {} of {count}", u64::from(*index) + 1)
            }
            At::Dims(name) => write!(f, "the dtype and dims of \"{name}\""),
            At::Values(name) => write!(f, "the values of \"{name}\""),
        }
    }
}

/// Why weights could not be saved or loaded. Errors about one tensor carry its name (cut to
/// [`TensorName::CAPACITY`] bytes, no allocator needed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightsError {
    /// The data does not start with [`MAGIC`](super::MAGIC): not a weights file.
    BadMagic,
    /// A version 1 file: it stores neither names nor dims, so it cannot be checked against a
    /// model, and this version does not read it.
    Version1,
    /// A format version this library does not know.
    UnsupportedVersion(u16),
    /// The data ends inside `at`.
    Truncated {
        /// What was being read.
        at: At,
        /// Bytes that part needs (saturated at `u64::MAX` for absurd dims).
        needed: u64,
        /// Bytes left.
        available: usize,
    },
    /// Bytes follow the last tensor.
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// A tensor's name in the file is not UTF-8.
    BadName {
        /// Position of the tensor in the file, from 0.
        index: u32,
    },
    /// A tensor's kind code is unknown.
    BadKind {
        /// The tensor.
        tensor: TensorName,
        /// The code found.
        code: u8,
    },
    /// A tensor's dtype code is unknown.
    BadDtype {
        /// The tensor.
        tensor: TensorName,
        /// The code found.
        code: u8,
    },
    /// The file holds a tensor twice.
    Duplicate(TensorName),
    /// The file stores a tensor as a param and the model as state, or the other way round.
    WrongKind {
        /// The tensor.
        tensor: TensorName,
        /// The file's kind.
        file: StoredKind,
        /// The model's kind.
        model: StoredKind,
    },
    /// The file stores a tensor with another element type.
    WrongDtype {
        /// The tensor.
        tensor: TensorName,
        /// The file's dtype.
        file: Dtype,
        /// The model's dtype.
        model: Dtype,
    },
    /// The file stores a tensor with other dims: another architecture.
    WrongDims {
        /// The tensor.
        tensor: TensorName,
        /// The file's dims.
        file: Dims,
        /// The model's dims.
        model: &'static [usize],
    },
    /// A model tensor is not in the file.
    Missing(TensorName),
    /// The file holds a tensor the model does not have.
    Extra(TensorName),
    /// The output buffer is too small to save into.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A model tensor the format cannot record or fill: a name over 65 535 bytes, more than 255
    /// dims, values that do not fill its dims (a faulty `Params` impl).
    ModelTensor {
        /// The tensor.
        tensor: TensorName,
        /// Why, as a clause.
        reason: &'static str,
    },
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightsError::BadMagic => {
                f.write_str("not a shaped weights file (it does not start with SHAPEDW)")
            }
            WeightsError::Version1 => write!(
                f,
                "version 1 weights file: it records no names or dims to check against the model, \
                 and this version reads version {VERSION} only; load it with the shaped release \
                 that wrote it and re-save it with this version"
            ),
            WeightsError::UnsupportedVersion(v) => write!(
                f,
                "weights format version {v} is not supported (this version reads version {VERSION})"
            ),
            WeightsError::Truncated {
                at,
                needed,
                available,
            } => write!(
                f,
                "weights data truncated in {at}: {needed} bytes needed, {available} left"
            ),
            WeightsError::TrailingBytes { extra } => {
                let s = if *extra == 1 { "" } else { "s" };
                write!(f, "weights data has {extra} byte{s} after the last tensor")
            }
            WeightsError::BadName { index } => write!(
                f,
                "the name of tensor {} in the file is not UTF-8",
                u64::from(*index) + 1
            ),
            WeightsError::BadKind { tensor, code } => {
                write!(f, "\"{tensor}\": file has unknown kind code {code}")
            }
            WeightsError::BadDtype { tensor, code } => {
                write!(f, "\"{tensor}\": file has unknown dtype code {code}")
            }
            WeightsError::Duplicate(tensor) => write!(f, "file has tensor \"{tensor}\" twice"),
            WeightsError::WrongKind {
                tensor,
                file,
                model,
            } => write!(f, "\"{tensor}\": file stores {file}, model needs {model}"),
            WeightsError::WrongDtype {
                tensor,
                file,
                model,
            } => write!(
                f,
                "\"{tensor}\": file has dtype {file}, model needs {model}"
            ),
            WeightsError::WrongDims {
                tensor,
                file,
                model,
            } => write!(
                f,
                "\"{tensor}\": file has dims {file}, model needs {}",
                Dims::of(model)
            ),
            WeightsError::Missing(tensor) => write!(f, "\"{tensor}\": missing from the file"),
            WeightsError::Extra(tensor) => write!(f, "file has extra tensor \"{tensor}\""),
            WeightsError::BufferTooSmall { needed, available } => write!(
                f,
                "buffer of {available} bytes is too small for {needed} bytes of weights"
            ),
            WeightsError::ModelTensor { tensor, reason } => write!(f, "\"{tensor}\": {reason}"),
        }
    }
}

impl core::error::Error for WeightsError {}

#[cfg(test)]
mod tests {
    use super::WeightsError;

    #[test]
    fn errors_stay_small() {
        // Returned by value on every path of the core: keep within clippy's 128-byte budget.
        assert!(
            size_of::<WeightsError>() <= 128,
            "{}",
            size_of::<WeightsError>()
        );
    }
}
