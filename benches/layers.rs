//! Layer and training-step timings (f32, single thread).
//!
//! - `linear_784x100_b32/forward_backward`: `Linear<f32, U784, U100>` forward plus backward
//!   (dX, dW, db) at batch 32. Reference: one 32×784×100 matmul takes 31.5 µs with the `gemm`
//!   crate, 63 µs in PyTorch (`docs/decisions.md`); forward+backward is three such products.
//! - `mlp_784_128_10_b32/train_step`: `Network` training step of Linear 784→128, ReLU,
//!   Linear 128→10 with softmax cross-entropy and plain SGD.
//!
//! Run: `cargo bench --bench layers` (add `RUSTFLAGS="-C target-cpu=native"` to compare).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shaped::init::Scheme;
use shaped::nn::{Ctx, Grads, Network, SoftmaxCrossEntropy};
use shaped::optim::Sgd;
use shaped::prelude::*;
use shaped::rand::Rng;

fn random<S: Shape>(rng: &mut Rng) -> Box<Tensor<f32, S>> {
    Tensor::boxed_from_flat_fn(|_| rng.uniform(-1.0, 1.0))
}

fn linear(c: &mut Criterion) {
    type L = Linear<f32, U784, U100>;
    let mut rng = Rng::new(1);
    let mut layer: Box<L> = shaped::boxed_zeroed();
    layer.init(Scheme::XavierUniform, &mut rng);
    let mut grads: Box<Grads<L>> = shaped::boxed_zeroed();
    let x: Box<Tensor2<f32, U32, U784>> = random(&mut rng);
    let dy: Box<Tensor2<f32, U32, U100>> = random(&mut rng);
    let mut y: Box<Tensor2<f32, U32, U100>> = shaped::boxed_zeroed();
    let mut dx: Box<Tensor2<f32, U32, U784>> = shaped::boxed_zeroed();

    let mut g = c.benchmark_group("linear_784x100_b32");
    g.bench_function("forward", |b| {
        b.iter(|| layer.infer(black_box(&*x), &mut (), &mut y))
    });
    g.bench_function("forward_backward", |b| {
        b.iter(|| {
            layer.forward(black_box(&*x), Ctx::train(0), &mut (), &mut y);
            layer.backward(
                &*x,
                &mut (),
                black_box(&dy),
                Some(&mut dx),
                Some(&mut grads),
            );
        })
    });
    g.bench_function("backward_dx", |b| {
        b.iter(|| {
            layer.backward(
                &*x,
                &mut (),
                black_box(&dy),
                Some(&mut dx),
                Some(&mut grads),
            )
        })
    });
    g.bench_function("backward_no_dx", |b| {
        b.iter(|| layer.backward(&*x, &mut (), black_box(&dy), None, Some(&mut grads)))
    });
    g.finish();
}

fn mlp(c: &mut Criterion) {
    type Mlp = (Linear<f32, U784, U128>, ReLU, Linear<f32, U128, U10>);
    type X = Tensor2<f32, U32, U784>;
    let mut rng = Rng::new(2);
    let mut net = Network::<f32, Mlp, X>::new_init(Scheme::HeUniform, 3);
    let x: Box<X> = random(&mut rng);
    let labels = Tensor1::<usize, U32>::from_flat_fn(|i| i % 10);
    let mut sgd = Sgd::new().lr(1e-3);

    let mut g = c.benchmark_group("mlp_784_128_10_b32");
    g.bench_function("train_step", |b| {
        b.iter(|| net.train_step(black_box(&x), &labels, &SoftmaxCrossEntropy, &mut sgd))
    });
    g.bench_function("forward", |b| {
        b.iter(|| net.forward(black_box(&x)).as_slice()[0])
    });
    g.finish();
}

criterion_group!(benches, linear, mlp);
criterion_main!(benches);
