//! Every optimizer minimises a quadratic; weight decay pulls the minimum towards zero by the
//! expected amount; the three ways of holding state (by value, `&mut`, `Box`) agree; `f32` works.

use shaped::nn::{Grads, Linear};
use shaped::optim::{AdaGrad, Adam, Momentum, Nesterov, Optimizer, RmsProp, Sgd};
use shaped::prelude::*;

type Model = (Linear<f64, U3, U4>, Linear<f64, U4, U2>);
/// The gradients, and the type of each optimizer-state buffer.
type G = Grads<Model>;

fn flat<T: Copy, M: Params<T>>(m: &M) -> Vec<T> {
    let mut v = Vec::new();
    m.params(&mut |s| v.extend_from_slice(s));
    v
}

fn flat_g<T: Copy, S: Tensors<T>>(s: &S) -> Vec<T> {
    let mut v = Vec::new();
    s.visit(&mut |s| v.extend_from_slice(s));
    v
}

fn target(i: usize) -> f64 {
    (i as f64 * 0.7).cos() * 2.0
}

/// f(w) = Σ (w − c)²; writes ∇f = 2(w − c) into `grads` and returns f.
fn quad(model: &Model, grads: &mut G) -> f64 {
    let w = flat(model);
    let mut loss = 0.0;
    let mut i = 0;
    grads.visit_mut(&mut |g| {
        for gi in g {
            let d = w[i] - target(i);
            loss += d * d;
            *gi = 2.0 * d;
            i += 1;
        }
    });
    loss
}

/// Runs `steps` steps from a seeded start; returns (initial loss, final loss, final model).
fn minimise(opt: &mut impl Optimizer<f64, Model>, steps: usize) -> (f64, f64, Model) {
    let mut model: Model = Zeroable::zeroed();
    let mut grads: G = Zeroable::zeroed();
    model.init(
        shaped::init::Scheme::XavierNormal,
        &mut shaped::rand::Rng::new(7),
    );
    let first = quad(&model, &mut grads);
    for _ in 0..steps {
        quad(&model, &mut grads);
        opt.step(&mut model, &grads);
    }
    (first, quad(&model, &mut grads), model)
}

/// The loss must fall by at least four orders of magnitude from a clearly non-zero start.
fn assert_minimises(name: &str, mut opt: impl Optimizer<f64, Model>, steps: usize) {
    let (first, last, _) = minimise(&mut opt, steps);
    assert!(
        first > 10.0,
        "{name}: the start is far from the target: {first}"
    );
    assert!(last < 1e-4 * first, "{name}: loss {first} -> {last}");
}

#[test]
fn sgd_minimises() {
    assert_minimises("sgd", Sgd::new().lr(0.1), 100);
}

#[test]
fn momentum_minimises() {
    assert_minimises("momentum", Momentum::<f64, G>::zeroed().lr(0.05), 200);
}

#[test]
fn nesterov_minimises() {
    assert_minimises("nesterov", Nesterov::<f64, G>::zeroed().lr(0.05), 200);
}

#[test]
fn adagrad_minimises() {
    assert_minimises("adagrad", AdaGrad::<f64, G>::zeroed().lr(0.5), 300);
}

#[test]
fn rmsprop_minimises() {
    assert_minimises("rmsprop", RmsProp::<f64, G>::zeroed().lr(0.01), 1000);
}

#[test]
fn adam_minimises() {
    assert_minimises("adam", Adam::<f64, G>::zeroed().lr(0.05), 1000);
}

/// With L2 decay `wd`, the minimum of Σ (w − c)² + (wd/2)·Σ w² is w* = 2c / (2 + wd).
fn assert_decayed_minimum(name: &str, mut opt: impl Optimizer<f64, Model>, steps: usize, tol: f64) {
    let wd = 0.5;
    let (_, _, model) = minimise(&mut opt, steps);
    for (i, w) in flat(&model).into_iter().enumerate() {
        let expected = 2.0 * target(i) / (2.0 + wd);
        assert!(
            (w - expected).abs() < tol,
            "{name}: parameter {i} = {w}, expected {expected} (undecayed {})",
            target(i)
        );
    }
}

#[test]
fn l2_weight_decay_moves_the_minimum_as_expected() {
    let wd = 0.5;
    assert_decayed_minimum("sgd", Sgd::new().lr(0.1).weight_decay(wd), 300, 1e-9);
    let mom = Momentum::<f64, G>::zeroed().lr(0.05).weight_decay(wd);
    assert_decayed_minimum("momentum", mom, 800, 1e-9);
    let nes = Nesterov::<f64, G>::zeroed().lr(0.05).weight_decay(wd);
    assert_decayed_minimum("nesterov", nes, 800, 1e-9);
    let ada = AdaGrad::<f64, G>::zeroed().lr(0.5).weight_decay(wd);
    assert_decayed_minimum("adagrad", ada, 1000, 1e-6);
    let rms = RmsProp::<f64, G>::zeroed().lr(1e-3).weight_decay(wd);
    assert_decayed_minimum("rmsprop", rms, 5000, 1e-3);
    let adam = Adam::<f64, G>::zeroed().lr(0.05).weight_decay(wd);
    assert_decayed_minimum("adam", adam, 2000, 1e-3);
}

