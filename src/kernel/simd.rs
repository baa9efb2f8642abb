//! The blocked, register-tiled product, generic over a vector instruction set ([`Simd`]).
//!
//! Layout of the work (BLIS-style, without packing A):
//! - `k` is cut into blocks of `kc` so one strip of B (`kc × NR`) stays in L1;
//! - `n` is cut into strips of `NR = NV · W` columns (`W` lanes per vector);
//! - each strip is swept by `MR × NR` tiles of C held in registers; per step of `p` the kernel loads
//!   `NV` vectors of B and broadcasts `MR` values of A, doing `MR · NV` fused multiply-adds.
//!
//! A is read in place: row-major (`a(i,p) = a[i·k + p]`) or transposed (`a(i,p) = a[p·m + i]`),
//! both are scalar broadcasts. B is read in place when its rows run along `n`; when it is stored
//! transposed (`n × k`) each strip is first transposed into a fixed-size buffer on the stack.
//! Edges: fewer rows use a smaller `MR`, fewer columns a smaller `NV` and masked loads/stores.

use super::Gemm;
use core::mem::{MaybeUninit, size_of};

/// Bytes of the stack buffer that holds one packed strip of B (`kc × NR` elements).
pub(crate) const PACK_BYTES: usize = 16 * 1024;

/// One vector instruction set for one element type. All methods are `unsafe`: they may only run
/// on a CPU that has the instruction set, and pointer arguments must be valid for `W` elements
/// (or the lanes selected by the mask).
pub(crate) trait Simd {
    /// The element type.
    type E: Copy;
    /// A vector of `W` elements.
    type V: Copy;
    /// Selects the first lanes of a vector for masked loads and stores.
    type M: Copy;
    /// Lanes per vector.
    const W: usize;
    /// All lanes zero.
    unsafe fn zero() -> Self::V;
    /// All lanes `x`.
    unsafe fn splat(x: Self::E) -> Self::V;
    /// Unaligned load of `W` elements.
    unsafe fn load(p: *const Self::E) -> Self::V;
    /// Unaligned store of `W` elements.
    unsafe fn store(p: *mut Self::E, v: Self::V);
    /// The mask of the first `n` lanes, `1 <= n <= W`.
    unsafe fn mask(n: usize) -> Self::M;
    /// Loads the masked lanes (others are zero); unselected memory is not touched.
    unsafe fn load_m(p: *const Self::E, m: Self::M) -> Self::V;
    /// Stores the masked lanes; unselected memory is not touched.
    unsafe fn store_m(p: *mut Self::E, v: Self::V, m: Self::M);
    /// `a · b + c`, fused.
    unsafe fn fma(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `a + b`.
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    /// Transposes a square block of `TB × TB` elements: `dst[p·ds + j] = src[j·ss + p]`.
    unsafe fn transpose_block(src: *const Self::E, ss: usize, dst: *mut Self::E, ds: usize);
    /// Side of the block [`Simd::transpose_block`] handles.
    const TB: usize;
}

/// Where the microkernel reads A: the pointer to `a(i0, p0)` and the stride that steps `i`
/// (`A_T == false`) or `p` (`A_T == true`); the other stride is 1.
#[derive(Clone, Copy)]
struct APanel<E> {
    ptr: *const E,
    ld: usize,
}

/// `c[0..R][0..NVC·W] (+)= Σ_p a(i,p) · b[p][..]` for one tile.
///
/// # Safety
/// The CPU supports `S`; `a` is valid for `R × kc` reads in its layout, `b` for `kc` rows of
/// `NVC` vectors at stride `ldb` (the last vector masked by `mask` when `MASK`), `c` likewise for
/// `R` rows at stride `ldc`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn micro<S: Simd, const R: usize, const NVC: usize, const MASK: bool, const A_T: bool>(
    kc: usize,
    a: APanel<S::E>,
    b: *const S::E,
    ldb: usize,
    c: *mut S::E,
    ldc: usize,
    mask: S::M,
    overwrite: bool,
) {
    // SAFETY (whole body): every pointer offset stays inside the ranges the caller vouches for.
    unsafe {
        let mut acc = [[S::zero(); NVC]; R];
        let (mut ap, mut bp) = (a.ptr, b);
        for _ in 0..kc {
            let mut bv = [S::zero(); NVC];
            for (v, x) in bv.iter_mut().enumerate() {
                *x = if MASK && v == NVC - 1 {
                    S::load_m(bp.add(v * S::W), mask)
                } else {
                    S::load(bp.add(v * S::W))
                };
            }
            for (i, row) in acc.iter_mut().enumerate() {
                let x = S::splat(*ap.add(if A_T { i } else { i * a.ld }));
                for (r, &y) in row.iter_mut().zip(&bv) {
                    *r = S::fma(x, y, *r);
                }
            }
            ap = ap.add(if A_T { a.ld } else { 1 });
            bp = bp.add(ldb);
        }
        for (i, row) in acc.iter().enumerate() {
            let cp = c.add(i * ldc);
            for (v, &x) in row.iter().enumerate() {
                let p = cp.add(v * S::W);
                if MASK && v == NVC - 1 {
                    let y = if overwrite {
                        x
                    } else {
                        S::add(x, S::load_m(p, mask))
                    };
                    S::store_m(p, y, mask);
                } else {
                    let y = if overwrite { x } else { S::add(x, S::load(p)) };
                    S::store(p, y);
                }
            }
        }
    }
}

