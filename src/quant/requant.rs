//! Requantization: scaling an `i32` accumulator by a real factor with integers only.

/// A real multiplier `M > 0` as `mult · 2^(shift − 31)` with `mult` in `[2^30, 2^31)`: TFLite's
/// fixed-point form, so `round(acc · M)` needs one 64-bit product and one shift, no float.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requant {
    /// The mantissa, a Q31 fixed-point number in `[0.5, 1)`.
    pub mult: i32,
    /// The power of two.
    pub shift: i32,
}

impl Requant {
    /// The closest fixed-point form of `m` (`0 < m < 2^31`; `m <= 0` gives the zero multiplier).
    pub fn new(m: f64) -> Requant {
        if m <= 0.0 || m.is_nan() {
            return Requant { mult: 0, shift: 0 };
        }
        let (mut frac, mut shift) = (m, 0i32);
        while frac >= 1.0 {
            frac /= 2.0;
            shift += 1;
        }
        while frac < 0.5 {
            frac *= 2.0;
            shift -= 1;
        }
        let mut q = round_f64(frac * (1u64 << 31) as f64) as i64;
        if q == 1 << 31 {
            q /= 2;
            shift += 1;
        }
        // Below 2^-32 every accumulator rounds to zero anyway.
        if shift < -31 {
            return Requant { mult: 0, shift: 0 };
        }
        Requant {
            mult: q as i32,
            shift,
        }
    }

    /// `round(acc · M)`, halves rounded up, exactly (computed in 64 bits).
    #[inline(always)]
    pub fn apply(self, acc: i32) -> i32 {
        let right = 31 - self.shift; // 0 ..= 62
        let prod = acc as i64 * self.mult as i64;
        if right <= 0 {
            return (prod << -right) as i32;
        }
        ((prod + (1i64 << (right - 1))) >> right) as i32
    }

    /// The real multiplier this represents.
    pub fn value(self) -> f64 {
        self.mult as f64 * pow2(self.shift - 31)
    }
}

/// `2^e` without std.
pub(crate) fn pow2(e: i32) -> f64 {
    let mut v = 1.0;
    for _ in 0..e.unsigned_abs() {
        v = if e > 0 { v * 2.0 } else { v / 2.0 };
    }
    v
}

/// Round half away from zero, without std.
pub(crate) fn round_f64(v: f64) -> f64 {
    let t = (v.abs() + 0.5) as i64 as f64;
    if v < 0.0 { -t } else { t }
}
