//! Numerical gradient checking: compares a layer's or loss's analytic gradients with central
//! differences, `∂f/∂v ≈ (f(v + ε) − f(v − ε)) / 2ε`, element by element.
//!
//! The objective is a scalar function of the layer output: any [`Loss`] with its targets, or
//! [`Projection`] (`⟨r, y⟩` for a fixed random `r`, which exercises every output with a distinct
//! weight). Every input element and every parameter is perturbed in turn (restored exactly
//! afterwards), so checks cost two forward passes per checked value: keep tests small.
//!
//! # Relative error
//! `rel = |a − n| / max(|a| + |n|, floor)` for analytic `a` and numeric `n`. It is `0` for a
//! perfect match, `1` when the signs differ or one side is zero, and the floor (default `1e-7`)
//! keeps values that are both practically zero from dividing noise by noise. In `f64` with the
//! default `ε = 1e-5`, correct gradients give `rel` around `1e-9` or below; `1e-6` is a strict
//! pass mark. In `f32` use `ε ≈ 1e-2` and expect `1e-3`.
//!
//! Avoid kinks: a ReLU input within `ε` of `0` has no central difference worth comparing.
//!
//! Everything is `no_std` and heap-free; the work buffers are created on the stack (zeroed), which
//! suits the small models a check should use.
//!
//! ```
//! use shaped::prelude::*;
//! use shaped::gradcheck::{self, Config};
//! use shaped::nn::{Linear, Params, Tanh};
//! use shaped::rand::Rng;
//!
//! let mut model = (Linear::<f64, U3, U4>::zeros(), Tanh);
//! model.init(shaped::init::Scheme::XavierUniform, &mut Rng::new(1));
//! let mut x = Tensor2::<f64, U2, U3>::from_flat_fn(|i| i as f64 * 0.3 - 0.8);
//! let report = gradcheck::check_projected(&mut model, &mut x, 7, Config::default());
//! assert!(report.max_rel() < 1e-6, "{report}");
//! ```

use crate::nn::{Ctx, Loss, Module, Params, Tensors, Train};
use crate::rand::Rng;
use crate::scalar::{Real, Zeroable};

use crate::shape::Shape;
use crate::tensor::Tensor;

/// Step size, error floor and the context the layer runs in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// Central-difference step `ε` (absolute).
    pub eps: f64,
    /// Lower bound of the relative error's denominator (see the module docs).
    pub floor: f64,
    /// The training context of every forward pass: its mode (check BatchNorm in both) and its
    /// random stream (the same Dropout mask in every pass, so the function is deterministic).
    pub ctx: Ctx,
}

impl Default for Config {
    /// `ε = 1e-5`, floor `1e-7` (right for `f64`), training mode with seed 0.
    fn default() -> Self {
        Config {
            eps: 1e-5,
            floor: 1e-7,
            ctx: Ctx::train(0),
        }
    }
}

impl Config {
    /// The same check in evaluation mode.
    pub fn eval(self) -> Self {
        Config {
            ctx: Ctx::eval(),
            ..self
        }
    }
}

/// The worst mismatch among a set of checked values, and where it occurred.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Worst {
    /// The relative error (see the module docs); `0` when nothing was checked.
    pub rel: f64,
    /// Which tensor: `0` for the input; for parameters, the position among the trainable tensors
    /// (the order of [`Params::zip_params`]).
    pub tensor: usize,
    /// Row-major index inside that tensor.
    pub index: usize,
    /// The analytic gradient there.
    pub analytic: f64,
    /// The central-difference gradient there.
    pub numeric: f64,
    /// How many values were checked.
    pub checked: usize,
}

impl Worst {
    pub(crate) fn record(
        &mut self,
        tensor: usize,
        index: usize,
        analytic: f64,
        numeric: f64,
        cfg: Config,
    ) {
        let rel = (analytic - numeric).abs() / (analytic.abs() + numeric.abs()).max(cfg.floor);
        if self.checked == 0 || rel.is_nan() || rel > self.rel {
            *self = Worst {
                rel,
                tensor,
                index,
                analytic,
                numeric,
                checked: self.checked,
            };
        }
        self.checked += 1;
    }
}