/// [`micro`] for a single row (a vector-matrix product, or the last row of an edge): one row has
/// only `NVC` dependent FMA chains, so it keeps four partial sums over interleaved steps of `p`
/// to hide the FMA latency, and adds them up at the end.
///
/// # Safety
/// As [`micro`] with `R = 1`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
#[allow(clippy::needless_range_loop)] // `v` indexes four accumulator sets and a vector offset
unsafe fn micro_row<S: Simd, const NVC: usize, const MASK: bool, const A_T: bool>(
    kc: usize,
    a: APanel<S::E>,
    b: *const S::E,
    ldb: usize,
    c: *mut S::E,
    mask: S::M,
    overwrite: bool,
) {
    // SAFETY (whole body): every pointer offset stays inside the ranges the caller vouches for.
    unsafe {
        let a_step = if A_T { a.ld } else { 1 };
        let load = |bp: *const S::E, v: usize| {
            if MASK && v == NVC - 1 {
                S::load_m(bp.add(v * S::W), mask)
            } else {
                S::load(bp.add(v * S::W))
            }
        };
        let (mut s0, mut s1, mut s2, mut s3) = (
            [S::zero(); NVC],
            [S::zero(); NVC],
            [S::zero(); NVC],
            [S::zero(); NVC],
        );
        let (mut ap, mut bp) = (a.ptr, b);
        let mut p = 0;
        while p + 4 <= kc {
            let x = [
                S::splat(*ap),
                S::splat(*ap.add(a_step)),
                S::splat(*ap.add(2 * a_step)),
                S::splat(*ap.add(3 * a_step)),
            ];
            for v in 0..NVC {
                s0[v] = S::fma(x[0], load(bp, v), s0[v]);
                s1[v] = S::fma(x[1], load(bp.add(ldb), v), s1[v]);
                s2[v] = S::fma(x[2], load(bp.add(2 * ldb), v), s2[v]);
                s3[v] = S::fma(x[3], load(bp.add(3 * ldb), v), s3[v]);
            }
            ap = ap.add(4 * a_step);
            bp = bp.add(4 * ldb);
            p += 4;
        }
        while p < kc {
            let x = S::splat(*ap);
            for v in 0..NVC {
                s0[v] = S::fma(x, load(bp, v), s0[v]);
            }
            ap = ap.add(a_step);
            bp = bp.add(ldb);
            p += 1;
        }
        for v in 0..NVC {
            let x = S::add(S::add(s0[v], s1[v]), S::add(s2[v], s3[v]));
            let p = c.add(v * S::W);
            if MASK && v == NVC - 1 {
                let y = if overwrite {
                    x
                } else {
                    S::add(x, S::load_m(p, mask))
                };
                S::store_m(p, y, mask);
            } else {
                let y = if overwrite { x } else { S::add(x, S::load(p)) };
                S::store(p, y);
            }
        }
    }
}

/// Everything one strip of columns needs, shared by all its row tiles.
#[derive(Clone, Copy)]
struct Strip<E> {
    /// `m`, the rows of C.
    m: usize,
    /// `kc`, the length of this block of the inner dimension.
    kc: usize,
    /// `a(0, p0)`; `ld` is `k` (row-major A) or `m` (transposed A).
    a: APanel<E>,
    /// `b(p0, j0)` and its row stride.
    b: *const E,
    ldb: usize,
    /// `c(0, j0)` and its row stride `n`.
    c: *mut E,
    ldc: usize,
    overwrite: bool,
}

