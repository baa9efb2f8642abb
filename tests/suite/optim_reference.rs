//! Each optimizer's trajectory against an independent scalar re-implementation of the update rule
//! as written in PyTorch's `torch.optim` documentation (pseudo-code per algorithm), on
//! f(w) = Σ (w − c)² over all 13 parameters of a two-layer model, in f64.
//!
//! The references below work on plain `Vec<f64>`s, one element at a time, and never call the
//! library's optimizers.

use shaped::nn::{Grads, Linear};
use shaped::optim::{AdaGrad, Adam, Momentum, Nesterov, Optimizer, RmsProp, Sgd};
use shaped::prelude::*;

type Model = (Linear<f64, U2, U3>, Linear<f64, U3, U1>);
/// The gradients, and the type of each optimizer-state buffer.
type G = Grads<Model>;
const N: usize = <Model as Params<f64>>::PARAMS;
const STEPS: usize = 5;

fn flat(m: &Model) -> Vec<f64> {
    let mut v = Vec::new();
    m.params(&mut |s| v.extend_from_slice(s));
    v
}

fn set_flat(m: &mut Model, values: &[f64]) {
    let mut i = 0;
    m.params_mut(&mut |s| {
        s.copy_from_slice(&values[i..i + s.len()]);
        i += s.len();
    });
    assert_eq!(i, values.len());
}

fn set_grads(g: &mut G, values: &[f64]) {
    let mut i = 0;
    g.visit_mut(&mut |s| {
        s.copy_from_slice(&values[i..i + s.len()]);
        i += s.len();
    });
    assert_eq!(i, values.len());
}

/// Start point and target of the quadratic: varied signs and magnitudes.
fn start_and_target() -> (Vec<f64>, Vec<f64>) {
    let w0 = (0..N).map(|i| (i as f64 * 0.37).sin() * 1.5).collect();
    let c = (0..N).map(|i| 1.0 - 0.25 * i as f64).collect();
    (w0, c)
}

/// ∇ Σ (w − c)² = 2(w − c).
fn quad_grad(w: &[f64], c: &[f64]) -> Vec<f64> {
    w.iter().zip(c).map(|(w, c)| 2.0 * (w - c)).collect()
}

/// Runs `opt` for `STEPS` steps and `reference` alongside; compares after every step.
fn compare<O: Optimizer<f64, Model>>(
    name: &str,
    mut opt: O,
    mut reference: impl FnMut(usize, &mut [f64], &[f64]),
) {
    let (w0, c) = start_and_target();
    let mut model: Model = Zeroable::zeroed();
    let mut grads: G = Zeroable::zeroed();
    set_flat(&mut model, &w0);
    let mut w = w0.clone();
    for t in 1..=STEPS {
        set_grads(&mut grads, &quad_grad(&flat(&model), &c));
        opt.step(&mut model, &grads);
        let g = quad_grad(&w, &c);
        reference(t, &mut w, &g);
        for (i, (a, b)) in flat(&model).iter().zip(&w).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                "{name}: step {t}, parameter {i}: got {a}, reference {b}"
            );
        }
    }
    // The trajectory really moved (a test of a no-op optimizer would pass the loop above only
    // if the reference were also a no-op).
    assert!(
        w.iter().zip(&w0).any(|(a, b)| (a - b).abs() > 1e-3),
        "{name}: no movement"
    );
}

#[test]
fn sgd_matches_reference() {
    for wd in [0.0, 0.1] {
        let (lr, lambda) = (0.05, wd);
        compare("sgd", Sgd::new().lr(lr).weight_decay(wd), |_, w, g| {
            for i in 0..N {
                let mut gi = g[i];
                if lambda != 0.0 {
                    gi += lambda * w[i];
                }
                w[i] -= lr * gi;
            }
        });
    }
}

/// PyTorch SGD with momentum μ, dampening 0: b = g at t = 1, then b = μb + g;
/// nesterov: g = g + μb, else g = b; θ = θ − γg.
fn sgd_momentum_reference(
    lr: f64,
    mu: f64,
    lambda: f64,
    nesterov: bool,
) -> impl FnMut(usize, &mut [f64], &[f64]) {
    let mut b = [f64::NAN; N];
    move |t, w, g| {
        for i in 0..N {
            let mut gi = g[i];
            if lambda != 0.0 {
                gi += lambda * w[i];
            }
            b[i] = if t > 1 { mu * b[i] + gi } else { gi };
            let step = if nesterov { gi + mu * b[i] } else { b[i] };
            w[i] -= lr * step;
        }
    }
}

#[test]
fn momentum_matches_reference() {
    for wd in [0.0, 0.1] {
        let opt: Momentum<f64, G> = Momentum::zeroed().lr(0.05).momentum(0.9).weight_decay(wd);
        compare(
            "momentum",
            opt,
            sgd_momentum_reference(0.05, 0.9, wd, false),
        );
    }
}

#[test]
fn nesterov_matches_reference() {
    for wd in [0.0, 0.1] {
        let opt: Nesterov<f64, G> = Nesterov::zeroed().lr(0.05).momentum(0.8).weight_decay(wd);
        compare("nesterov", opt, sgd_momentum_reference(0.05, 0.8, wd, true));
    }
}

#[test]
fn adagrad_matches_reference() {
    for wd in [0.0, 0.1] {
        let (lr, lambda, eps) = (0.3, wd, 1e-10);
        let mut sum = [0.0; N];
        let opt: AdaGrad<f64, G> = AdaGrad::zeroed().lr(lr).weight_decay(wd);
        compare("adagrad", opt, move |_, w, g| {
            for i in 0..N {
                let mut gi = g[i];
                if lambda != 0.0 {
                    gi += lambda * w[i];
                }
                sum[i] += gi * gi;
                w[i] -= lr * gi / (sum[i].sqrt() + eps);
            }
        });
    }
}

