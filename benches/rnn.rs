//! Recurrent layer timings (f32, single thread): `Lstm` and `Gru` at N = 32 sequences, S = 28
//! steps, D = 28 inputs, H = 128 hidden (sequential MNIST's shape), whole-sequence forward
//! (inference) and forward + backward (BPTT with dX and all parameter gradients).
//!
//! Reference to beat: PyTorch's `nn.LSTM(28, 128, batch_first=True)` on one thread
//! (`torch.set_num_threads(1)`), same shapes.
//!
//! Run: `cargo bench --bench rnn`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shaped::init::Scheme;
use shaped::nn::{Ctx, Gru, Lstm, Module};
use shaped::prelude::*;
use shaped::rand::Rng;

type X = Tensor3<f32, U32, U28, U28>;
type Y = Tensor3<f32, U32, U28, U128>;

fn bench<L>(c: &mut Criterion, name: &str)
where
    L: Train<X, Output = Y> + Params<f32> + Zeroable,
{
    let mut rng = Rng::new(1);
    let mut layer: Box<L> = shaped::boxed_zeroed();
    layer.init(Scheme::XavierUniform, &mut rng);
    let x: Box<X> = Tensor::boxed_from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let dy: Box<Y> = Tensor::boxed_from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let mut y: Box<Y> = shaped::boxed_zeroed();
    let mut dx: Box<X> = shaped::boxed_zeroed();
    let mut cache: Box<L::Cache> = shaped::boxed_zeroed();
    let mut scratch: Box<L::Scratch> = shaped::boxed_zeroed();
    let mut grads: Box<<L as Module>::Grads> = shaped::boxed_zeroed();

    let mut g = c.benchmark_group(name);
    g.bench_function("forward", |b| {
        b.iter(|| layer.infer(black_box(&x), &mut scratch, &mut y))
    });
    g.bench_function("forward_backward", |b| {
        b.iter(|| {
            layer.forward(black_box(&x), Ctx::train(0), &mut cache, &mut y);
            layer.backward(
                &x,
                &mut cache,
                black_box(&dy),
                Some(&mut dx),
                Some(&mut grads),
            );
        })
    });
    g.finish();
}

fn lstm(c: &mut Criterion) {
    bench::<Lstm<f32, U28, U128>>(c, "lstm_n32_s28_d28_h128");
}

fn gru(c: &mut Criterion) {
    bench::<Gru<f32, U28, U128>>(c, "gru_n32_s28_d28_h128");
}

criterion_group!(benches, lstm, gru);
criterion_main!(benches);
