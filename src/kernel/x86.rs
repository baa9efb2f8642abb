//! x86-64 vector instruction sets for [`simd::gemm`](super::simd::gemm): AVX2+FMA and AVX-512F,
//! for `f32` and `f64`, and the entry points compiled for each of them.
//!
//! The `Simd` methods carry no `#[target_feature]`; they are `#[inline(always)]` and only ever
//! inlined into the entry points below, which enable the features. Calling any of them requires
//! the CPU to have those features: checked at run time by [`super::dispatch`], or guaranteed at
//! compile time by `cfg(target_feature)`.

use super::Gemm;
use super::simd::{self, Simd};
use core::arch::x86_64::*;

/// AVX2 + FMA, 8 × `f32`.
pub(crate) struct Avx2F32;
/// AVX2 + FMA, 4 × `f64`.
pub(crate) struct Avx2F64;
/// AVX-512F, 16 × `f32`.
pub(crate) struct Avx512F32;
/// AVX-512F, 8 × `f64`.
pub(crate) struct Avx512F64;

/// `dst[p·ds + j] = src[j·ss + p]` for an 8 × 8 block of `f32` (AVX).
///
/// # Safety
/// AVX available; 8 rows of 8 readable elements at stride `ss`, 8 writable rows at stride `ds`.
#[inline(always)]
unsafe fn transpose8_f32(src: *const f32, ss: usize, dst: *mut f32, ds: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let r = |j: usize| _mm256_loadu_ps(src.add(j * ss));
        let (r0, r1, r2, r3) = (r(0), r(1), r(2), r(3));
        let (r4, r5, r6, r7) = (r(4), r(5), r(6), r(7));
        let (t0, t1) = (_mm256_unpacklo_ps(r0, r1), _mm256_unpackhi_ps(r0, r1));
        let (t2, t3) = (_mm256_unpacklo_ps(r2, r3), _mm256_unpackhi_ps(r2, r3));
        let (t4, t5) = (_mm256_unpacklo_ps(r4, r5), _mm256_unpackhi_ps(r4, r5));
        let (t6, t7) = (_mm256_unpacklo_ps(r6, r7), _mm256_unpackhi_ps(r6, r7));
        // Rows 0..4 of columns (0|4), (1|5), (2|6), (3|7); then rows 4..8.
        let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        let w = |p: usize, v: __m256| _mm256_storeu_ps(dst.add(p * ds), v);
        w(0, _mm256_permute2f128_ps::<0x20>(u0, u4));
        w(1, _mm256_permute2f128_ps::<0x20>(u1, u5));
        w(2, _mm256_permute2f128_ps::<0x20>(u2, u6));
        w(3, _mm256_permute2f128_ps::<0x20>(u3, u7));
        w(4, _mm256_permute2f128_ps::<0x31>(u0, u4));
        w(5, _mm256_permute2f128_ps::<0x31>(u1, u5));
        w(6, _mm256_permute2f128_ps::<0x31>(u2, u6));
        w(7, _mm256_permute2f128_ps::<0x31>(u3, u7));
    }
}

/// `dst[p·ds + j] = src[j·ss + p]` for a 4 × 4 block of `f64` (AVX).
///
/// # Safety
/// As [`transpose8_f32`], for 4 × 4.
#[inline(always)]
unsafe fn transpose4_f64(src: *const f64, ss: usize, dst: *mut f64, ds: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let r = |j: usize| _mm256_loadu_pd(src.add(j * ss));
        let (r0, r1, r2, r3) = (r(0), r(1), r(2), r(3));
        let (t0, t1) = (_mm256_unpacklo_pd(r0, r1), _mm256_unpackhi_pd(r0, r1));
        let (t2, t3) = (_mm256_unpacklo_pd(r2, r3), _mm256_unpackhi_pd(r2, r3));
        let w = |p: usize, v: __m256d| _mm256_storeu_pd(dst.add(p * ds), v);
        w(0, _mm256_permute2f128_pd::<0x20>(t0, t2));
        w(1, _mm256_permute2f128_pd::<0x20>(t1, t3));
        w(2, _mm256_permute2f128_pd::<0x31>(t0, t2));
        w(3, _mm256_permute2f128_pd::<0x31>(t1, t3));
    }
}

