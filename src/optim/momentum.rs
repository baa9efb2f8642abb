//! SGD with (heavy-ball) momentum.

use core::borrow::BorrowMut;

use super::{Optimizer, decayed};
use crate::nn::Params;
use crate::{Real, Zeroable};

/// SGD with momentum, as PyTorch's `SGD(momentum=μ)`: `v = μv + g`, `p −= lr·v`, where
/// `g` includes L2 weight decay (`g + wd·p`). The first step, from zero velocity, is plain SGD.
///
/// Defaults: `lr = 1e-3`, `momentum = 0.9`, `weight_decay = 0`. The velocity `v` has the model's
/// type; `S` is what holds it (see the [module docs](super)).
///
/// ```
/// use shaped::nn::Linear;
/// use shaped::optim::{Momentum, Optimizer};
/// use shaped::prelude::*;
/// type M = Linear<f64, U1, U1>;
/// let (mut model, mut grads) = (M::zeros(), M::zeros());
/// grads.weight.fill(1.0);
/// let mut opt: Momentum<f64, M> = Momentum::zeroed().lr(0.1).momentum(0.5);
/// opt.step(&mut model, &grads); // v = 1,   p = -0.1
/// opt.step(&mut model, &grads); // v = 1.5, p = -0.25
/// assert!((model.weight[[0, 0]] + 0.25).abs() < 1e-12);
/// ```
#[derive(Clone, Debug)]
pub struct Momentum<T, S> {
    lr: T,
    momentum: T,
    weight_decay: T,
    velocity: S,
}

impl<T: Real, S> Momentum<T, S> {
    /// Momentum with the default configuration, keeping its velocity in `velocity` — normally a
    /// zeroed value of the model's type, e.g. a `&'static mut M` from a zeroed static.
    pub fn new(velocity: S) -> Self {
        Momentum {
            lr: T::from_f64(1e-3),
            momentum: T::from_f64(0.9),
            weight_decay: T::zero(),
            velocity,
        }
    }

    /// Sets the learning rate.
    pub fn lr(mut self, lr: T) -> Self {
        self.lr = lr;
        self
    }

    /// Sets the momentum factor `μ`.
    pub fn momentum(mut self, momentum: T) -> Self {
        self.momentum = momentum;
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

    /// The velocity buffer.
    pub fn velocity(&self) -> &S {
        &self.velocity
    }
}

impl<T: Real, M: Zeroable> Momentum<T, M> {
    /// Momentum whose zeroed velocity is held by value (small models; no heap).
    pub fn zeroed() -> Self {
        Self::new(M::zeroed())
    }
}

#[cfg(feature = "alloc")]
impl<T: Real, M: Zeroable> Momentum<T, alloc::boxed::Box<M>> {
    /// Momentum whose zeroed velocity is on the heap, never on the stack.
    pub fn boxed() -> Self {
        Self::new(crate::boxed_zeroed())
    }
}

impl<T: Real, M: Params<T>, S: BorrowMut<M::Grads>> Optimizer<T, M> for Momentum<T, S> {
    const STATE: usize = 1;

    fn step(&mut self, model: &mut M, grads: &M::Grads) {
        let (lr, mu, wd) = (self.lr, self.momentum, self.weight_decay);
        model.zip_params(grads, [self.velocity.borrow_mut()], &mut |p, g, [v]| {
            for ((p, &g), v) in p.iter_mut().zip(g).zip(v) {
                *v = mu * *v + decayed(g, *p, wd);
                *p -= lr * *v;
            }
        });
    }
}
