//! Safetensors import and export: PyTorch's weights in, weights PyTorch loads out, checked
//! against the typed model tensor by tensor, with no allocator.
//!
//! A safetensors file is an 8-byte little-endian header length, a JSON header mapping each
//! tensor name to `{"dtype", "shape", "data_offsets"}` (plus an optional `"__metadata__"`), then
//! the raw little-endian data. A PyTorch `state_dict` of an `nn.Sequential` has the same dotted
//! names as a `shaped` tuple chain (`"0.weight"`, `"1.running_mean"`), and BatchNorm's state
//! (`running_mean`, `running_var`, `num_batches_tracked` as `I64`) is stored with the parameters.
//!
//! - **Loading** ([`load_from_slice`], [`load_file`]) checks the file's structure first (header
//!   length, JSON, dtypes, offsets inside the data, no overlapping tensors, no unused bytes), then
//!   every model tensor (present, dims in the file's layout, a dtype that loads exactly), then
//!   that the file holds nothing else (unless [`Options::allow_extra`]); only then is a value
//!   written, so a refused file leaves the model as it was. Each error names the tensor:
//!   `"9.weight": file has dims (120, 400), model needs (120, 864)`.
//! - **Layouts:** `shaped` stores a `Linear` weight `(in, out)`, PyTorch `(out, in)`; with
//!   [`Options::TORCH`] `Linear` weights are transposed on the way in and out
//!   ([`Layout::Torch`]); convolution weights `(F, C, KH, KW)` and embedding tables `(V, D)`
//!   are the same in both.
//! - **Dtypes:** `F32` and `F64` as the model; `F16` and `BF16` are widened exactly into `f32`
//!   (or `f64`), `F32` into `f64`; narrowing (`F64` into `f32`) is refused.
//! - **Names** can be remapped by prefix rules ([`Options::rename`]).
//! - **No heap:** the header is parsed in place by a small JSON reader of our own (no recursion,
//!   escapes decoded on the fly), so the same code serves `std` programs and firmware that loads
//!   an `include_bytes!` into a model in a `static`; see `docs/embedded-weights.md` in the
//!   repository for why one allocator-free reader rather than the `safetensors` crate.
//!
//! ```
//! use shaped::nn::weights::safetensors::{self, Options};
//! use shaped::nn::Linear;
//! use shaped::prelude::*;
//! let mut a = Linear::<f32, U3, U2>::zeros();
//! a.weight[[0, 1]] = 5.0; // input 0, output 1: PyTorch's weight[1][0]
//! let mut buf = [0u8; 512];
//! let n = safetensors::save_to_slice(&a, &mut buf, &Options::TORCH).unwrap();
//! let mut b = Linear::<f32, U3, U2>::zeros();
//! safetensors::load_from_slice(&mut b, &buf[..n], &Options::TORCH).unwrap();
//! assert_eq!(b.weight[[0, 1]], 5.0);
//! // Another architecture is refused, naming the tensor in PyTorch's layout.
//! let mut c = Linear::<f32, U4, U2>::zeros();
//! let err = safetensors::load_from_slice(&mut c, &buf[..n], &Options::TORCH).unwrap_err();
//! assert_eq!(err.to_string(), r#""weight": file has dims (2, 3), model needs (2, 4)"#);
//! ```

mod dtype;
mod error;
#[cfg(feature = "std")]
mod file;
mod header;
mod json;
mod load;
mod options;
mod save;

pub use dtype::{SafeDtype, bf16_to_f32, f16_to_f32};
pub use error::SafetensorsError;
#[cfg(feature = "std")]
pub use file::{SafetensorsFileError, load_file, save_file};
pub use load::{load_from_slice, validate};
pub use options::{Layout, Options, TransposeRule};
#[cfg(feature = "alloc")]
pub use save::to_bytes;
pub use save::{encoded_len, save_to_slice};

/// The largest header accepted, in bytes (the reference implementation's limit).
pub const MAX_HEADER: u64 = 100_000_000;
