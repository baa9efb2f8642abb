//! Quantization parameters: observed ranges and the affine map of an int8 tensor.

use super::requant::round_f64;

/// The range of real values a tensor took during calibration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The least value seen.
    pub min: f32,
    /// The greatest value seen.
    pub max: f32,
}

impl Range {
    /// Nothing observed yet.
    pub const EMPTY: Range = Range {
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
    };

    /// Widens the range to hold `values`.
    pub fn observe(&mut self, values: &[f32]) {
        for &v in values {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }
}

/// Per-tensor asymmetric int8: `real = scale · (q − zero)`, `q` in `[−128, 127]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QParams {
    /// The real step between consecutive integers.
    pub scale: f32,
    /// The integer of the real value 0.
    pub zero: i32,
}

impl QParams {
    /// The map covering `range` and `0` (zero must be exact: it is the padding and ReLU's floor).
    pub fn of(range: Range) -> QParams {
        let (lo, hi) = (range.min.min(0.0) as f64, range.max.max(0.0) as f64);
        if hi <= lo || hi.is_nan() || lo.is_nan() {
            return QParams {
                scale: 1.0,
                zero: -128,
            };
        }
        let scale = (hi - lo) / 255.0;
        let zero = round_f64(-128.0 - lo / scale).clamp(-128.0, 127.0) as i32;
        QParams {
            scale: scale as f32,
            zero,
        }
    }

    /// `v` quantized (rounded, saturated).
    pub fn quantize(self, v: f32) -> i8 {
        (round_f64(v as f64 / self.scale as f64) as i64 + self.zero as i64).clamp(-128, 127) as i8
    }

    /// `q` as a real value.
    pub fn dequantize(self, q: i8) -> f32 {
        self.scale * (q as i32 - self.zero) as f32
    }
}
