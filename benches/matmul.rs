//! Matrix products through the Tensor API, next to nalgebra (static 4×4, 16×16) and
//! matrixmultiply's `sgemm` (run-time dispatched, single thread) on the same machine.
//!
//! Run: `cargo bench --bench matmul`, and for the native build
//! `RUSTFLAGS="-C target-cpu=native" cargo bench --bench matmul --target-dir target/native`.
//! Inputs live in 64-byte aligned boxes: the kernels' speed swings with the buffers' alignment.

use criterion::{Criterion, criterion_group, criterion_main};
use shaped::prelude::*;
use std::hint::black_box;
use std::time::Duration;

/// Inputs in 64-byte aligned boxes (a cache line), so runs do not depend on where the allocator
/// put them; built in place, never on the stack.
fn filled<M: Dim, N: Dim>(seed: usize) -> Box<shaped::Aligned<Tensor2<f32, M, N>>> {
    let mut t = shaped::boxed_zeroed_aligned::<Tensor2<f32, M, N>>();
    for (i, v) in t.iter_mut().enumerate() {
        *v = ((i * 7 + seed * 13) % 17) as f32 / 17.0 - 0.5;
    }
    t
}

/// `c = a · b` with matrixmultiply, all row-major, no transposes.
fn sgemm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    // SAFETY: the slices hold the operands (asserted); strides describe row-major storage.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            k as isize,
            1,
            b.as_ptr(),
            n as isize,
            1,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        )
    }
}

fn small(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("matmul_4x4x4");
    let (a, b) = (filled::<U4, U4>(1), filled::<U4, U4>(2));
    g.bench_function("shaped", |it| {
        it.iter(|| black_box(&a.0).matmul(black_box(&b.0)))
    });
    let (na, nb) = (
        nalgebra::Matrix4::<f32>::from_row_slice(a.0.as_slice()),
        nalgebra::Matrix4::<f32>::from_row_slice(b.0.as_slice()),
    );
    g.bench_function("nalgebra", |it| it.iter(|| black_box(&na) * black_box(&nb)));
    g.finish();

    let mut g = cr.benchmark_group("matmul_16x16x16");
    let (a, b) = (filled::<U16, U16>(1), filled::<U16, U16>(2));
    g.bench_function("shaped", |it| {
        it.iter(|| black_box(&a.0).matmul(black_box(&b.0)))
    });
    let (na, nb) = (
        nalgebra::SMatrix::<f32, 16, 16>::from_row_slice(a.0.as_slice()),
        nalgebra::SMatrix::<f32, 16, 16>::from_row_slice(b.0.as_slice()),
    );
    g.bench_function("nalgebra", |it| it.iter(|| black_box(&na) * black_box(&nb)));
    g.finish();
}

fn medium(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("matmul_64x64x64");
    let (a, b) = (filled::<U64, U64>(1), filled::<U64, U64>(2));
    g.bench_function("shaped", |it| {
        it.iter(|| black_box(&a.0).matmul(black_box(&b.0)))
    });
    let (na, nb) = (
        Box::new(nalgebra::SMatrix::<f32, 64, 64>::from_row_slice(
            a.0.as_slice(),
        )),
        Box::new(nalgebra::SMatrix::<f32, 64, 64>::from_row_slice(
            b.0.as_slice(),
        )),
    );
    g.bench_function("nalgebra", |it| {
        it.iter(|| black_box(&*na) * black_box(&*nb))
    });
    let mut c = filled::<U64, U64>(0);
    g.bench_function("matrixmultiply", |it| {
        it.iter(|| {
            let (a, b) = (black_box(a.0.as_slice()), black_box(b.0.as_slice()));
            sgemm(64, 64, 64, a, b, c.0.as_mut_slice())
        })
    });
    g.finish();

    // An MLP layer at batch 32: y = x·W, dW += xᵀ·dY, dX = dY·Wᵀ.
    let mut g = cr.benchmark_group("matmul_32x784x100");
    let x = filled::<U32, U784>(1);
    let w = filled::<U784, U100>(2);
    let dy = filled::<U32, U100>(3);
    g.bench_function("shaped matmul", |it| {
        it.iter(|| black_box(&x.0).matmul(black_box(&w.0)))
    });
    let mut y = filled::<U32, U100>(0);
    g.bench_function("shaped matmul_into", |it| {
        it.iter(|| black_box(&x.0).matmul_into(black_box(&w.0), &mut y.0))
    });
    // The by-value `t_matmul` would zero and return 313 KB per call; layers use the `_acc` form.
    let mut dw = filled::<U784, U100>(0);
    g.bench_function("shaped t_matmul_acc (784x32x100, a_t)", |it| {
        it.iter(|| black_box(&x.0).t_matmul_acc(black_box(&dy.0), &mut dw.0))
    });
    let mut dx = filled::<U32, U784>(0);
    g.bench_function("shaped matmul_t_into (32x100x784, b_t)", |it| {
        it.iter(|| black_box(&dy.0).matmul_t_into(black_box(&w.0), &mut dx.0))
    });
    g.bench_function("matrixmultiply", |it| {
        it.iter(|| {
            let (a, b) = (black_box(x.0.as_slice()), black_box(w.0.as_slice()));
            sgemm(32, 784, 100, a, b, y.0.as_mut_slice())
        })
    });
    g.finish();
}

/// `c = a · b` through `matmul_into` next to matrixmultiply, for the larger square-ish products.
fn large_one<M: Dim, K: Dim, N: Dim>(cr: &mut Criterion, name: &str) {
    let mut g = cr.benchmark_group(name);
    let (a, b) = (filled::<M, K>(1), filled::<K, N>(2));
    let mut c = filled::<M, N>(0);
    g.bench_function("shaped", |it| {
        it.iter(|| black_box(&a.0).matmul_into(black_box(&b.0), &mut c.0))
    });
    g.bench_function("matrixmultiply", |it| {
        it.iter(|| {
            let (a, b) = (black_box(a.0.as_slice()), black_box(b.0.as_slice()));
            sgemm(M::USIZE, K::USIZE, N::USIZE, a, b, c.0.as_mut_slice())
        })
    });
    g.finish();
}

fn large(cr: &mut Criterion) {
    large_one::<U128, U256, U128>(cr, "matmul_128x256x128");
    large_one::<U1024, U1024, U1024>(cr, "sgemm_1024x1024x1024");
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(40)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! { name = benches; config = config(); targets = small, medium, large }
criterion_main!(benches);
