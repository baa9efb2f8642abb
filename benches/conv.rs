//! Convolution workloads against the reference figures (PyTorch 2.15 + oneDNN, 1 thread, f32, on
//! this machine): conv 1→6 5×5 pad 2 on 28×28 (batch 32), conv 6→16 5×5 on 14×14 (batch 32),
//! a LeNet-5 SGD training step at batch 32 (on one thread, and on two with `DataParallel`) and
//! LeNet-5 inference at batch 1.
//!
//! `cargo bench --bench conv` (default flags: no `-C target-cpu`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use shaped::nn::{Ctx, DataParallel, Grads, Loss, SoftmaxCrossEntropy};
use shaped::optim::{Optimizer, Sgd};
use shaped::prelude::*;
use shaped::rand::Rng;

type Conv1 = Conv2d<f32, U1, U6, U5, U1, U2>;
type Conv2 = Conv2d<f32, U6, U16, U5>;
type X1 = Tensor4<f32, U32, U1, U28, U28>;
type X2 = Tensor4<f32, U32, U6, U14, U14>;

/// LeNet-5 as in `examples/mnist.rs`, in two nested tuples.
type LeNet = (
    (
        Conv1,
        ReLU,
        MaxPool2d<U2>,
        Conv2,
        ReLU,
        MaxPool2d<U2>,
        Flatten,
    ),
    (
        Linear<f32, U400, U120>,
        ReLU,
        Linear<f32, U120, U84>,
        ReLU,
        Linear<f32, U84, U10>,
    ),
);

fn random<Z: Zeroable>(
    rng: &mut Rng,
    visit: impl FnOnce(&mut Z, &mut dyn FnMut(&mut [f32])),
) -> Box<Z> {
    let mut z = shaped::boxed_zeroed::<Z>();
    visit(&mut z, &mut |s| {
        s.iter_mut().for_each(|v| *v = rng.uniform(-1.0, 1.0))
    });
    z
}

fn tensor_rand<S: Shape>(rng: &mut Rng) -> Box<Tensor<f32, S>> {
    random::<Tensor<f32, S>>(rng, |t, f| f(t.as_mut_slice()))
}

fn conv_layer<C: Params<f32> + Zeroable>(rng: &mut Rng) -> Box<C> {
    let mut c = shaped::boxed_zeroed::<C>();
    let grads = shaped::boxed_zeroed::<Grads<C>>();
    c.zip_params(&grads, [], &mut |s, _, []| {
        s.iter_mut().for_each(|v| *v = rng.uniform(-0.3, 0.3))
    });
    c
}

fn bench_conv<L, X, Y>(c: &mut Criterion, name: &str)
where
    L: Train<Tensor<f32, X>, Output = Tensor<f32, Y>> + Params<f32> + Zeroable,
    X: Shape,
    Y: Shape,
{
    let mut rng = Rng::new(1);
    let mut layer = conv_layer::<L>(&mut rng);
    let x = tensor_rand::<X>(&mut rng);
    let dy = tensor_rand::<Y>(&mut rng);
    let mut cache = shaped::boxed_zeroed::<L::Cache>();
    let mut scratch = shaped::boxed_zeroed::<L::Scratch>();
    let mut y = shaped::boxed_zeroed::<Tensor<f32, Y>>();
    let mut dx = shaped::boxed_zeroed::<Tensor<f32, X>>();
    let mut grads = shaped::boxed_zeroed::<Grads<L>>();
    c.bench_function(&format!("{name} forward"), |b| {
        b.iter(|| layer.infer(black_box(&x), &mut scratch, &mut y))
    });
    c.bench_function(&format!("{name} forward+backward"), |b| {
        b.iter(|| {
            layer.forward(black_box(&x), Ctx::train(0), &mut cache, &mut y);
            layer.backward(&x, &mut cache, &dy, Some(&mut *dx), Some(&mut grads));
        })
    });
}

fn convs(c: &mut Criterion) {
    // Both with dX, as PyTorch's reference computes it (in a network the first layer skips it).
    bench_conv::<Conv1, (U32, U1, U28, U28), _>(c, "conv 1->6 5x5 pad2 28x28 b32");
    bench_conv::<Conv2, (U32, U6, U14, U14), _>(c, "conv 6->16 5x5 14x14 b32");
    let _ = (size_of::<X1>(), size_of::<X2>());
}

fn lenet(c: &mut Criterion) {
    type XB = Tensor4<f32, U32, U1, U28, U28>;
    let mut rng = Rng::new(2);
    let mut model = shaped::boxed_zeroed::<LeNet>();
    model.init(shaped::init::Scheme::HeUniform, &mut rng);
    let mut grads = shaped::boxed_zeroed::<Grads<LeNet>>();
    let x = random::<XB>(&mut rng, |t, f| f(t.as_mut_slice()));
    let labels = Tensor1::<usize, U32>::from_flat_fn(|i| i % 10);
    let mut sgd = Sgd::new().lr(0.01);
    let mut cache = shaped::boxed_zeroed::<<LeNet as Train<XB>>::Cache>();
    let mut logits = shaped::boxed_zeroed::<Tensor2<f32, U32, U10>>();
    let mut dlogits = shaped::boxed_zeroed::<Tensor2<f32, U32, U10>>();
    c.bench_function("lenet-5 train step b32 (sgd)", |b| {
        b.iter(|| {
            model.forward(black_box(&x), Ctx::train(0), &mut cache, &mut logits);
            let loss = SoftmaxCrossEntropy.loss_and_grad(&*logits, &labels, &mut dlogits);
            grads.zero();
            model.backward(&x, &mut cache, &dlogits, None, Some(&mut grads));
            sgd.step(&mut *model, &grads);
            black_box(loss)
        })
    });

    // The same step on two threads: each runs forward and backward on half the batch.
    let mut two = DataParallel::<f32, LeNet, XB>::new(|| {
        let mut m = shaped::boxed_zeroed::<LeNet>();
        m.init(shaped::init::Scheme::HeUniform, &mut Rng::new(2));
        m
    });
    let mut sgd2 = Sgd::new().lr(0.01);
    c.bench_function("lenet-5 train step b32 (sgd), 2 threads", |b| {
        b.iter(|| {
            black_box(two.train_step(black_box(&x), &labels, &SoftmaxCrossEntropy, &mut sgd2))
        })
    });

    type X1B = Tensor4<f32, U1, U1, U28, U28>;
    let x1 = random::<X1B>(&mut rng, |t, f| f(t.as_mut_slice()));
    let mut scratch1 = shaped::boxed_zeroed::<<LeNet as Infer<X1B>>::Scratch>();
    let mut out1 = Tensor2::<f32, U1, U10>::zeros();
    c.bench_function("lenet-5 inference b1", |b| {
        b.iter(|| model.infer(black_box(&x1), &mut scratch1, &mut out1))
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = convs, lenet }
criterion_main!(benches);
