//! Saving and loading a model's parameters in a small binary format.
//!
//! # Format (version 1)
//!
//! | offset | size | content                                                        |
//! |--------|------|----------------------------------------------------------------|
//! | 0      | 8    | magic `b"SHAPEDW\0"`                                           |
//! | 8      | 2    | format version, `u16` little-endian (`1`)                      |
//! | 10     | 1    | element type: `1` = `f32`, `2` = `f64`                         |
//! | 11     | 1    | element size in bytes (4 or 8)                                 |
//! | 12     | 4    | reserved, zero                                                 |
//! | 16     | 8    | number of parameters, `u64` little-endian                      |
//! | 24     | n·4/8 | the values, little-endian, in [`Params::visit`] order          |
//!
//! The order is the model's own (layer by layer, weights then bias), so a file fits exactly the
//! model type that wrote it; the count guards against loading into another architecture.
//! The core works on byte slices and needs no allocator ([`save_to_slice`], [`load_from_slice`]);
//! [`to_bytes`] needs `alloc`, [`save_file`] and [`load_file`] need `std`.
//!
//! ```
//! use shaped::prelude::*;
//! use shaped::nn::{Linear, Params, weights};
//! let mut a = Linear::<f32, U3, U2>::zeros();
//! a.bias.fill(0.5);
//! let mut buf = [0u8; weights::encoded_len::<f32, Linear<f32, U3, U2>>()];
//! weights::save_to_slice(&a, &mut buf).unwrap();
//! let mut b = Linear::<f32, U3, U2>::zeros();
//! weights::load_from_slice(&mut b, &buf).unwrap();
//! assert_eq!(b.bias, a.bias);
//! // A model of another size refuses the file.
//! let mut c = Linear::<f32, U3, U3>::zeros();
//! assert!(weights::load_from_slice(&mut c, &buf).is_err());
//! ```

use core::fmt;

use crate::nn::{Name, Params, Values, ValuesMut};

/// The first 8 bytes of every weights file.
pub const MAGIC: [u8; 8] = *b"SHAPEDW\0";
/// The format version this module writes and reads.
pub const VERSION: u16 = 1;
/// Bytes before the values.
pub const HEADER_LEN: usize = 24;

/// A parameter type that can be stored: `f32` or `f64`, little-endian.
pub trait WeightElem: Copy {
    /// The element-type code in the header.
    const CODE: u8;
    /// Bytes per value.
    const SIZE: usize;
    /// Writes `self` little-endian into `out[..SIZE]`.
    fn write_le(self, out: &mut [u8]);
    /// Reads a value from `bytes[..SIZE]`, little-endian.
    fn read_le(bytes: &[u8]) -> Self;
    /// A counter stored as this type (exact below 2^24 for `f32`, 2^53 for `f64`).
    fn from_i64(v: i64) -> Self;
    /// The counter back, rounded.
    fn to_i64(self) -> i64;
}

impl WeightElem for f32 {
    const CODE: u8 = 1;
    const SIZE: usize = 4;
    fn write_le(self, out: &mut [u8]) {
        out[..4].copy_from_slice(&self.to_le_bytes());
    }
    fn read_le(bytes: &[u8]) -> Self {
        f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }
    fn from_i64(v: i64) -> Self {
        v as f32
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
}

impl WeightElem for f64 {
    const CODE: u8 = 2;
    const SIZE: usize = 8;
    fn write_le(self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.to_le_bytes());
    }
    fn read_le(bytes: &[u8]) -> Self {
        let mut b = [0; 8];
        b.copy_from_slice(&bytes[..8]);
        f64::from_le_bytes(b)
    }
    fn from_i64(v: i64) -> Self {
        v as f64
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
}

/// Why weights could not be saved or loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightsError {
    /// The data does not start with [`MAGIC`]: not a weights file.
    BadMagic,
    /// The file was written by another format version.
    UnsupportedVersion(u16),
    /// The file stores another element type (codes: 1 = f32, 2 = f64).
    WrongElementType {
        /// The model's element type code.
        expected: u8,
        /// The file's code.
        found: u8,
    },
    /// The file holds another number of parameters: it belongs to another architecture.
    WrongCount {
        /// The model's parameter count.
        expected: u64,
        /// The file's parameter count.
        found: u64,
    },
    /// The data ends early.
    Truncated {
        /// Bytes the header promises.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// Bytes follow the last value.
    TrailingBytes {
        /// Bytes the header promises.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// The output buffer is too small to save into.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WeightsError::BadMagic => write!(f, "not a shaped weights file (bad magic bytes)"),
            WeightsError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "weights format version {v} is not supported (expected {VERSION})"
                )
            }
            WeightsError::WrongElementType { expected, found } => write!(
                f,
                "weights have element type {} but the model uses {}",
                type_name(found),
                type_name(expected)
            ),
            WeightsError::WrongCount { expected, found } => write!(
                f,
                "weights hold {found} parameters but the model has {expected} (another architecture?)"
            ),
            WeightsError::Truncated { expected, found } => {
                write!(
                    f,
                    "weights data truncated: {found} bytes, expected {expected}"
                )
            }
            WeightsError::TrailingBytes { expected, found } => {
                write!(
                    f,
                    "weights data too long: {found} bytes, expected {expected}"
                )
            }
            WeightsError::BufferTooSmall { needed, available } => {
                write!(
                    f,
                    "buffer of {available} bytes is too small for {needed} bytes of weights"
                )
            }
        }
    }
}

