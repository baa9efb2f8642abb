//! The blocked, register-tiled product, generic over a vector instruction set ([`Simd`]).
//!
//! Layout of the work, outermost loop first ([`Plan`] decides the blocks and what is packed):
//! - `m` is cut into blocks of `mc` rows when A is large, so the block's panel of C stays in cache
//!   across its k-blocks;
//! - `k` is cut into blocks of `kc` so one strip of B (`kc × NR`) stays in L1; the A block of each
//!   is packed into `MR`-row micro-panels (`MR` values per step of `p`, contiguous) that stay in
//!   L2;
//! - `n` is cut into strips of `NR = NV · W` columns (`W` lanes per vector), each packed into a
//!   contiguous `kc × NR` buffer when many row tiles reuse it or B is stored transposed;
//! - each strip is swept by `MR × NR` tiles of C held in registers; per step of `p` the kernel loads
//!   `NV` vectors of B and broadcasts `MR` values of A, doing `MR · NV` fused multiply-adds.
//!
//! Unpacked operands are read in place: A row-major (`a(i,p) = a[i·k + p]`) or transposed
//! (`a(i,p) = a[p·m + i]`, which is also how a packed panel reads, with stride `MR`), B along its
//! rows. Edges: fewer rows use a smaller `MR`, fewer columns a smaller `NV` and masked loads/stores.

use super::Gemm;
use core::mem::{MaybeUninit, size_of};

