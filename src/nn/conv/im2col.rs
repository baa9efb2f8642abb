//! Lowering a convolution to matrix products: `im2col` copies every receptive field of one sample
//! into a column, `col2im` adds the columns back (the adjoint, for `dX`).
//!
//! The column matrix of one sample is `(C·KH·KW, OH·OW)`, row `(c·KH + ky)·KW + kx`, column
//! `oy·OW + ox`, holding `x[c][oy·SH + ky − PH][ox·SW + kx − PW]` (zero in the padding). Then
//! `y = W · cols` with `W` viewed as `(F, C·KH·KW)`: the row order is the weights' `(C, KH, KW)`.
//!
//! Both work on a zero-padded copy of the sample, `(C, H + 2PH, W + 2PW)`, so every row segment
//! they move has the fixed length `OW`: no bounds logic in the loops, and copies the compiler
//! inlines.

/// The sizes of one convolution, known after inlining (they come from the layer's types).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geom {
    /// Input channels, height, width.
    pub c: usize,
    pub h: usize,
    pub w: usize,
    /// Kernel height and width.
    pub kh: usize,
    pub kw: usize,
    /// Stride along the height and the width.
    pub sh: usize,
    pub sw: usize,
    /// Padding on the top and bottom, on the left and right.
    pub ph: usize,
    pub pw: usize,
    /// Output height and width.
    pub oh: usize,
    pub ow: usize,
}

impl Geom {
    /// Rows of the column matrix: `C·KH·KW`.
    #[inline(always)]
    pub fn rows(&self) -> usize {
        self.c * self.kh * self.kw
    }
    /// Output pixels per channel: `OH·OW`.
    #[inline(always)]
    pub fn pixels(&self) -> usize {
        self.oh * self.ow
    }
    /// Whether any side is padded (the input must be copied into a padded buffer).
    #[inline(always)]
    pub fn is_padded(&self) -> bool {
        self.ph != 0 || self.pw != 0
    }
    /// Padded height and width.
    #[inline(always)]
    fn padded(&self) -> (usize, usize) {
        (self.h + 2 * self.ph, self.w + 2 * self.pw)
    }
    /// The sizes for the direct kernels (`kernel::conv`) with `f` filters: stride 1 only. They
    /// read the tensors in place and decline (returning `false`) where they do not apply; the
    /// column matrix is used then.
    #[inline(always)]
    pub fn direct(&self, f: usize) -> Option<crate::kernel::conv::Conv> {
        (self.sh == 1 && self.sw == 1).then_some(crate::kernel::conv::Conv {
            c: self.c,
            f,
            h: self.h,
            w: self.w,
            kh: self.kh,
            kw: self.kw,
            ph: self.ph,
            pw: self.pw,
        })
    }
    /// Elements of one padded sample: `C·(H + 2PH)·(W + 2PW)`.
    #[inline(always)]
    pub fn padded_len(&self) -> usize {
        let (hp, wp) = self.padded();
        self.c * hp * wp
    }
}

/// Copies one sample `x: (C, H, W)` into `xp: (C, H + 2PH, W + 2PW)` with a zero border.
#[inline(always)]
pub(crate) fn pad<T: crate::Scalar>(g: Geom, x: &[T], xp: &mut [T]) {
    let (hp, wp) = g.padded();
    let xp = &mut xp[..g.padded_len()];
    if !g.is_padded() {
        xp.copy_from_slice(&x[..xp.len()]);
        return;
    }
    for (plane, src) in xp.chunks_exact_mut(hp * wp).zip(x.chunks_exact(g.h * g.w)) {
        let (top, rest) = plane.split_at_mut(g.ph * wp);
        top.fill(T::zero());
        let (mid, bottom) = rest.split_at_mut(g.h * wp);
        bottom.fill(T::zero());
        for (row, s) in mid.chunks_exact_mut(wp).zip(src.chunks_exact(g.w)) {
            row[..g.pw].fill(T::zero());
            row[g.pw..g.pw + g.w].copy_from_slice(s);
            row[g.pw + g.w..].fill(T::zero());
        }
    }
}

