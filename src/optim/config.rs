//! The configuration every optimizer shares, with its one set of builders.
//!
//! Each optimizer is an [`Optim`]: the shared [`Hyper`]-parameters (learning rate, weight decay)
//! plus a [`Rule`] that holds the optimizer's own knobs and state and does the update. `Sgd`,
//! `Adam`, ... are type aliases of `Optim` with their rule, so `lr`, `weight_decay`,
//! `learning_rate` and `set_learning_rate` are written once, here, and a rule of your own gets them
//! too.

use super::{LearningRate, Optimizer};
use crate::Real;

/// Hyper-parameters shared by every optimizer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hyper<T> {
    /// Learning rate.
    pub lr: T,
    /// Weight decay `wd`: L2, added to the gradient as `wd·p`, unless the rule decouples it
    /// (AdamW).
    pub weight_decay: T,
}

impl<T: Real> Hyper<T> {
    /// Learning rate `lr` and no weight decay.
    pub fn new(lr: T) -> Self {
        Hyper {
            lr,
            weight_decay: T::zero(),
        }
    }
}

/// The update of one optimizer, given the shared hyper-parameters: what makes SGD, Adam, ...
/// different from each other.
pub trait Rule<T, M: crate::nn::Params<T>> {
    /// How many values of the gradient type the rule keeps as state (see [`Optimizer::STATE`]).
    const STATE: usize;
    /// Updates `model` from `grads` (its [`Module::Grads`](crate::nn::Module::Grads)). Does not
    /// clear `grads`.
    fn update(&mut self, hyper: &Hyper<T>, model: &mut M, grads: &M::Grads);
}

/// An optimizer: shared hyper-parameters plus an update rule `R`.
///
/// The builders here work on every optimizer; each optimizer's own knobs (`momentum`, `betas`,
/// ...) are on its alias ([`Sgd`](super::Sgd), [`Adam`](super::Adam), ...).
///
/// ```
/// use shaped::optim::{Adam, Hyper, Sgd};
/// use shaped::prelude::*;
/// type M = shaped::nn::Linear<f32, U2, U1>;
///
/// let mut sgd = Sgd::new().lr(0.1).weight_decay(1e-4);
/// let adam: Adam<f32, M> = Adam::zeroed().lr(0.1).weight_decay(1e-4).betas(0.8, 0.99);
/// assert_eq!(sgd.hyper(), adam.hyper());
/// sgd.set_learning_rate(0.05);
/// assert_eq!(*sgd.hyper(), Hyper { lr: 0.05, weight_decay: 1e-4 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Optim<T, R> {
    pub(super) hyper: Hyper<T>,
    pub(super) rule: R,
}

impl<T: Real, R> Optim<T, R> {
    /// An optimizer from its hyper-parameters and update rule (the aliases' constructors fill in
    /// PyTorch's defaults).
    pub fn with_rule(hyper: Hyper<T>, rule: R) -> Self {
        Optim { hyper, rule }
    }

    /// Sets the learning rate.
    pub fn lr(mut self, lr: T) -> Self {
        self.hyper.lr = lr;
        self
    }

    /// Sets the weight decay `wd`: L2, added to the gradient as `wd·p` (AdamW: see
    /// [`decoupled_weight_decay`](Optim::decoupled_weight_decay)).
    pub fn weight_decay(mut self, wd: T) -> Self {
        self.hyper.weight_decay = wd;
        self
    }

    /// The current learning rate.
    pub fn learning_rate(&self) -> T {
        self.hyper.lr
    }

    /// Changes the learning rate between steps (schedules).
    pub fn set_learning_rate(&mut self, lr: T) {
        self.hyper.lr = lr;
    }

    /// The shared hyper-parameters.
    pub fn hyper(&self) -> &Hyper<T> {
        &self.hyper
    }

    /// The update rule, with the optimizer's own knobs and state.
    pub fn rule(&self) -> &R {
        &self.rule
    }
}

impl<T: Real, R> LearningRate<T> for Optim<T, R> {
    fn learning_rate(&self) -> T {
        self.hyper.lr
    }

    fn set_learning_rate(&mut self, lr: T) {
        self.hyper.lr = lr;
    }
}

/// Only for models with something to train ([`HasTrainable`](crate::nn::HasTrainable)):
/// stepping a model that is frozen throughout is a compile error, not a silent no-op.
impl<T: Real, M: crate::nn::Params<T>, R: Rule<T, M>> Optimizer<T, M> for Optim<T, R>
where
    M::Trainable: crate::nn::HasTrainable,
{
    const STATE: usize = R::STATE;

    fn step(&mut self, model: &mut M, grads: &M::Grads) {
        self.rule.update(&self.hyper, model, grads);
    }
}