/// Bytes of the stack buffer that holds one packed strip of B (`kc × NR` elements): it stays in
/// L1 while every row tile of the A block sweeps it.
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
    /// Vector registers (16 with AVX2, 32 with AVX-512): how many accumulators a kernel can keep.
    const REGS: usize;
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
    /// The mask of lanes `lo..hi`, `lo <= W`, `hi <= W` (empty when `lo >= hi`).
    unsafe fn mask_range(lo: usize, hi: usize) -> Self::M;
    /// Loads the masked lanes (others are zero); unselected memory is not touched.
    unsafe fn load_m(p: *const Self::E, m: Self::M) -> Self::V;
    /// Stores the masked lanes; unselected memory is not touched.
    unsafe fn store_m(p: *mut Self::E, v: Self::V, m: Self::M);
    /// `a · b + c`, fused.
    unsafe fn fma(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `a + b`.
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    /// The sum of the lanes of `v`, by shuffles (a tree: log₂ W dependent adds).
    unsafe fn hsum(v: Self::V) -> Self::E;
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

/// The `NVC` consecutive vectors at `p`, the last one loaded under `mask` when `MASK`.
///
/// # Safety
/// The CPU supports `S`; `p` is valid for `NVC` vectors (the masked lanes of the last one).
#[inline(always)]
pub(crate) unsafe fn load_row<S: Simd, const NVC: usize, const MASK: bool>(
    p: *const S::E,
    mask: S::M,
) -> [S::V; NVC] {
    // SAFETY: the caller's contract.
    unsafe {
        let mut row = [S::zero(); NVC];
        for (v, x) in row.iter_mut().enumerate() {
            *x = if MASK && v == NVC - 1 {
                S::load_m(p.add(v * S::W), mask)
            } else {
                S::load(p.add(v * S::W))
            };
        }
        row
    }
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
            let bv = load_row::<S, NVC, MASK>(bp, mask);
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
    /// The rows of C in this block.
    m: usize,
    /// `kc`, the length of this block of the inner dimension.
    kc: usize,
    /// A at the block's first row and `p0`; `ld` is `k` (row-major A), `m` (transposed A) or `MR`
    /// (packed A).
    a: APanel<E>,
    /// How far the A pointer moves from one `MR`-row tile to the next.
    a_tile: usize,
    /// `b(p0, j0)` and its row stride.
    b: *const E,
    ldb: usize,
    /// `c(i0, j0)` and its row stride `n`.
    c: *mut E,
    ldc: usize,
    overwrite: bool,
}

/// Sweeps one column strip with `MR`-row tiles (`NVC` vectors wide, the last masked if `MASK`);
/// the rows past the last whole tile take tiles of 4 (as many as fit), then 2 and 1 rows. Three
/// tile heights for every remainder, not one per remainder: each height is another copy of the
/// kernel for every instruction set, width and layout, and the copies are most of the library's
/// compile time.
///
/// # Safety
/// As [`micro`], for all `m` rows.
#[inline(always)]
unsafe fn strip<S: Simd, const MR: usize, const NVC: usize, const MASK: bool, const A_T: bool>(
    s: Strip<S::E>,
    mask: S::M,
) {
    let (kc, b, ldb, ldc, ow) = (s.kc, s.b, s.ldb, s.ldc, s.overwrite);
    // A at row `i`: tile `i / MR`, then row `i % MR` inside it.
    let a_at = |i: usize| APanel {
        // SAFETY: `i < m`, inside A (or its packed block).
        ptr: unsafe {
            let r = i % MR;
            s.a.ptr
                .add(i / MR * s.a_tile + if A_T { r } else { r * s.a.ld })
        },
        ld: s.a.ld,
    };
    // SAFETY: `i < m`, inside C.
    let c_at = |i: usize| unsafe { s.c.add(i * ldc) };
    let mut i = 0;
    // SAFETY (all calls): each tile covers rows i..i + R < m of the strip, which the caller
    // vouches for.
    unsafe {
        while i + MR <= s.m {
            micro::<S, MR, NVC, MASK, A_T>(kc, a_at(i), b, ldb, c_at(i), ldc, mask, ow);
            i += MR;
        }
        while MR > 4 && i + 4 <= s.m {
            micro::<S, 4, NVC, MASK, A_T>(kc, a_at(i), b, ldb, c_at(i), ldc, mask, ow);
            i += 4;
        }
        if MR > 2 && i + 2 <= s.m {
            micro::<S, 2, NVC, MASK, A_T>(kc, a_at(i), b, ldb, c_at(i), ldc, mask, ow);
            i += 2;
        }
        if i < s.m {
            micro_row::<S, NVC, MASK, A_T>(kc, a_at(i), b, ldb, c_at(i), mask, ow);
        }
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
pub(crate) unsafe fn pack_bt<S: Simd>(
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

/// Copies `kc` rows × `nc` columns of a row-major B (`src = b(p0, j0)`, row stride `n`) into
/// `dst` as `kc` rows of stride `nr`: one contiguous strip, read in order by the microkernel, free
/// of the cache-set conflicts that rows `n` apart cause when `n` is a large power of two.
///
/// # Safety
/// The CPU supports `S`; `src` valid for the block; `dst` valid for `kc · NV·W` writes;
/// `nc <= NV·W`.
#[inline(always)]
unsafe fn pack_b<S: Simd, const NV: usize>(
    src: *const S::E,
    n: usize,
    nc: usize,
    kc: usize,
    dst: *mut S::E,
) {
    let (full, rest) = (nc / S::W, nc % S::W);
    let nr = NV * S::W;
    // SAFETY (whole body): row `p < kc` of the block, `nc <= nr` elements of it; `dst` row `p`.
    unsafe {
        let mask = S::mask(if rest == 0 { S::W } else { rest });
        for p in 0..kc {
            let (s, d) = (src.add(p * n), dst.add(p * nr));
            // At most `NV` vectors, unrolled: a loop over `full` becomes a `memcpy` call per row,
            // which costs more than the copy.
            for v in 0..NV {
                if v < full {
                    S::store(d.add(v * S::W), S::load(s.add(v * S::W)));
                }
            }
            if rest != 0 {
                let at = full * S::W;
                S::store_m(d.add(at), S::load_m(s.add(at), mask), mask);
            }
        }
    }
}

/// Packs rows `0..mc` × columns `0..kc` of op(A) (at `a = a(i0, p0)`, stride `ld`) into `MR`-row
/// micro-panels: panel `t` holds `a(t·MR + r, p)` at `dst[t·MR·kc + p·MR + r]`, so the microkernel
/// reads `MR` consecutive values per step of `p` (the last panel uses its first `mc % MR` rows).
///
/// # Safety
/// `a` valid for the block in its layout; `dst` valid for `mc.div_ceil(MR) · MR · kc` writes.
#[inline(always)]
unsafe fn pack_a<E: Copy, const MR: usize>(
    a: *const E,
    a_t: bool,
    ld: usize,
    mc: usize,
    kc: usize,
    dst: *mut E,
) {
    let mut t = 0;
    while t * MR < mc {
        let rows = if mc - t * MR < MR { mc - t * MR } else { MR };
        // SAFETY (both arms): rows `t·MR..t·MR + rows < mc`, columns `< kc`; panel `t` of dst.
        unsafe {
            let panel = dst.add(t * MR * kc);
            if a_t {
                // a(i, p) = a[p·ld + i]: `rows` consecutive values per p.
                let src = a.add(t * MR);
                for p in 0..kc {
                    core::ptr::copy_nonoverlapping(src.add(p * ld), panel.add(p * MR), rows);
                }
            } else {
                // a(i, p) = a[i·ld + p]: one row of A at a time, scattered at stride MR.
                for r in 0..rows {
                    let src = a.add((t * MR + r) * ld);
                    for p in 0..kc {
                        *panel.add(p * MR + r) = *src.add(p);
                    }
                }
            }
        }
        t += 1;
    }
}

/// Bytes of the stack buffer for one packed block of A (`mc × kc`): with `std`, 128 KB, a
/// quarter of a typical L2 (the block is reused for every column strip); without `std`, where the
/// stack may be a microcontroller's, 8 KB.
pub(crate) const PACK_A_BYTES: usize = if cfg!(feature = "std") {
    128 * 1024
} else {
    8 * 1024
};

#[cfg_attr(
    not(any(
        target_feature = "avx512f",
        all(target_feature = "avx2", target_feature = "fma")
    )),
    allow(dead_code) // only the compile-time SIMD path inlines it
)]
/// Products with at most this many multiply-adds skip the packing (it would not pay for itself)
/// and use the small transpose buffer [`SMALL_PACK`].
const SMALL_PACK: usize = super::SMALL;

/// A stack buffer, aligned to a cache line.
#[repr(C, align(64))]
struct Buf<const BYTES: usize>([MaybeUninit<u8>; BYTES]);

impl<const BYTES: usize> Buf<BYTES> {
    #[inline(always)]
    fn new() -> Self {
        Buf([MaybeUninit::uninit(); BYTES])
    }
    #[inline(always)]
    fn ptr<E>(&mut self) -> *mut E {
        self.0.as_mut_ptr().cast::<E>()
    }
}

/// Where packed operands go (null where the plan packs nothing).
#[derive(Clone, Copy)]
pub(crate) struct Packs<E> {
    a: *mut E,
    b: *mut E,
}

/// [`blocks`] compiled for one instruction set (with its features enabled, out of line): every
/// form of [`gemm`] calls the same copy of the loops.
pub(crate) type Blocks<E> = unsafe fn(Gemm, Plan, *const E, *const E, *mut E, Packs<E>);

/// How [`blocks`] cuts a product: the depth of a k block, the rows of an A block, and which
/// operands it packs.
#[derive(Clone, Copy)]
pub(crate) struct Plan {
    kc: usize,
    mc: usize,
    /// A blocks are packed into `PACK_A_BYTES` (else read in place).
    pub(crate) pack_a: bool,
    /// B strips are packed into `PACK_BYTES` (always when B is transposed).
    pack_b: bool,
}

impl Plan {
    /// The plan for `g` on `S` with `MR × NV` tiles, given the pack buffers' capacity in elements
    /// (`b_len == 0`: nothing but a transposed B may be packed, which then needs `b_len > 0`).
    #[inline(always)]
    pub(crate) fn new<S: Simd, const MR: usize, const NV: usize>(
        g: Gemm,
        a_len: usize,
        b_len: usize,
    ) -> Plan {
        let (m, k, n) = (g.m, g.k, g.n);
        let nr = NV * S::W;
        // A strip of B (`kc × nr`) fits its buffer and stays in L1, `kc` a multiple of the
        // transpose block; one block when nothing is packed.
        let kc = if b_len == 0 {
            k
        } else {
            (b_len / nr / S::TB * S::TB).max(S::TB)
        };
        // A is cut into blocks of equal size, in whole tiles, each packed into micro-panels and
        // kept in L2 while every column strip sweeps it, when it is more than twice the buffer
        // (a smaller A stays in L2 as it is) and at least four strips reuse a block.
        let kc_a = if kc < k { kc } else { k };
        let mc_cap = a_len / kc_a / MR * MR;
        let pack_a = mc_cap >= MR && m > 2 * mc_cap && n >= 4 * nr;
        let mc = if pack_a {
            m.div_ceil(m.div_ceil(mc_cap)).div_ceil(MR) * MR
        } else {
            m
        };
        // B is packed when transposed, or when several row tiles reuse it and it is big with rows
        // a multiple of 256 bytes apart: read in place, such rows fall into a few L1 sets.
        let row_bytes = n * size_of::<S::E>();
        // A packed A block is large: its row tiles reuse every strip, which is then packed too.
        let pack_b = g.b_t
            || pack_a
            || (b_len > 0 && m >= 4 * MR && row_bytes % 256 == 0 && k * row_bytes > 32 * 1024);
        Plan {
            kc,
            mc,
            pack_a,
            pack_b,
        }
    }
}

/// Capacity of the pack buffers of [`gemm`], in elements of `E`.
const fn pack_lens<E>() -> (usize, usize) {
    (PACK_A_BYTES / size_of::<E>(), PACK_BYTES / size_of::<E>())
}

impl Plan {
    /// The plan of [`gemm`] for `g` (with its buffers). The caller picks the form of `gemm` by
    /// `pack_a`, so that only the form that packs A has the large buffer in its stack frame.
    #[inline(always)]
    pub(crate) fn for_gemm<S: Simd, const MR: usize, const NV: usize>(g: Gemm) -> Plan {
        if g.m == 0 || g.n == 0 || g.k == 0 {
            // Nothing to block: `gemm` handles it before looking at the plan.
            return Plan {
                kc: 0,
                mc: 0,
                pack_a: false,
                pack_b: false,
            };
        }
        let (a_len, b_len) = pack_lens::<S::E>();
        Plan::new::<S, MR, NV>(g, a_len, b_len)
    }
}

/// `c (+)= op(a) · op(b)` as `plan` ([`Plan::for_gemm`]) says, by `run` (this instruction set's
/// [`blocks`]): B strips packed into a stack buffer of `PACK_BYTES` where that pays, and A blocks
/// into one of `PACK_A_BYTES` when `PACK_A`.
///
/// # Safety
/// The CPU supports `S`; the slices behind `a`, `b`, `c` hold at least `m·k`, `k·n`, `m·n`
/// elements (checked by the public entry points); `run` is `blocks::<S, MR, NV>` for the `MR`,
/// `NV` of `plan`, with `1 <= MR <= 16`, `1 <= NV <= 2`.
#[inline(always)]
pub(crate) unsafe fn gemm<S: Simd, const PACK_A: bool>(
    g: Gemm,
    plan: Plan,
    a: *const S::E,
    b: *const S::E,
    c: *mut S::E,
    run: Blocks<S::E>,
) where
    S::E: Default,
{
    // SAFETY: `c` holds `m·n` elements.
    if unsafe { trivial::<S>(g, c) } {
        return;
    }
    debug_assert_eq!(plan.pack_a, PACK_A);
    let mut pb = Buf::<PACK_BYTES>::new();
    let packs = Packs {
        a: core::ptr::null_mut(),
        b: pb.ptr(),
    };
    // SAFETY (both arms): forwarded; the buffers hold what the plan needs.
    unsafe {
        if PACK_A {
            let mut pa = Buf::<PACK_A_BYTES>::new();
            run(
                g,
                plan,
                a,
                b,
                c,
                Packs {
                    a: pa.ptr(),
                    ..packs
                },
            )
        } else {
            run(g, plan, a, b, c, packs)
        }
    }
}

/// [`gemm`] for products of at most [`SMALL_PACK`] multiply-adds, inlined where the dims are
/// constants: nothing is packed but a transposed B, whose `k·n <= SMALL_PACK` elements fit a
/// small buffer.
///
/// # Safety
/// As [`gemm`], and `m·k·n <= SMALL_PACK`.
#[cfg_attr(
    not(any(
        target_feature = "avx512f",
        all(target_feature = "avx2", target_feature = "fma")
    )),
    allow(dead_code) // only the compile-time SIMD path inlines it
)]
#[inline(always)]
pub(crate) unsafe fn gemm_small<S: Simd, const MR: usize, const NV: usize>(
    g: Gemm,
    a: *const S::E,
    b: *const S::E,
    c: *mut S::E,
) where
    S::E: Default,
{
    // SAFETY: `c` holds `m·n` elements.
    if unsafe { trivial::<S>(g, c) } {
        return;
    }
    let packs = Packs {
        a: core::ptr::null_mut(),
        b: core::ptr::null_mut(),
    };
    if g.b_t {
        const LEN: usize = SMALL_PACK * 8;
        let mut pb = Buf::<LEN>::new();
        let plan = Plan::new::<S, MR, NV>(g, 0, LEN / size_of::<S::E>());
        let packs = Packs {
            b: pb.ptr(),
            ..packs
        };
        // SAFETY: forwarded; the buffer holds a strip of the plan's depth.
        unsafe { blocks::<S, MR, NV>(g, plan, a, b, c, packs) }
    } else {
        let plan = Plan::new::<S, MR, NV>(g, 0, 0);
        // SAFETY: forwarded; this plan packs nothing.
        unsafe { blocks::<S, MR, NV>(g, plan, a, b, c, packs) }
    }
}