impl Simd for Avx2F32 {
    type E = f32;
    type V = __m256;
    type M = __m256i;
    const W: usize = 8;
    const REGS: usize = 16;
    const TB: usize = 8;
    #[inline(always)]
    unsafe fn zero() -> __m256 {
        // SAFETY: AVX, per the trait contract.
        unsafe { _mm256_setzero_ps() }
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> __m256 {
        // SAFETY: AVX.
        unsafe { _mm256_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> __m256 {
        // SAFETY: AVX; `p` valid for 8 reads.
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: __m256) {
        // SAFETY: AVX; `p` valid for 8 writes.
        unsafe { _mm256_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn mask(n: usize) -> __m256i {
        // SAFETY: AVX2. Lane `l` is selected when `n > l`.
        unsafe {
            let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), lanes)
        }
    }
    #[inline(always)]
    unsafe fn mask_range(lo: usize, hi: usize) -> __m256i {
        // SAFETY: AVX2. Lanes below `hi` and not below `lo`.
        unsafe { _mm256_andnot_si256(Self::mask(lo), Self::mask(hi)) }
    }
    #[inline(always)]
    unsafe fn load_m(p: *const f32, m: __m256i) -> __m256 {
        // SAFETY: AVX; only the selected lanes are read.
        unsafe { _mm256_maskload_ps(p, m) }
    }
    #[inline(always)]
    unsafe fn store_m(p: *mut f32, v: __m256, m: __m256i) {
        // SAFETY: AVX; only the selected lanes are written.
        unsafe { _mm256_maskstore_ps(p, m, v) }
    }
    #[inline(always)]
    unsafe fn fma(a: __m256, b: __m256, c: __m256) -> __m256 {
        // SAFETY: FMA.
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    unsafe fn add(a: __m256, b: __m256) -> __m256 {
        // SAFETY: AVX.
        unsafe { _mm256_add_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn hsum(v: __m256) -> f32 {
        // SAFETY: AVX (SSE on the halves).
        unsafe {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps::<0b01>(s, s)))
        }
    }
    #[inline(always)]
    unsafe fn transpose_block(src: *const f32, ss: usize, dst: *mut f32, ds: usize) {
        // SAFETY: forwarded contract.
        unsafe { transpose8_f32(src, ss, dst, ds) }
    }
}

impl Simd for Avx2F64 {
    type E = f64;
    type V = __m256d;
    type M = __m256i;
    const W: usize = 4;
    const REGS: usize = 16;
    const TB: usize = 4;
    #[inline(always)]
    unsafe fn zero() -> __m256d {
        // SAFETY: AVX, per the trait contract.
        unsafe { _mm256_setzero_pd() }
    }
    #[inline(always)]
    unsafe fn splat(x: f64) -> __m256d {
        // SAFETY: AVX.
        unsafe { _mm256_set1_pd(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> __m256d {
        // SAFETY: AVX; `p` valid for 4 reads.
        unsafe { _mm256_loadu_pd(p) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f64, v: __m256d) {
        // SAFETY: AVX; `p` valid for 4 writes.
        unsafe { _mm256_storeu_pd(p, v) }
    }
    #[inline(always)]
    unsafe fn mask(n: usize) -> __m256i {
        // SAFETY: AVX2. Lane `l` is selected when `n > l`.
        unsafe {
            let lanes = _mm256_setr_epi64x(0, 1, 2, 3);
            _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), lanes)
        }
    }
    #[inline(always)]
    unsafe fn mask_range(lo: usize, hi: usize) -> __m256i {
        // SAFETY: AVX2. Lanes below `hi` and not below `lo`.
        unsafe { _mm256_andnot_si256(Self::mask(lo), Self::mask(hi)) }
    }
    #[inline(always)]
    unsafe fn load_m(p: *const f64, m: __m256i) -> __m256d {
        // SAFETY: AVX; only the selected lanes are read.
        unsafe { _mm256_maskload_pd(p, m) }
    }
    #[inline(always)]
    unsafe fn store_m(p: *mut f64, v: __m256d, m: __m256i) {
        // SAFETY: AVX; only the selected lanes are written.
        unsafe { _mm256_maskstore_pd(p, m, v) }
    }
    #[inline(always)]
    unsafe fn fma(a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        // SAFETY: FMA.
        unsafe { _mm256_fmadd_pd(a, b, c) }
    }
    #[inline(always)]
    unsafe fn add(a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: AVX.
        unsafe { _mm256_add_pd(a, b) }
    }
    #[inline(always)]
    unsafe fn hsum(v: __m256d) -> f64 {
        // SAFETY: AVX (SSE2 on the halves).
        unsafe {
            let s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
            _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)))
        }
    }
    #[inline(always)]
    unsafe fn transpose_block(src: *const f64, ss: usize, dst: *mut f64, ds: usize) {
        // SAFETY: forwarded contract.
        unsafe { transpose4_f64(src, ss, dst, ds) }
    }
}

impl Simd for Avx512F32 {
    type E = f32;
    type V = __m512;
    type M = __mmask16;
    const W: usize = 16;
    const REGS: usize = 32;
    const TB: usize = 8;
    #[inline(always)]
    unsafe fn zero() -> __m512 {
        // SAFETY: AVX-512F, per the trait contract.
        unsafe { _mm512_setzero_ps() }
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> __m512 {
        // SAFETY: AVX-512F.
        unsafe { _mm512_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> __m512 {
        // SAFETY: AVX-512F; `p` valid for 16 reads.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: __m512) {
        // SAFETY: AVX-512F; `p` valid for 16 writes.
        unsafe { _mm512_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn mask(n: usize) -> __mmask16 {
        ((1u32 << n) - 1) as __mmask16
    }
    #[inline(always)]
    unsafe fn mask_range(lo: usize, hi: usize) -> __mmask16 {
        (((1u32 << hi) - 1) & !((1u32 << lo) - 1)) as __mmask16
    }
    #[inline(always)]
    unsafe fn load_m(p: *const f32, m: __mmask16) -> __m512 {
        // SAFETY: AVX-512F; masked-off lanes are not read (no fault).
        unsafe { _mm512_maskz_loadu_ps(m, p) }
    }
    #[inline(always)]
    unsafe fn store_m(p: *mut f32, v: __m512, m: __mmask16) {
        // SAFETY: AVX-512F; masked-off lanes are not written.
        unsafe { _mm512_mask_storeu_ps(p, m, v) }
    }
    #[inline(always)]
    unsafe fn fma(a: __m512, b: __m512, c: __m512) -> __m512 {
        // SAFETY: AVX-512F.
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    unsafe fn add(a: __m512, b: __m512) -> __m512 {
        // SAFETY: AVX-512F.
        unsafe { _mm512_add_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn hsum(v: __m512) -> f32 {
        // SAFETY: AVX-512F.
        unsafe { _mm512_reduce_add_ps(v) }
    }
    #[inline(always)]
    unsafe fn transpose_block(src: *const f32, ss: usize, dst: *mut f32, ds: usize) {
        // SAFETY: AVX-512F implies AVX; forwarded contract.
        unsafe { transpose8_f32(src, ss, dst, ds) }
    }
}

impl Simd for Avx512F64 {
    type E = f64;
    type V = __m512d;
    type M = __mmask8;
    const W: usize = 8;
    const REGS: usize = 32;
    const TB: usize = 4;
    #[inline(always)]
    unsafe fn zero() -> __m512d {
        // SAFETY: AVX-512F, per the trait contract.
        unsafe { _mm512_setzero_pd() }
    }
    #[inline(always)]
    unsafe fn splat(x: f64) -> __m512d {
        // SAFETY: AVX-512F.
        unsafe { _mm512_set1_pd(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> __m512d {
        // SAFETY: AVX-512F; `p` valid for 8 reads.
        unsafe { _mm512_loadu_pd(p) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f64, v: __m512d) {
        // SAFETY: AVX-512F; `p` valid for 8 writes.
        unsafe { _mm512_storeu_pd(p, v) }
    }
    #[inline(always)]
    unsafe fn mask(n: usize) -> __mmask8 {
        ((1u32 << n) - 1) as __mmask8
    }
    #[inline(always)]
    unsafe fn mask_range(lo: usize, hi: usize) -> __mmask8 {
        (((1u32 << hi) - 1) & !((1u32 << lo) - 1)) as __mmask8
    }
    #[inline(always)]
    unsafe fn load_m(p: *const f64, m: __mmask8) -> __m512d {
        // SAFETY: AVX-512F; masked-off lanes are not read (no fault).
        unsafe { _mm512_maskz_loadu_pd(m, p) }
    }
    #[inline(always)]
    unsafe fn store_m(p: *mut f64, v: __m512d, m: __mmask8) {
        // SAFETY: AVX-512F; masked-off lanes are not written.
        unsafe { _mm512_mask_storeu_pd(p, m, v) }
    }
    #[inline(always)]
    unsafe fn fma(a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        // SAFETY: AVX-512F.
        unsafe { _mm512_fmadd_pd(a, b, c) }
    }
    #[inline(always)]
    unsafe fn add(a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: AVX-512F.
        unsafe { _mm512_add_pd(a, b) }
    }
    #[inline(always)]
    unsafe fn hsum(v: __m512d) -> f64 {
        // SAFETY: AVX-512F.
        unsafe { _mm512_reduce_add_pd(v) }
    }
    #[inline(always)]
    unsafe fn transpose_block(src: *const f64, ss: usize, dst: *mut f64, ds: usize) {
        // SAFETY: AVX-512F implies AVX; forwarded contract.
        unsafe { transpose4_f64(src, ss, dst, ds) }
    }
}

// Register tiles (rows × vectors): AVX2 has 16 vector registers, 6 × 2 uses 12 accumulators;
// AVX-512 has 32: 16 × 1 for `f32` (16 accumulators; one vector of B per step, so a 16 KB B strip
// is 256 deep, and a 1024³ product passes over C 4 times instead of 8: 22.6 against 24–28 ms
// with 8 × 2 on Zen 4, level with matrixmultiply and numpy), 8 × 2 for `f64`.

/// One entry point per instruction set and element type: `$name` runs the product with `$isa`'s
/// features enabled; a product that packs A goes through `$packed`, kept out of line so that only
/// it has the large A buffer in its stack frame (small products do not pay for probing it). Both
/// call `$blocks`, the one copy of the loops and kernels for this instruction set.
macro_rules! entry {
    ($(#[$doc:meta])* $name:ident, $packed:ident, $blocks:ident, $isa:ty, $mr:literal, $nv:literal, $features:literal) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// The CPU has the features named in `target_feature`; the pointers hold the operands of
        /// `g` (checked by the caller).
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn $name(
            g: Gemm,
            a: *const <$isa as Simd>::E,
            b: *const <$isa as Simd>::E,
            c: *mut <$isa as Simd>::E,
        ) {
            let plan = simd::Plan::for_gemm::<$isa, $mr, $nv>(g);
            if plan.pack_a {
                // SAFETY: the caller's contract.
                unsafe { $packed(g, plan, a, b, c) }
            } else {
                // SAFETY: the caller's contract; the plan packs no A; `$blocks` has its MR, NV.
                unsafe { simd::gemm::<$isa, false>(g, plan, a, b, c, $blocks) }
            }
        }

        /// The form of the entry point above that packs A (`plan.pack_a`).
        ///
        /// # Safety
        /// As the entry point; `plan` is `Plan::for_gemm(g)`.
        #[target_feature(enable = $features)]
        #[inline(never)]
        unsafe fn $packed(
            g: Gemm,
            plan: simd::Plan,
            a: *const <$isa as Simd>::E,
            b: *const <$isa as Simd>::E,
            c: *mut <$isa as Simd>::E,
        ) {
            // SAFETY: the caller's contract; the plan packs A; `$blocks` has its MR, NV.
            unsafe { simd::gemm::<$isa, true>(g, plan, a, b, c, $blocks) }
        }

        /// The loops of the entry point above.
        ///
        /// # Safety
        /// As `simd::blocks`.
        #[target_feature(enable = $features)]
        #[inline(never)]
        unsafe fn $blocks(
            g: Gemm,
            plan: simd::Plan,
            a: *const <$isa as Simd>::E,
            b: *const <$isa as Simd>::E,
            c: *mut <$isa as Simd>::E,
            packs: simd::Packs<<$isa as Simd>::E>,
        ) {
            // SAFETY: the caller's contract.
            unsafe { simd::blocks::<$isa, $mr, $nv>(g, plan, a, b, c, packs) }
        }
    };
}

entry!(
    /// `f32` product with AVX2+FMA.
    gemm_f32_avx2, gemm_f32_avx2_packed, blocks_f32_avx2, Avx2F32, 6, 2, "avx2,fma"
);
entry!(
    /// `f64` product with AVX2+FMA.
    gemm_f64_avx2, gemm_f64_avx2_packed, blocks_f64_avx2, Avx2F64, 6, 2, "avx2,fma"
);
entry!(
    /// `f32` product with AVX-512F.
    gemm_f32_avx512, gemm_f32_avx512_packed, blocks_f32_avx512, Avx512F32, 16, 1, "avx512f,avx2,fma"
);
entry!(
    /// `f64` product with AVX-512F.
    gemm_f64_avx512, gemm_f64_avx512_packed, blocks_f64_avx512, Avx512F64, 8, 2, "avx512f,avx2,fma"
);