impl core::fmt::Display for Worst {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "rel {:.3e} at tensor {} index {} (analytic {:e}, numeric {:e}; {} checked)",
            self.rel, self.tensor, self.index, self.analytic, self.numeric, self.checked
        )
    }
}

/// The result of checking a layer: worst input-gradient and worst parameter-gradient mismatch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GradReport {
    /// `∂f/∂x`.
    pub input: Worst,
    /// `∂f/∂θ` over all parameters (`checked == 0` for parameterless layers).
    pub params: Worst,
}

impl GradReport {
    /// The larger of the two relative errors (NaN if either is NaN).
    pub fn max_rel(&self) -> f64 {
        if self.input.rel.is_nan() || self.params.rel.is_nan() {
            return f64::NAN;
        }
        self.input.rel.max(self.params.rel)
    }
}

impl core::fmt::Display for GradReport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "input: {}; params: {}", self.input, self.params)
    }
}

/// The objective `⟨r, y⟩` for a fixed tensor `r` (the target): its gradient is `r` itself.
/// With a random `r` every output element gets its own weight, so a gradient routed to the wrong
/// element shows up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Projection;

impl<T: Real, S: Shape> Loss<T, Tensor<T, S>, Tensor<T, S>> for Projection {
    fn loss(&self, y: &Tensor<T, S>, r: &Tensor<T, S>) -> T {
        y.iter().zip(r.iter()).map(|(&a, &b)| a * b).sum()
    }

    fn loss_and_grad(&self, y: &Tensor<T, S>, r: &Tensor<T, S>, dy: &mut Tensor<T, S>) -> T {
        dy.copy_from(r);
        self.loss(y, r)
    }
}

/// Checks `model`'s input and parameter gradients of `loss(model(x), target)`.
///
/// `model`'s trainable parameters and `x` are perturbed one element at a time and restored
/// exactly; every forward pass runs in `cfg.ctx` (in training mode, state such as BatchNorm's
/// running statistics is updated by each pass).
pub fn check_layer<T, S, M, L, Tgt>(
    model: &mut M,
    x: &mut Tensor<T, S>,
    loss: &L,
    target: &Tgt,
    cfg: Config,
) -> GradReport
where
    T: Real,
    S: Shape,
    M: Train<Tensor<T, S>> + Params<T>,
    L: Loss<T, M::Output, Tgt>,
{
    let mut cache = M::Cache::zeroed();
    let mut y = M::Output::zeroed();
    let mut dy = M::Output::zeroed();
    let mut dx = Tensor::<T, S>::zeroed();
    let mut grads = <M as Module>::Grads::zeroed();

    model.forward(x, cfg.ctx, &mut cache, &mut y);
    loss.loss_and_grad(&y, target, &mut dy);
    model.backward(x, &mut cache, &dy, Some(&mut dx), Some(&mut grads));

    let mut objective = |model: &mut M, x: &Tensor<T, S>| {
        model.forward(x, cfg.ctx, &mut cache, &mut y);
        loss.loss(&y, target)
    };
    let eps = T::from_f64(cfg.eps);
    let two_eps = (eps + eps).to_f64();

    let mut report = GradReport::default();
    for i in 0..S::NUMEL {
        let old = x.as_slice()[i];
        x.as_mut_slice()[i] = old + eps;
        let plus = objective(model, x);
        x.as_mut_slice()[i] = old - eps;
        let minus = objective(model, x);
        x.as_mut_slice()[i] = old;
        let numeric = (plus - minus).to_f64() / two_eps;
        report
            .input
            .record(0, i, dx.as_slice()[i].to_f64(), numeric, cfg);
    }

    for p in 0..M::PARAMS {
        let (tensor, index, _) = locate(&grads, p);
        let old = nudge(model, &grads, p, |v| v + eps);
        let plus = objective(model, x);
        nudge(model, &grads, p, |_| old - eps);
        let minus = objective(model, x);
        nudge(model, &grads, p, |_| old);
        let numeric = (plus - minus).to_f64() / two_eps;
        let analytic = locate(&grads, p).2;
        report
            .params
            .record(tensor, index, analytic.to_f64(), numeric, cfg);
    }
    report
}

