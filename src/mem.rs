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

pub mod image;

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

/// Fails to compile when running `M` on `X` needs more than `budget` bytes of RAM
/// ([`infer_bytes`]: input, output and scratch; parameters are in flash). Use it in a `const`
/// item, so a model that outgrows its part fails at `cargo build`, naming both numbers in decimal:
///
/// ```
/// use shaped::nn::{Direct, Conv2d, Flatten, Linear, MaxPool2d, ReLU};
/// use shaped::prelude::*;
/// type Model = (Direct<Conv2d<f32, U1, U4, U3>>, MaxPool2d<U2>, ReLU, Flatten, Linear<f32, U676, U10>);
/// type X = Tensor4<f32, U1, U1, U28, U28>;
/// const _: () = shaped::mem::fits::<Model, X>(17 * 1024);
/// ```
///
/// With a budget of 8 KB the same item reads `error[E0080]: ... memory budget exceeded: inference
/// needs 16696 bytes (input 3136, scratch 13520, output 40), the budget is 8192 bytes` (the notes
/// below it show the call with the types spelled out, and can be skipped).
pub const fn fits<M: Infer<X>, X>(budget: usize) {
    let (x, s, y) = (
        size_of::<X>(),
        size_of::<M::Scratch>(),
        size_of::<M::Output>(),
    );
    let need = x + s + y;
    if need > budget {
        let mut msg = Message::new();
        msg.push("memory budget exceeded: inference needs ");
        msg.num(need);
        msg.push(" bytes (input ");
        msg.num(x);
        msg.push(", scratch ");
        msg.num(s);
        msg.push(", output ");
        msg.num(y);
        msg.push("), the budget is ");
        msg.num(budget);
        msg.push(" bytes");
        panic!("{}", msg.as_str());
    }
}

/// Fails to compile when `need` bytes exceed `budget`, naming both in decimal, with `what`
/// saying what needs them: the building block of [`fits`], for sums of your own (weights kept in
/// RAM, [`train_bytes`]).
///
/// ```
/// use shaped::prelude::*;
/// type Mlp = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
/// const _: () = shaped::mem::within("the MLP's weights", size_of::<Mlp>(), 1024);
/// ```
pub const fn within(what: &str, need: usize, budget: usize) {
    if need > budget {
        let mut msg = Message::new();
        msg.push("memory budget exceeded: ");
        msg.push(what);
        msg.push(" needs ");
        msg.num(need);
        msg.push(" bytes, the budget is ");
        msg.num(budget);
        msg.push(" bytes");
        panic!("{}", msg.as_str());
    }
}

/// A short message built in a `const fn` (const panics take a `&str`, not format arguments).
struct Message {
    buf: [u8; 256],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message {
            buf: [0; 256],
            len: 0,
        }
    }

    /// Appends `s`, cut at the buffer's end (on a character boundary: only whole strings or
    /// ASCII digits are appended, and a cut string is dropped whole).
    const fn push(&mut self, s: &str) {
        let b = s.as_bytes();
        if self.len + b.len() > self.buf.len() {
            return;
        }
        let mut i = 0;
        while i < b.len() {
            self.buf[self.len + i] = b[i];
            i += 1;
        }
        self.len += b.len();
    }

    /// Appends `n` in decimal.
    const fn num(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut k = digits.len();
        loop {
            k -= 1;
            digits[k] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while k < digits.len() && self.len < self.buf.len() {
            self.buf[self.len] = digits[k];
            self.len += 1;
            k += 1;
        }
    }

    const fn as_str(&self) -> &str {
        let (bytes, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => "memory budget exceeded",
        }
    }
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
