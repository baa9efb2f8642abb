//! Every layer's backward pass against central differences in f64 (`shaped::gradcheck`).
//! Run with `--nocapture` to see the worst relative error of each check.

use shaped::gradcheck::{self, Config, GradReport};
use shaped::init::Scheme;
use shaped::nn::{
    Ctx, Grads, LeakyReLU, Linear, LinearGrads, Masked, Mse, Params, ReLU, Sigmoid, Softmax,
    SoftmaxCrossEntropy, Tanh,
};
use shaped::prelude::*;
use shaped::rand::Rng;

const TOL: f64 = 1e-6;

fn pass(name: &str, report: GradReport) {
    println!("{name:<28} {report}");
    assert!(report.max_rel() <= TOL, "{name}: {report}");
    assert!(report.input.checked > 0);
}

/// Uniform in [-2, 2], but never within 0.1 of 0 (ReLU's kink).
fn away_from_zero<S: Shape>(seed: u64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| {
        let v: f64 = rng.uniform(0.1, 2.0);
        if rng.below(2) == 0 { v } else { -v }
    })
}

fn uniform<S: Shape>(seed: u64, lo: f64, hi: f64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(lo, hi))
}

#[test]
fn linear() {
    let mut l = Linear::<f64, U4, U3>::zeros();
    l.init(Scheme::XavierNormal, &mut Rng::new(1));
    l.bias = uniform(2, -1.0, 1.0);
    let mut x: Tensor2<f64, U5, U4> = uniform(3, -2.0, 2.0);
    let report = gradcheck::check_projected(&mut l, &mut x, 4, Config::default());
    assert_eq!(report.params.checked, 4 * 3 + 3);
    assert_eq!(report.input.checked, 5 * 4);
    pass("Linear 4->3, batch 5", report);
}

#[test]
fn relu() {
    let mut x: Tensor2<f64, U4, U6> = away_from_zero(5);
    assert!(x.iter().any(|&v| v < 0.0) && x.iter().any(|&v| v > 0.0));
    pass(
        "ReLU (4, 6)",
        gradcheck::check_projected(&mut ReLU, &mut x, 6, Config::default()),
    );
    let mut x: Tensor3<f64, U2, U3, U4> = away_from_zero(7);
    pass(
        "ReLU (2, 3, 4)",
        gradcheck::check_projected(&mut ReLU, &mut x, 8, Config::default()),
    );
}

#[test]
fn leaky_relu() {
    let mut x: Tensor2<f64, U4, U6> = away_from_zero(9);
    let mut layer = LeakyReLU::<200>;
    pass(
        "LeakyReLU<200> (4, 6)",
        gradcheck::check_projected(&mut layer, &mut x, 10, Config::default()),
    );
}

#[test]
fn sigmoid() {
    let mut x: Tensor2<f64, U4, U6> = uniform(11, -4.0, 4.0);
    pass(
        "Sigmoid (4, 6)",
        gradcheck::check_projected(&mut Sigmoid, &mut x, 12, Config::default()),
    );
    let mut x: Tensor1<f64, U7> = uniform(13, -4.0, 4.0);
    pass(
        "Sigmoid (7,)",
        gradcheck::check_projected(&mut Sigmoid, &mut x, 14, Config::default()),
    );
}

#[test]
fn tanh() {
    let mut x: Tensor2<f64, U4, U6> = uniform(15, -2.0, 2.0);
    pass(
        "Tanh (4, 6)",
        gradcheck::check_projected(&mut Tanh, &mut x, 16, Config::default()),
    );
    let mut x: Tensor4<f64, U2, U2, U2, U3> = uniform(17, -2.0, 2.0);
    pass(
        "Tanh (2, 2, 2, 3)",
        gradcheck::check_projected(&mut Tanh, &mut x, 18, Config::default()),
    );
}

