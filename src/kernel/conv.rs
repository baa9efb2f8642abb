//! Direct kernels for a stride-1 convolution of one sample and its gradients, reading the
//! tensors in place instead of through a column matrix.
//!
//! Through the column matrix, a convolution's input gradient is `dcols = Wᵀ · dY` (a product
//! whose inner dimension is only the filter count, 6 for LeNet's first layer) followed by
//! `col2im`, and its weight gradient `dY · rows` after `im2row` copies every receptive field in
//! runs of `KW` values: mostly data movement. Here, with `V` lanes per vector along a row:
//!
//! - **forward** and **input gradient** are both correlations of a zero-bordered source (the
//!   input padded, or the output gradient with a border of `KH − 1` rows and `KW − 1` columns,
//!   built in the caller's work buffer with rows wide enough for whole vectors) with the kernels,
//!   flipped for the gradient:
//!   `dx[c][i][j] = Σ_{f,ky,kx} w[f][c][ky][kx] · dy[f][i + ph − ky][j + pw − kx]`.
//!   Two output channels and 8 rows (4 with AVX2) are accumulated in registers at once: each
//!   source vector is loaded once for both channels, each broadcast weight used for all rows;
//! - **weight gradient**, a correlation of the padded input with the output gradient:
//!   `dw[f][c][ky][kx] += Σ_{i,j} dy[f][i][j] · xp[c][i + ky][j + kx]`, two filters and all `KW`
//!   offsets accumulated in registers per row of `dy`, the last partial vector of each row read
//!   with masked loads (no lane outside the tensors is read, so an infinity elsewhere cannot turn
//!   into a NaN here). Where the output rows are too short for the vectors but the filters fill
//!   them (LeNet's second layer: rows of 10, 16 filters), the filters go in the lanes instead: an
//!   `8 × F` tile of `dwᵀ` accumulates, per output pixel, one vector of the output gradient
//!   (transposed to `(OH·OW, F)` in the caller's work buffer) times 8 input values broadcast in
//!   place — a product whose column matrix is never written.
//!
//! Where the correlation for the input gradient would be mostly zero terms (an unpadded layer
//! such as LeNet's second: 14 · 16 input lanes against 10 · 10 outputs), it is the product
//! `dcols = Wᵀ · dY` into the work buffer, then a vectorised `col2im`: each vector of an input row
//! sums its `KH·KW` shifted segments of `dcols` in registers (masked loads zero the lanes outside
//! the output) and is written once.
//!
//! Each kernel declines (returns `false`, having written nothing) where it would waste much of
//! its vectors (the forward pass with output rows filling less than 3/4 of their lanes; the
//! weight gradient when neither the rows nor the filters do), where the work buffer is too small,
//! and on CPUs without AVX2+FMA. The layer then keeps the column matrix.

use super::Isa;

/// The sizes of a stride-1 convolution of one sample: `c` input channels of `h × w`, `f` filters
/// of `kh × kw`, padding `ph`, `pw`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv {
    /// Input channels.
    pub c: usize,
    /// Filters (output channels).
    pub f: usize,
    /// Input height.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Kernel height.
    pub kh: usize,
    /// Kernel width.
    pub kw: usize,
    /// Padding on the top and bottom.
    pub ph: usize,
    /// Padding on the left and right.
    pub pw: usize,
}

impl Conv {
    /// Output height, `h + 2ph − kh + 1`.
    pub const fn oh(&self) -> usize {
        self.h + 2 * self.ph + 1 - self.kh
    }
    /// Output width, `w + 2pw − kw + 1`.
    pub const fn ow(&self) -> usize {
        self.w + 2 * self.pw + 1 - self.kw
    }
}

/// What the kernels check before they run (x86-64, the one architecture with kernels).
#[cfg(target_arch = "x86_64")]
impl Conv {
    /// Row stride of the bordered output gradient for `v` lanes: wide enough for the border and
    /// for whole vectors over every input row.
    const fn border_stride(&self, v: usize) -> usize {
        let layout = self.ow() + 2 * (self.kw - 1);
        let reads = self.w.div_ceil(v) * v + self.pw + self.kw - 1;
        if layout > reads { layout } else { reads }
    }
    /// Row stride of the padded input for `v` lanes: whole vectors over every output row.
    const fn source_stride(&self, v: usize) -> usize {
        let layout = self.w + 2 * self.pw;
        let reads = self.ow().div_ceil(v) * v + self.kw - 1;
        if layout > reads { layout } else { reads }
    }
    /// Whether rows of `n` values fill at least 3/4 of the lanes of their `v`-lane vectors.
    const fn mostly_full(n: usize, v: usize) -> bool {
        4 * n >= 3 * n.div_ceil(v) * v
    }
    /// Whether the direct input gradient pays for `v` lanes: it computes every input pixel over
    /// whole vectors, `h · ceil(w / v) · v` of them, against the `oh · ow` output pixels a
    /// product computes over; without padding the input's border pixels see fewer outputs and
    /// their extra terms are zeros (LeNet's second layer: 14 · 16 against 10 · 10). Taken when
    /// that waste is at most a half.
    const fn input_grad_pays(&self, v: usize) -> bool {
        2 * self.h * self.w.div_ceil(v) * v <= 3 * self.oh() * self.ow()
    }
    fn valid(&self) -> bool {
        self.c > 0
            && self.f > 0
            && self.kh > 0
            && self.kw > 0
            && self.h + 2 * self.ph >= self.kh
            && self.w + 2 * self.pw >= self.kw
    }
}