/// Handles empty products (`m`, `n` or `k` zero); `true` if `g` was one.
///
/// # Safety
/// `c` holds `m·n` elements.
#[inline(always)]
unsafe fn trivial<S: Simd>(g: Gemm, c: *mut S::E) -> bool
where
    S::E: Default,
{
    if g.m == 0 || g.n == 0 {
        return true;
    }
    if g.k == 0 {
        if !g.accumulate {
            // SAFETY: `c` holds `m·n` elements.
            unsafe { core::slice::from_raw_parts_mut(c, g.m * g.n).fill(S::E::default()) };
        }
        return true;
    }
    false
}

/// The loops of [`gemm`]: blocks of `mc` rows of A, blocks of `kc` along the inner dimension
/// (the A block packed into micro-panels or read in place), strips of `NR` columns of B (packed or
/// read in place), and `MR × NR` tiles, as `plan` says.
///
/// Whether to pack is a run-time choice here, not a constant: the loops around the kernels are
/// cheap, and one copy of them (per instruction set) serves every plan.
///
/// # Safety
/// As [`gemm`], with `m, n, k > 0`; `packs` holds a packed A block of the plan (when it packs A)
/// and a strip of `plan.kc × NV·W` elements (when it packs B).
#[inline(always)]
pub(crate) unsafe fn blocks<S: Simd, const MR: usize, const NV: usize>(
    g: Gemm,
    plan: Plan,
    a: *const S::E,
    b: *const S::E,
    c: *mut S::E,
    packs: Packs<S::E>,
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
    let (kc_max, mc_max) = (plan.kc, plan.mc);
    let (packs_a, packs_b) = (plan.pack_a, plan.pack_b);
    let ld = if a_t { m } else { k };
    // Row blocks outermost: the `mc × n` panel of C a row block writes stays in cache across its
    // k-blocks (with k-blocks outermost, every k-block re-reads all of C from memory). Either
    // order packs each A block and each B strip once per (row block, k-block).
    let mut i0 = 0;
    while i0 < m {
        let mc = if m - i0 < mc_max { m - i0 } else { mc_max };
        let mut p0 = 0;
        while p0 < k {
            let kc = if k - p0 < kc_max { k - p0 } else { kc_max };
            // A at (i0, p0), in place or packed.
            // SAFETY: i0 < m, p0 < k: inside A; the packed block fits `packs.a` (mc ≤ mc_max).
            let (ap, a_tile) = unsafe {
                let at = a.add(if a_t { p0 * m + i0 } else { i0 * k + p0 });
                if packs_a {
                    pack_a::<S::E, MR>(at, a_t, ld, mc, kc, packs.a);
                    (
                        APanel {
                            ptr: packs.a as *const S::E,
                            ld: MR,
                        },
                        MR * kc,
                    )
                } else {
                    let tile = if a_t { MR } else { MR * ld };
                    (APanel { ptr: at, ld }, tile)
                }
            };
            let mut j0 = 0;
            while j0 < n {
                let nc = if n - j0 < nr { n - j0 } else { nr };
                // SAFETY: p0 < k, i0 < m, j0 < n: all offsets are inside the operands.
                let s = unsafe {
                    let (bp, ldb) = if packs_b {
                        if b_t {
                            pack_bt::<S>(b.add(j0 * k + p0), k, nc, kc, packs.b, nr);
                        } else {
                            pack_b::<S, NV>(b.add(p0 * n + j0), n, nc, kc, packs.b);
                        }
                        (packs.b as *const S::E, nr)
                    } else {
                        (b.add(p0 * n + j0), n)
                    };
                    Strip {
                        m: mc,
                        kc,
                        a: ap,
                        a_tile,
                        b: bp,
                        ldb,
                        c: c.add(i0 * n + j0),
                        ldc: n,
                        overwrite: p0 == 0 && !accumulate,
                    }
                };
                let vecs = nc.div_ceil(S::W);
                let masked = nc % S::W != 0;
                // A packed block reads like a transposed A with stride MR.
                let a_cols = a_t || packs_a;
                // SAFETY: the strip is `nc` columns wide; `vecs` vectors cover it, the last one
                // masked to the `nc % W` valid lanes when `masked`.
                unsafe {
                    let mask = S::mask(if masked { nc % S::W } else { S::W });
                    match (vecs, masked) {
                        (v, false) if v == NV => strip_a::<S, MR, NV, false>(a_cols, s, mask),
                        (1, false) => strip_a::<S, MR, 1, false>(a_cols, s, mask),
                        (1, true) => strip_a::<S, MR, 1, true>(a_cols, s, mask),
                        (_, false) => strip_a::<S, MR, 2, false>(a_cols, s, mask),
                        (_, true) => strip_a::<S, MR, 2, true>(a_cols, s, mask),
                    }
                }
                j0 += nr;
            }
            p0 += kc;
        }
        i0 += mc;
    }
}
