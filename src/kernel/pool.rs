//! Max pooling over 2×2 windows at stride 2 (the pooling of most CNNs, LeNet-5's among them)
//! with AVX-512: 16 outputs per step, where the portable loop compares one window at a time.
//!
//! Per step, two 32-value segments of a row pair are split into the windows' four corners
//! (`a b` over `c d`) by lane permutes; the first maximum in row-major order wins, as in the
//! portable loop: `b` over `a` and `d` over `c` only when strictly greater, then the lower pair
//! over the upper one only when strictly greater. Planes holding a NaN never come here (the
//! layer routes them to its NaN-aware loop), so `>` is the whole comparison.

use super::Isa;

/// Max-pools one NaN-free plane `x: (h, w)` into `y: (h/2, w/2)` over 2×2 windows at stride 2,
/// writing the flat index in `x` of each window's maximum into `args` when given. Returns
/// `false`, having written nothing, where `isa` has no kernel (anything but AVX-512).
///
/// # Panics
/// If a slice is shorter than its plane, or `isa` is not available on this CPU.
#[allow(unused_variables)]
pub(crate) fn max_2x2_f32(
    isa: Isa,
    x: &[f32],
    h: usize,
    w: usize,
    y: &mut [f32],
    args: Option<&mut [u32]>,
) -> bool {
    assert!(isa.available(), "pool kernel: {isa:?} is not available");
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx512 {
        let (oh, ow) = (h / 2, w / 2);
        assert!(
            x.len() >= h * w && y.len() >= oh * ow,
            "pool kernel: short plane"
        );
        assert!(h * w <= i32::MAX as usize, "pool kernel: plane too large");
        let args = match args {
            Some(a) => {
                assert!(a.len() >= oh * ow, "pool kernel: short indices");
                a.as_mut_ptr()
            }
            None => core::ptr::null_mut(),
        };
        // SAFETY: AVX-512F is available; the lengths are checked above.
        unsafe { avx512::max_2x2(x.as_ptr(), h, w, y.as_mut_ptr(), args) };
        return true;
    }
    false
}

/// For element types without a pooling kernel (`f64`): always declines.
#[inline(always)]
pub(crate) fn max_2x2_none<T>(
    _: Isa,
    _: &[T],
    _: usize,
    _: usize,
    _: &mut [T],
    _: Option<&mut [u32]>,
) -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use core::arch::x86_64::*;

    /// The first `n` lanes, `n <= 16`.
    #[inline(always)]
    fn lanes(n: usize) -> __mmask16 {
        ((1u32 << n) - 1) as __mmask16
    }

    /// # Safety
    /// AVX-512F is available; `x` holds `h·w` values, `y` (and `args` unless null) `(h/2)·(w/2)`;
    /// `h·w <= i32::MAX`.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn max_2x2(x: *const f32, h: usize, w: usize, y: *mut f32, args: *mut u32) {
        let (oh, ow) = (h / 2, w / 2);
        let even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        let odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
        let (one, below, below_right) = (
            _mm512_set1_epi32(1),
            _mm512_set1_epi32(w as i32),
            _mm512_set1_epi32(w as i32 + 1),
        );
        // SAFETY (whole loop): a step covers outputs `ox..ox + n` of row `oy` and inputs
        // `2·ox..2·(ox + n)` of rows `2·oy` and `2·oy + 1`, inside the plane; masked loads and
        // stores touch only those.
        unsafe {
            for oy in 0..oh {
                let r0 = x.add(2 * oy * w);
                let r1 = r0.add(w);
                let mut ox = 0;
                while ox < ow {
                    let n = if ow - ox < 16 { ow - ox } else { 16 };
                    let (lo, hi) = (lanes((2 * n).min(16)), lanes((2 * n).saturating_sub(16)));
                    let corners = |r: *const f32| {
                        let (l, h) = (
                            _mm512_maskz_loadu_ps(lo, r.add(2 * ox)),
                            _mm512_maskz_loadu_ps(hi, r.add(2 * ox + 16)),
                        );
                        (
                            _mm512_permutex2var_ps(l, even, h),
                            _mm512_permutex2var_ps(l, odd, h),
                        )
                    };
                    let ((a, b), (c, d)) = (corners(r0), corners(r1));
                    let right_top = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(b, a);
                    let right_bottom = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(d, c);
                    let top = _mm512_mask_blend_ps(right_top, a, b);
                    let bottom = _mm512_mask_blend_ps(right_bottom, c, d);
                    let lower = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(bottom, top);
                    let out = lanes(n);
                    _mm512_mask_storeu_ps(
                        y.add(oy * ow + ox),
                        out,
                        _mm512_mask_blend_ps(lower, top, bottom),
                    );
                    if !args.is_null() {
                        let zero = _mm512_setzero_si512();
                        let i_top = _mm512_mask_blend_epi32(right_top, zero, one);
                        let i_bottom = _mm512_mask_blend_epi32(right_bottom, below, below_right);
                        let corner = _mm512_mask_blend_epi32(lower, i_top, i_bottom);
                        let start =
                            _mm512_add_epi32(_mm512_set1_epi32((2 * oy * w + 2 * ox) as i32), even);
                        _mm512_mask_storeu_epi32(
                            args.add(oy * ow + ox).cast::<i32>(),
                            out,
                            _mm512_add_epi32(start, corner),
                        );
                    }
                    ox += 16;
                }
            }
        }
    }
}