/// Element types with direct convolution kernels (`f32`, `f64`; on x86-64 with AVX2+FMA or
/// AVX-512F). The methods are [`forward`], [`input_grad`] and [`weight_grad`] for this type.
pub trait ConvElem: Copy + Default {
    #[doc(hidden)]
    fn forward(
        isa: Isa,
        g: Conv,
        w: &[Self],
        bias: &[Self],
        x: &[Self],
        work: &mut [Self],
        y: &mut [Self],
    ) -> bool;
    #[doc(hidden)]
    fn input_grad(
        isa: Isa,
        g: Conv,
        w: &[Self],
        dy: &[Self],
        work: &mut [Self],
        dx: &mut [Self],
    ) -> bool;
    #[doc(hidden)]
    fn weight_grad(
        isa: Isa,
        g: Conv,
        xp: &[Self],
        dy: &[Self],
        work: &mut [Self],
        dw: &mut [Self],
    ) -> bool;
}

/// Writes the output `y: (F, OH, OW)` of one sample `x: (C, H, W)` (unpadded) from the weights
/// `w: (F, C, KH, KW)` and `bias: (F,)`, with `work` holding a zero-padded copy of `x` whose
/// rows fit whole vectors. Returns `false`, having written nothing, when `isa` has no kernel for
/// this type, the output rows are too short for its vectors, or `work` is too small; the caller
/// then uses the column matrix.
///
/// # Panics
/// If a slice is shorter than its tensor, or `isa` is not available on this CPU.
pub fn forward<T: ConvElem>(
    isa: Isa,
    g: Conv,
    w: &[T],
    bias: &[T],
    x: &[T],
    work: &mut [T],
    y: &mut [T],
) -> bool {
    T::forward(isa, g, w, bias, x, work, y)
}

/// Writes the input gradient `dx: (C, H, W)` of one sample from the weights `w: (F, C, KH, KW)`
/// and the output gradient `dy: (F, OH, OW)`, with `work` holding the bordered output gradient.
/// Returns `false`, having written nothing, as [`forward`] does.
///
/// # Panics
/// As [`forward`].
pub fn input_grad<T: ConvElem>(
    isa: Isa,
    g: Conv,
    w: &[T],
    dy: &[T],
    work: &mut [T],
    dx: &mut [T],
) -> bool {
    T::input_grad(isa, g, w, dy, work, dx)
}

/// Adds the weight gradient of one sample to `dw: (F, C, KH, KW)`, from the padded input
/// `xp: (C, H + 2PH, W + 2PW)` and the output gradient `dy: (F, OH, OW)`. Output rows in the
/// lanes need a kernel width of 1, 3, 5 or 7 (each width is a copy of the kernel per instruction
/// set; even widths are rare); filters in the lanes need `work` of `F·OH·OW` elements. Returns
/// `false`, having added nothing, where neither applies, and as [`forward`] does.
///
/// # Panics
/// As [`forward`].
pub fn weight_grad<T: ConvElem>(
    isa: Isa,
    g: Conv,
    xp: &[T],
    dy: &[T],
    work: &mut [T],
    dw: &mut [T],
) -> bool {
    T::weight_grad(isa, g, xp, dy, work, dw)
}

/// Lanes of one vector of `bytes`-sized elements on `isa`; `None` without vector kernels.
#[cfg(target_arch = "x86_64")]
fn lanes(isa: Isa, bytes: usize) -> Option<usize> {
    assert!(
        isa.available(),
        "conv kernel: {isa:?} is not available on this CPU"
    );
    match isa {
        Isa::Avx512 => Some(64 / bytes),
        Isa::Avx2 => Some(32 / bytes),
        _ => None,
    }
}