#[test]
fn softmax() {
    let mut x: Tensor2<f64, U4, U5> = uniform(19, -3.0, 3.0);
    pass(
        "Softmax (4, 5)",
        gradcheck::check_projected(&mut Softmax, &mut x, 20, Config::default()),
    );
    let mut x: Tensor3<f64, U2, U3, U4> = uniform(21, -3.0, 3.0);
    pass(
        "Softmax (2, 3, 4) last axis",
        gradcheck::check_projected(&mut Softmax, &mut x, 22, Config::default()),
    );
}

type Chain3 = (Linear<f64, U4, U6>, Tanh, Linear<f64, U6, U3>);

fn chain3() -> Chain3 {
    let mut m = Chain3::zeroed();
    m.init(Scheme::XavierUniform, &mut Rng::new(23));
    m.0.bias = uniform(24, -0.5, 0.5);
    m.2.bias = uniform(25, -0.5, 0.5);
    m
}

#[test]
fn three_layer_chain() {
    let mut m = chain3();
    let mut x: Tensor2<f64, U5, U4> = uniform(26, -2.0, 2.0);
    let report = gradcheck::check_projected(&mut m, &mut x, 27, Config::default());
    assert_eq!(report.params.checked, <Chain3 as Params<f64>>::PARAMS);
    pass("(Linear, Tanh, Linear)", report);
}

#[test]
fn three_layer_chain_with_softmax_cross_entropy() {
    let mut m = chain3();
    let mut x: Tensor2<f64, U5, U4> = uniform(28, -2.0, 2.0);
    let labels = tensor([0usize, 2, 1, 1, 0]);
    let report = gradcheck::check_layer(
        &mut m,
        &mut x,
        &SoftmaxCrossEntropy,
        &labels,
        Config::default(),
    );
    pass("chain + SoftmaxCrossEntropy", report);
}

#[test]
fn long_chain_with_relu_sigmoid_softmax() {
    type Model = (
        Linear<f64, U3, U5>,
        ReLU,
        Linear<f64, U5, U5>,
        Sigmoid,
        Linear<f64, U5, U4>,
        Softmax,
    );
    let mut m = Model::zeroed();
    m.init(Scheme::HeUniform, &mut Rng::new(29));
    m.0.bias = uniform(30, 0.2, 0.6); // keep most ReLU inputs away from 0
    let mut x: Tensor2<f64, U4, U3> = uniform(31, -1.0, 1.0);
    let t: Tensor2<f64, U4, U4> = uniform(32, 0.0, 1.0);
    let mask = tensor([
        [true, false, true, true],
        [true, true, true, false],
        [false; 4],
        [true; 4],
    ]);
    let report = gradcheck::check_layer(
        &mut m,
        &mut x,
        &Mse,
        &Masked::new(&t, &mask),
        Config::default(),
    );
    pass("6-layer chain + masked Mse", report);
}

/// The checker itself must fail on a wrong backward pass. (A user-written layer: the derive
/// writes its `Params` and `Zeroable`.)
#[derive(Clone, Copy, Debug, Default, shaped::Params, shaped::Zeroable)]
struct WrongTanh;
impl Infer<Tensor2<f64, U2, U3>> for WrongTanh {
    type Output = Tensor2<f64, U2, U3>;
    type Scratch = ();
    fn infer(&self, x: &Tensor2<f64, U2, U3>, _: &mut (), y: &mut Tensor2<f64, U2, U3>) {
        y.copy_from(&x.map(f64::tanh));
    }
}
impl Train<Tensor2<f64, U2, U3>> for WrongTanh {
    type Cache = ();
    fn forward(&mut self, x: &Tensor2<f64, U2, U3>, _: Ctx, _: &mut (), y: &mut Self::Output) {
        self.infer(x, &mut (), y);
    }
    fn backward(
        &self,
        x: &Tensor2<f64, U2, U3>,
        _: &mut (),
        dy: &Tensor2<f64, U2, U3>,
        dx: Option<&mut Tensor2<f64, U2, U3>>,
        _: Option<&mut ()>,
    ) {
        // Wrong on purpose: 1 − x² instead of 1 − tanh(x)².
        dx.unwrap()
            .copy_from(&x.zip_map(dy, |v, g| g * (1.0 - v * v)));
    }
}

