//! Why a safetensors file could not be read, matched or written: [`SafetensorsError`], whose
//! `Display` names the tensor. Kept allocator-free, like [`WeightsError`](super::super::WeightsError).

use core::fmt;

use super::SafeDtype;
use crate::nn::weights::{Dims, TensorName};

/// Why a safetensors file could not be loaded into a model, or a model saved as one. Errors
/// about one tensor carry its name: the file's key for a tensor found in the file (its dims are
/// shown in the file's layout), the model's name for a tensor the file lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SafetensorsError {
    /// The data is shorter than the 8-byte header length, or than the header it announces.
    Truncated {
        /// Bytes the length field and header need.
        needed: u64,
        /// Bytes present.
        available: usize,
    },
    /// The announced header is larger than [`MAX_HEADER`](super::MAX_HEADER) (100 MB, the
    /// reference implementation's limit): not a safetensors file.
    HeaderTooLarge {
        /// The announced length.
        len: u64,
    },
    /// The header is not the JSON the format needs.
    BadJson {
        /// Offset in the file of the first byte that does not fit.
        offset: usize,
        /// What was expected there.
        reason: &'static str,
    },
    /// A tensor's entry lacks a field, repeats one, or has a value of the wrong form.
    BadEntry {
        /// The file's key.
        tensor: TensorName,
        /// What is wrong, as a clause.
        reason: &'static str,
    },
    /// A tensor's dtype is not one the format defines.
    UnknownDtype {
        /// The file's key.
        tensor: TensorName,
    },
    /// A tensor's `data_offsets` do not span its dims times its dtype's size.
    SizeMismatch {
        /// The file's key.
        tensor: TensorName,
        /// Its dims.
        dims: Dims,
        /// Its dtype.
        dtype: SafeDtype,
        /// Bytes its offsets span.
        bytes: u64,
    },
    /// A tensor's `data_offsets` are reversed or reach past the data.
    OutOfBounds {
        /// The file's key.
        tensor: TensorName,
        /// Its offsets.
        begin: u64,
        /// Its offsets.
        end: u64,
        /// Bytes of data after the header.
        data: usize,
    },
    /// Two tensors share bytes of the data.
    Overlap {
        /// The later tensor in the header.
        tensor: TensorName,
        /// Its offsets.
        span: (u64, u64),
        /// The offsets of the earlier tensor it overlaps.
        other: (u64, u64),
    },
    /// The header holds a key twice (or two keys rename to the same model name).
    Duplicate(TensorName),
    /// Bytes of the data belong to no tensor (the reference reader refuses such files too).
    UnusedBytes {
        /// How many.
        count: u64,
    },
    /// A model tensor is not in the file.
    Missing(TensorName),
    /// The file holds a tensor the model does not have (and extras are not allowed).
    Extra(TensorName),
    /// A tensor has other dims than the model's (shown in the file's layout).
    WrongDims {
        /// The file's key.
        tensor: TensorName,
        /// The file's dims.
        file: Dims,
        /// The model's dims in the library's layout.
        model: &'static [usize],
        /// Whether the file's layout is the transpose of the model's (PyTorch's `Linear`).
        transposed: bool,
    },
    /// A tensor's dtype does not load exactly into the model's.
    WrongDtype {
        /// The file's key.
        tensor: TensorName,
        /// The file's dtype.
        file: SafeDtype,
        /// The model's.
        model: SafeDtype,
    },
    /// The output buffer is too small to save into.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A model tensor that cannot be saved (values that do not fill its dims, a model too large).
    ModelTensor {
        /// The model's name.
        tensor: TensorName,
        /// Why, as a clause.
        reason: &'static str,
    },
}

/// The model's dims as the file lays them out.
fn model_dims(model: &[usize], transposed: bool) -> Dims {
    match (transposed, model) {
        (true, &[a, b]) => Dims::of(&[b, a]),
        _ => Dims::of(model),
    }
}

impl fmt::Display for SafetensorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SafetensorsError::*;
        match self {
            Truncated { needed, available } => write!(
                f,
                "safetensors data truncated in its header: {needed} bytes needed, {available} present"
            ),
            HeaderTooLarge { len } => write!(
                f,
                "not a safetensors file: it announces a header of {len} bytes (the limit is 100 MB)"
            ),
            BadJson { offset, reason } => write!(
                f,
                "safetensors header is not valid JSON at byte {offset}: {reason}"
            ),
            BadEntry { tensor, reason } => write!(f, "\"{tensor}\": {reason}"),
            UnknownDtype { tensor } => write!(f, "\"{tensor}\": unknown dtype"),
            SizeMismatch {
                tensor,
                dims,
                dtype,
                bytes,
            } => write!(
                f,
                "\"{tensor}\": dims {dims} of {dtype} do not fill the {bytes} bytes its data_offsets span"
            ),
            OutOfBounds {
                tensor,
                begin,
                end,
                data,
            } => write!(
                f,
                "\"{tensor}\": data_offsets [{begin}, {end}] lie outside the {data} bytes of data"
            ),
            Overlap {
                tensor,
                span,
                other,
            } => write!(
                f,
                "\"{tensor}\": data bytes {}..{} overlap another tensor's {}..{}",
                span.0, span.1, other.0, other.1
            ),
            Duplicate(tensor) => write!(f, "file has tensor \"{tensor}\" twice"),
            UnusedBytes { count } => {
                let s = if *count == 1 { "" } else { "s" };
                write!(f, "{count} byte{s} of data belong to no tensor")
            }
            Missing(tensor) => write!(f, "\"{tensor}\": missing from the file"),
            Extra(tensor) => write!(f, "file has extra tensor \"{tensor}\""),
            WrongDims {
                tensor,
                file,
                model,
                transposed,
            } => write!(
                f,
                "\"{tensor}\": file has dims {file}, model needs {}",
                model_dims(model, *transposed)
            ),
            WrongDtype {
                tensor,
                file,
                model,
            } => write!(
                f,
                "\"{tensor}\": file has dtype {file}, model needs {model}"
            ),
            BufferTooSmall { needed, available } => write!(
                f,
                "buffer of {available} bytes is too small for {needed} bytes of safetensors"
            ),
            ModelTensor { tensor, reason } => write!(f, "\"{tensor}\": {reason}"),
        }
    }
}

impl core::error::Error for SafetensorsError {}

#[cfg(test)]
mod tests {
    use super::SafetensorsError;

    #[test]
    fn errors_stay_small() {
        assert!(
            size_of::<SafetensorsError>() <= 128,
            "{}",
            size_of::<SafetensorsError>()
        );
    }
}
