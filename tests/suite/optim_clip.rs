//! `clip_grad_norm`: global L2 norm over all parameters, PyTorch's rate max/(norm + 1e-6), no-op
//! under the limit, and non-finite norms leave the gradients alone.

use shaped::nn::{Grads, Linear};
use shaped::optim::{clip_grad_norm, grad_norm};
use shaped::prelude::*;

type Model = (Linear<f64, U2, U2>, Linear<f64, U2, U1>);

fn flat<T: Copy, G: Tensors<T>>(m: &G) -> Vec<T> {
    let mut v = Vec::new();
    m.visit(&mut |s| v.extend_from_slice(s));
    v
}

/// Gradients spread over both layers with global norm exactly 21.71:
/// 21.71·(0.36, −0.48, 0.8) = (7.8156, −10.4208, 17.368), and 0.36² + 0.48² + 0.8² = 1.
fn grads_of_norm_21_71() -> Grads<Model> {
    let mut g: Grads<Model> = Zeroable::zeroed();
    g.0.weight[[1, 0]] = 7.8156;
    g.0.bias[[1]] = -10.4208;
    g.1.weight[[0, 0]] = 17.368;
    g
}

fn naive_norm(values: &[f64]) -> f64 {
    values.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[test]
fn clips_a_two_layer_gradient_to_max_norm() {
    let mut g = grads_of_norm_21_71();
    let before = flat(&g);
    assert!((naive_norm(&before) - 21.71).abs() < 1e-12);

    let norm = clip_grad_norm(&mut g, 5.0);
    assert!((norm - 21.71).abs() < 1e-12, "returned norm {norm}");

    let rate = 5.0 / (21.71 + 1e-6);
    let after = flat(&g);
    for (a, b) in after.iter().zip(&before) {
        assert!((a - rate * b).abs() < 1e-12, "{a} vs {}", rate * b);
    }
    let new_norm = naive_norm(&after);
    assert!(
        (new_norm - rate * 21.71).abs() < 1e-12,
        "new norm {new_norm}"
    );
    assert!((new_norm - 5.0).abs() < 1e-6);
}

#[test]
fn leaves_gradients_under_the_limit_untouched() {
    let mut g = grads_of_norm_21_71();
    let before = flat(&g);
    assert!((clip_grad_norm(&mut g, 25.0) - 21.71).abs() < 1e-12);
    assert_eq!(flat(&g), before);
    // At the limit the rate max/(norm + 1e-6) is just below 1: PyTorch scales, and so do we.
    let mut g = grads_of_norm_21_71();
    clip_grad_norm(&mut g, 21.71);
    assert!(
        flat(&g)[..]
            .iter()
            .zip(&before)
            .all(|(a, b)| a.abs() <= b.abs())
    );
}

#[test]
fn zero_gradients_stay_zero() {
    let mut g: Grads<Model> = Zeroable::zeroed();
    assert_eq!(clip_grad_norm(&mut g, 1.0), 0.0);
    assert!(flat(&g).iter().all(|&x| x == 0.0));
}

#[test]
fn nan_gradient_is_reported_and_left_alone() {
    let mut g = grads_of_norm_21_71();
    g.1.bias[[0]] = f64::NAN;
    let before = flat(&g);
    let norm = clip_grad_norm(&mut g, 5.0);
    assert!(norm.is_nan());
    let after = flat(&g);
    for (a, b) in after.iter().zip(&before) {
        assert!(a == b || (a.is_nan() && b.is_nan()));
    }
}

#[test]
fn infinite_gradient_is_reported_and_left_alone() {
    let mut g = grads_of_norm_21_71();
    g.0.weight[[0, 1]] = f64::NEG_INFINITY;
    let before = flat(&g);
    assert_eq!(clip_grad_norm(&mut g, 5.0), f64::INFINITY);
    assert_eq!(flat(&g), before);
}

#[test]
fn large_finite_f32_gradients_do_not_overflow_the_norm() {
    // 3e20² overflows f32; the scaled sum does not.
    let mut g: Grads<Linear<f32, U1, U1>> = Zeroable::zeroed();
    g.weight.fill(3e20);
    g.bias.fill(-4e20);
    let norm = clip_grad_norm(&mut g, 1.0);
    assert!((norm / 5e20 - 1.0).abs() < 1e-6, "norm {norm}");
    assert!((g.weight[[0, 0]] - 0.6).abs() < 1e-6);
    assert!((g.bias[[0]] + 0.8).abs() < 1e-6);
}

#[test]
fn grad_norm_matches_a_naive_sum() {
    let mut g: Grads<Model> = Zeroable::zeroed();
    let mut rng = shaped::rand::Rng::new(3);
    g.visit_mut(&mut |s| s.iter_mut().for_each(|x| *x = rng.normal::<f64>()));
    assert!((grad_norm(&g) - naive_norm(&flat(&g))).abs() < 1e-12);
}

#[test]
fn negative_max_norm_counts_as_zero() {
    let mut g = grads_of_norm_21_71();
    clip_grad_norm(&mut g, -1.0);
    assert!(flat(&g).iter().all(|&x| x == 0.0));
}