/// The ISA-dispatched bodies of the [`ConvElem`] methods for `$t` (x86-64 only).
#[cfg(target_arch = "x86_64")]
macro_rules! conv_elem {
    ($t:ty, $avx2:ident, $avx512:ident) => {
        impl ConvElem for $t {
            fn forward(
                isa: Isa,
                g: Conv,
                w: &[$t],
                bias: &[$t],
                x: &[$t],
                work: &mut [$t],
                y: &mut [$t],
            ) -> bool {
                let Some(v) = lanes(isa, size_of::<$t>()) else {
                    return false;
                };
                let xs = g.source_stride(v);
                let len = g.c * (g.h + 2 * g.ph) * xs;
                if !g.valid() || !Conv::mostly_full(g.ow(), v) || work.len() < len {
                    return false;
                }
                assert!(
                    w.len() >= g.f * g.c * g.kh * g.kw,
                    "conv kernel: short weights"
                );
                assert!(bias.len() >= g.f, "conv kernel: short bias");
                assert!(x.len() >= g.c * g.h * g.w, "conv kernel: short x");
                assert!(y.len() >= g.f * g.oh() * g.ow(), "conv kernel: short y");
                place(g.c, g.h, g.w, g.ph, g.pw, g.h + 2 * g.ph, xs, x, work);
                let k = x86::Corr {
                    ns: g.c,
                    no: g.f,
                    kh: g.kh,
                    kw: g.kw,
                    flip: false,
                    stride: xs,
                    plane: (g.h + 2 * g.ph) * xs,
                    row0: 0,
                    col0: 0,
                    oh: g.oh(),
                    ow: g.ow(),
                    wo: g.c * g.kh * g.kw,
                    ws: g.kh * g.kw,
                };
                // SAFETY: the ISA is available (`lanes`); the lengths are checked above and
                // `work` holds the source with the stride `Corr` reads.
                unsafe {
                    let (src, w, b, y) = (work.as_ptr(), w.as_ptr(), bias.as_ptr(), y.as_mut_ptr());
                    match isa {
                        Isa::Avx512 => x86::$avx512::correlate(k, src, w, b, y),
                        _ => x86::$avx2::correlate(k, src, w, b, y),
                    }
                }
                true
            }

            fn input_grad(
                isa: Isa,
                g: Conv,
                w: &[$t],
                dy: &[$t],
                work: &mut [$t],
                dx: &mut [$t],
            ) -> bool {
                let Some(v) = lanes(isa, size_of::<$t>()) else {
                    return false;
                };
                let zs = g.border_stride(v);
                let rows = g.oh() + 2 * (g.kh - 1);
                if !g.valid() {
                    return false;
                }
                let (q, n) = (g.c * g.kh * g.kw, g.oh() * g.ow());
                let correlate = g.input_grad_pays(v) && work.len() >= g.f * rows * zs;
                let scatter = g.kw <= x86::COL2IM_KW && work.len() >= q * n;
                if !correlate && !scatter {
                    return false;
                }
                assert!(
                    w.len() >= g.f * g.c * g.kh * g.kw,
                    "conv kernel: short weights"
                );
                assert!(dy.len() >= g.f * g.oh() * g.ow(), "conv kernel: short dy");
                assert!(dx.len() >= g.c * g.h * g.w, "conv kernel: short dx");
                if !correlate {
                    // The product `dcols (Q, N) = Wᵀ · dY`, then its columns added back.
                    let (w, dy, cols) = (&w[..g.f * q], &dy[..g.f * n], &mut work[..q * n]);
                    <$t as crate::Scalar>::gemm(
                        crate::kernel::Gemm::nn(q, g.f, n).ta(),
                        w,
                        dy,
                        cols,
                    );
                    // SAFETY: the ISA is available (`lanes`); the lengths are checked above.
                    unsafe {
                        let (cols, dx) = (cols.as_ptr(), dx.as_mut_ptr());
                        match isa {
                            Isa::Avx512 => x86::$avx512::col2im(g, cols, dx),
                            _ => x86::$avx2::col2im(g, cols, dx),
                        }
                    }
                    return true;
                }
                place(g.f, g.oh(), g.ow(), g.kh - 1, g.kw - 1, rows, zs, dy, work);
                let k = x86::Corr {
                    ns: g.f,
                    no: g.c,
                    kh: g.kh,
                    kw: g.kw,
                    flip: true,
                    stride: zs,
                    plane: rows * zs,
                    row0: g.ph,
                    col0: g.pw,
                    oh: g.h,
                    ow: g.w,
                    wo: g.kh * g.kw,
                    ws: g.c * g.kh * g.kw,
                };
                // SAFETY: as in `forward`; `work` holds the bordered gradient.
                unsafe {
                    let (src, w, dx) = (work.as_ptr(), w.as_ptr(), dx.as_mut_ptr());
                    match isa {
                        Isa::Avx512 => x86::$avx512::correlate(k, src, w, core::ptr::null(), dx),
                        _ => x86::$avx2::correlate(k, src, w, core::ptr::null(), dx),
                    }
                }
                true
            }

            fn weight_grad(
                isa: Isa,
                g: Conv,
                xp: &[$t],
                dy: &[$t],
                work: &mut [$t],
                dw: &mut [$t],
            ) -> bool {
                let Some(v) = lanes(isa, size_of::<$t>()) else {
                    return false;
                };
                if !g.valid() {
                    return false;
                }
                let n = g.oh() * g.ow();
                let rows = Conv::mostly_full(g.ow(), v) && matches!(g.kw, 1 | 3 | 5 | 7);
                let filters = Conv::mostly_full(g.f, v) && work.len() >= n * g.f;
                if !rows && !filters {
                    return false;
                }
                let (hp, wp) = (g.h + 2 * g.ph, g.w + 2 * g.pw);
                assert!(xp.len() >= g.c * hp * wp, "conv kernel: short padded input");
                assert!(dy.len() >= g.f * n, "conv kernel: short dy");
                assert!(dw.len() >= g.f * g.c * g.kh * g.kw, "conv kernel: short dw");
                if !rows {
                    // Filters in the lanes, over the output gradient as `(OH·OW, F)` in `work`.
                    // SAFETY: the ISA is available (`lanes`); the lengths are checked above.
                    unsafe {
                        let (xp, dy, dyt) = (xp.as_ptr(), dy.as_ptr(), work.as_mut_ptr());
                        let dw = dw.as_mut_ptr();
                        match isa {
                            Isa::Avx512 => x86::$avx512::weight_grad_lanes(g, xp, dy, dyt, dw),
                            _ => x86::$avx2::weight_grad_lanes(g, xp, dy, dyt, dw),
                        }
                    }
                    return true;
                }
                // SAFETY: the ISA is available (`lanes`); the lengths are checked above.
                unsafe {
                    let (xp, dy, dw) = (xp.as_ptr(), dy.as_ptr(), dw.as_mut_ptr());
                    match isa {
                        Isa::Avx512 => x86::$avx512::weight_grad(g, xp, dy, dw),
                        _ => x86::$avx2::weight_grad(g, xp, dy, dw),
                    }
                }
                true
            }
        }
    };
}
#[cfg(target_arch = "x86_64")]
conv_elem!(f32, avx2_f32, avx512_f32);
#[cfg(target_arch = "x86_64")]
conv_elem!(f64, avx2_f64, avx512_f64);

/// Elsewhere there are no vector kernels: every call declines.
#[cfg(not(target_arch = "x86_64"))]
macro_rules! no_kernels {
    ($($t:ty),*) => {$(
        impl ConvElem for $t {
            fn forward(_: Isa, _: Conv, _: &[$t], _: &[$t], _: &[$t], _: &mut [$t], _: &mut [$t]) -> bool {
                false
            }
            fn input_grad(_: Isa, _: Conv, _: &[$t], _: &[$t], _: &mut [$t], _: &mut [$t]) -> bool {
                false
            }
            fn weight_grad(_: Isa, _: Conv, _: &[$t], _: &[$t], _: &mut [$t], _: &mut [$t]) -> bool {
                false
            }
        }
    )*};
}
#[cfg(not(target_arch = "x86_64"))]
no_kernels!(f32, f64);