/// Copies the interior of `dxp: (C, H + 2PH, W + 2PW)` to `dx: (C, H, W)`.
#[inline(always)]
pub(crate) fn unpad<T: crate::Scalar>(g: Geom, dxp: &[T], dx: &mut [T]) {
    let (hp, wp) = g.padded();
    let planes = dxp[..g.padded_len()].chunks_exact(hp * wp);
    for (plane, dst) in planes.zip(dx.chunks_exact_mut(g.h * g.w)) {
        let rows = plane[g.ph * wp..].chunks_exact(wp);
        for (src, d) in rows.zip(dst.chunks_exact_mut(g.w)) {
            d.copy_from_slice(&src[g.pw..g.pw + g.w]);
        }
    }
}

/// The start of the padded-input segment read by column-matrix row `r` at output row `oy`.
#[inline(always)]
fn segment(g: Geom, r: usize, oy: usize) -> usize {
    let (hp, wp) = g.padded();
    let (c, ky, kx) = (r / (g.kh * g.kw), (r / g.kw) % g.kh, r % g.kw);
    (c * hp + oy * g.sh + ky) * wp + kx
}

/// Writes the column matrix of one padded sample `xp` into `cols: (C·KH·KW, OH·OW)`.
#[inline(always)]
pub(crate) fn im2col<T: crate::Scalar>(g: Geom, xp: &[T], cols: &mut [T]) {
    let n = g.pixels();
    for (r, row) in cols[..g.rows() * n].chunks_exact_mut(n).enumerate() {
        for (oy, out) in row.chunks_exact_mut(g.ow).enumerate() {
            let src = &xp[segment(g, r, oy)..];
            if g.sw == 1 {
                out.copy_from_slice(&src[..g.ow]);
            } else {
                for (ox, o) in out.iter_mut().enumerate() {
                    *o = src[ox * g.sw];
                }
            }
        }
    }
}

/// Writes the transposed column matrix of one padded sample `xp` into `rows: (OH·OW, C·KH·KW)`:
/// one row per output pixel holding its receptive field, so `dW = dY · rows` is a plain product
/// (no transposed operand to pack). Each run of `KW` values is contiguous in the input.
#[inline(always)]
pub(crate) fn im2row<T: crate::Scalar>(g: Geom, xp: &[T], rows: &mut [T]) {
    let (hp, wp) = g.padded();
    let q = g.rows();
    for (pix, row) in rows[..g.pixels() * q].chunks_exact_mut(q).enumerate() {
        let (oy, ox) = (pix / g.ow, pix % g.ow);
        for (ck, run) in row.chunks_exact_mut(g.kw).enumerate() {
            let (c, ky) = (ck / g.kh, ck % g.kh);
            let at = (c * hp + oy * g.sh + ky) * wp + ox * g.sw;
            run.copy_from_slice(&xp[at..at + g.kw]);
        }
    }
}

/// Adds the column matrix `cols: (C·KH·KW, OH·OW)` onto the padded sample gradient `dxp` (the
/// adjoint of [`im2col`]); `dxp` must be zeroed first.
#[inline(always)]
pub(crate) fn col2im<T: crate::Scalar>(g: Geom, cols: &[T], dxp: &mut [T]) {
    let n = g.pixels();
    for (r, row) in cols[..g.rows() * n].chunks_exact(n).enumerate() {
        for (oy, src) in row.chunks_exact(g.ow).enumerate() {
            let dst = &mut dxp[segment(g, r, oy)..];
            if g.sw == 1 {
                let d = &mut dst[..g.ow];
                d.iter_mut().zip(src).for_each(|(d, &v)| *d += v);
            } else {
                for (ox, &v) in src.iter().enumerate() {
                    dst[ox * g.sw] += v;
                }
            }
        }
    }
}
