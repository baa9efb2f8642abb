//! Every loss's gradient `∂loss/∂y` against central differences in f64, masked forms included.
//! Run with `--nocapture` to see the worst relative error of each check.

use shaped::gradcheck::{self, Config, Worst};
use shaped::nn::{BceWithLogits, CrossEntropy, Loss, Masked, Mse, SoftmaxCrossEntropy};
use shaped::prelude::*;
use shaped::rand::Rng;

const TOL: f64 = 1e-6;

fn check<L, Tgt>(name: &str, loss: &L, y: &mut Tensor2<f64, U4, U5>, target: &Tgt)
where
    L: Loss<f64, Tensor2<f64, U4, U5>, Tgt>,
{
    let worst: Worst = gradcheck::check_loss(loss, y, target, Config::default());
    println!("{name:<40} {worst}");
    assert!(worst.rel <= TOL, "{name}: {worst}");
    assert_eq!(worst.checked, 20);
}

fn uniform<S: Shape>(seed: u64, lo: f64, hi: f64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(lo, hi))
}

/// Rows of non-negative values summing to 1.
fn distributions(seed: u64) -> Tensor2<f64, U4, U5> {
    let mut t: Tensor2<f64, U4, U5> = uniform(seed, 0.0, 1.0);
    for b in 0..4 {
        let s: f64 = t.outer(b).iter().sum();
        t.outer_mut(b).iter_mut().for_each(|v| *v /= s);
    }
    t
}

const LABELS: [usize; 4] = [3, 0, 4, 1];
const ROW_MASK: [bool; 4] = [true, false, true, true];

fn element_mask() -> Tensor2<bool, U4, U5> {
    Tensor::from_flat_fn(|i| i % 3 != 1)
}

#[test]
fn softmax_cross_entropy() {
    let mut y = uniform(1, -3.0, 3.0);
    let (labels, probs) = (tensor(LABELS), distributions(2));
    let mask = tensor(ROW_MASK);
    let l = SoftmaxCrossEntropy;
    check("SoftmaxCE, class targets", &l, &mut y, &labels);
    check("SoftmaxCE, soft targets", &l, &mut y, &probs);
    check(
        "SoftmaxCE, class targets, (B,) mask",
        &l,
        &mut y,
        &Masked::new(&labels, &mask),
    );
    check(
        "SoftmaxCE, soft targets, (B,) mask",
        &l,
        &mut y,
        &Masked::new(&probs, &mask),
    );
    // Unnormalised targets: the gradient is softmax·Σt − t, still exact.
    let heavy: Tensor2<f64, U4, U5> = uniform(3, 0.0, 2.0);
    check("SoftmaxCE, unnormalised targets", &l, &mut y, &heavy);
}

#[test]
fn softmax_cross_entropy_large_logits() {
    // Gradients around ±1000 are still exact (finite differences of a stable log-sum-exp).
    let mut y: Tensor2<f64, U4, U5> = uniform(4, -2.0, 2.0);
    y.as_mut_slice()[0] += 1000.0;
    y.as_mut_slice()[6] -= 1000.0;
    check(
        "SoftmaxCE, logits near ±1000",
        &SoftmaxCrossEntropy,
        &mut y,
        &tensor(LABELS),
    );
}

#[test]
fn cross_entropy() {
    let mut y = distributions(5);
    let (labels, probs) = (tensor(LABELS), distributions(6));
    let mask = tensor(ROW_MASK);
    let l = CrossEntropy::new(1e-7);
    check("CrossEntropy, class targets", &l, &mut y, &labels);
    check("CrossEntropy, soft targets", &l, &mut y, &probs);
    check(
        "CrossEntropy, class targets, (B,) mask",
        &l,
        &mut y,
        &Masked::new(&labels, &mask),
    );
    check(
        "CrossEntropy, soft targets, (B,) mask",
        &l,
        &mut y,
        &Masked::new(&probs, &mask),
    );
}

#[test]
fn mse() {
    let mut y = uniform(7, -2.0, 2.0);
    let t: Tensor2<f64, U4, U5> = uniform(8, -2.0, 2.0);
    check("Mse", &Mse, &mut y, &t);
    check(
        "Mse, (B, C) mask",
        &Mse,
        &mut y,
        &Masked::new(&t, &element_mask()),
    );
}

#[test]
fn bce_with_logits() {
    let mut y = uniform(9, -4.0, 4.0);
    let t: Tensor2<f64, U4, U5> = uniform(10, 0.0, 1.0);
    check("BceWithLogits", &BceWithLogits, &mut y, &t);
    check(
        "BceWithLogits, (B, C) mask",
        &BceWithLogits,
        &mut y,
        &Masked::new(&t, &element_mask()),
    );
}