/// Sweeps one column strip with `MR`-row tiles (`NVC` vectors wide, the last masked if `MASK`).
///
/// # Safety
/// As [`micro`], for all `m` rows.
#[inline(always)]
unsafe fn strip<S: Simd, const MR: usize, const NVC: usize, const MASK: bool, const A_T: bool>(
    s: Strip<S::E>,
    mask: S::M,
) {
    let mut i = 0;
    while i < s.m {
        let rows = if s.m - i < MR { s.m - i } else { MR };
        // Row `i` of A: one step of the row stride.
        let a = APanel {
            // SAFETY: `i < m`, inside A.
            ptr: unsafe { s.a.ptr.add(if A_T { i } else { i * s.a.ld }) },
            ld: s.a.ld,
        };
        // SAFETY: `i < m`, inside C.
        let c = unsafe { s.c.add(i * s.ldc) };
        let (kc, b, ldb, ldc, ow) = (s.kc, s.b, s.ldb, s.ldc, s.overwrite);
        // SAFETY: the tile covers rows i..i+rows of the strip, which the caller vouches for.
        unsafe {
            match rows {
                r if r == MR => micro::<S, MR, NVC, MASK, A_T>(kc, a, b, ldb, c, ldc, mask, ow),
                1 => micro_row::<S, NVC, MASK, A_T>(kc, a, b, ldb, c, mask, ow),
                2 => micro::<S, 2, NVC, MASK, A_T>(kc, a, b, ldb, c, ldc, mask, ow),
                3 => micro::<S, 3, NVC, MASK, A_T>(kc, a, b, ldb, c, ldc, mask, ow),
                4 => micro::<S, 4, NVC, MASK, A_T>(kc, a, b, ldb, c, ldc, mask, ow),
                5 => micro::<S, 5, NVC, MASK, A_T>(kc, a, b, ldb, c, ldc, mask, ow),
                6 => micro::<S, 6, NVC, MASK, A_T>(kc, a, b, ldb, c, ldc, mask, ow),
                7 => micro::<S, 7, NVC, MASK, A_T>(kc, a, b, ldb, c, ldc, mask, ow),
                _ => micro::<S, 8, NVC, MASK, A_T>(kc, a, b, ldb, c, ldc, mask, ow),
            }
        }
        i += rows;
    }
}

/// Picks the A layout.
///
/// # Safety
/// As [`strip`].
#[inline(always)]
unsafe fn strip_a<S: Simd, const MR: usize, const NVC: usize, const MASK: bool>(
    a_t: bool,
    s: Strip<S::E>,
    mask: S::M,
) {
    // SAFETY: forwarded.
    unsafe {
        if a_t {
            strip::<S, MR, NVC, MASK, true>(s, mask)
        } else {
            strip::<S, MR, NVC, MASK, false>(s, mask)
        }
    }
}

/// Transposes `nc` rows × `kc` columns of B (stored `n × k`, starting at `src = b(j0, p0)`) into
/// `dst` as `kc` rows of stride `nr`: `dst[p·nr + j] = src[j·k + p]`.
///
/// # Safety
/// The CPU supports `S`; `src` valid for the block; `dst` valid for `kc · nr` writes.
#[inline(always)]
unsafe fn pack_bt<S: Simd>(
    src: *const S::E,
    k: usize,
    nc: usize,
    kc: usize,
    dst: *mut S::E,
    nr: usize,
) {
    let t = S::TB;
    let (nc_full, kc_full) = (nc - nc % t, kc - kc % t);
    // SAFETY (whole body): offsets stay below `nc` rows / `kc` columns of src and `kc · nr` of dst.
    unsafe {
        let mut j = 0;
        while j < nc_full {
            let mut p = 0;
            while p < kc_full {
                S::transpose_block(src.add(j * k + p), k, dst.add(p * nr + j), nr);
                p += t;
            }
            for jj in j..j + t {
                for pp in kc_full..kc {
                    *dst.add(pp * nr + jj) = *src.add(jj * k + pp);
                }
            }
            j += t;
        }
        for jj in nc_full..nc {
            for pp in 0..kc {
                *dst.add(pp * nr + jj) = *src.add(jj * k + pp);
            }
        }
    }
}

