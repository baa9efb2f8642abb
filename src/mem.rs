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

/// A zeroed value in a `static` (`.bss` on embedded targets: no flash, no startup copy), handed
/// out once as `&'static mut T` — firmware keeps models, gradients and workspaces in statics
/// without writing `unsafe`.
///
/// ```
/// use shaped::mem::Static;
/// use shaped::prelude::*;
/// type Model = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
/// static MODEL: Static<Model> = Static::zeroed();
///
/// let model: &'static mut Model = MODEL.take().unwrap();
/// model.0.bias.fill(1.0);
/// assert!(MODEL.take().is_none()); // only one `&mut` ever exists
/// ```
#[cfg(target_has_atomic = "8")]
pub struct Static<T> {
    value: core::cell::UnsafeCell<core::mem::MaybeUninit<T>>,
    taken: core::sync::atomic::AtomicBool,
}

// SAFETY: the value is reachable only through the single `&mut` that `take` hands out, which may
// be sent to another thread if `T` may.
#[cfg(target_has_atomic = "8")]
unsafe impl<T: Send> Sync for Static<T> {}

#[cfg(target_has_atomic = "8")]
impl<T: crate::Zeroable> Static<T> {
    /// All-zero bytes, which `Zeroable` says are a valid `T`; no code runs to create it.
    pub const fn zeroed() -> Self {
        Static {
            value: core::cell::UnsafeCell::new(core::mem::MaybeUninit::zeroed()),
            taken: core::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The value, the first time; `None` afterwards.
    #[allow(
        clippy::mut_from_ref,
        reason = "the `taken` flag makes this the only reference ever handed out"
    )]
    pub fn take(&'static self) -> Option<&'static mut T> {
        use core::sync::atomic::Ordering;
        if self.taken.swap(true, Ordering::AcqRel) {
            return None;
        }
        // SAFETY: zeroed bytes are a valid `T` (`Zeroable`), and the flag makes this the only
        // reference ever created.
        Some(unsafe { (*self.value.get()).assume_init_mut() })
    }
}
