//! `DataParallel` (feature `threads`): two halves of a batch on two threads give the full batch's
//! loss and gradient, so training follows `Network`'s trajectory; per-half behaviour (Dropout
//! streams, BatchNorm statistics) is as documented; a worker's panic reaches the caller.

use shaped::init::Scheme;
use shaped::nn::{
    BatchNorm2d, Ctx, DataParallel, Dropout, Infer, Linear, Network, ReLU, Sigmoid,
    SoftmaxCrossEntropy, Tanh, Tensors, Train,
};
use shaped::optim::{Adam, Sgd};
use shaped::prelude::*;
use shaped::rand::Rng;

/// A small CNN: conv (padded), pooling, flatten and a dense head — every kind of LeNet layer.
type Cnn = (
    (
        Conv2d<f64, U2, U3, U3, U1, U1>,
        ReLU,
        MaxPool2d<U2>,
        Flatten,
    ),
    (Linear<f64, U48, U10>, Tanh, Linear<f64, U10, U4>),
);
type CnnX = Tensor4<f64, U6, U2, U8, U8>;

fn batch<S: Shape>(seed: u64) -> Box<Tensor<f64, S>> {
    let mut rng = Rng::new(seed);
    Tensor::boxed_from_flat_fn(|_| rng.uniform(-1.0, 1.0))
}

fn values<G: Tensors<f64>>(g: &G) -> Vec<f64> {
    let mut v = Vec::new();
    g.visit(&mut |s| v.extend_from_slice(s));
    v
}

fn params<M: Params<f64>>(m: &M) -> Vec<f64> {
    let mut v = Vec::new();
    m.params(&mut |s| v.extend_from_slice(s));
    v
}

fn assert_close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let worst = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / (1.0 + y.abs()))
        .fold(0.0, f64::max);
    assert!(
        worst <= tol,
        "{what}: worst relative difference {worst:e} > {tol:e}"
    );
}

#[test]
fn loss_and_gradient_are_the_full_batch_ones() {
    let x = batch::<(U6, U2, U8, U8)>(1);
    let labels = tensor([0usize, 3, 1, 2, 2, 0]);
    let mut one = Network::<f64, Cnn, CnnX>::new_init(Scheme::HeUniform, 7);
    let mut two = DataParallel::<f64, Cnn, CnnX>::new_init(Scheme::HeUniform, 7);
    one.zero_grads();
    let expected = one.loss_backward(&x, &labels, &SoftmaxCrossEntropy);
    let got = two.loss_backward(&x, &labels, &SoftmaxCrossEntropy);
    assert!((got - expected).abs() < 1e-14, "{got} vs {expected}");
    assert_close(
        two.output().as_slice(),
        one.output().as_slice(),
        1e-15,
        "logits",
    );
    let g = values(two.grads());
    assert_close(&g, &values(one.grads()), 1e-13, "gradients");
    assert!(
        g.iter().any(|&v| v.abs() > 1e-3),
        "a gradient that can fail"
    );

    // Not accumulated: a second call gives the same gradient, not twice it.
    two.loss_backward(&x, &labels, &SoftmaxCrossEntropy);
    assert_close(&values(two.grads()), &g, 1e-15, "second call");
}

#[test]
fn a_sum_reduced_loss_is_split_correctly_too() {
    // The loss sees the whole batch, so its reduction needs no correction by the halves.
    let x = batch::<(U6, U2, U8, U8)>(2);
    let labels = tensor([1usize, 1, 0, 3, 2, 0]);
    let loss = SoftmaxCrossEntropy.sum();
    let mut one = Network::<f64, Cnn, CnnX>::new_init(Scheme::HeUniform, 3);
    let mut two = DataParallel::<f64, Cnn, CnnX>::new_init(Scheme::HeUniform, 3);
    one.zero_grads();
    let expected = one.loss_backward(&x, &labels, &loss);
    let got = two.loss_backward(&x, &labels, &loss);
    assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    assert_close(
        &values(two.grads()),
        &values(one.grads()),
        1e-13,
        "gradients",
    );
}

#[test]
fn training_follows_the_single_thread_trajectory() {
    // 40 Adam steps on changing batches: the replica is re-synchronised every step.
    let mut one = Network::<f64, Cnn, CnnX>::new_init(Scheme::HeUniform, 11);
    let mut two = DataParallel::<f64, Cnn, CnnX>::new_init(Scheme::HeUniform, 11);
    let (mut adam1, mut adam2) = (Adam::boxed().lr(1e-2), Adam::boxed().lr(1e-2));
    let mut first = None;
    let mut last = 0.0;
    for step in 0..40 {
        let x = batch::<(U6, U2, U8, U8)>(100 + step % 4);
        let labels = Tensor1::<usize, U6>::from_flat_fn(|i| (i + step as usize % 4) % 4);
        let a = one.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut adam1);
        let b = two.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut adam2);
        assert!(
            (a - b).abs() < 1e-9 * (1.0 + a.abs()),
            "step {step}: {a} vs {b}"
        );
        first.get_or_insert(a);
        last = a;
    }
    assert!(
        last < 0.5 * first.unwrap(),
        "it trains: {first:?} -> {last}"
    );
    assert_close(
        &params(two.model()),
        &params(one.model()),
        1e-9,
        "parameters",
    );

    // The weights can be replaced between steps: the replica picks them up.
    two.model_mut().params_mut(&mut |p| p.fill(0.01));
    one.model_mut().params_mut(&mut |p| p.fill(0.01));
    let x = batch::<(U6, U2, U8, U8)>(5);
    let labels = tensor([0usize, 1, 2, 3, 0, 1]);
    let mut sgd = Sgd::new().lr(0.1);
    let a = one.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut sgd);
    let b = two.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut sgd);
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    assert_close(
        &params(two.model()),
        &params(one.model()),
        1e-12,
        "after loading",
    );
}

