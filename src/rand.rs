//! A small seeded random number generator (SplitMix64), `no_std`, for initialisation and shuffling.
//! Reproducible across platforms: the same seed gives the same stream everywhere.

use crate::scalar::Real;

/// SplitMix64: tiny, fast, and good enough for weight initialisation and data shuffling
/// (not for cryptography).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose stream is determined by `seed`.
    pub const fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform<T: Real>(&mut self, lo: T, hi: T) -> T {
        lo + (hi - lo) * T::from_f64(self.next_f64())
    }

    /// Standard normal (mean 0, variance 1), by Marsaglia's polar method.
    pub fn normal<T: Real>(&mut self) -> T {
        loop {
            let u = 2.0 * self.next_f64() - 1.0;
            let v = 2.0 * self.next_f64() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let s = T::from_f64(s);
                let f = (-(s.ln() + s.ln()) / s).sqrt();
                return T::from_f64(u) * f;
            }
        }
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias worth noticing for `n` far below 2^64.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Shuffles a slice in place (Fisher–Yates).
    pub fn shuffle<X>(&mut self, items: &mut [X]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}