/// A stack buffer for one packed strip, aligned to a cache line.
#[repr(C, align(64))]
struct PackBuf([MaybeUninit<u8>; PACK_BYTES]);

/// `c (+)= op(a) · op(b)` with `MR × NV·W` register tiles.
///
/// # Safety
/// The CPU supports `S`; the slices behind `a`, `b`, `c` hold at least `m·k`, `k·n`, `m·n`
/// elements (checked by the public entry points); `1 <= MR <= 8`, `1 <= NV <= 2`.
#[inline(always)]
pub(crate) unsafe fn gemm<S: Simd, const MR: usize, const NV: usize>(
    g: Gemm,
    a: *const S::E,
    b: *const S::E,
    c: *mut S::E,
) where
    S::E: Default,
{
    let Gemm {
        m,
        k,
        n,
        b_t,
        accumulate,
        ..
    } = g;
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            // SAFETY: `c` holds `m·n` elements.
            unsafe { core::slice::from_raw_parts_mut(c, m * n).fill(S::E::default()) };
        }
        return;
    }
    if b_t {
        let mut buf = PackBuf([MaybeUninit::uninit(); PACK_BYTES]);
        // SAFETY: forwarded; the buffer holds PACK_BYTES.
        unsafe { blocks::<S, MR, NV>(g, a, b, c, buf.0.as_mut_ptr().cast::<S::E>()) }
    } else {
        // SAFETY: forwarded; without `b_t` the pack buffer is never touched.
        unsafe { blocks::<S, MR, NV>(g, a, b, c, core::ptr::null_mut()) }
    }
}

/// The loops of [`gemm`] over k blocks and column strips; `packed` is the strip buffer
/// (`PACK_BYTES`, used only when `b_t`).
///
/// # Safety
/// As [`gemm`], with `m, n, k > 0`.
#[inline(always)]
unsafe fn blocks<S: Simd, const MR: usize, const NV: usize>(
    g: Gemm,
    a: *const S::E,
    b: *const S::E,
    c: *mut S::E,
    packed: *mut S::E,
) {
    let Gemm {
        m,
        k,
        n,
        a_t,
        b_t,
        accumulate,
    } = g;
    let nr = NV * S::W;
    // Keep a strip of B (`kc × nr`) within the pack buffer, and a multiple of the transpose block.
    let kc_max = (PACK_BYTES / (nr * size_of::<S::E>())) / S::TB * S::TB;
    let mut p0 = 0;
    while p0 < k {
        let kc = if k - p0 < kc_max { k - p0 } else { kc_max };
        let mut j0 = 0;
        while j0 < n {
            let nc = if n - j0 < nr { n - j0 } else { nr };
            // SAFETY: p0 < k and j0 < n: all offsets are inside the operands.
            let s = unsafe {
                let (bp, ldb) = if b_t {
                    pack_bt::<S>(b.add(j0 * k + p0), k, nc, kc, packed, nr);
                    (packed as *const S::E, nr)
                } else {
                    (b.add(p0 * n + j0), n)
                };
                Strip {
                    m,
                    kc,
                    a: APanel {
                        ptr: a.add(if a_t { p0 * m } else { p0 }),
                        ld: if a_t { m } else { k },
                    },
                    b: bp,
                    ldb,
                    c: c.add(j0),
                    ldc: n,
                    overwrite: p0 == 0 && !accumulate,
                }
            };
            let vecs = nc.div_ceil(S::W);
            let masked = nc % S::W != 0;
            // SAFETY: the strip is `nc` columns wide; `vecs` vectors cover it, the last one masked
            // to the `nc % W` valid lanes when `masked`.
            unsafe {
                let mask = S::mask(if masked { nc % S::W } else { S::W });
                match (vecs, masked) {
                    (v, false) if v == NV => strip_a::<S, MR, NV, false>(a_t, s, mask),
                    (1, false) => strip_a::<S, MR, 1, false>(a_t, s, mask),
                    (1, true) => strip_a::<S, MR, 1, true>(a_t, s, mask),
                    (_, false) => strip_a::<S, MR, 2, false>(a_t, s, mask),
                    (_, true) => strip_a::<S, MR, 2, true>(a_t, s, mask),
                }
            }
            j0 += nr;
        }
        p0 += kc;
    }
}
