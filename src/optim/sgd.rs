//! Plain stochastic gradient descent.

use super::{Hyper, Optim, Rule, decayed};
use crate::Real;
use crate::nn::Params;

/// Stochastic gradient descent: `p −= lr·(g + wd·p)`. No state.
///
/// Defaults (PyTorch's): `lr = 1e-3`, `weight_decay = 0`.
///
/// ```
/// use shaped::nn::{Grads, Linear};
/// use shaped::optim::{Optimizer, Sgd};
/// use shaped::prelude::*;
/// let mut model = Linear::<f64, U1, U1>::zeros();
/// let mut grads = Grads::<Linear<f64, U1, U1>>::zeroed();
/// grads.weight.fill(2.0);
/// let mut opt = Sgd::new().lr(0.1);
/// opt.step(&mut model, &grads);
/// assert!((model.weight[[0, 0]] + 0.2).abs() < 1e-12);
/// ```
pub type Sgd<T> = Optim<T, SgdRule>;

/// The update rule of [`Sgd`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SgdRule;

impl<T: Real> Sgd<T> {
    /// SGD with the default configuration.
    pub fn new() -> Self {
        Optim::with_rule(Hyper::new(T::from_f64(1e-3)), SgdRule)
    }
}

impl<T: Real> Default for Sgd<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real, M: Params<T>> Rule<T, M> for SgdRule {
    const STATE: usize = 0;

    fn update(&mut self, hyper: &Hyper<T>, model: &mut M, grads: &M::Grads) {
        let (lr, wd) = (hyper.lr, hyper.weight_decay);
        model.zip_params(grads, [], &mut |p, g, []| {
            for (p, &g) in p.iter_mut().zip(g) {
                *p -= lr * decayed(g, *p, wd);
            }
        });
    }
}
