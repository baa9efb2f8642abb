//! `Network`: the heap wrapper does exactly what the in-place API does, and never puts big buffers
//! on the stack.

use shaped::init::Scheme;
use shaped::nn::{Ctx, Grads, Linear, Loss, Network, ReLU, SoftmaxCrossEntropy, Tanh};
use shaped::optim::{Optimizer, Sgd};
use shaped::prelude::*;
use shaped::rand::Rng;

type Small = (Linear<f64, U3, U5>, Tanh, Linear<f64, U5, U4>);
type SmallX = Tensor2<f64, U6, U3>;

fn data() -> (SmallX, Tensor1<usize, U6>) {
    let mut rng = Rng::new(5);
    let x = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    (x, tensor([0usize, 1, 2, 3, 1, 0]))
}

#[test]
fn train_step_equals_the_in_place_api() {
    let (x, labels) = data();
    let mut net = Network::<f64, Small, SmallX>::new_init(Scheme::XavierUniform, 9);

    // The same step by hand.
    let mut model = Small::zeroed();
    model.init(Scheme::XavierUniform, &mut Rng::new(9));
    let (mut work, mut y, mut dy, mut grads) = (
        <Small as Train<SmallX>>::Cache::zeroed(),
        Tensor2::<f64, U6, U4>::zeros(),
        Tensor2::<f64, U6, U4>::zeros(),
        Grads::<Small>::zeroed(),
    );
    model.forward(&x, net.ctx(), &mut work, &mut y);
    let expected = SoftmaxCrossEntropy.loss_and_grad(&y, &labels, &mut dy);
    model.backward(&x, &mut work, &dy, None, Some(&mut grads));
    Sgd::new().lr(0.5).step(&mut model, &grads);

    let loss = net.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut Sgd::new().lr(0.5));
    assert_eq!(loss, expected);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    net.model().params(&mut |p| a.extend_from_slice(p));
    model.params(&mut |p| b.extend_from_slice(p));
    assert_eq!(a, b);
    net.grads().visit(&mut |p| a.extend_from_slice(p));
    grads.visit(&mut |p| b.extend_from_slice(p));
    assert_eq!(a, b, "gradients kept for inspection");
}

#[test]
fn training_reduces_the_loss_and_predicts() {
    let (x, labels) = data();
    let mut net = Network::<f64, Small, SmallX>::new_init(Scheme::XavierUniform, 1);
    let first = net.loss(&x, &labels, &SoftmaxCrossEntropy);
    let mut sgd = Sgd::new().lr(0.5);
    for _ in 0..300 {
        net.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut sgd);
    }
    let last = net.loss(&x, &labels, &SoftmaxCrossEntropy);
    assert!(last < 0.1 * first, "{first} -> {last}");
    let mut classes = Tensor1::<usize, U6>::zeros();
    net.predict(&x, &mut classes);
    assert_eq!(classes, labels);
}

#[test]
fn gradients_accumulate_until_zeroed() {
    let (x, labels) = data();
    let mut net = Network::<f64, Small, SmallX>::new_init(Scheme::XavierUniform, 2);
    net.zero_grads();
    net.loss_backward(&x, &labels, &SoftmaxCrossEntropy);
    let once = net.grads().0.bias.clone();
    net.loss_backward(&x, &labels, &SoftmaxCrossEntropy);
    let twice = &net.grads().0.bias;
    for (a, b) in twice.iter().zip(once.iter()) {
        assert!((a - 2.0 * b).abs() < 1e-15, "{a} vs 2·{b}");
    }
    net.zero_grads();
    assert_eq!(net.grads().0.bias, Tensor::zeros());
}

#[test]
fn predict_picks_the_first_maximum_and_nan_wins() {
    let mut l = Linear::<f64, U2, U3>::zeros();
    l.weight = tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
    let mut net = Network::<f64, Linear<f64, U2, U3>, Tensor2<f64, U3, U2>>::new(Box::new(l));
    let mut classes = Tensor1::<usize, U3>::zeros();
    net.predict(
        &tensor([[1.0, 0.0], [0.0, 2.0], [f64::NAN, 1.0]]),
        &mut classes,
    );
    // Row 3's first score is NaN: the library's argmax rule reports it rather than hiding it.
    assert_eq!(classes, tensor([0, 2, 0]));
}

type Mlp = (Linear<f32, U784, U128>, ReLU, Linear<f32, U128, U10>);
type MlpX = Tensor2<f32, U32, U784>;

#[test]
fn sizes_are_compile_time_constants() {
    type N = Network<f32, Mlp, MlpX>;
    assert_eq!(N::PARAMS, 784 * 128 + 128 + 128 * 10 + 10);
    assert_eq!(N::MODEL_BYTES, 4 * N::PARAMS);
    // Training cache: Linear 1 (nothing), its output (32×128), ReLU (nothing), its output, Linear 2
    // (nothing), and one buffer for the activation gradients: the largest consecutive pair, here
    // the two 32×128 ones.
    const CACHE: usize = size_of::<<Mlp as Train<MlpX>>::Cache>();
    assert_eq!(CACHE, 4 * 4 * 32 * 128);
    // Inference scratch: only the largest pair of consecutive activations.
    const SCRATCH: usize = size_of::<<Mlp as Infer<MlpX>>::Scratch>();
    assert_eq!(SCRATCH, 2 * 4 * 32 * 128);
    assert_eq!(
        N::HEAP_BYTES,
        2 * N::MODEL_BYTES + CACHE + SCRATCH + 2 * 4 * 32 * 10
    );
}

#[test]
fn big_buffers_never_touch_the_stack() {
    // The model alone is 406 KB; on a 128 KB stack only heap allocation can
    // work.
    let run = || {
        let mut net = Network::<f32, Mlp, MlpX>::new_init(Scheme::HeUniform, 3);
        let x = MlpX::boxed_full(0.5);
        net.forward(&x);
        net.output().as_slice()[0]
    };
    let out = std::thread::Builder::new()
        .stack_size(128 << 10)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
    assert!(out.is_finite());
}

#[test]
fn apply_and_apply_boxed_equal_forward() {
    let (x, _) = data();
    let mut model = Small::zeroed();
    model.init(Scheme::XavierUniform, &mut Rng::new(3));
    let mut work = <Small as Train<SmallX>>::Cache::zeroed();
    let mut y = Tensor2::<f64, U6, U4>::zeros();
    model.forward(&x, Ctx::eval(), &mut work, &mut y);
    assert_ne!(y, Tensor2::zeros(), "a real forward pass, not zeros");
    assert_eq!(model.apply(&x), y);
    assert_eq!(*model.infer_boxed(&x), y);
}