impl core::error::Error for WeightsError {}

fn type_name(code: u8) -> &'static str {
    match code {
        1 => "f32",
        2 => "f64",
        _ => "unknown",
    }
}

/// Bytes of the encoding of model `M`'s parameters (header included), a compile-time constant.
pub const fn encoded_len<T: WeightElem, M: Params<T>>() -> usize {
    HEADER_LEN + M::STORED * T::SIZE
}

/// Writes the parameters of `model` into `out`; returns the number of bytes written
/// ([`encoded_len`]).
pub fn save_to_slice<T: WeightElem, M: Params<T>>(
    model: &M,
    out: &mut [u8],
) -> Result<usize, WeightsError> {
    let needed = encoded_len::<T, M>();
    if out.len() < needed {
        return Err(WeightsError::BufferTooSmall {
            needed,
            available: out.len(),
        });
    }
    out[..8].copy_from_slice(&MAGIC);
    out[8..10].copy_from_slice(&VERSION.to_le_bytes());
    out[10] = T::CODE;
    out[11] = T::SIZE as u8;
    out[12..16].fill(0);
    out[16..24].copy_from_slice(&(M::STORED as u64).to_le_bytes());
    let mut at = HEADER_LEN;
    model.visit(&Name::ROOT, &mut |e| match e.values {
        Values::Elem(values) => {
            for &v in values {
                v.write_le(&mut out[at..at + T::SIZE]);
                at += T::SIZE;
            }
        }
        Values::I64(values) => {
            for &v in values {
                T::from_i64(v).write_le(&mut out[at..at + T::SIZE]);
                at += T::SIZE;
            }
        }
    });
    Ok(at)
}

/// Checks the header and length of `bytes` against model `M`, without touching any model.
pub fn validate<T: WeightElem, M: Params<T>>(bytes: &[u8]) -> Result<(), WeightsError> {
    if bytes.len() < HEADER_LEN {
        let magic_prefix = &MAGIC[..bytes.len().min(8)];
        if bytes[..magic_prefix.len()] != *magic_prefix {
            return Err(WeightsError::BadMagic);
        }
        return Err(WeightsError::Truncated {
            expected: HEADER_LEN,
            found: bytes.len(),
        });
    }
    if bytes[..8] != MAGIC {
        return Err(WeightsError::BadMagic);
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != VERSION {
        return Err(WeightsError::UnsupportedVersion(version));
    }
    if bytes[10] != T::CODE || usize::from(bytes[11]) != T::SIZE {
        return Err(WeightsError::WrongElementType {
            expected: T::CODE,
            found: bytes[10],
        });
    }
    let mut count = [0; 8];
    count.copy_from_slice(&bytes[16..24]);
    let count = u64::from_le_bytes(count);
    if count != M::STORED as u64 {
        return Err(WeightsError::WrongCount {
            expected: M::STORED as u64,
            found: count,
        });
    }
    let expected = encoded_len::<T, M>();
    if bytes.len() < expected {
        return Err(WeightsError::Truncated {
            expected,
            found: bytes.len(),
        });
    }
    if bytes.len() > expected {
        return Err(WeightsError::TrailingBytes {
            expected,
            found: bytes.len(),
        });
    }
    Ok(())
}

/// Loads parameters saved by [`save_to_slice`] into `model`. On error `model` is unchanged.
pub fn load_from_slice<T: WeightElem, M: Params<T>>(
    model: &mut M,
    bytes: &[u8],
) -> Result<(), WeightsError> {
    validate::<T, M>(bytes)?;
    let mut at = HEADER_LEN;
    model.visit_mut(&Name::ROOT, &mut |e| match e.values {
        ValuesMut::Elem(values) => {
            for v in values {
                *v = T::read_le(&bytes[at..at + T::SIZE]);
                at += T::SIZE;
            }
        }
        ValuesMut::I64(values) => {
            for v in values {
                *v = T::read_le(&bytes[at..at + T::SIZE]).to_i64();
                at += T::SIZE;
            }
        }
    });
    Ok(())
}

/// The encoding of `model`'s parameters as a new byte vector.
#[cfg(feature = "alloc")]
pub fn to_bytes<T: WeightElem, M: Params<T>>(model: &M) -> alloc::vec::Vec<u8> {
    let mut out = alloc::vec![0; encoded_len::<T, M>()];
    save_to_slice(model, &mut out).expect("buffer sized by encoded_len");
    out
}

/// Saves `model`'s parameters to a file (created or truncated).
#[cfg(feature = "std")]
pub fn save_file<T: WeightElem, M: Params<T>>(
    model: &M,
    path: impl AsRef<std::path::Path>,
) -> std::io::Result<()> {
    std::fs::write(path, to_bytes(model))
}

/// Loads parameters from a file written by [`save_file`]. Format problems come back as
/// `io::ErrorKind::InvalidData` wrapping a [`WeightsError`]; on any error `model` is unchanged.
#[cfg(feature = "std")]
pub fn load_file<T: WeightElem, M: Params<T>>(
    model: &mut M,
    path: impl AsRef<std::path::Path>,
) -> std::io::Result<()> {
    let bytes = std::fs::read(path)?;
    load_from_slice(model, &bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
