//! The element types a weights file stores: the model's float type and `i64` counters.

use core::fmt;

/// The element type of one stored tensor, as the file records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// `f32`, code 1.
    F32,
    /// `f64`, code 2.
    F64,
    /// `i64` counters (BatchNorm's `num_batches_tracked`), code 3: stored as integers, never as
    /// floats, so they survive exactly.
    I64,
}

impl Dtype {
    /// The byte that stands for this type in the file.
    pub const fn code(self) -> u8 {
        match self {
            Dtype::F32 => 1,
            Dtype::F64 => 2,
            Dtype::I64 => 3,
        }
    }

    /// The type a code stands for, if any.
    pub const fn from_code(code: u8) -> Option<Dtype> {
        match code {
            1 => Some(Dtype::F32),
            2 => Some(Dtype::F64),
            3 => Some(Dtype::I64),
            _ => None,
        }
    }

    /// Bytes per value.
    pub const fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F64 | Dtype::I64 => 8,
        }
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
            Dtype::I64 => "i64",
        })
    }
}

/// A model element type that can be stored: `f32` or `f64`, little-endian.
pub trait WeightElem: Copy {
    /// Its [`Dtype`].
    const DTYPE: Dtype;
    /// Writes `self` little-endian into `out`, which is exactly `DTYPE.size()` bytes long.
    fn write_le(self, out: &mut [u8]);
    /// Reads a value from `bytes`, exactly `DTYPE.size()` bytes, little-endian.
    fn read_le(bytes: &[u8]) -> Self;
    /// `v` in this type, exactly (a widening for `f64`): how half-precision and `f32` file
    /// values reach the model.
    fn from_f32(v: f32) -> Self;
}

impl WeightElem for f32 {
    const DTYPE: Dtype = Dtype::F32;
    fn write_le(self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    fn read_le(bytes: &[u8]) -> Self {
        let mut b = [0; 4];
        b.copy_from_slice(bytes);
        f32::from_le_bytes(b)
    }
    fn from_f32(v: f32) -> Self {
        v
    }
}

impl WeightElem for f64 {
    const DTYPE: Dtype = Dtype::F64;
    fn write_le(self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    fn read_le(bytes: &[u8]) -> Self {
        let mut b = [0; 8];
        b.copy_from_slice(bytes);
        f64::from_le_bytes(b)
    }
    fn from_f32(v: f32) -> Self {
        f64::from(v)
    }
}
