#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
//! Which instruction set runs the `f32`/`f64` kernels.
//!
//! At compile time, `cfg(target_feature)` tells what every CPU running this build has (the
//! default x86-64 target: only SSE2). With the `std` feature the running CPU is asked once
//! (`is_x86_feature_detected!`) and the answer cached in an atomic; without `std` the compile-time
//! answer is final.

use super::Gemm;
#[cfg(target_arch = "x86_64")]
use super::x86;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
use core::sync::atomic::{AtomicU8, Ordering};

/// An instruction set for the `f32`/`f64` kernels, from least to most capable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Isa {
    /// The portable loops (any architecture; auto-vectorised for the build's target features).
    Portable,
    /// x86-64 AVX2 with FMA: 8 `f32` lanes.
    Avx2,
    /// x86-64 AVX-512F: 16 `f32` lanes.
    Avx512,
}

/// The build enables AVX2+FMA or AVX-512F for every CPU it runs on.
pub(super) const STATIC_SIMD: bool = cfg!(all(
    target_arch = "x86_64",
    any(
        target_feature = "avx512f",
        all(target_feature = "avx2", target_feature = "fma")
    )
));

/// The best instruction set this build may assume without asking the CPU.
const STATIC_ISA: Isa = if cfg!(all(target_arch = "x86_64", target_feature = "avx512f")) {
    Isa::Avx512
} else if STATIC_SIMD {
    Isa::Avx2
} else {
    Isa::Portable
};

/// The detected `Isa` plus one (0: not asked yet).
#[cfg(all(feature = "std", target_arch = "x86_64"))]
static DETECTED: AtomicU8 = AtomicU8::new(0);

impl Isa {
    /// The best instruction set available: asked from the CPU once (feature `std`) or fixed by
    /// the build's target features.
    #[inline]
    pub fn detect() -> Isa {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        {
            const ALL: [Isa; 3] = [Isa::Portable, Isa::Avx2, Isa::Avx512];
            match DETECTED.load(Ordering::Relaxed) {
                0 => {
                    let avx2 = std::is_x86_feature_detected!("avx2")
                        && std::is_x86_feature_detected!("fma");
                    let isa = if avx2 && std::is_x86_feature_detected!("avx512f") {
                        Isa::Avx512
                    } else if avx2 {
                        Isa::Avx2
                    } else {
                        Isa::Portable
                    };
                    let isa = isa.max(STATIC_ISA);
                    DETECTED.store(isa as u8 + 1, Ordering::Relaxed);
                    isa
                }
                d => ALL[(d - 1) as usize],
            }
        }
        #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
        STATIC_ISA
    }

    /// This CPU can run kernels built for `self`.
    pub fn available(self) -> bool {
        self <= Isa::detect()
    }
}

/// Runs the kernel for `isa`; `false` for [`Isa::Portable`] (nothing done).
///
/// # Safety
/// `isa` is available on this CPU and the slices hold the operands of `g`.
#[inline(always)]
#[allow(unused_variables)]
pub(super) unsafe fn run_f32(isa: Isa, g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
        match isa {
            // SAFETY: the caller's contract.
            Isa::Avx512 => unsafe { x86::gemm_f32_avx512(g, a, b, c) },
            // SAFETY: the caller's contract.
            Isa::Avx2 => unsafe { x86::gemm_f32_avx2(g, a, b, c) },
            Isa::Portable => return false,
        }
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// As [`run_f32`], for `f64`.
///
/// # Safety
/// As [`run_f32`].
#[inline(always)]
#[allow(unused_variables)]
pub(super) unsafe fn run_f64(isa: Isa, g: Gemm, a: &[f64], b: &[f64], c: &mut [f64]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
        match isa {
            // SAFETY: the caller's contract.
            Isa::Avx512 => unsafe { x86::gemm_f64_avx512(g, a, b, c) },
            // SAFETY: the caller's contract.
            Isa::Avx2 => unsafe { x86::gemm_f64_avx2(g, a, b, c) },
            Isa::Portable => return false,
        }
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The out-of-line product on the best available kernel; `false` if that is the portable one.
/// The slices must hold the operands of `g` (checked by the caller).
#[inline(never)]
pub(super) fn gemm_f32(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) -> bool {
    // SAFETY: `detect` only returns what the CPU has; lengths checked by the caller.
    unsafe { run_f32(Isa::detect(), g, a, b, c) }
}

/// As [`gemm_f32`], for `f64`.
#[inline(never)]
pub(super) fn gemm_f64(g: Gemm, a: &[f64], b: &[f64], c: &mut [f64]) -> bool {
    // SAFETY: as above.
    unsafe { run_f64(Isa::detect(), g, a, b, c) }
}

/// The kernel the build's target features allow, inlined so constant dims stay constants (for
/// small products only: nothing is packed).
///
/// # Safety
/// [`STATIC_SIMD`] holds, the pointers hold the operands of `g`, and `m·k·n <= SMALL`.
#[inline(always)]
#[allow(unused_variables)]
pub(super) unsafe fn static_f32(g: Gemm, a: *const f32, b: *const f32, c: *mut f32) {
    // SAFETY (all branches): the build guarantees the features; the caller the operands.
    #[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
    unsafe {
        super::simd::gemm_small::<x86::Avx512F32, 8, 2>(g, a, b, c)
    }
    #[cfg(all(
        target_arch = "x86_64",
        target_feature = "avx2",
        target_feature = "fma",
        not(target_feature = "avx512f")
    ))]
    unsafe {
        super::simd::gemm_small::<x86::Avx2F32, 6, 2>(g, a, b, c)
    }
    #[cfg(not(all(
        target_arch = "x86_64",
        any(
            target_feature = "avx512f",
            all(target_feature = "avx2", target_feature = "fma")
        )
    )))]
    unreachable!("gemm: no compile-time SIMD")
}

/// As [`static_f32`], for `f64`.
///
/// # Safety
/// As [`static_f32`].
#[inline(always)]
#[allow(unused_variables)]
pub(super) unsafe fn static_f64(g: Gemm, a: *const f64, b: *const f64, c: *mut f64) {
    // SAFETY (all branches): the build guarantees the features; the caller the operands.
    #[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
    unsafe {
        super::simd::gemm_small::<x86::Avx512F64, 8, 2>(g, a, b, c)
    }
    #[cfg(all(
        target_arch = "x86_64",
        target_feature = "avx2",
        target_feature = "fma",
        not(target_feature = "avx512f")
    ))]
    unsafe {
        super::simd::gemm_small::<x86::Avx2F64, 6, 2>(g, a, b, c)
    }
    #[cfg(not(all(
        target_arch = "x86_64",
        any(
            target_feature = "avx512f",
            all(target_feature = "avx2", target_feature = "fma")
        )
    )))]
    unreachable!("gemm: no compile-time SIMD")
}
