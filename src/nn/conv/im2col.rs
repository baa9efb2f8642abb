//! Lowering a convolution to matrix products: `im2col` copies every receptive field of one sample
//! into a column, `col2im` adds the columns back (the adjoint, for `dX`).
//!
//! The column matrix of one sample is `(C·K·K, OH·OW)`, row `(c·K + ky)·K + kx`, column
//! `oy·OW + ox`, holding `x[c][oy·S + ky − P][ox·S + kx − P]` (zero in the padding). Then
//! `y = W · cols` with `W` viewed as `(F, C·K·K)`.

/// The sizes of one convolution, known after inlining (they come from the layer's types).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geom {
    /// Input channels.
    pub c: usize,
    /// Input height and width.
    pub h: usize,
    pub w: usize,
    /// Kernel size, stride, padding.
    pub k: usize,
    pub s: usize,
    pub p: usize,
    /// Output height and width.
    pub oh: usize,
    pub ow: usize,
}

impl Geom {
    /// Rows of the column matrix: `C·K·K`.
    #[inline(always)]
    pub fn rows(&self) -> usize {
        self.c * self.k * self.k
    }
    /// Output pixels per channel: `OH·OW`.
    #[inline(always)]
    pub fn pixels(&self) -> usize {
        self.oh * self.ow
    }
    /// Elements of one input sample: `C·H·W`.
    #[inline(always)]
    pub fn sample(&self) -> usize {
        self.c * self.h * self.w
    }
    /// The output columns `ox` whose input column `ox·S + kx − P` lies inside `0..W`.
    #[inline(always)]
    fn valid_ox(&self, kx: usize) -> (usize, usize) {
        let (s, p) = (self.s, self.p);
        let lo = if kx >= p { 0 } else { (p - kx).div_ceil(s) };
        let hi = if self.w + p > kx {
            (self.w + p - kx).div_ceil(s).min(self.ow)
        } else {
            0
        };
        (lo.min(hi), hi)
    }
    /// The input row of output row `oy` and kernel row `ky`, or `None` in the padding.
    #[inline(always)]
    fn input_row(&self, oy: usize, ky: usize) -> Option<usize> {
        let iy = oy * self.s + ky;
        (iy >= self.p && iy < self.h + self.p).then(|| iy - self.p)
    }
}

/// Writes the column matrix of one sample `x: (C, H, W)` into `cols: (C·K·K, OH·OW)`.
#[inline(always)]
pub(crate) fn im2col<T: crate::Scalar>(g: Geom, x: &[T], cols: &mut [T]) {
    let (k, n) = (g.k, g.pixels());
    let x = &x[..g.sample()];
    let cols = &mut cols[..g.rows() * n];
    for (r, row) in cols.chunks_exact_mut(n).enumerate() {
        let (c, ky, kx) = (r / (k * k), (r / k) % k, r % k);
        let (lo, hi) = g.valid_ox(kx);
        for (oy, out) in row.chunks_exact_mut(g.ow).enumerate() {
            let Some(iy) = g.input_row(oy, ky) else {
                out.fill(T::zero());
                continue;
            };
            let src = &x[(c * g.h + iy) * g.w..][..g.w];
            out[..lo].fill(T::zero());
            out[hi..].fill(T::zero());
            if g.s == 1 {
                out[lo..hi].copy_from_slice(&src[lo + kx - g.p..hi + kx - g.p]);
            } else {
                for (ox, o) in (lo..hi).zip(&mut out[lo..hi]) {
                    *o = src[ox * g.s + kx - g.p];
                }
            }
        }
    }
}

/// Adds the column matrix `cols: (C·K·K, OH·OW)` back onto one sample `dx: (C, H, W)` (the adjoint
/// of [`im2col`]); `dx` must be zeroed (or hold what it should be added to).
#[inline(always)]
pub(crate) fn col2im<T: crate::Scalar>(g: Geom, cols: &[T], dx: &mut [T]) {
    let (k, n) = (g.k, g.pixels());
    let dx = &mut dx[..g.sample()];
    for (r, row) in cols[..g.rows() * n].chunks_exact(n).enumerate() {
        let (c, ky, kx) = (r / (k * k), (r / k) % k, r % k);
        let (lo, hi) = g.valid_ox(kx);
        for (oy, src) in row.chunks_exact(g.ow).enumerate() {
            let Some(iy) = g.input_row(oy, ky) else {
                continue;
            };
            let dst = &mut dx[(c * g.h + iy) * g.w..][..g.w];
            if g.s == 1 {
                let d = &mut dst[lo + kx - g.p..hi + kx - g.p];
                d.iter_mut().zip(&src[lo..hi]).for_each(|(d, &v)| *d += v);
            } else {
                for ox in lo..hi {
                    dst[ox * g.s + kx - g.p] += src[ox];
                }
            }
        }
    }
}
