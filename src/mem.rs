//! Memory needs as compile-time constants: what a model takes to run inference on an input, and
//! to train on it. Every buffer of the library has a type, so these are `size_of` sums, exact for
//! the buffers the library allocates (tested against the real buffers).
//!
//! ```
//! use shaped::nn::{Conv2d, Flatten, Grads, Linear, MaxPool2d, ReLU};
//! use shaped::optim::Adam;
//! use shaped::prelude::*;
//! type Cnn = (Conv2d<f32, U1, U4, U3>, ReLU, MaxPool2d<U2>, Flatten, Linear<f32, U676, U10>);
//! type X = Tensor4<f32, U1, U1, U28, U28>;
//! // Inference: input, output and the chain's scratch (the largest pair of consecutive
//! // activations plus the largest layer scratch) — not every activation.
//! const INFER: usize = shaped::mem::infer_bytes::<Cnn, X>();
//! // Training with Adam: parameters, gradients, two moments, every activation and cache.
//! const TRAIN: usize = shaped::mem::train_bytes::<f32, Cnn, X, Adam<f32, Grads<Cnn>>>();
//! assert!(INFER < TRAIN);
//! ```

use crate::nn::{Infer, Module, Train};
use crate::optim::Optimizer;

/// Bytes to run `M` on one input `X` with [`Infer`]: the input, the output and the scratch.
/// Parameters are not counted (on a microcontroller they live in flash): add
/// `size_of::<M>()` for RAM-resident weights.
pub const fn infer_bytes<M: Infer<X>, X>() -> usize {
    size_of::<X>() + size_of::<M::Scratch>() + size_of::<M::Output>()
}

/// Bytes to train `M` on input `X` with optimizer `O` (for its [`Optimizer::STATE`] count):
/// the model, its gradients, `O::STATE` copies of the gradients (the optimizer's moments), the
/// training cache (activations and what backward keeps), the input, the output and the output
/// gradient.
pub const fn train_bytes<T, M, X, O>() -> usize
where
    M: Train<X> + crate::nn::Params<T>,
    O: Optimizer<T, M>,
{
    size_of::<M>()
        + (1 + O::STATE) * size_of::<<M as Module>::Grads>()
        + size_of::<M::Cache>()
        + size_of::<X>()
        + 2 * size_of::<M::Output>()
}
