//! Adam and AdamW: bias-corrected first and second moment estimates.

use core::borrow::BorrowMut;

use super::{Hyper, Optim, Rule, decayed};
use crate::nn::Params;
use crate::scalar::powu;
use crate::{Real, Zeroable};

/// Adam, as PyTorch's `Adam` (or `AdamW` with [`Adam::decoupled_weight_decay`]). At step `t`:
///
/// ```text
/// g = g + wd·p                      (L2 weight decay; AdamW instead: p = p·(1 − lr·wd))
/// m = β₁m + (1−β₁)g      v = β₂v + (1−β₂)g²
/// p −= lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε)
/// ```
///
/// `ε` is added after the square root of the corrected `v`, as in PyTorch.
/// Defaults (PyTorch's): `lr = 1e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`, `weight_decay = 0`.
/// The moments `m` and `v` have the model's type; `S` is what holds each of them (see the
/// [module docs](super)).
///
/// ```
/// use shaped::nn::{Grads, Linear};
/// use shaped::optim::{Adam, Optimizer};
/// use shaped::prelude::*;
/// type M = Linear<f64, U1, U1>;
/// let (mut model, mut grads) = (M::zeros(), Grads::<M>::zeroed());
/// grads.weight.fill(5.0);
/// let mut opt: Adam<f64, Grads<M>> = Adam::zeroed().lr(0.1);
/// opt.step(&mut model, &grads); // the first step moves each parameter by about lr
/// assert!((model.weight[[0, 0]] + 0.1).abs() < 1e-8);
/// assert_eq!(opt.steps(), 1);
/// ```
pub type Adam<T, S> = Optim<T, AdamRule<T, S>>;

/// The update rule, knobs, step count and moments of [`Adam`].
#[derive(Clone, Debug, PartialEq)]
pub struct AdamRule<T, S> {
    beta1: T,
    beta2: T,
    eps: T,
    decoupled: bool,
    steps: u64,
    m: S,
    v: S,
}

impl<T: Real, S> Adam<T, S> {
    /// Adam with the default configuration, keeping its moments in `m` and `v` — normally zeroed
    /// values of the model's type, e.g. `&'static mut M`s from zeroed statics.
    pub fn new(m: S, v: S) -> Self {
        let rule = AdamRule {
            beta1: T::from_f64(0.9),
            beta2: T::from_f64(0.999),
            eps: T::from_f64(1e-8),
            decoupled: false,
            steps: 0,
            m,
            v,
        };
        Optim::with_rule(Hyper::new(T::from_f64(1e-3)), rule)
    }

    /// Sets the decay rates `(β₁, β₂)` of the first and second moments.
    pub fn betas(mut self, beta1: T, beta2: T) -> Self {
        self.rule.beta1 = beta1;
        self.rule.beta2 = beta2;
        self
    }

    /// Sets `ε`, added to the corrected `√v` to avoid dividing by zero.
    pub fn eps(mut self, eps: T) -> Self {
        self.rule.eps = eps;
        self
    }

    /// Switches to decoupled weight decay (AdamW, PyTorch's `AdamW`) of `wd`: each step first
    /// shrinks the parameters, `p = p·(1 − lr·wd)`, and the gradient stays as it is. The switch is
    /// for good: a later [`weight_decay`](Optim::weight_decay) changes only the amount. PyTorch's
    /// `AdamW` default is `wd = 1e-2`.
    pub fn decoupled_weight_decay(mut self, wd: T) -> Self {
        self.hyper.weight_decay = wd;
        self.rule.decoupled = true;
        self
    }

    /// Number of steps taken so far (`t` of the bias correction).
    pub fn steps(&self) -> u64 {
        self.rule.steps
    }

    /// The first and second moment estimates `(m, v)`, before bias correction.
    pub fn moments(&self) -> (&S, &S) {
        (&self.rule.m, &self.rule.v)
    }
}

impl<T: Real, M: Zeroable> Adam<T, M> {
    /// Adam whose zeroed moments are held by value (small models; no heap).
    pub fn zeroed() -> Self {
        Self::new(M::zeroed(), M::zeroed())
    }
}

#[cfg(feature = "alloc")]
impl<T: Real, M: Zeroable> Adam<T, alloc::boxed::Box<M>> {
    /// Adam whose zeroed moments are on the heap, never on the stack.
    pub fn boxed() -> Self {
        Self::new(crate::boxed_zeroed(), crate::boxed_zeroed())
    }
}

impl<T: Real, M: Params<T>, S: BorrowMut<M::Grads>> Rule<T, M> for AdamRule<T, S> {
    const STATE: usize = 2;

    fn update(&mut self, hyper: &Hyper<T>, model: &mut M, grads: &M::Grads) {
        self.steps += 1;
        let (b1, b2, eps, lr) = (self.beta1, self.beta2, self.eps, hyper.lr);
        let one = T::one();
        let step_size = lr / (one - powu(b1, self.steps));
        let bc2_sqrt = (one - powu(b2, self.steps)).sqrt();
        let (l2, shrink) = match self.decoupled {
            false => (hyper.weight_decay, one),
            true => (T::zero(), one - lr * hyper.weight_decay),
        };
        let state = [self.m.borrow_mut(), self.v.borrow_mut()];
        model.zip_params(grads, state, &mut |p, g, [m, v]| {
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
                *p *= shrink;
                let g = decayed(g, *p, l2);
                *m = b1 * *m + (one - b1) * g;
                *v = b2 * *v + (one - b2) * g * g;
                *p -= step_size * *m / (v.sqrt() / bc2_sqrt + eps);
            }
        });
    }
}
