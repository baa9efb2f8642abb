//! Optimizers: update a model's parameters from its gradients.
//!
//! Gradients and optimizer state have the model's gradient type `G = Grads<M>` (one tensor per
//! trainable parameter; nothing for frozen layers), so every optimizer works for any
//! `M: Params<T>` by walking trainable parameters, gradients and state in lockstep
//! with [`Params::zip_params`]; none of them sees a shape or needs a heap.
//!
//! | optimizer | state | update (per element, `g` after L2 weight decay `g + wd·p`) |
//! |---|---|---|
//! | [`Sgd`] | none | `p −= lr·g` |
//! | [`Momentum`] | `v` | `v = μv + g`, `p −= lr·v` |
//! | [`Nesterov`] | `v` | `v = μv + g`, `p −= lr·(g + μv)` |
//! | [`AdaGrad`] | `s` | `s += g²`, `p −= lr·g / (√s + ε)` |
//! | [`RmsProp`] | `s` | `s = αs + (1−α)g²`, `p −= lr·g / (√s + ε)` |
//! | [`Adam`] | `m`, `v` | bias-corrected moments, `p −= lr·m̂ / (√v̂ + ε)`; AdamW on request |
//!
//! The formulas and defaults are PyTorch's (`torch.optim`), so a trajectory can be compared step
//! by step. Configuration is builder-style: `Adam::boxed().lr(1e-2).weight_decay(1e-4)`.
//!
//! ## One configuration for all
//! Every optimizer is an [`Optim`]: the shared [`Hyper`]-parameters (learning rate, weight decay)
//! plus a [`Rule`] with the optimizer's own knobs and state; `Sgd`, `Adam`, ... are aliases of
//! `Optim` with their rule. So `lr`, `weight_decay`, `learning_rate` and `set_learning_rate`
//! exist once, and [`LearningRate`] (a supertrait of [`Optimizer`]) lets a schedule drive any
//! optimizer.
//!
//! ## Where the state lives
//! A stateful optimizer is generic over its state holder `S`, anything that lends a `&mut G`
//! ([`BorrowMut<G>`](core::borrow::BorrowMut)):
//! - `G` itself, created zeroed (`Momentum::zeroed()`): small models, no heap;
//! - `&'static mut G` from a zeroed static in `.bss` (`Momentum::new(state)`): embedded, `no_std`;
//! - `Box<G>` from [`boxed_zeroed`](crate::boxed_zeroed) (`Momentum::boxed()`, feature `alloc`):
//!   big models, never built on the stack.
//!
//! [`clip_grad_norm`] rescales gradients to a maximum global L2 norm before a step.
//!
//! ```
//! use shaped::nn::Grads;
//! use shaped::optim::{Adam, Optimizer, clip_grad_norm};
//! use shaped::prelude::*;
//! type Mlp = (Linear<f32, U4, U8>, Linear<f32, U8, U3>);
//!
//! let mut model: Box<Mlp> = shaped::boxed_zeroed();
//! let mut grads: Box<Grads<Mlp>> = shaped::boxed_zeroed();
//! model.init(shaped::init::Scheme::XavierUniform, &mut shaped::rand::Rng::new(0));
//! let mut opt: Adam<f32, Box<Grads<Mlp>>> = Adam::boxed().lr(1e-2);
//!
//! // One step: clear, backward (accumulates into `grads`), clip, update.
//! grads.zero();
//! grads.1.bias.fill(1.0); // stand-in for a backward pass
//! if clip_grad_norm(&mut *grads, 1.0).is_finite() {
//!     opt.step(&mut *model, &*grads);
//! }
//! assert!(model.1.bias.iter().all(|&b| (b + 1e-2).abs() < 1e-6));
//! ```
//!
//! [`Params::zip_params`]: crate::nn::Params::zip_params

mod adagrad;
mod adam;
mod clip;
mod config;
mod momentum;
mod nesterov;
mod rmsprop;
mod sgd;

pub use adagrad::{AdaGrad, AdaGradRule};
pub use adam::{Adam, AdamRule};
pub use clip::{clip_grad_norm, grad_norm};
pub use config::{Hyper, Optim, Rule};
pub use momentum::{Momentum, MomentumRule};
pub use nesterov::{Nesterov, NesterovRule};
pub use rmsprop::{RmsProp, RmsPropRule};
pub use sgd::{Sgd, SgdRule};

/// Reads and changes the learning rate between steps, for any optimizer (schedules).
///
/// Separate from [`Optimizer`] (and its supertrait) because it does not depend on the model type:
/// a schedule can take `&mut impl LearningRate<T>` without naming the model.
pub trait LearningRate<T> {
    /// The current learning rate.
    fn learning_rate(&self) -> T;
    /// Changes the learning rate.
    fn set_learning_rate(&mut self, lr: T);
}

/// Updates the parameters of a model `M` from its gradients (a value of the same type).
/// Updates the trainable parameters of a model `M` from its gradients ([`Module::Grads`]).
///
/// [`Module::Grads`]: crate::nn::Module::Grads
pub trait Optimizer<T, M: crate::nn::Params<T>>: LearningRate<T> {
    /// How many values of the gradient type the optimizer keeps as state (0 for SGD, 1 for
    /// Momentum, 2 for Adam's moments): its memory is `STATE · size_of::<M::Grads>()`.
    const STATE: usize;

    /// One update step. Does not clear `grads`.
    fn step(&mut self, model: &mut M, grads: &M::Grads);
}

/// `g + wd·p`: the gradient with L2 weight decay added, as PyTorch's `weight_decay` does.
#[inline(always)]
fn decayed<T: crate::Real>(g: T, p: T, weight_decay: T) -> T {
    if weight_decay == T::zero() {
        g
    } else {
        g + weight_decay * p
    }
}