/// [`check_layer`] with the objective `⟨r, model(x)⟩`, `r` uniform in `[−1, 1]` drawn from `seed`.
pub fn check_projected<T, S, SO, M>(
    model: &mut M,
    x: &mut Tensor<T, S>,
    seed: u64,
    cfg: Config,
) -> GradReport
where
    T: Real,
    S: Shape,
    SO: Shape,
    M: Train<Tensor<T, S>, Output = Tensor<T, SO>> + Params<T>,
{
    let mut rng = Rng::new(seed);
    let r = Tensor::<T, SO>::from_flat_fn(|_| rng.uniform(-T::one(), T::one()));
    check_layer(model, x, &Projection, &r, cfg)
}

/// Checks a loss's gradient `∂loss/∂y` (from [`Loss::loss_and_grad`]) against central differences
/// of [`Loss::loss`]. `y` is perturbed one element at a time and restored exactly.
///
/// Also compares the two methods' loss values: a difference larger than `1e-12` relative makes the
/// returned `rel` at least that difference (reported at index `usize::MAX`).
pub fn check_loss<T, S, L, Tgt>(loss: &L, y: &mut Tensor<T, S>, target: &Tgt, cfg: Config) -> Worst
where
    T: Real,
    S: Shape,
    L: Loss<T, Tensor<T, S>, Tgt>,
{
    let mut dy = Tensor::<T, S>::zeroed();
    let value = loss.loss_and_grad(y, target, &mut dy).to_f64();
    let eps = T::from_f64(cfg.eps);
    let two_eps = (eps + eps).to_f64();
    let mut worst = Worst::default();
    let direct = loss.loss(y, target).to_f64();
    if (direct - value).abs() > 1e-12 * direct.abs().max(1.0) || direct.is_nan() != value.is_nan() {
        worst.record(0, usize::MAX, value, direct, cfg);
    }
    for i in 0..S::NUMEL {
        let old = y.as_slice()[i];
        y.as_mut_slice()[i] = old + eps;
        let plus = loss.loss(y, target);
        y.as_mut_slice()[i] = old - eps;
        let minus = loss.loss(y, target);
        y.as_mut_slice()[i] = old;
        let numeric = (plus - minus).to_f64() / two_eps;
        worst.record(0, i, dy.as_slice()[i].to_f64(), numeric, cfg);
    }
    worst
}

/// `(tensor, index, value)` of the `p`-th gradient.
fn locate<T: Real, G: Tensors<T>>(grads: &G, p: usize) -> (usize, usize, T) {
    let (mut tensor, mut start, mut found) = (0, 0, (0, 0, T::zero()));
    grads.visit(&mut |s: &[T]| {
        if (start..start + s.len()).contains(&p) {
            found = (tensor, p - start, s[p - start]);
        }
        start += s.len();
        tensor += 1;
    });
    found
}

/// Sets the `p`-th trainable parameter (in [`Params::zip_params`] order) to `f(old)`; returns
/// the old value.
fn nudge<T: Real, M: Params<T>>(
    model: &mut M,
    grads: &M::Grads,
    p: usize,
    f: impl Fn(T) -> T,
) -> T {
    let (mut start, mut old) = (0, T::zero());
    model.zip_params(grads, [], &mut |s: &mut [T], _, []| {
        if (start..start + s.len()).contains(&p) {
            old = s[p - start];
            s[p - start] = f(old);
        }
        start += s.len();
    });
    old
}
