//! DAG models from layers: `Residual` (`x + F(x)`) and `Parallel` (two branches merged by a sum
//! or a concatenation), grad-checked in f64, in tuple chains, and a ResNet-style block trained.

use shaped::gradcheck::{self, Config};
use shaped::nn::parallel::{Add, Concat, Parallel};
use shaped::nn::{
    BatchNorm2d, Conv2d, Ctx, Grads, Infer, Linear, Mse, Params, ReLU, Residual, Tanh, Train,
};
use shaped::prelude::*;
use shaped::shape::Shape;

fn random<S: Shape>(seed: u64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0))
}

fn init<M: Params<f64>>(m: &mut M, seed: u64) {
    m.init(Scheme::XavierUniform, &mut Rng::new(seed));
    // Non-zero biases, so every parameter is exercised.
    let mut rng = Rng::new(seed + 100);
    m.params_mut(&mut |p| {
        if p.iter().all(|&v| v == 0.0) {
            p.iter_mut().for_each(|v| *v = rng.uniform(-0.5, 0.5));
        }
    });
}

#[test]
fn residual_gradcheck() {
    let mut m = Residual::<(Linear<f64, U4, U4>, Tanh, Linear<f64, U4, U4>)>::zeroed();
    init(&mut m, 1);
    let mut x = random::<(U3, U4)>(2);
    let r = gradcheck::check_projected(&mut m, &mut x, 3, Config::default());
    assert_eq!(r.params.checked, 2 * (16 + 4));
    assert!(r.max_rel() < 1e-7, "{r}");
}

#[test]
fn residual_adds_the_identity_path() {
    // With F = 0 the block is the identity, and so is its input gradient.
    let mut m = Residual::<Linear<f64, U3, U3>>::zeroed();
    let x = random::<(U2, U3)>(4);
    let mut y = Tensor::zeros();
    m.forward(&x, Ctx::train(0), &mut (), &mut y);
    assert_eq!(y, x);
    let dy = random::<(U2, U3)>(5);
    let mut dx = Tensor::zeros();
    let mut g = Grads::<Residual<Linear<f64, U3, U3>>>::zeroed();
    m.backward(&x, &mut (), &dy, Some(&mut dx), Some(&mut g));
    assert_eq!(dx, dy);
    assert_eq!(g.inner.weight, x.t_matmul(&dy));
}

#[test]
fn parallel_add_gradcheck_and_fan_out() {
    type P = Parallel<(Linear<f64, U4, U3>, Tanh), Linear<f64, U4, U3>, Add>;
    let mut m = P::zeroed();
    init(&mut m, 6);
    let mut x = random::<(U2, U4)>(7);
    let r = gradcheck::check_projected(&mut m, &mut x, 8, Config::default());
    assert_eq!(r.params.checked, 2 * (12 + 3));
    assert!(r.max_rel() < 1e-7, "{r}");
    // dx is the sum of the two branches' input gradients.
    let dy = random::<(U2, U3)>(9);
    let (mut dx, mut dxa, mut dxb) = (Tensor::zeros(), Tensor::zeros(), Tensor::zeros());
    let (mut cache, mut y) = (<P as Train<_>>::Cache::zeroed(), Tensor::zeros());
    m.forward(&x, Ctx::train(0), &mut cache, &mut y);
    m.backward(&x, &mut cache, &dy, Some(&mut dx), None);
    let (mut ca, mut ya) = (
        <(Linear<f64, U4, U3>, Tanh) as Train<Tensor2<f64, U2, U4>>>::Cache::zeroed(),
        Tensor::zeros(),
    );
    m.a.forward(&x, Ctx::train(0), &mut ca, &mut ya);
    m.a.backward(&x, &mut ca, &dy, Some(&mut dxa), None);
    m.b.backward(&x, &mut (), &dy, Some(&mut dxb), None);
    for i in 0..8 {
        let sum = dxa.as_slice()[i] + dxb.as_slice()[i];
        assert!((dx.as_slice()[i] - sum).abs() < 1e-15);
    }
}

#[test]
fn parallel_concat_features_gradcheck() {
    type P = Parallel<(Linear<f64, U3, U2>, ReLU), (Linear<f64, U3, U4>, Tanh), Concat>;
    let mut m = P::zeroed();
    init(&mut m, 10);
    let mut x = random::<(U2, U3)>(11);
    let y: Tensor2<f64, U2, U6> = m.apply(&x);
    let ya = m.a.apply(&x);
    assert_eq!(&y.outer(1)[..2], ya.outer(1));
    let r = gradcheck::check_projected(&mut m, &mut x, 12, Config::default());
    assert!(r.max_rel() < 1e-7, "{r}");
}