#[test]
fn checker_catches_a_wrong_backward() {
    let mut x: Tensor2<f64, U2, U3> = uniform(33, 0.5, 1.5);
    let report = gradcheck::check_projected(&mut WrongTanh, &mut x, 34, Config::default());
    println!("{:<28} {report}", "WrongTanh (must fail)");
    assert!(report.max_rel() > 1e-2, "{report}");
}

/// A Linear whose weight gradient comes out doubled (a user layer wrapping a library layer).
#[derive(shaped::Params, shaped::Zeroable)]
struct DoubledGrad(Linear<f64, U2, U2>);
impl Infer<Tensor2<f64, U3, U2>> for DoubledGrad {
    type Output = Tensor2<f64, U3, U2>;
    type Scratch = ();
    fn infer(&self, x: &Tensor2<f64, U3, U2>, w: &mut (), y: &mut Tensor2<f64, U3, U2>) {
        self.0.infer(x, w, y)
    }
}
impl Train<Tensor2<f64, U3, U2>> for DoubledGrad {
    type Cache = ();
    fn forward(&mut self, x: &Tensor2<f64, U3, U2>, _: Ctx, w: &mut (), y: &mut Self::Output) {
        self.0.infer(x, w, y)
    }
    fn backward(
        &self,
        x: &Tensor2<f64, U3, U2>,
        w: &mut (),
        dy: &Tensor2<f64, U3, U2>,
        dx: Option<&mut Tensor2<f64, U3, U2>>,
        mut g: Option<&mut DoubledGradGrads>,
    ) {
        self.0
            .backward(x, w, dy, dx, g.as_deref_mut().map(|g| &mut g.0));
        if let Some(g) = g {
            g.0.weight.map_inplace(|v| 2.0 * v);
        }
    }
}

#[test]
fn checker_catches_a_wrong_parameter_gradient() {
    let mut l = DoubledGrad(Linear::zeros());
    l.0.init(Scheme::XavierUniform, &mut Rng::new(37));
    let mut x: Tensor2<f64, U3, U2> = uniform(38, -1.0, 1.0);
    let report = gradcheck::check_projected(&mut l, &mut x, 39, Config::default());
    println!("{:<28} {report}", "DoubledGrad (must fail)");
    assert!(
        report.input.rel < TOL && report.params.rel > 0.3,
        "{report}"
    );
    assert_eq!(report.params.tensor, 0, "the weight, not the bias");
}

#[test]
fn linear_gradients_by_hand_and_accumulation() {
    let mut l = Linear::<f64, U2, U2>::zeros();
    l.init(Scheme::XavierUniform, &mut Rng::new(35));
    let x: Tensor2<f64, U3, U2> = uniform(36, -1.0, 1.0);
    let (mut y, mut g): (_, LinearGrads<f64, U2, U2>) =
        (Tensor2::<f64, U3, U2>::zeros(), Zeroable::zeroed());
    l.forward(&x, Ctx::train(0), &mut (), &mut y);
    l.backward(&x, &mut (), &Tensor::ones(), None, Some(&mut g));
    // dW = Xᵀ·1: column sums of x, the same for both output columns.
    for i in 0..2 {
        let col: f64 = (0..3).map(|b| x[[b, i]]).sum();
        assert!((g.weight[[i, 0]] - col).abs() < 1e-12 && (g.weight[[i, 1]] - col).abs() < 1e-12);
    }
    assert_eq!(g.bias, tensor([3.0, 3.0]));
    // Backward accumulates: a second call doubles the gradients.
    l.backward(&x, &mut (), &Tensor::ones(), None, Some(&mut g));
    assert_eq!(g.bias, tensor([6.0, 6.0]));
    let _: Option<Grads<Linear<f64, U2, U2>>> = None;
}
