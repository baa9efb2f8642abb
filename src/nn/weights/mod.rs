//! Saving and loading a model's stored tensors in a small binary format that records the
//! architecture: every tensor's name, kind, dtype and dims, then its values.
//!
//! Loading looks each model tensor up by name and refuses a file that does not match, naming the
//! tensor: `"2.weight": file has dims (120, 400), model needs (120, 864)`, `"1.bias": missing
//! from the file`, `file has extra tensor "4.weight"`. Two models with the same parameter count
//! but other layers do not load each other's files.
//!
//! PyTorch's format, safetensors, is read and written by [`safetensors`], with the same checks.
//!
//! # Format (version 2)
//!
//! All integers little-endian. The header:
//!
//! | offset | size | content                                   |
//! |--------|------|-------------------------------------------|
//! | 0      | 8    | magic `b"SHAPEDW\0"`                      |
//! | 8      | 2    | format version, `u16` (`2`)               |
//! | 10     | 4    | number of tensors, `u32`                  |
//! | 14     |      | the records, in [`Params::visit`] order   |
//!
//! Each record:
//!
//! | size  | content                                                                     |
//! |-------|-----------------------------------------------------------------------------|
//! | 2     | name length `n`, `u16`                                                      |
//! | n     | dotted name, UTF-8: `0.weight`, `3.running_mean`                            |
//! | 1     | kind: `0` = param (trainable or frozen), `1` = state                        |
//! | 1     | dtype: `1` = `f32`, `2` = `f64`, `3` = `i64`                                |
//! | 1     | rank `r`                                                                    |
//! | 8·r   | dims, `u64` each, in the library's layout (`Conv2d` weights `(F, C, K, K)`) |
//! | k·s   | values, row-major: `k` = product of the dims (1 for rank 0), `s` = 4 or 8    |
//!
//! Choices, and why:
//! - **Kinds.** Trainable and frozen parameters are both stored as "param", so a model with a
//!   [`Frozen`](crate::nn::Frozen) part loads the trainable model's file and the other way
//!   round; state (running statistics) is its own kind and never loads into a parameter.
//! - **Counters** (`num_batches_tracked`) are stored as `i64`, not as floats: they survive
//!   exactly.
//! - **Names by lookup.** A file may list the tensors in any order; the saved order is the
//!   model's, which makes a load one pass. Every model tensor must be in the file and every file
//!   tensor in the model.
//! - **Variable-length names**, not fixed-size fields: fixed fields would cut long names (two
//!   could then collide) or waste space, and would not make the length a constant anyway,
//!   because [`Params`] exposes no tensor count or ranks at compile time. So [`encoded_len`]
//!   takes the model and walks it (no `const` upper bound either: it would need the same
//!   count); [`save_to_slice`] reports the exact size it needs when the buffer is too small.
//! - **Version 1 files** (a count and bare values) are refused with [`WeightsError::Version1`]:
//!   they record nothing to check the architecture with, which is the flaw this version fixes.
//!   Load them with the release that wrote them and save them again.
//! - **No allocator** in the core: [`save_to_slice`] and [`load_from_slice`] work on byte
//!   slices, names are compared with [`Name::matches`](crate::nn::Name::matches) and errors
//!   carry names in a fixed inline buffer ([`TensorName`], 64 bytes, cut with `…`).
//!   [`to_bytes`] needs `alloc`; [`save_file`] and [`load_file`] need `std`, and their errors
//!   ([`FileError`], convertible to `io::Error`) name the path.
//! - A refused file leaves the model unchanged: everything is checked before a value is written.
//!
//! ```
//! use shaped::nn::{Linear, weights};
//! use shaped::prelude::*;
//! let mut a = Linear::<f32, U3, U2>::zeros();
//! a.bias.fill(0.5);
//! let mut buf = [0u8; 128];
//! let n = weights::save_to_slice(&a, &mut buf).unwrap();
//! assert_eq!(n, weights::encoded_len(&a).unwrap());
//! let mut b = Linear::<f32, U3, U2>::zeros();
//! weights::load_from_slice(&mut b, &buf[..n]).unwrap();
//! assert_eq!(b.bias, a.bias);
//! // A model of another shape refuses the file, naming the tensor.
//! let mut c = Linear::<f32, U3, U3>::zeros();
//! let err = weights::load_from_slice(&mut c, &buf[..n]).unwrap_err();
//! assert_eq!(err.to_string(), r#""weight": file has dims (3, 2), model needs (3, 3)"#);
//! ```

mod dims;
mod elem;
mod error;
#[cfg(feature = "std")]
mod file;
mod kind;
mod label;
mod load;
mod record;
pub mod safetensors;
mod save;

#[cfg(doc)]
use crate::nn::Params;

pub use dims::Dims;
pub use elem::{Dtype, WeightElem};
pub use error::{At, WeightsError};
#[cfg(feature = "std")]
pub use file::{FileError, load_file, save_file};
pub use kind::StoredKind;
pub use label::TensorName;
pub use load::{load_from_slice, validate};
pub use save::{encoded_len, save_to_slice};

/// The first 8 bytes of every weights file.
pub const MAGIC: [u8; 8] = *b"SHAPEDW\0";
/// The format version this module writes and reads.
pub const VERSION: u16 = 2;
/// Bytes of the header, before the first record.
pub const HEADER_LEN: usize = 14;

/// The encoding of `model`'s tensors as a new byte vector.
#[cfg(feature = "alloc")]
pub fn to_bytes<T: WeightElem, M: crate::nn::Params<T>>(
    model: &M,
) -> Result<alloc::vec::Vec<u8>, WeightsError> {
    let mut out = alloc::vec![0; encoded_len(model)?];
    save_to_slice(model, &mut out)?;
    Ok(out)
}