/// A model with every parameter 1 and zero gradients.
fn ones_and_zero_grads() -> (Model, G) {
    let mut model: Model = Zeroable::zeroed();
    model.params_mut(&mut |p| p.fill(1.0));
    (model, Zeroable::zeroed())
}

#[test]
fn sgd_decay_alone_shrinks_geometrically() {
    let (mut model, grads) = ones_and_zero_grads();
    let mut opt = Sgd::new().lr(0.1).weight_decay(0.2);
    for _ in 0..10 {
        opt.step(&mut model, &grads);
    }
    let expected = (1.0f64 - 0.1 * 0.2).powi(10);
    assert!(flat(&model).iter().all(|&w| (w - expected).abs() < 1e-14));
}

#[test]
fn adamw_decay_is_decoupled_from_the_moments() {
    // Zero gradients: AdamW only shrinks, p·(1 − lr·wd) per step, and its moments stay zero.
    let (mut model, grads) = ones_and_zero_grads();
    let mut opt = Adam::<f64, G>::zeroed().lr(0.1).decoupled_weight_decay(0.2);
    for _ in 0..10 {
        opt.step(&mut model, &grads);
    }
    let expected = (1.0f64 - 0.1 * 0.2).powi(10);
    assert!(flat(&model).iter().all(|&w| (w - expected).abs() < 1e-14));
    assert!(flat_g(opt.moments().0).iter().all(|&m| m == 0.0));
    assert!(flat_g(opt.moments().1).iter().all(|&v| v == 0.0));

    // L2 decay in Adam goes through the normalised moments instead: the first step moves every
    // parameter by about lr, whatever wd is.
    let (mut model, grads) = ones_and_zero_grads();
    let mut opt = Adam::<f64, G>::zeroed().lr(0.1).weight_decay(0.2);
    opt.step(&mut model, &grads);
    assert!(flat(&model).iter().all(|&w| (w - 0.9).abs() < 1e-6));
}

#[test]
fn state_by_value_by_reference_and_boxed_agree() {
    let mut by_value = Adam::<f64, G>::zeroed().lr(0.05);
    let (mut m, mut v): (G, G) = (Zeroable::zeroed(), Zeroable::zeroed());
    let mut boxed = Adam::<f64, Box<G>>::boxed().lr(0.05);
    let a = minimise(&mut by_value, 20).2;
    let b = {
        let mut by_ref = Adam::new(&mut m, &mut v).lr(0.05);
        let b = minimise(&mut by_ref, 20).2;
        assert_eq!(by_ref.steps(), 20);
        b
    };
    let c = minimise(&mut boxed, 20).2;
    assert_eq!(flat(&a), flat(&b));
    assert_eq!(flat(&a), flat(&c));
    // The borrowed state now holds the moments, as the static of an embedded program would.
    assert_eq!(flat_g(&m), flat_g(by_value.moments().0));
    assert_eq!(flat_g(&v), flat_g(boxed.moments().1.as_ref()));

    let mut vel: G = Zeroable::zeroed();
    let a = minimise(&mut Momentum::new(&mut vel).lr(0.05), 20).2;
    let b = minimise(&mut Momentum::<f64, Box<G>>::boxed().lr(0.05), 20).2;
    assert_eq!(flat(&a), flat(&b));
    assert!(flat_g(&vel).iter().any(|&x| x != 0.0));
}

#[test]
fn works_in_f32() {
    type Small = (Linear<f32, U2, U2>, Linear<f32, U2, U1>);
    let mut model: Small = Zeroable::zeroed();
    let mut grads: Grads<Small> = Zeroable::zeroed();
    model.init(
        shaped::init::Scheme::HeUniform,
        &mut shaped::rand::Rng::new(1),
    );
    let mut opt = Adam::<f32, Grads<Small>>::zeroed().lr(0.05);
    let loss = |m: &Small| flat(m).iter().map(|w| (w - 1.5) * (w - 1.5)).sum::<f32>();
    let first = loss(&model);
    for _ in 0..500 {
        let w = flat(&model);
        let mut i = 0;
        grads.visit_mut(&mut |g| {
            for gi in g {
                *gi = 2.0 * (w[i] - 1.5);
                i += 1;
            }
        });
        opt.step(&mut model, &grads);
    }
    assert!(loss(&model) < 1e-4 * first, "{first} -> {}", loss(&model));
}