#[test]
fn parallel_concat_channels_gradcheck() {
    type Same = Conv2d<f64, U2, U3, U3, U1, U1>;
    type P = Parallel<Same, (Conv2d<f64, U2, U1, U1>, Tanh), Concat>;
    let mut m = P::zeroed();
    init(&mut m, 13);
    let mut x = random::<(U2, U2, U4, U4)>(14);
    let y: Tensor4<f64, U2, U4, U4, U4> = m.apply(&x);
    let yb = m.b.apply(&x);
    assert_eq!(&y.outer(1)[48..], yb.outer(1));
    let r = gradcheck::check_projected(&mut m, &mut x, 15, Config::default());
    assert!(r.max_rel() < 1e-7, "{r}");
}

#[test]
fn combinators_in_tuple_chains_are_named_and_counted() {
    type Net = (
        Linear<f64, U4, U6>,
        Residual<(Linear<f64, U6, U6>, ReLU, Linear<f64, U6, U6>)>,
        Parallel<Linear<f64, U6, U2>, Linear<f64, U6, U3>, Concat>,
        Tanh,
        Linear<f64, U5, U1>,
    );
    assert_eq!(
        <Net as Params<f64>>::PARAMS,
        (4 * 6 + 6) + 2 * (36 + 6) + (12 + 2) + (18 + 3) + (5 + 1)
    );
    let mut names = Vec::new();
    Net::zeroed().visit(&shaped::nn::Name::ROOT, &mut |e| {
        names.push(e.name.to_string())
    });
    assert!(names.contains(&"1.inner.2.weight".to_string()), "{names:?}");
    assert!(names.contains(&"2.b.bias".to_string()), "{names:?}");
    let mut net = Net::zeroed();
    init(&mut net, 16);
    let mut x = random::<(U3, U4)>(17);
    let r = gradcheck::check_projected(&mut net, &mut x, 18, Config::default());
    assert!(r.max_rel() < 1e-6, "{r}");
    // Inference and training forward agree.
    let mut cache = <Net as Train<Tensor2<f64, U3, U4>>>::Cache::zeroed();
    let mut y = Tensor::zeros();
    net.forward(&x, Ctx::eval(), &mut cache, &mut y);
    assert_eq!(y, net.apply(&x));
}

/// A ResNet basic block, `relu(x + bn(conv(relu(bn(conv(x))))))`, learns to denoise.
#[test]
fn resnet_block_trains() {
    type Conv = Conv2d<f32, U2, U2, U3, U1, U1>;
    type Block = Residual<(Conv, BatchNorm2d<f32, U2>, ReLU, Conv, BatchNorm2d<f32, U2>)>;
    type Net = (Block, ReLU, Block);
    type X = Tensor4<f32, U8, U2, U4, U4>;
    let mut net = Net::zeroed();
    net.init(Scheme::HeUniform, &mut Rng::new(3));
    let mut grads = Grads::<Net>::zeroed();
    let mut cache = <Net as Train<X>>::Cache::zeroed();
    let mut adam: Adam<f32, Grads<Net>> = Adam::zeroed().lr(0.01);
    let mut rng = Rng::new(4);
    // Target: a smooth non-negative function of the input (its positive part, blurred along W).
    let mut batch = || {
        let x: X = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
        let t = X::from_fn(|[b, c, h, w]| {
            let l = x[[b, c, h, w.saturating_sub(1)]].max(0.0);
            let r = x[[b, c, h, (w + 1).min(3)]].max(0.0);
            0.5 * x[[b, c, h, w]].max(0.0) + 0.25 * (l + r)
        });
        (x, t)
    };
    let (mut y, mut dy) = (X::zeroed(), X::zeroed());
    let mut ctx = Ctx::train(5);
    let mut losses = Vec::new();
    for _ in 0..300 {
        let (x, t) = batch();
        net.forward(&x, ctx, &mut cache, &mut y);
        type Flat = (U8, U32);
        let (y2, t2) = (y.reshape_ref::<Flat>(), t.reshape_ref::<Flat>());
        losses.push(Mse.loss_and_grad(y2, t2, dy.reshape_mut::<Flat>()));
        grads.zero();
        net.backward(&x, &mut cache, &dy, None, Some(&mut grads));
        adam.step(&mut net, &grads);
        ctx.next_step();
    }
    let first: f32 = losses[..20].iter().sum::<f32>() / 20.0;
    let last: f32 = losses[280..].iter().sum::<f32>() / 20.0;
    assert!(last < first / 4.0, "first {first}, last {last}");
}
