//! Plain stochastic gradient descent.

use super::{Optimizer, decayed};
use crate::Real;
use crate::nn::Params;

/// Stochastic gradient descent: `p −= lr·(g + wd·p)`. No state.
///
/// Defaults (PyTorch's): `lr = 1e-3`, `weight_decay = 0`.
///
/// ```
/// use shaped::nn::Linear;
/// use shaped::optim::{Optimizer, Sgd};
/// use shaped::prelude::*;
/// let mut model = Linear::<f64, U1, U1>::zeros();
/// let mut grads = Linear::<f64, U1, U1>::zeros();
/// grads.weight.fill(2.0);
/// let mut opt = Sgd::new().lr(0.1);
/// opt.step(&mut model, &grads);
/// assert!((model.weight[[0, 0]] + 0.2).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd<T> {
    lr: T,
    weight_decay: T,
}

impl<T: Real> Sgd<T> {
    /// SGD with the default configuration.
    pub fn new() -> Self {
        Sgd {
            lr: T::from_f64(1e-3),
            weight_decay: T::zero(),
        }
    }

    /// Sets the learning rate.
    pub fn lr(mut self, lr: T) -> Self {
        self.lr = lr;
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
}

impl<T: Real> Default for Sgd<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, M: Params<T>> Optimizer<T, M> for Sgd<T> {
    const STATE: usize = 0;

    fn step(&mut self, model: &mut M, grads: &M::Grads) {
        let (lr, wd) = (self.lr, self.weight_decay);
        model.zip_params(grads, [], &mut |p, g, []| {
            for (p, &g) in p.iter_mut().zip(g) {
                *p -= lr * decayed(g, *p, wd);
            }
        });
    }
}
