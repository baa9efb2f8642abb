//! Layers with forward and backward passes, composed into models by tuples.
//!
//! The primary API is in place and heap-free (`shared/DESIGN.md` §6):
//! [`Layer::forward`] writes the output into a caller-owned tensor and keeps what the backward pass
//! needs in the layer's [`Layer::Work`]; [`Layer::backward`] writes `dX` and *accumulates*
//! parameter gradients into a value of the layer's own type (`grads: &mut Self`), so an optimizer
//! only has to walk matching parameter slices ([`Params`]).
//!
//! A tuple of layers is a layer: `(Linear<f32, U784, U128>, ReLU, Linear<f32, U128, U10>)`. Its
//! `Work` holds every intermediate activation and its gradient, so a model's memory need for a
//! given input is a compile-time constant ([`work_bytes`]).

pub mod activation;
mod chain;
pub mod conv;
pub mod flatten;
mod linear;
pub mod loss;
pub mod network;
pub mod pool;
pub mod weights;

pub use activation::*;
pub use conv::*;
pub use flatten::*;
pub use linear::Linear;
pub use loss::*;
#[cfg(feature = "alloc")]
pub use network::*;
pub use pool::*;

use crate::scalar::Zeroable;

/// A differentiable function of an input `X` (a tensor, usually `(batch, ..)`-shaped).
///
/// Layers accept any input dims and check them, so a wrong chain reads
/// `shape error (Linear input features): got 864, expected 400`.
pub trait Layer<X> {
    /// The output type, computed from the layer and input types.
    type Output: Zeroable;
    /// What forward keeps for backward, plus any scratch space. Zeroed before first use.
    type Work: Zeroable;

    /// `y = f(x)`; stores what backward needs in `work`.
    fn forward(&self, x: &X, work: &mut Self::Work, y: &mut Self::Output);

    /// Given `dy = ∂L/∂y` for the `x` of the latest forward (with the same `work`), writes
    /// `dx = ∂L/∂x` (skipped when `None`, e.g. for a model's input) and adds the parameter
    /// gradients to `grads`.
    fn backward(
        &self,
        x: &X,
        work: &mut Self::Work,
        dy: &Self::Output,
        dx: Option<&mut X>,
        grads: &mut Self,
    );

    /// By-value convenience: `f(x)` with a fresh, zeroed workspace, output returned on the stack.
    ///
    /// For small models and tests. In loops, and for anything big, call [`Layer::forward`] with a
    /// workspace you keep (or [`Layer::apply_boxed`]): this builds `Work` and `Output` on the
    /// stack every call.
    ///
    /// ```
    /// use shaped::nn::{Layer, Linear, ReLU};
    /// use shaped::prelude::*;
    /// let mut model = <(Linear<f64, U2, U1>, ReLU)>::zeroed();
    /// model.0.weight = tensor([[1.0], [-2.0]]);
    /// let y = model.apply(&tensor([[3.0, 1.0], [1.0, 1.0]]));
    /// assert_eq!(y, tensor([[1.0], [0.0]])); // relu(3 - 2), relu(1 - 2)
    /// ```
    fn apply(&self, x: &X) -> Self::Output {
        let (mut work, mut y) = (Self::Work::zeroed(), Self::Output::zeroed());
        self.forward(x, &mut work, &mut y);
        y
    }

    /// Like [`Layer::apply`], with the workspace and the output on the heap (never on the stack).
    #[cfg(feature = "alloc")]
    fn apply_boxed(&self, x: &X) -> alloc::boxed::Box<Self::Output> {
        let mut work = crate::boxed_zeroed::<Self::Work>();
        let mut y = crate::boxed_zeroed::<Self::Output>();
        self.forward(x, &mut work, &mut y);
        y
    }
}

/// A layer's or model's trainable parameters, visited as flat slices in a fixed order.
///
/// Gradients and optimizer state have the model's own type, so walking them in lockstep with
/// [`Params::zip_params`] is all an optimizer needs.
pub trait Params<T> {
    /// Number of trainable scalars, a compile-time constant.
    const PARAMS: usize;
    /// Bytes of parameter storage.
    const PARAM_BYTES: usize = Self::PARAMS * core::mem::size_of::<T>();

    /// Calls `f` on each parameter tensor's elements, in a fixed order.
    fn visit(&self, f: &mut impl FnMut(&[T]));

    /// Calls `f` on each parameter tensor's elements, mutably, in the same order.
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T]));

    /// Walks `self`, `grads` and `N` state values of the same type in lockstep: for each parameter
    /// tensor, `f(param, grad, [state_0, .., state_N-1])`.
    fn zip_params<const N: usize>(
        &mut self,
        grads: &Self,
        state: [&mut Self; N],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; N]),
    );

    /// Initialises the parameters (weights by `scheme`, biases to zero), reproducibly from `rng`.
    /// Layers without parameters keep the default, which does nothing.
    fn init(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
    where
        T: crate::Real,
    {
        let _ = (scheme, rng);
    }

    /// Sets every parameter to zero (used to clear gradients).
    fn zero(&mut self)
    where
        T: crate::Scalar,
    {
        self.visit_mut(&mut |p| p.fill(T::zero()))
    }
}

/// Bytes of the workspace model `M` needs for input `X` (activations, caches, their gradients).
pub const fn work_bytes<M: Layer<X>, X>() -> usize {
    core::mem::size_of::<M::Work>()
}

/// Implements [`Params`] for a type without parameters.
#[allow(unused_macros)]
macro_rules! no_params {
    ($($t:ty),*) => {$(
        impl<T> $crate::nn::Params<T> for $t {
            const PARAMS: usize = 0;
            fn visit(&self, _: &mut impl FnMut(&[T])) {}
            fn visit_mut(&mut self, _: &mut impl FnMut(&mut [T])) {}
            fn zip_params<const N: usize>(
                &mut self,
                _: &Self,
                _: [&mut Self; N],
                _: &mut impl FnMut(&mut [T], &[T], [&mut [T]; N]),
            ) {
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use no_params;
