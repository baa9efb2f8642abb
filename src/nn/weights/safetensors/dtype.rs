//! The element types a safetensors file names (`"F32"`, `"BF16"`, …), which of them load into
//! which model type, and the half-precision conversions (exact, written here: no dependency).

use core::fmt;

/// A dtype as safetensors spells it. All are recognised, so that a file's sizes can be checked
/// whatever it holds; [`SafeDtype::loads_into`] says which a model accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs, reason = "the names are the format's")]
pub enum SafeDtype {
    Bool,
    U8,
    I8,
    F8E5M2,
    F8E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}

/// Every dtype with its spelling and size in bytes.
const TABLE: [(SafeDtype, &str, usize); 15] = [
    (SafeDtype::Bool, "BOOL", 1),
    (SafeDtype::U8, "U8", 1),
    (SafeDtype::I8, "I8", 1),
    (SafeDtype::F8E5M2, "F8_E5M2", 1),
    (SafeDtype::F8E4M3, "F8_E4M3", 1),
    (SafeDtype::I16, "I16", 2),
    (SafeDtype::U16, "U16", 2),
    (SafeDtype::F16, "F16", 2),
    (SafeDtype::BF16, "BF16", 2),
    (SafeDtype::I32, "I32", 4),
    (SafeDtype::U32, "U32", 4),
    (SafeDtype::F32, "F32", 4),
    (SafeDtype::F64, "F64", 8),
    (SafeDtype::I64, "I64", 8),
    (SafeDtype::U64, "U64", 8),
];

impl SafeDtype {
    /// The dtype a file spells `name`, if any.
    pub fn parse(name: &str) -> Option<SafeDtype> {
        TABLE.iter().find(|t| t.1 == name).map(|t| t.0)
    }

    /// Its spelling in a file.
    pub fn name(self) -> &'static str {
        TABLE.iter().find(|t| t.0 == self).map_or("?", |t| t.1)
    }

    /// Bytes per value.
    pub fn size(self) -> usize {
        TABLE.iter().find(|t| t.0 == self).map_or(1, |t| t.2)
    }

    /// Whether values of this dtype load exactly into a model tensor of dtype `model`
    /// (`F32`, `F64` or `I64`): the same dtype, or a widening that loses nothing (`F16` and
    /// `BF16` into `F32` or `F64`, `F32` into `F64`). Narrowing (`F64` into `f32`) is refused.
    pub fn loads_into(self, model: SafeDtype) -> bool {
        use SafeDtype::*;
        self == model || matches!((self, model), (F16 | BF16, F32 | F64) | (F32, F64))
    }

    /// Reads one value of a float dtype as `f32`; `None` for `F64` and non-float dtypes.
    pub(crate) fn read_f32(self, b: &[u8]) -> Option<f32> {
        match (self, b) {
            (SafeDtype::F32, &[a, b, c, d]) => Some(f32::from_le_bytes([a, b, c, d])),
            (SafeDtype::F16, &[a, b]) => Some(f16_to_f32(u16::from_le_bytes([a, b]))),
            (SafeDtype::BF16, &[a, b]) => Some(bf16_to_f32(u16::from_le_bytes([a, b]))),
            _ => None,
        }
    }
}

impl fmt::Display for SafeDtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// IEEE 754 binary16 to `f32`, exactly (every half value is an `f32`): normals, subnormals,
/// signed zeros, infinities; NaN stays NaN with its payload shifted into place.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1F);
    let man = u32::from(h & 0x3FF);
    let bits = match (exp, man) {
        (0, 0) => sign,
        // Subnormal: man · 2^-24, normalised for f32.
        (0, _) => {
            let shift = man.leading_zeros() - 21; // moves the top set bit to bit 10
            let man = (man << shift) & 0x3FF;
            let exp = 127 - 15 + 1 - shift;
            sign | (exp << 23) | (man << 13)
        }
        (0x1F, _) => sign | 0x7F80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// bfloat16 to `f32`, exactly: the top half of an `f32`.
pub fn bf16_to_f32(b: u16) -> f32 {
    f32::from_bits(u32::from(b) << 16)
}

#[cfg(test)]
mod tests {
    use super::{SafeDtype, bf16_to_f32, f16_to_f32};

    #[test]
    fn half_values_convert_exactly() {
        assert_eq!(f16_to_f32(0x3C00), 1.0);
        assert_eq!(f16_to_f32(0xC000), -2.0);
        assert_eq!(f16_to_f32(0x7BFF), 65504.0); // largest normal
        assert_eq!(f16_to_f32(0x0400), 2f32.powi(-14)); // smallest normal
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24)); // smallest subnormal
        assert_eq!(f16_to_f32(0x03FF), 1023.0 * 2f32.powi(-24)); // largest subnormal
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f16_to_f32(0x7C00), f32::INFINITY);
        assert_eq!(f16_to_f32(0xFC00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7E00).is_nan());
        assert_eq!(bf16_to_f32(0x3F80), 1.0);
        assert_eq!(bf16_to_f32(0xC049), -3.140_625);
        assert!(bf16_to_f32(0x7FC0).is_nan());
    }

    #[test]
    fn every_half_bit_pattern_round_trips_through_f32() {
        // f32 -> f16 by rounding is not needed by the library; check the inverse on all 65536
        // patterns instead: the f32 must re-encode to the same half when truncated.
        for h in 0..=u16::MAX {
            let f = f16_to_f32(h);
            if f.is_nan() {
                continue;
            }
            let bits = f.to_bits();
            let sign = ((bits >> 16) & 0x8000) as u16;
            let exp = ((bits >> 23) & 0xFF) as i32 - 127 + 15;
            let back = if f == 0.0 {
                sign
            } else if exp <= 0 {
                // Subnormal half: value / 2^-24.
                sign | (f.abs() * 2f32.powi(24)) as u16
            } else if exp >= 0x1F {
                sign | 0x7C00
            } else {
                sign | ((exp as u16) << 10) | ((bits >> 13) & 0x3FF) as u16
            };
            assert_eq!(back, h, "{h:#06x} -> {f}");
        }
    }

    #[test]
    fn spellings_and_widening() {
        for name in ["F32", "F16", "BF16", "I64", "F8_E4M3", "BOOL"] {
            assert_eq!(SafeDtype::parse(name).unwrap().name(), name);
        }
        assert_eq!(SafeDtype::parse("f32"), None);
        assert!(SafeDtype::BF16.loads_into(SafeDtype::F32));
        assert!(SafeDtype::F32.loads_into(SafeDtype::F64));
        assert!(!SafeDtype::F64.loads_into(SafeDtype::F32));
        assert!(!SafeDtype::F32.loads_into(SafeDtype::I64));
        assert!(!SafeDtype::I32.loads_into(SafeDtype::I64));
    }
}
