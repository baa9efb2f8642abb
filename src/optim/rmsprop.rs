//! RMSProp: step sizes from a running average of squared gradients.

use core::borrow::BorrowMut;

use super::{Hyper, Optim, Rule, decayed};
use crate::nn::Params;
use crate::{Real, Zeroable};

/// RMSProp, as PyTorch's `RMSprop` (not centered, no momentum):
/// `s = αs + (1−α)g²`, `p −= lr·g / (√s + ε)`, where `g` includes L2 weight decay (`g + wd·p`).
///
/// Defaults (PyTorch's): `lr = 1e-2`, `alpha = 0.99`, `eps = 1e-8`, `weight_decay = 0`. The
/// average `s` has the model's type; `S` is what holds it (see the [module docs](super)).
///
/// ```
/// use shaped::nn::{Grads, Linear};
/// use shaped::optim::{Optimizer, RmsProp};
/// use shaped::prelude::*;
/// type M = Linear<f64, U1, U1>;
/// let (mut model, mut grads) = (M::zeros(), Grads::<M>::zeroed());
/// grads.weight.fill(2.0);
/// let mut opt: RmsProp<f64, Grads<M>> = RmsProp::zeroed().lr(0.1).alpha(0.75);
/// opt.step(&mut model, &grads); // s = 0.25·4 = 1, p = -0.1·2/1
/// assert!((model.weight[[0, 0]] + 0.2).abs() < 1e-6);
/// ```
pub type RmsProp<T, S> = Optim<T, RmsPropRule<T, S>>;

/// The update rule, `α`, `ε` and running average of [`RmsProp`].
#[derive(Clone, Debug, PartialEq)]
pub struct RmsPropRule<T, S> {
    alpha: T,
    eps: T,
    mean_sq: S,
}

impl<T: Real, S> RmsProp<T, S> {
    /// RMSProp with the default configuration, keeping its running average in `mean_sq` —
    /// normally a zeroed value of the model's type, e.g. a `&'static mut M` from a zeroed static.
    pub fn new(mean_sq: S) -> Self {
        let rule = RmsPropRule {
            alpha: T::from_f64(0.99),
            eps: T::from_f64(1e-8),
            mean_sq,
        };
        Optim::with_rule(Hyper::new(T::from_f64(1e-2)), rule)
    }

    /// Sets the smoothing constant `α` of the running average.
    pub fn alpha(mut self, alpha: T) -> Self {
        self.rule.alpha = alpha;
        self
    }

    /// Sets `ε`, added to `√s` to avoid dividing by zero.
    pub fn eps(mut self, eps: T) -> Self {
        self.rule.eps = eps;
        self
    }

    /// The running average of squared gradients.
    pub fn mean_sq(&self) -> &S {
        &self.rule.mean_sq
    }
}

impl<T: Real, M: Zeroable> RmsProp<T, M> {
    /// RMSProp whose zeroed state is held by value (small models; no heap).
    pub fn zeroed() -> Self {
        Self::new(M::zeroed())
    }
}

#[cfg(feature = "alloc")]
impl<T: Real, M: Zeroable> RmsProp<T, alloc::boxed::Box<M>> {
    /// RMSProp whose zeroed state is on the heap, never on the stack.
    pub fn boxed() -> Self {
        Self::new(crate::boxed_zeroed())
    }
}

impl<T: Real, M: Params<T>, S: BorrowMut<M::Grads>> Rule<T, M> for RmsPropRule<T, S> {
    const STATE: usize = 1;

    fn update(&mut self, hyper: &Hyper<T>, model: &mut M, grads: &M::Grads) {
        let (lr, alpha, eps, wd) = (hyper.lr, self.alpha, self.eps, hyper.weight_decay);
        let one_minus_alpha = T::one() - alpha;
        model.zip_params(grads, [self.mean_sq.borrow_mut()], &mut |p, g, [s]| {
            for ((p, &g), s) in p.iter_mut().zip(g).zip(s) {
                let g = decayed(g, *p, wd);
                *s = alpha * *s + one_minus_alpha * g * g;
                *p -= lr * g / (s.sqrt() + eps);
            }
        });
    }
}
