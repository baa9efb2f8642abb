//! SGD with (heavy-ball) momentum.

use core::borrow::BorrowMut;

use super::{Hyper, Optim, Rule, decayed};
use crate::nn::Params;
use crate::{Real, Zeroable};

/// SGD with momentum, as PyTorch's `SGD(momentum=μ)`: `v = μv + g`, `p −= lr·v`, where
/// `g` includes L2 weight decay (`g + wd·p`). The first step, from zero velocity, is plain SGD.
///
/// Defaults: `lr = 1e-3`, `momentum = 0.9`, `weight_decay = 0`. The velocity `v` has the model's
/// type; `S` is what holds it (see the [module docs](super)).
///
/// ```
/// use shaped::nn::{Grads, Linear};
/// use shaped::optim::{Momentum, Optimizer};
/// use shaped::prelude::*;
/// type M = Linear<f64, U1, U1>;
/// let (mut model, mut grads) = (M::zeros(), Grads::<M>::zeroed());
/// grads.weight.fill(1.0);
/// let mut opt: Momentum<f64, Grads<M>> = Momentum::zeroed().lr(0.1).momentum(0.5);
/// opt.step(&mut model, &grads); // v = 1,   p = -0.1
/// opt.step(&mut model, &grads); // v = 1.5, p = -0.25
/// assert!((model.weight[[0, 0]] + 0.25).abs() < 1e-12);
/// ```
pub type Momentum<T, S> = Optim<T, MomentumRule<T, S>>;

/// The update rule, momentum factor and velocity of [`Momentum`].
#[derive(Clone, Debug, PartialEq)]
pub struct MomentumRule<T, S> {
    momentum: T,
    velocity: S,
}

impl<T: Real, S> Momentum<T, S> {
    /// Momentum with the default configuration, keeping its velocity in `velocity` — normally a
    /// zeroed value of the model's type, e.g. a `&'static mut M` from a zeroed static.
    pub fn new(velocity: S) -> Self {
        let rule = MomentumRule {
            momentum: T::from_f64(0.9),
            velocity,
        };
        Optim::with_rule(Hyper::new(T::from_f64(1e-3)), rule)
    }

    /// Sets the momentum factor `μ`.
    pub fn momentum(mut self, momentum: T) -> Self {
        self.rule.momentum = momentum;
        self
    }

    /// The velocity buffer.
    pub fn velocity(&self) -> &S {
        &self.rule.velocity
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

impl<T: Real, M: Params<T>, S: BorrowMut<M::Grads>> Rule<T, M> for MomentumRule<T, S> {
    const STATE: usize = 1;

    fn update(&mut self, hyper: &Hyper<T>, model: &mut M, grads: &M::Grads) {
        let (lr, mu, wd) = (hyper.lr, self.momentum, hyper.weight_decay);
        model.zip_params(grads, [self.velocity.borrow_mut()], &mut |p, g, [v]| {
            for ((p, &g), v) in p.iter_mut().zip(g).zip(v) {
                *v = mu * *v + decayed(g, *p, wd);
                *p -= lr * *v;
            }
        });
    }
}
