//! AdaGrad: per-parameter step sizes from the sum of squared gradients.

use core::borrow::BorrowMut;

use super::{Hyper, Optim, Rule, decayed};
use crate::nn::Params;
use crate::{Real, Zeroable};

/// AdaGrad, as PyTorch's `Adagrad` (no learning-rate decay, zero initial accumulator):
/// `s += g²`, `p −= lr·g / (√s + ε)`, where `g` includes L2 weight decay (`g + wd·p`).
///
/// Defaults (PyTorch's): `lr = 1e-2`, `eps = 1e-10`, `weight_decay = 0`. The sum `s` has the
/// gradient type ([`Grads<M>`](crate::nn::Grads)); `S` is what holds it (see the [module docs](super)).
///
/// ```
/// use shaped::nn::{Grads, Linear};
/// use shaped::optim::{AdaGrad, Optimizer};
/// use shaped::prelude::*;
/// type M = Linear<f64, U1, U1>;
/// let (mut model, mut grads) = (M::zeros(), Grads::<M>::zeroed());
/// grads.weight.fill(3.0);
/// let mut opt: AdaGrad<f64, Grads<M>> = AdaGrad::zeroed().lr(0.5);
/// opt.step(&mut model, &grads); // s = 9, p = -0.5·3/3
/// assert!((model.weight[[0, 0]] + 0.5).abs() < 1e-9);
/// ```
pub type AdaGrad<T, S> = Optim<T, AdaGradRule<T, S>>;

/// The update rule, `ε` and sum of squares of [`AdaGrad`].
#[derive(Clone, Debug, PartialEq)]
pub struct AdaGradRule<T, S> {
    eps: T,
    sum_sq: S,
}

impl<T: Real, S> AdaGrad<T, S> {
    /// AdaGrad with the default configuration, keeping its sum of squares in `sum_sq` — normally
    /// a zeroed value of the model's type, e.g. a `&'static mut M` from a zeroed static.
    pub fn new(sum_sq: S) -> Self {
        let rule = AdaGradRule {
            eps: T::from_f64(1e-10),
            sum_sq,
        };
        Optim::with_rule(Hyper::new(T::from_f64(1e-2)), rule)
    }

    /// Sets `ε`, added to `√s` to avoid dividing by zero.
    pub fn eps(mut self, eps: T) -> Self {
        self.rule.eps = eps;
        self
    }

    /// The accumulated squared gradients.
    pub fn sum_sq(&self) -> &S {
        &self.rule.sum_sq
    }
}

impl<T: Real, M: Zeroable> AdaGrad<T, M> {
    /// AdaGrad whose zeroed state is held by value (small models; no heap).
    pub fn zeroed() -> Self {
        Self::new(M::zeroed())
    }
}

#[cfg(feature = "alloc")]
impl<T: Real, M: Zeroable> AdaGrad<T, alloc::boxed::Box<M>> {
    /// AdaGrad whose zeroed state is on the heap, never on the stack.
    pub fn boxed() -> Self {
        Self::new(crate::boxed_zeroed())
    }
}

impl<T: Real, M: Params<T>, S: BorrowMut<M::Grads>> Rule<T, M> for AdaGradRule<T, S> {
    const STATE: usize = 1;

    fn update(&mut self, hyper: &Hyper<T>, model: &mut M, grads: &M::Grads) {
        let (lr, eps, wd) = (hyper.lr, self.eps, hyper.weight_decay);
        model.zip_params(grads, [self.sum_sq.borrow_mut()], &mut |p, g, [s]| {
            for ((p, &g), s) in p.iter_mut().zip(g).zip(s) {
                let g = decayed(g, *p, wd);
                *s += g * g;
                *p -= lr * g / (s.sqrt() + eps);
            }
        });
    }
}
