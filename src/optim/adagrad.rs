//! AdaGrad: per-parameter step sizes from the sum of squared gradients.

use core::borrow::BorrowMut;

use super::{Optimizer, decayed};
use crate::nn::Params;
use crate::{Real, Zeroable};

/// AdaGrad, as PyTorch's `Adagrad` (no learning-rate decay, zero initial accumulator):
/// `s += g²`, `p −= lr·g / (√s + ε)`, where `g` includes L2 weight decay (`g + wd·p`).
///
/// Defaults (PyTorch's): `lr = 1e-2`, `eps = 1e-10`, `weight_decay = 0`. The sum `s` has the
/// model's type; `S` is what holds it (see the [module docs](super)).
///
/// ```
/// use shaped::nn::Linear;
/// use shaped::optim::{AdaGrad, Optimizer};
/// use shaped::prelude::*;
/// type M = Linear<f64, U1, U1>;
/// let (mut model, mut grads) = (M::zeros(), M::zeros());
/// grads.weight.fill(3.0);
/// let mut opt: AdaGrad<f64, M> = AdaGrad::zeroed().lr(0.5);
/// opt.step(&mut model, &grads); // s = 9, p = -0.5·3/3
/// assert!((model.weight[[0, 0]] + 0.5).abs() < 1e-9);
/// ```
#[derive(Clone, Debug)]
pub struct AdaGrad<T, S> {
    lr: T,
    eps: T,
    weight_decay: T,
    sum_sq: S,
}

impl<T: Real, S> AdaGrad<T, S> {
    /// AdaGrad with the default configuration, keeping its sum of squares in `sum_sq` — normally
    /// a zeroed value of the model's type, e.g. a `&'static mut M` from a zeroed static.
    pub fn new(sum_sq: S) -> Self {
        AdaGrad {
            lr: T::from_f64(1e-2),
            eps: T::from_f64(1e-10),
            weight_decay: T::zero(),
            sum_sq,
        }
    }

    /// Sets the learning rate.
    pub fn lr(mut self, lr: T) -> Self {
        self.lr = lr;
        self
    }

    /// Sets `ε`, added to `√s` to avoid dividing by zero.
    pub fn eps(mut self, eps: T) -> Self {
        self.eps = eps;
        self
    }

    /// Sets the L2 weight decay `wd`, added to the gradient as `wd·p`.
    pub fn weight_decay(mut self, wd: T) -> Self {
        self.weight_decay = wd;
        self
    }

    /// The current learning rate.
    pub fn learning_rate(&self) -> T {
        self.lr
    }

    /// Changes the learning rate between steps (schedules).
    pub fn set_learning_rate(&mut self, lr: T) {
        self.lr = lr;
    }

    /// The accumulated squared gradients.
    pub fn sum_sq(&self) -> &S {
        &self.sum_sq
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

impl<T: Real, M: Params<T>, S: BorrowMut<M::Grads>> Optimizer<T, M> for AdaGrad<T, S> {
    const STATE: usize = 1;

    fn step(&mut self, model: &mut M, grads: &M::Grads) {
        let (lr, eps, wd) = (self.lr, self.eps, self.weight_decay);
        model.zip_params(grads, [self.sum_sq.borrow_mut()], &mut |p, g, [s]| {
            for ((p, &g), s) in p.iter_mut().zip(g).zip(s) {
                let g = decayed(g, *p, wd);
                *s += g * g;
                *p -= lr * g / (s.sqrt() + eps);
            }
        });
    }
}