#[test]
fn the_two_halves_draw_different_dropout_masks() {
    type M = (Linear<f64, U8, U8>, Dropout);
    type X = Tensor2<f64, U4, U8>;
    let mut net = DataParallel::<f64, M, X>::new_init(Scheme::XavierUniform, 5);
    net.configure(|m| m.1 = Dropout::new(0.5).unwrap());
    let row: [f64; 8] = core::array::from_fn(|i| 1.0 + i as f64);
    let x = X::from_flat_fn(|i| row[i % 8]); // four equal rows
    let targets = Tensor2::<f64, U4, U8>::zeros();
    net.loss_backward(&x, &targets, &shaped::nn::Mse);
    let y = net.output();
    let dropped = |r: usize| y.outer(r).iter().map(|&v| v == 0.0).collect::<Vec<_>>();
    assert_ne!(
        dropped(0),
        dropped(2),
        "row 0 (first half) and row 2 (second half)"
    );
    assert!((0..4).all(|r| dropped(r).contains(&true) && dropped(r).contains(&false)));
}

#[test]
fn batchnorm_normalises_each_half_and_keeps_the_first_halfs_statistics() {
    type M = (BatchNorm2d<f64, U2>, Sigmoid, Flatten);
    type X = Tensor4<f64, U4, U2, U3, U3>;
    type H = Tensor4<f64, U2, U2, U3, U3>;
    let x = batch::<(U4, U2, U3, U3)>(9);
    let targets = Tensor2::<f64, U4, U18>::zeros();
    let mut net = DataParallel::<f64, M, X>::new_init(Scheme::HeUniform, 1);
    net.loss_backward(&x, &targets, &shaped::nn::Mse);

    // Each half's output is what the layer gives on that half alone.
    let (x1, x2) = x.halves();
    for (half, xh) in [x1, x2].into_iter().enumerate() {
        let mut alone = M::zeroed();
        alone.init(Scheme::HeUniform, &mut Rng::new(1));
        let (mut cache, mut y) = (
            <M as Train<H>>::Cache::zeroed(),
            Tensor2::<f64, U2, U18>::zeros(),
        );
        alone.forward(xh, Ctx::train(1), &mut cache, &mut y);
        let got = net.output().halves();
        let got = if half == 0 { got.0 } else { got.1 };
        assert_close(got.as_slice(), y.as_slice(), 1e-15, "half's output");
        if half == 0 {
            assert_eq!(net.model().0.running_mean, alone.0.running_mean);
            assert_ne!(alone.0.running_mean, Tensor::zeros());
        }
    }
    // Evaluation runs on the whole batch with the running statistics.
    let eval = net.model().apply(&*x);
    assert_eq!(net.evaluate(&x), &eval);
}

/// A layer that panics on a negative first input: fed only to the second half, it panics on the
/// worker thread.
#[derive(shaped::Params, shaped::Zeroable)]
struct Fussy;

impl<B: Dim, F: Dim> Infer<Tensor2<f64, B, F>> for Fussy {
    type Output = Tensor2<f64, B, F>;
    type Scratch = ();
    fn infer(&self, x: &Tensor2<f64, B, F>, _: &mut (), y: &mut Self::Output) {
        assert!(x.as_slice()[0] >= 0.0, "Fussy: negative input");
        y.as_mut_slice().copy_from_slice(x.as_slice());
    }
}

impl<B: Dim, F: Dim> Train<Tensor2<f64, B, F>> for Fussy {
    type Cache = ();
    fn forward(&mut self, x: &Tensor2<f64, B, F>, _: Ctx, _: &mut (), y: &mut Self::Output) {
        self.infer(x, &mut (), y);
    }
    fn backward(
        &self,
        _: &Tensor2<f64, B, F>,
        _: &mut (),
        dy: &Self::Output,
        dx: Option<&mut Tensor2<f64, B, F>>,
        _: Option<&mut ()>,
    ) {
        if let Some(dx) = dx {
            dx.as_mut_slice().copy_from_slice(dy.as_slice());
        }
    }
}

#[test]
#[should_panic(expected = "Fussy: negative input")]
fn a_panic_on_the_worker_reaches_the_caller() {
    type M = (Linear<f64, U2, U2>, Fussy);
    type X = Tensor2<f64, U2, U2>;
    let mut net = DataParallel::<f64, M, X>::new_init(Scheme::XavierUniform, 1);
    net.model_mut().0.weight = tensor([[1.0, 0.0], [0.0, 1.0]]);
    let x = tensor([[1.0, 1.0], [-1.0, 1.0]]);
    net.loss_backward(&x, &Tensor2::<f64, U2, U2>::zeros(), &shaped::nn::Mse);
}
