//! Lowering a convolution to matrix products: `im2col` copies every receptive field of one sample
//! into a column, `col2im` adds the columns back (the adjoint, for `dX`).
//!
//! The column matrix of one sample is `(C·K·K, OH·OW)`, row `(c·K + ky)·K + kx`, column
//! `oy·OW + ox`, holding `x[c][oy·S + ky − P][ox·S + kx − P]` (zero in the padding). Then
//! `y = W · cols` with `W` viewed as `(F, C·K·K)`.
//!
//! Both work on a zero-padded copy of the sample, `(C, H + 2P, W + 2P)`, so every row segment they
//! move has the fixed length `OW`: no bounds logic in the loops, and copies the compiler inlines.

/// The sizes of one convolution, known after inlining (they come from the layer's types).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geom {
    /// Input channels, height, width.
    pub c: usize,
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
    /// Padded height and width.
    #[inline(always)]
    fn padded(&self) -> (usize, usize) {
        (self.h + 2 * self.p, self.w + 2 * self.p)
    }
    /// Elements of one padded sample: `C·(H + 2P)·(W + 2P)`.
    #[inline(always)]
    pub fn padded_len(&self) -> usize {
        let (hp, wp) = self.padded();
        self.c * hp * wp
    }
}

/// Copies one sample `x: (C, H, W)` into `xp: (C, H + 2P, W + 2P)` with a zero border.
#[inline(always)]
pub(crate) fn pad<T: crate::Scalar>(g: Geom, x: &[T], xp: &mut [T]) {
    let (hp, wp) = g.padded();
    let xp = &mut xp[..g.padded_len()];
    if g.p == 0 {
        xp.copy_from_slice(&x[..xp.len()]);
        return;
    }
    for (plane, src) in xp.chunks_exact_mut(hp * wp).zip(x.chunks_exact(g.h * g.w)) {
        let (top, rest) = plane.split_at_mut(g.p * wp);
        top.fill(T::zero());
        let (mid, bottom) = rest.split_at_mut(g.h * wp);
        bottom.fill(T::zero());
        for (row, s) in mid.chunks_exact_mut(wp).zip(src.chunks_exact(g.w)) {
            row[..g.p].fill(T::zero());
            row[g.p..g.p + g.w].copy_from_slice(s);
            row[g.p + g.w..].fill(T::zero());
        }
    }
}

/// Copies the interior of `dxp: (C, H + 2P, W + 2P)` to `dx: (C, H, W)`.
#[inline(always)]
pub(crate) fn unpad<T: crate::Scalar>(g: Geom, dxp: &[T], dx: &mut [T]) {
    let (hp, wp) = g.padded();
    let planes = dxp[..g.padded_len()].chunks_exact(hp * wp);
    for (plane, dst) in planes.zip(dx.chunks_exact_mut(g.h * g.w)) {
        let rows = plane[g.p * wp..].chunks_exact(wp);
        for (src, d) in rows.zip(dst.chunks_exact_mut(g.w)) {
            d.copy_from_slice(&src[g.p..g.p + g.w]);
        }
    }
}

/// The start of the padded-input segment read by column-matrix row `r` at output row `oy`.
#[inline(always)]
fn segment(g: Geom, r: usize, oy: usize) -> usize {
    let (hp, wp) = g.padded();
    let (c, ky, kx) = (r / (g.k * g.k), (r / g.k) % g.k, r % g.k);
    (c * hp + oy * g.s + ky) * wp + kx
}

/// Writes the column matrix of one padded sample `xp` into `cols: (C·K·K, OH·OW)`.
#[inline(always)]
pub(crate) fn im2col<T: crate::Scalar>(g: Geom, xp: &[T], cols: &mut [T]) {
    let n = g.pixels();
    for (r, row) in cols[..g.rows() * n].chunks_exact_mut(n).enumerate() {
        for (oy, out) in row.chunks_exact_mut(g.ow).enumerate() {
            let src = &xp[segment(g, r, oy)..];
            if g.s == 1 {
                out.copy_from_slice(&src[..g.ow]);
            } else {
                for (ox, o) in out.iter_mut().enumerate() {
                    *o = src[ox * g.s];
                }
            }
        }
    }
}

/// Writes the transposed column matrix of one padded sample `xp` into `rows: (OH·OW, C·K·K)`:
/// one row per output pixel holding its receptive field, so `dW = dY · rows` is a plain product
/// (no transposed operand to pack). Each run of `K` values is contiguous in the input.
#[inline(always)]
pub(crate) fn im2row<T: crate::Scalar>(g: Geom, xp: &[T], rows: &mut [T]) {
    let (hp, wp) = g.padded();
    let q = g.rows();
    for (pix, row) in rows[..g.pixels() * q].chunks_exact_mut(q).enumerate() {
        let (oy, ox) = (pix / g.ow, pix % g.ow);
        for (ck, run) in row.chunks_exact_mut(g.k).enumerate() {
            let (c, ky) = (ck / g.k, ck % g.k);
            let at = (c * hp + oy * g.s + ky) * wp + ox * g.s;
            run.copy_from_slice(&xp[at..at + g.k]);
        }
    }
}

/// Adds the column matrix `cols: (C·K·K, OH·OW)` onto the padded sample gradient `dxp` (the adjoint
/// of [`im2col`]); `dxp` must be zeroed first.
#[inline(always)]
pub(crate) fn col2im<T: crate::Scalar>(g: Geom, cols: &[T], dxp: &mut [T]) {
    let n = g.pixels();
    for (r, row) in cols[..g.rows() * n].chunks_exact(n).enumerate() {
        for (oy, src) in row.chunks_exact(g.ow).enumerate() {
            let dst = &mut dxp[segment(g, r, oy)..];
            if g.s == 1 {
                let d = &mut dst[..g.ow];
                d.iter_mut().zip(src).for_each(|(d, &v)| *d += v);
            } else {
                for (ox, &v) in src.iter().enumerate() {
                    dst[ox * g.s] += v;
                }
            }
        }
    }
}
