//! Initialisation schemes: sample statistics on 100k draws against the textbook variances
//! (Xavier 2/(fan_in + fan_out), He 2/fan_in), uniform bounds, the normal shape, reproducibility,
//! and `Params::init` on a tuple model.

use shaped::init::{Scheme, fill_weights};
use shaped::nn::{Linear, Params};
use shaped::prelude::*;
use shaped::rand::Rng;

const DRAWS: usize = 100_000;
const FAN_IN: usize = 300;
const FAN_OUT: usize = 100;

/// The target variance, from the schemes' definitions.
fn target_variance(scheme: Scheme, fan_in: usize, fan_out: usize) -> f64 {
    match scheme {
        Scheme::XavierUniform | Scheme::XavierNormal => 2.0 / (fan_in + fan_out) as f64,
        Scheme::HeUniform | Scheme::HeNormal => 2.0 / fan_in as f64,
    }
}

fn draws(scheme: Scheme, seed: u64) -> Vec<f64> {
    let mut w = vec![0.0; DRAWS];
    fill_weights(&mut w, FAN_IN, FAN_OUT, scheme, &mut Rng::new(seed));
    w
}

fn mean_var(w: &[f64]) -> (f64, f64) {
    let n = w.len() as f64;
    let mean = w.iter().sum::<f64>() / n;
    let var = w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

const ALL: [Scheme; 4] = [
    Scheme::XavierUniform,
    Scheme::XavierNormal,
    Scheme::HeUniform,
    Scheme::HeNormal,
];

#[test]
fn mean_is_zero_and_variance_is_the_target() {
    for scheme in ALL {
        let (mean, var) = mean_var(&draws(scheme, 11));
        let target = target_variance(scheme, FAN_IN, FAN_OUT);
        // Standard error of the mean: sqrt(var/n); allow 5 of them.
        let se = (target / DRAWS as f64).sqrt();
        assert!(mean.abs() < 5.0 * se, "{scheme:?}: mean {mean}, se {se}");
        // The sample variance's relative standard error is below 0.5% here; allow 3%.
        assert!(
            (var / target - 1.0).abs() < 0.03,
            "{scheme:?}: variance {var}, target {target}"
        );
    }
}

#[test]
fn uniform_schemes_respect_their_bounds() {
    for (scheme, bound) in [
        (
            Scheme::XavierUniform,
            (6.0 / (FAN_IN + FAN_OUT) as f64).sqrt(),
        ),
        (Scheme::HeUniform, (6.0 / FAN_IN as f64).sqrt()),
    ] {
        let w = draws(scheme, 5);
        let largest = w.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(largest <= bound, "{scheme:?}: {largest} > {bound}");
        assert!(largest > 0.999 * bound, "{scheme:?}: never near the bound");
        // Uniform: a quarter of the draws in each quarter of [−a, a].
        let low = w.iter().filter(|&&x| x < -bound / 2.0).count() as f64 / DRAWS as f64;
        assert!((low - 0.25).abs() < 0.01, "{scheme:?}: {low}");
    }
}

#[test]
fn normal_schemes_look_normal() {
    for scheme in [Scheme::XavierNormal, Scheme::HeNormal] {
        let w = draws(scheme, 9);
        let sigma = target_variance(scheme, FAN_IN, FAN_OUT).sqrt();
        let within =
            |k: f64| w.iter().filter(|x| x.abs() < k * sigma).count() as f64 / DRAWS as f64;
        // P(|Z| < 1) = 0.6827, P(|Z| < 2) = 0.9545 (a uniform would give 0.577 and 1.0).
        assert!(
            (within(1.0) - 0.6827).abs() < 0.01,
            "{scheme:?}: {}",
            within(1.0)
        );
        assert!(
            (within(2.0) - 0.9545).abs() < 0.005,
            "{scheme:?}: {}",
            within(2.0)
        );
    }
}

#[test]
fn same_seed_same_weights_other_seed_other_weights() {
    for scheme in ALL {
        assert_eq!(draws(scheme, 1), draws(scheme, 1));
        assert_ne!(draws(scheme, 1), draws(scheme, 2));
    }
}

#[test]
fn f32_draws_have_the_target_variance() {
    let mut w = vec![0.0f32; DRAWS];
    fill_weights(&mut w, 64, 32, Scheme::HeNormal, &mut Rng::new(3));
    let w: Vec<f64> = w.into_iter().map(f64::from).collect();
    let (_, var) = mean_var(&w);
    assert!((var / (2.0 / 64.0) - 1.0).abs() < 0.03, "{var}");
}

#[test]
fn zero_fans_count_as_one() {
    let mut w = [0.0f64; 8];
    fill_weights(&mut w, 0, 0, Scheme::HeUniform, &mut Rng::new(1));
    assert!(w.iter().all(|x| x.is_finite() && x.abs() <= 6f64.sqrt()));
}

type Mlp = (
    Linear<f64, U256, U128>,
    Linear<f64, U128, U64>,
    Linear<f64, U64, U10>,
);

#[test]
fn params_init_initialises_every_linear_layer_with_zero_biases() {
    let mut model: Box<Mlp> = shaped::boxed_zeroed();
    model.params_mut(&mut |p| p.fill(7.0)); // biases must be reset, not left as they were
    model.init(Scheme::XavierNormal, &mut Rng::new(42));

    assert!(model.0.bias.iter().all(|&b| b == 0.0));
    assert!(model.1.bias.iter().all(|&b| b == 0.0));
    assert!(model.2.bias.iter().all(|&b| b == 0.0));

    // Each layer by its own fans (the last has only 640 weights: a looser tolerance).
    for (weights, fi, fo, tol) in [
        (model.0.weight.as_slice(), 256, 128, 0.05),
        (model.1.weight.as_slice(), 128, 64, 0.05),
        (model.2.weight.as_slice(), 64, 10, 0.2),
    ] {
        let (_, var) = mean_var(weights);
        let target = 2.0 / (fi + fo) as f64;
        assert!(
            (var / target - 1.0).abs() < tol,
            "{fi}x{fo}: {var} vs {target}"
        );
    }

    // Reproducible as a whole, and the layers do not repeat one stream.
    let mut again: Box<Mlp> = shaped::boxed_zeroed();
    again.init(Scheme::XavierNormal, &mut Rng::new(42));
    let flat = |m: &Mlp| {
        let mut v = Vec::new();
        m.params(&mut |s| v.extend_from_slice(s));
        v
    };
    assert_eq!(flat(&model), flat(&again));
    assert_ne!(
        model.1.weight.as_slice()[..10],
        model.0.weight.as_slice()[..10]
    );
}