/// Copies `src: (n, h, w)` into `dst: (n, rows, stride)` at row `top`, column `left`, zero
/// elsewhere.
#[cfg(target_arch = "x86_64")]
#[allow(clippy::too_many_arguments)]
fn place<T: Copy + Default>(
    n: usize,
    h: usize,
    w: usize,
    top: usize,
    left: usize,
    rows: usize,
    stride: usize,
    src: &[T],
    dst: &mut [T],
) {
    let dst = &mut dst[..n * rows * stride];
    dst.fill(T::default());
    for (plane, s) in dst
        .chunks_exact_mut(rows * stride)
        .zip(src.chunks_exact(h * w))
    {
        for (row, s) in plane[top * stride..]
            .chunks_mut(stride)
            .zip(s.chunks_exact(w))
        {
            row[left..left + w].copy_from_slice(s);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Conv;
    use crate::kernel::simd::Simd;

    /// One correlation over a source with whole-vector rows: for every output channel `o` and
    /// position `(i, j)`,
    /// `out[o][i][j] = init(o) + Σ_{s, ky, kx} w[o·wo + s·ws + ky·kw + kx] · src[s][row0 + i + dy(ky)][col0 + j + dx(kx)]`
    /// with `dy(ky) = ky` (or `kh − 1 − ky` when flipped), and likewise `dx`.
    #[derive(Clone, Copy)]
    pub(super) struct Corr {
        /// Source channels, output channels.
        pub ns: usize,
        pub no: usize,
        /// Kernel height and width, and whether it is flipped.
        pub kh: usize,
        pub kw: usize,
        pub flip: bool,
        /// Source row stride (elements) and plane size.
        pub stride: usize,
        pub plane: usize,
        /// Source offset of output position (0, 0).
        pub row0: usize,
        pub col0: usize,
        /// Output height and width.
        pub oh: usize,
        pub ow: usize,
        /// Weight strides per output and per source channel.
        pub wo: usize,
        pub ws: usize,
    }

    /// The accumulators of `OP` channels from `o` and `R` rows: the channels' initial values
    /// (`init`, or zero when it is null).
    ///
    /// # Safety
    /// The ISA of `S` is available; `init` is null or holds channels `o..o + OP`.
    #[inline(always)]
    unsafe fn start<S: Simd, const OP: usize, const R: usize>(
        init: *const S::E,
        o: usize,
    ) -> [[S::V; R]; OP] {
        // SAFETY: the caller's contract.
        unsafe {
            let mut acc = [[S::zero(); R]; OP];
            if !init.is_null() {
                for (q, rows) in acc.iter_mut().enumerate() {
                    *rows = [S::splat(*init.add(o + q)); R];
                }
            }
            acc
        }
    }

    /// Stores the accumulators of channels `o..o + OP`, rows `i0..i0 + R`, at column `j0`: the
    /// lanes below `ow` (the last vector of a row masked).
    ///
    /// # Safety
    /// The ISA of `S` is available; `out` holds `no` planes of `oh × ow` and those rows exist.
    #[inline(always)]
    unsafe fn finish<S: Simd, const OP: usize, const R: usize>(
        k: Corr,
        acc: &[[S::V; R]; OP],
        o: usize,
        i0: usize,
        j0: usize,
        out: *mut S::E,
    ) {
        let n = k.ow - j0;
        for (q, rows) in acc.iter().enumerate() {
            for (r, &a) in rows.iter().enumerate() {
                // SAFETY: inside channel `o + q`, row `i0 + r`: the caller's contract.
                unsafe {
                    let dst = out.add(((o + q) * k.oh + i0 + r) * k.ow + j0);
                    if n >= S::W {
                        S::store(dst, a);
                    } else {
                        S::store_m(dst, a, S::mask(n));
                    }
                }
            }
        }
    }

    /// Rows `i0..i0 + R` of output channels `o..o + OP` of a correlation, all vectors of each
    /// row, in `OP · R` accumulators: each source vector loaded once for the `OP` channels. With
    /// `KH == 0` (any kernel height) each broadcast weight serves the `R` rows ([`terms`]); with
    /// `KH == k.kh` each source vector also serves the up to `KH` rows it feeds ([`terms_kh`]).
    ///
    /// # Safety
    /// The ISA of `S` is available; `src` holds the source with every vector read inside it
    /// (rows padded so `ceil(ow / W)` whole vectors fit past `col0` plus the kernel width),
    /// `w`, `init` (if not null: `no` values) and `out` (`no` planes of `oh × ow`) hold theirs;
    /// channels `o..o + OP` and rows `i0..i0 + R` exist; `KH` is 0 or `k.kh`.
    #[inline(always)]
    unsafe fn corr_rows<S: Simd, const OP: usize, const R: usize, const KH: usize>(
        k: Corr,
        o: usize,
        i0: usize,
        src: *const S::E,
        w: *const S::E,
        init: *const S::E,
        out: *mut S::E,
    ) {
        let nb = k.ow.div_ceil(S::W);
        for b in 0..nb {
            let j0 = b * S::W;
            // SAFETY (whole block): reads inside `src` and `w` by the caller's contract; the
            // stores are the `R` rows' lanes below `ow` (the last vector masked).
            unsafe {
                let mut acc = start::<S, OP, R>(init, o);
                for s in 0..k.ns {
                    let base = src.add(s * k.plane + (k.row0 + i0) * k.stride + k.col0 + j0);
                    let wbase = w.add(o * k.wo + s * k.ws);
                    if KH == 0 {
                        terms::<S, OP, R>(k, base, wbase, &mut acc);
                    } else {
                        terms_kh::<S, OP, R, KH>(k, base, wbase, &mut acc);
                    }
                }
                finish::<S, OP, R>(k, &acc, o, i0, j0, out);
            }
        }
    }

    /// One source channel's terms, any kernel height: per kernel position, one broadcast weight
    /// per channel and one load per row.
    ///
    /// # Safety
    /// As [`corr_rows`]; `base` is the source at the block's first output position, `wbase` the
    /// weights of channel `o` for this source channel.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // `q` steps the weights and the accumulators together
    unsafe fn terms<S: Simd, const OP: usize, const R: usize>(
        k: Corr,
        base: *const S::E,
        wbase: *const S::E,
        acc: &mut [[S::V; R]; OP],
    ) {
        // SAFETY: the caller's contract.
        unsafe {
            for ky in 0..k.kh {
                let ry = if k.flip { k.kh - 1 - ky } else { ky };
                let row = base.add(ry * k.stride);
                for kx in 0..k.kw {
                    let rx = if k.flip { k.kw - 1 - kx } else { kx };
                    let mut wv = [S::zero(); OP];
                    for q in 0..OP {
                        wv[q] = S::splat(*wbase.add(q * k.wo + ky * k.kw + kx));
                    }
                    let p = row.add(rx);
                    for r in 0..R {
                        let x = S::load(p.add(r * k.stride));
                        for q in 0..OP {
                            acc[q][r] = S::fma(wv[q], x, acc[q][r]);
                        }
                    }
                }
            }
        }
    }

    /// One source channel's terms for a kernel of exactly `KH` rows, looped the other way
    /// round: per kernel column, the `KH` weights stay in registers and each source row vector
    /// is loaded once for the up to `KH` output rows it feeds (output row `r` takes source row
    /// `r + ry`), so a load serves `KH` multiply-adds instead of one.
    ///
    /// # Safety
    /// As [`terms`]; `k.kh == KH`.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // `q`, `r` and `t` step several arrays together
    unsafe fn terms_kh<S: Simd, const OP: usize, const R: usize, const KH: usize>(
        k: Corr,
        base: *const S::E,
        wbase: *const S::E,
        acc: &mut [[S::V; R]; OP],
    ) {
        // SAFETY: the caller's contract.
        unsafe {
            for kx in 0..k.kw {
                let rx = if k.flip { k.kw - 1 - kx } else { kx };
                let mut wv = [[S::zero(); KH]; OP];
                for q in 0..OP {
                    for ky in 0..KH {
                        let ry = if k.flip { KH - 1 - ky } else { ky };
                        wv[q][ry] = S::splat(*wbase.add(q * k.wo + ky * k.kw + kx));
                    }
                }
                let p = base.add(rx);
                for t in 0..R + KH - 1 {
                    let x = S::load(p.add(t * k.stride));
                    for r in 0..R {
                        if t >= r && t - r < KH {
                            for q in 0..OP {
                                acc[q][r] = S::fma(wv[q][t - r], x, acc[q][r]);
                            }
                        }
                    }
                }
            }
        }
    }

    /// [`corr_rows`] with `KH` = the kernel height for the common heights 3 and 5 when the
    /// accumulators, the weights and a loaded vector fit in registers, else with `KH = 0`.
    ///
    /// # Safety
    /// As [`corr_rows`].
    #[inline(always)]
    unsafe fn corr_rows_any<S: Simd, const OP: usize, const R: usize>(
        k: Corr,
        o: usize,
        i0: usize,
        src: *const S::E,
        w: *const S::E,
        init: *const S::E,
        out: *mut S::E,
    ) {
        // SAFETY: forwarded; each arm's `KH` is 0 or `k.kh`.
        unsafe {
            match k.kh {
                3 if OP * (R + 3) < S::REGS => {
                    corr_rows::<S, OP, R, 3>(k, o, i0, src, w, init, out)
                }
                5 if OP * (R + 5) < S::REGS => {
                    corr_rows::<S, OP, R, 5>(k, o, i0, src, w, init, out)
                }
                _ => corr_rows::<S, OP, R, 0>(k, o, i0, src, w, init, out),
            }
        }
    }

    /// All rows of output channels `o..o + OP`: `R` at a time, then the rest in halving steps
    /// (a lone row would be a single chain of dependent multiply-adds per vector).
    ///
    /// # Safety
    /// As [`corr_rows`]; `R` is 8 or 4.
    #[inline(always)]
    unsafe fn corr_channels<S: Simd, const OP: usize, const R: usize>(
        k: Corr,
        o: usize,
        src: *const S::E,
        w: *const S::E,
        init: *const S::E,
        out: *mut S::E,
    ) {
        let mut i = 0;
        // SAFETY: the caller's contract; each call covers existing rows.
        unsafe {
            while i + R <= k.oh {
                corr_rows_any::<S, OP, R>(k, o, i, src, w, init, out);
                i += R;
            }
            if R > 4 && i + 4 <= k.oh {
                corr_rows_any::<S, OP, 4>(k, o, i, src, w, init, out);
                i += 4;
            }
            if i + 2 <= k.oh {
                corr_rows_any::<S, OP, 2>(k, o, i, src, w, init, out);
                i += 2;
            }
            if i < k.oh {
                corr_rows_any::<S, OP, 1>(k, o, i, src, w, init, out);
            }
        }
    }

    /// The whole correlation: output channels in pairs, `R` rows at a time.
    ///
    /// # Safety
    /// As [`corr_rows`], for every output channel and row; `R` is 8 or 4.
    #[inline(always)]
    pub(super) unsafe fn correlate<S: Simd, const R: usize>(
        k: Corr,
        src: *const S::E,
        w: *const S::E,
        init: *const S::E,
        out: *mut S::E,
    ) {
        let mut o = 0;
        // SAFETY: the caller's contract; channels `o..o + OP` exist.
        unsafe {
            while o + 2 <= k.no {
                corr_channels::<S, 2, R>(k, o, src, w, init, out);
                o += 2;
            }
            if o < k.no {
                corr_channels::<S, 1, R>(k, o, src, w, init, out);
            }
        }
    }

    /// Adds the weight gradient of `FP` filters from `f` for channel `c`, kernel row `ky`, with
    /// `K` (the kernel width) offsets accumulated per filter.
    ///
    /// # Safety
    /// The ISA of `S` is available; `xp`, `dy`, `dw` hold their tensors; `K == g.kw`.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // `kx` steps the loads and the accumulators together
    unsafe fn weight_rows<S: Simd, const FP: usize, const K: usize>(
        g: Conv,
        f: usize,
        c: usize,
        ky: usize,
        xp: *const S::E,
        dy: *const S::E,
        dw: *mut S::E,
    ) where
        S::E: core::ops::Add<Output = S::E> + Default,
    {
        let (oh, ow) = (g.oh(), g.ow());
        let (hp, wp) = (g.h + 2 * g.ph, g.w + 2 * g.pw);
        let nb = ow.div_ceil(S::W);
        // SAFETY (whole block): full vectors read `dy` row lanes below `OW` and `xp` row lanes
        // below `OW + K − 1 = WP`; the last vector of a row is masked to the lanes below `OW`.
        unsafe {
            let mut acc = [[S::zero(); K]; FP];
            for i in 0..oh {
                let x = xp.add((c * hp + i + ky) * wp);
                for b in 0..nb {
                    let j0 = b * S::W;
                    let n = ow - j0;
                    let mut d = [S::zero(); FP];
                    if n >= S::W {
                        for (q, d) in d.iter_mut().enumerate() {
                            *d = S::load(dy.add(((f + q) * oh + i) * ow + j0));
                        }
                        for kx in 0..K {
                            let xv = S::load(x.add(j0 + kx));
                            for q in 0..FP {
                                acc[q][kx] = S::fma(d[q], xv, acc[q][kx]);
                            }
                        }
                    } else {
                        let m = S::mask(n);
                        for (q, d) in d.iter_mut().enumerate() {
                            *d = S::load_m(dy.add(((f + q) * oh + i) * ow + j0), m);
                        }
                        for kx in 0..K {
                            let xv = S::load_m(x.add(j0 + kx), m);
                            for q in 0..FP {
                                acc[q][kx] = S::fma(d[q], xv, acc[q][kx]);
                            }
                        }
                    }
                }
            }
            for (q, accs) in acc.iter().enumerate() {
                let out = dw.add((((f + q) * g.c + c) * g.kh + ky) * K);
                for (kx, &a) in accs.iter().enumerate() {
                    *out.add(kx) = *out.add(kx) + S::hsum(a);
                }
            }
        }
    }

    /// The weight gradient of one sample, for kernel width `K`.
    ///
    /// # Safety
    /// As [`weight_rows`].
    #[inline(always)]
    unsafe fn weight_grad_k<S: Simd, const K: usize>(
        g: Conv,
        xp: *const S::E,
        dy: *const S::E,
        dw: *mut S::E,
    ) where
        S::E: core::ops::Add<Output = S::E> + Default,
    {
        for c in 0..g.c {
            for ky in 0..g.kh {
                let mut f = 0;
                // SAFETY: the caller's contract; filters `f..f + FP` exist.
                unsafe {
                    while f + 2 <= g.f {
                        weight_rows::<S, 2, K>(g, f, c, ky, xp, dy, dw);
                        f += 2;
                    }
                    if f < g.f {
                        weight_rows::<S, 1, K>(g, f, c, ky, xp, dy, dw);
                    }
                }
            }
        }
    }

    /// The weight gradient of one sample.
    ///
    /// # Safety
    /// As [`weight_rows`]; `g.kw` is 1, 3, 5 or 7.
    #[inline(always)]
    pub(super) unsafe fn weight_grad<S: Simd>(
        g: Conv,
        xp: *const S::E,
        dy: *const S::E,
        dw: *mut S::E,
    ) where
        S::E: core::ops::Add<Output = S::E> + Default,
    {
        // SAFETY: the caller's contract, with `K == g.kw`.
        unsafe {
            match g.kw {
                1 => weight_grad_k::<S, 1>(g, xp, dy, dw),
                3 => weight_grad_k::<S, 3>(g, xp, dy, dw),
                5 => weight_grad_k::<S, 5>(g, xp, dy, dw),
                _ => weight_grad_k::<S, 7>(g, xp, dy, dw),
            }
        }
    }

    /// The source offsets one index of a lanes product walks: `count` runs of `len` consecutive
    /// elements, run `r` starting at `(r / per)·big + (r % per)·small`. The receptive field
    /// `(c, ky, kx)` is `C·KH` runs of `KW` (`per = KH`, `small = WP`, `big = HP·WP`); the output
    /// pixels `(oy, ox)` are `OH` runs of `OW` (`per = OH`, `small = WP`).
    #[derive(Clone, Copy)]
    struct Runs {
        count: usize,
        len: usize,
        per: usize,
        small: usize,
        big: usize,
    }

    impl Runs {
        /// The receptive field of a stride-1 convolution over a padded source.
        fn field(g: Conv) -> Runs {
            let (hp, wp) = (g.h + 2 * g.ph, g.w + 2 * g.pw);
            Runs {
                count: g.c * g.kh,
                len: g.kw,
                per: g.kh,
                small: wp,
                big: hp * wp,
            }
        }
        /// The output pixels of a stride-1 convolution over a padded source.
        fn pixels(g: Conv) -> Runs {
            Runs {
                count: g.oh(),
                len: g.ow(),
                per: g.oh(),
                small: g.w + 2 * g.pw,
                big: 0,
            }
        }
        fn total(&self) -> usize {
            self.count * self.len
        }
        /// The offset of index `i`.
        fn at(&self, i: usize) -> usize {
            let r = i / self.len;
            (r / self.per) * self.big + (r % self.per) * self.small + i % self.len
        }
    }

    /// Most filters a lanes tile covers: two vectors of 16 lanes.
    const LANES_MAX: usize = 32;

    /// One tile of a product with the filters in the vector lanes:
    /// `out[r][j] = Σ_p src[rows[r] + k.at(p)] · b[p·ldb + j]` for the `NVC` vectors of filters
    /// at `b` (the last one masked by `mask`). The source values are broadcast, so the receptive
    /// fields are read in place: no column matrix.
    ///
    /// # Safety
    /// The ISA of `S` is available; `src` holds every offset `rows[r] + k.at(p)`; `b` holds
    /// `k.total()` rows of `ldb` with the masked lanes of `NVC` vectors.
    #[inline(always)]
    unsafe fn lanes_tile<S: Simd, const R: usize, const NVC: usize>(
        src: *const S::E,
        rows: &[usize; R],
        k: Runs,
        b: *const S::E,
        ldb: usize,
        mask: S::M,
        out: &mut [[S::E; LANES_MAX]; R],
    ) {
        // SAFETY (whole body): the offsets are the caller's; `out` rows hold `NVC·W <= 32`.
        unsafe {
            let mut acc = [[S::zero(); NVC]; R];
            let mut bp = b;
            // Runs in two nested loops (no division per run).
            for outer in 0..k.count / k.per {
                for inner in 0..k.per {
                    let base = src.add(outer * k.big + inner * k.small);
                    for t in 0..k.len {
                        let bv = crate::kernel::simd::load_row::<S, NVC, true>(bp, mask);
                        for (r, acc) in acc.iter_mut().enumerate() {
                            let x = S::splat(*base.add(rows[r] + t));
                            for (a, &y) in acc.iter_mut().zip(&bv) {
                                *a = S::fma(x, y, *a);
                            }
                        }
                        bp = bp.add(ldb);
                    }
                }
            }
            for (o, acc) in out.iter_mut().zip(&acc) {
                for (v, &a) in acc.iter().enumerate() {
                    S::store(o.as_mut_ptr().add(v * S::W), a);
                }
            }
        }
    }

    /// The weight gradient of one sample with the filters in the lanes:
    /// `dw[f][q] += Σ_pix dyt[pix][f] · xp[field(q) + pixel(pix)]`, `dyt` the output gradient
    /// `dy: (F, OH·OW)` transposed into the work buffer as `(OH·OW, F)`. The rows `q` go in tiles
    /// of `R` (the last one padded with its last row), the filters in groups of up to `2·W`.
    ///
    /// # Safety
    /// The ISA of `S` is available; `xp` holds the padded input (rows of `W + 2PW`), `dy` and
    /// `dyt` `OH·OW·F` values, `dw` the `F·C·KH·KW` gradient.
    #[inline(always)]
    pub(super) unsafe fn weight_grad_lanes<S: Simd, const R: usize>(
        g: Conv,
        xp: *const S::E,
        dy: *const S::E,
        dyt: *mut S::E,
        dw: *mut S::E,
    ) where
        S::E: core::ops::Add<Output = S::E> + Default,
    {
        let (field, pixels) = (Runs::field(g), Runs::pixels(g));
        let (q, n, nf) = (field.total(), pixels.total(), g.f);
        // SAFETY (whole body): the transpose writes `N·F` values; the field and pixel offsets
        // stay inside the padded input; each tile's filters `f0..f0 + w` exist in every row of
        // `dyt`; `dw` has `F·Q`.
        unsafe {
            crate::kernel::simd::pack_bt::<S>(dy, n, nf, n, dyt, nf);
            let mut f0 = 0;
            while f0 < nf {
                let w = if nf - f0 < 2 * S::W {
                    nf - f0
                } else {
                    2 * S::W
                };
                let nvc = w.div_ceil(S::W);
                let mask = S::mask(w - (nvc - 1) * S::W);
                let mut i0 = 0;
                while i0 < q {
                    let offs = core::array::from_fn(|r| field.at((i0 + r).min(q - 1)));
                    let mut out = [[S::E::default(); LANES_MAX]; R];
                    let b = dyt.add(f0);
                    if nvc == 1 {
                        lanes_tile::<S, R, 1>(xp, &offs, pixels, b, nf, mask, &mut out);
                    } else {
                        lanes_tile::<S, R, 2>(xp, &offs, pixels, b, nf, mask, &mut out);
                    }
                    // Filter by filter: the rows of one filter are consecutive in `dw`.
                    let valid = (q - i0).min(R);
                    for j in 0..w {
                        let d = dw.add((f0 + j) * q + i0);
                        for (r, o) in out.iter().enumerate().take(valid) {
                            *d.add(r) = *d.add(r) + o[j];
                        }
                    }
                    i0 += R;
                }
                f0 += w;
            }
        }
    }

    /// Widest kernel [`col2im`] takes: one mask and offset per kernel column on the stack.
    pub(super) const COL2IM_KW: usize = 16;

    /// The column matrix `cols: (C·KH·KW, OH·OW)` added back onto the input pixels (stride 1):
    /// `dx[c][iy][ix] = Σ_{ky,kx} cols[(c·KH + ky)·KW + kx][oy·OW + ox]` over the terms with
    /// `oy = iy + PH − ky` and `ox = ix + PW − kx` inside the output. Each vector of an input row
    /// sums its `KH·KW` shifted segments in a register (masked loads keep the lanes whose `ox`
    /// falls outside the output at zero) and is written once: no zeroing, no read-back, no
    /// padded copy.
    ///
    /// # Safety
    /// The ISA of `S` is available; `cols` holds `C·KH·KW·OH·OW` values, `dx` `C·H·W`;
    /// `g.kw <= COL2IM_KW`.
    #[inline(always)]
    pub(super) unsafe fn col2im<S: Simd>(g: Conv, cols: *const S::E, dx: *mut S::E) {
        // SAFETY: forwarded; a constant width unrolls the taps and keeps them in registers.
        unsafe {
            match g.kw {
                3 => col2im_k::<S, 3>(g, cols, dx),
                5 => col2im_k::<S, 5>(g, cols, dx),
                _ => col2im_k::<S, 0>(g, cols, dx),
            }
        }
    }

    /// [`col2im`] for kernel width `K` (`0`: any, read from `g`).
    ///
    /// # Safety
    /// As [`col2im`], and `K` is `0` or `g.kw`.
    #[inline(always)]
    unsafe fn col2im_k<S: Simd, const K: usize>(g: Conv, cols: *const S::E, dx: *mut S::E) {
        let kw = if K == 0 { g.kw } else { K };
        let (oh, ow) = (g.oh(), g.ow());
        let n = oh * ow;
        let mut j0 = 0;
        while j0 < g.w {
            let width = if g.w - j0 < S::W { g.w - j0 } else { S::W };
            // Per kernel column: the offset of lane 0 from its segment's start, and the lanes
            // whose `ox = j0 + j + PW − kx` lies in `0..OW`.
            // SAFETY: `mask_range` bounds are clamped to `0..=W`.
            let mut taps = [(0isize, unsafe { S::mask(0) }); COL2IM_KW];
            for (kx, t) in taps.iter_mut().enumerate().take(kw) {
                let shift = (j0 + g.pw) as isize - kx as isize;
                let lo = (-shift).clamp(0, width as isize) as usize;
                let hi = (ow as isize - shift).clamp(0, width as isize) as usize;
                // SAFETY: as above.
                *t = ((kx * n) as isize + shift, unsafe { S::mask_range(lo, hi) });
            }
            // SAFETY (loop): a masked load touches only its selected lanes, which lie inside
            // the segment of `cols` row `(c·KH + ky)·KW + kx` at output row `oy`; the pointer to
            // lane 0 may lie outside `cols`, so it is formed with wrapping arithmetic.
            unsafe {
                let store = S::mask(width);
                let load = |seg: *const S::E, (off, m): (isize, S::M)| {
                    S::load_m(seg.wrapping_offset(off), m)
                };
                for c in 0..g.c {
                    for iy in 0..g.h {
                        // Four sums, so that the adds do not wait on each other.
                        let mut acc = [S::zero(); 4];
                        for ky in 0..g.kh {
                            let Some(oy) = (iy + g.ph).checked_sub(ky).filter(|&oy| oy < oh) else {
                                continue;
                            };
                            let seg = cols.wrapping_add(((c * g.kh + ky) * kw) * n + oy * ow);
                            let quads = taps[..kw].chunks_exact(4);
                            let rest = quads.remainder();
                            for quad in quads {
                                for (a, &t) in acc.iter_mut().zip(quad) {
                                    *a = S::add(*a, load(seg, t));
                                }
                            }
                            for (a, &t) in acc.iter_mut().zip(rest) {
                                *a = S::add(*a, load(seg, t));
                            }
                        }
                        let sum = S::add(S::add(acc[0], acc[1]), S::add(acc[2], acc[3]));
                        S::store_m(dx.add((c * g.h + iy) * g.w + j0), sum, store);
                    }
                }
            }
            j0 += S::W;
        }
    }

    /// The entry points compiled for one instruction set and element type.
    macro_rules! entries {
        ($name:ident, $isa:ty, $e:ty, $rows:literal, $lanes_rows:literal, $features:literal) => {
            pub(super) mod $name {
                use super::Conv;

                /// # Safety
                /// The CPU has the features; as [`super::correlate`].
                #[target_feature(enable = $features)]
                pub(crate) unsafe fn correlate(
                    k: super::Corr,
                    src: *const $e,
                    w: *const $e,
                    init: *const $e,
                    out: *mut $e,
                ) {
                    // SAFETY: forwarded.
                    unsafe { super::correlate::<$isa, $rows>(k, src, w, init, out) }
                }

                /// # Safety
                /// The CPU has the features; as [`super::weight_grad`].
                #[target_feature(enable = $features)]
                pub(crate) unsafe fn weight_grad(
                    g: Conv,
                    xp: *const $e,
                    dy: *const $e,
                    dw: *mut $e,
                ) {
                    // SAFETY: forwarded.
                    unsafe { super::weight_grad::<$isa>(g, xp, dy, dw) }
                }

                /// # Safety
                /// The CPU has the features; as [`super::col2im`].
                #[target_feature(enable = $features)]
                pub(crate) unsafe fn col2im(g: Conv, cols: *const $e, dx: *mut $e) {
                    // SAFETY: forwarded.
                    unsafe { super::col2im::<$isa>(g, cols, dx) }
                }

                /// # Safety
                /// The CPU has the features; as [`super::weight_grad_lanes`].
                #[target_feature(enable = $features)]
                pub(crate) unsafe fn weight_grad_lanes(
                    g: Conv,
                    xp: *const $e,
                    dy: *const $e,
                    dyt: *mut $e,
                    dw: *mut $e,
                ) {
                    // SAFETY: forwarded.
                    unsafe { super::weight_grad_lanes::<$isa, $lanes_rows>(g, xp, dy, dyt, dw) }
                }
            }
        };
    }
    // Rows per pass: 2 channels × 8 rows are 16 accumulators of AVX-512's 32 registers; AVX2
    // has 16, so 2 × 4. Lanes tiles: 8 rows of up to 2 vectors with AVX-512; 6 with AVX2
    // (12 accumulators, 2 filter vectors and a broadcast in 16 registers).
    entries!(avx2_f32, crate::kernel::x86::Avx2F32, f32, 4, 6, "avx2,fma");
    entries!(avx2_f64, crate::kernel::x86::Avx2F64, f64, 4, 6, "avx2,fma");
    entries!(
        avx512_f32,
        crate::kernel::x86::Avx512F32,
        f32,
        8,
        8,
        "avx512f,avx2,fma"
    );
    entries!(
        avx512_f64,
        crate::kernel::x86::Avx512F64,
        f64,
        8,
        8,
        "avx512f,avx2,fma"
    );
}
