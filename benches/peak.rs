//! The machine's single-core FMA peak, the yardstick of the README's "% of peak" column.
//!
//! A loop of independent fused multiply-adds on the widest vectors the CPU has (AVX-512F, else
//! AVX2+FMA), 12 accumulators so that neither latency nor the loop limits the rate. Criterion's
//! throughput line reads in FLOP/s (one FMA lane = 2 FLOP).
//!
//! `cargo bench --bench peak`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// FMA steps per call; 12 accumulators each.
const STEPS: usize = 4096;
const ACC: usize = 12;

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{ACC, STEPS};
    use core::arch::x86_64::*;

    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn avx2(x: f32) -> f32 {
        let (a, b) = (_mm256_set1_ps(x), _mm256_set1_ps(0.999));
        let mut acc = [_mm256_set1_ps(1.0); ACC];
        for _ in 0..STEPS {
            for v in acc.iter_mut() {
                *v = _mm256_fmadd_ps(*v, b, a);
            }
        }
        let mut s = _mm256_setzero_ps();
        for v in acc {
            s = _mm256_add_ps(s, v);
        }
        let mut out = [0.0f32; 8];
        // SAFETY: `out` holds 8 floats.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), s) };
        out.iter().sum()
    }

    /// # Safety
    /// The CPU has AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn avx512(x: f32) -> f32 {
        let (a, b) = (_mm512_set1_ps(x), _mm512_set1_ps(0.999));
        let mut acc = [_mm512_set1_ps(1.0); ACC];
        for _ in 0..STEPS {
            for v in acc.iter_mut() {
                *v = _mm512_fmadd_ps(*v, b, a);
            }
        }
        let mut s = _mm512_setzero_ps();
        for v in acc {
            s = _mm512_add_ps(s, v);
        }
        _mm512_reduce_add_ps(s)
    }
}

fn peak(c: &mut Criterion) {
    #[cfg(target_arch = "x86_64")]
    {
        let mut g = c.benchmark_group("fma_peak_f32_1_thread");
        if std::is_x86_feature_detected!("avx512f") {
            g.throughput(Throughput::Elements((2 * 16 * ACC * STEPS) as u64));
            // SAFETY: detected above.
            g.bench_function("avx512", |b| {
                b.iter(|| unsafe { x86::avx512(black_box(0.5)) })
            });
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            g.throughput(Throughput::Elements((2 * 8 * ACC * STEPS) as u64));
            // SAFETY: detected above.
            g.bench_function("avx2", |b| b.iter(|| unsafe { x86::avx2(black_box(0.5)) }));
        }
        g.finish();
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (c, black_box(0));
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = peak }
criterion_main!(benches);