#[test]
fn rmsprop_matches_reference() {
    for wd in [0.0, 0.1] {
        let (lr, alpha, eps, lambda) = (0.02, 0.99, 1e-8, wd);
        let mut v = [0.0; N];
        let opt: RmsProp<f64, G> = RmsProp::zeroed().lr(lr).weight_decay(wd);
        compare("rmsprop", opt, move |_, w, g| {
            for i in 0..N {
                let mut gi = g[i];
                if lambda != 0.0 {
                    gi += lambda * w[i];
                }
                v[i] = alpha * v[i] + (1.0 - alpha) * gi * gi;
                w[i] -= lr * gi / (v[i].sqrt() + eps);
            }
        });
    }
}

/// PyTorch's Adam/AdamW documentation: bias-corrected m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
/// θ = θ − γ m̂/(√v̂ + ε); L2 decay adds λθ to g, decoupled decay first sets θ = θ − γλθ.
fn adam_reference(
    lr: f64,
    (b1, b2): (f64, f64),
    eps: f64,
    lambda: f64,
    decoupled: bool,
) -> impl FnMut(usize, &mut [f64], &[f64]) {
    let (mut m, mut v) = ([0.0; N], [0.0; N]);
    move |t, w, g| {
        for i in 0..N {
            let mut gi = g[i];
            if decoupled {
                w[i] -= lr * lambda * w[i];
            } else if lambda != 0.0 {
                gi += lambda * w[i];
            }
            m[i] = b1 * m[i] + (1.0 - b1) * gi;
            v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
            let m_hat = m[i] / (1.0 - b1.powi(t as i32));
            let v_hat = v[i] / (1.0 - b2.powi(t as i32));
            w[i] -= lr * m_hat / (v_hat.sqrt() + eps);
        }
    }
}

#[test]
fn adam_matches_reference_with_defaults() {
    let opt: Adam<f64, G> = Adam::zeroed();
    compare(
        "adam defaults",
        opt,
        adam_reference(1e-3, (0.9, 0.999), 1e-8, 0.0, false),
    );
}

#[test]
fn adam_matches_reference_with_l2_decay() {
    let opt: Adam<f64, G> = Adam::zeroed()
        .lr(0.1)
        .betas(0.8, 0.99)
        .eps(1e-6)
        .weight_decay(0.05);
    compare(
        "adam l2",
        opt,
        adam_reference(0.1, (0.8, 0.99), 1e-6, 0.05, false),
    );
}

#[test]
fn adamw_matches_reference() {
    let opt: Adam<f64, G> = Adam::zeroed().lr(0.1).decoupled_weight_decay(0.01);
    compare(
        "adamw",
        opt,
        adam_reference(0.1, (0.9, 0.999), 1e-8, 0.01, true),
    );
}

/// Hand-computed values, to check the references above as well: w = 1, c = 3, so g = 2(w − 3).
#[test]
fn hand_computed_scalar_steps() {
    type One = Linear<f64, U1, U1>;
    type OneG = Grads<One>;
    fn run(opt: &mut impl Optimizer<f64, One>, steps: usize) -> f64 {
        let (mut m, mut g) = (One::zeros(), OneG::zeroed());
        m.weight.fill(1.0);
        m.bias.fill(3.0); // at its target: zero gradient, must not move
        for _ in 0..steps {
            g.weight.fill(2.0 * (m.weight[[0, 0]] - 3.0));
            opt.step(&mut m, &g);
            assert_eq!(m.bias[[0]], 3.0);
        }
        m.weight[[0, 0]]
    }
    // SGD lr 0.1: g = −4 → w = 1.4.
    assert!((run(&mut Sgd::new().lr(0.1), 1) - 1.4).abs() < 1e-15);
    // Momentum 0.9: b = −4, w = 1.4; g = −3.2, b = −6.8, w = 2.08.
    let mut mom: Momentum<f64, OneG> = Momentum::zeroed().lr(0.1);
    assert!((run(&mut mom, 2) - 2.08).abs() < 1e-14);
    // Nesterov 0.9: b = −4, w = 1 + 0.1·(4 + 3.6) = 1.76.
    let mut nes: Nesterov<f64, OneG> = Nesterov::zeroed().lr(0.1);
    assert!((run(&mut nes, 1) - 1.76).abs() < 1e-14);
    // AdaGrad lr 0.5: s = 16, w = 1 + 0.5·4/4 = 1.5 (ε = 1e-10 shifts it by ~1e-11).
    let mut ada: AdaGrad<f64, OneG> = AdaGrad::zeroed().lr(0.5);
    assert!((run(&mut ada, 1) - 1.5).abs() < 1e-10);
    // RMSProp lr 0.01: v = 0.01·16 = 0.16, w = 1 + 0.01·4/0.4 = 1.1 (ε = 1e-8 shifts it by
    // 0.1·ε/0.4 = 2.5e-9).
    let mut rms: RmsProp<f64, OneG> = RmsProp::zeroed();
    assert!((run(&mut rms, 1) - (1.1 - 2.5e-9)).abs() < 1e-12);
    // Adam: the first step is lr·g/(|g| + ε) = 1e-3 (minus 2.5e-12 from ε).
    let mut adam: Adam<f64, OneG> = Adam::zeroed();
    assert!((run(&mut adam, 1) - 1.001).abs() < 1e-11);
}
