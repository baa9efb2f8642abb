//! # shaped
//!
//! Compile-time shaped tensors and neural networks on stable Rust, without a heap.
//!
//! Every dimension is a type (a typenum unsigned integer), so the compiler checks every shape rule:
//! matmul inner dims, the transposed products of the backward pass, reshape counts, layer chains.
//! A mistake fails at `cargo check` with a message that names the rule and prints the dims in
//! decimal.
//!
//! ## A short tour
//!
//! ```
//! use shaped::prelude::*;
//!
//! // Shapes are inferred from array literals, or named with typenum dims.
//! let x = tensor([[2., 4.], [2., 1.], [4., 3.]]);            // (3, 2)
//! let w = tensor([[1., 2., 3.], [1., 4., 6.]]);              // (2, 3)
//! let b: Tensor1<f64, U3> = Tensor::full(2.0);
//!
//! let mut y = x.matmul(&w);                                  // (3, 2)·(2, 3) -> (3, 3)
//! y.add_row(&b);                                             // bias broadcast over the batch
//! assert_eq!(y, tensor([[8., 22., 32.], [5., 10., 14.], [9., 22., 32.]]));
//!
//! // Backward of y = x·w + b: the types force dW to come out exactly as w's (2, 3).
//! let dy = Tensor2::<f64, U3, U3>::ones();
//! let dw: Tensor2<f64, U2, U3> = x.t_matmul(&dy);            // Xᵀ·dY
//! let dx: Tensor2<f64, U3, U2> = dy.matmul_t(&w);            // dY·Wᵀ
//! let db: Tensor1<f64, U3> = dy.sum_rows();                  // Σ rows of dY
//! # let _ = (dw, dx, db);
//! ```
//!
//! ## Reading a shape error
//!
//! `x.matmul(&x)` on the `(3, 2)` matrix above does not compile:
//!
//! ```text
//! error[E0277]: shape error (matmul inner dimension): left has 2 columns, right has 3 rows
//! ```
//!
//! The part in parentheses names the rule ([`shape::rules`] lists them all), then come the two
//! dims in decimal. The notes below it show the chain of traits that carried the check and can be
//! skipped. Your own layers declare their rules with [`shape_rule!`] and read the same way.
//!
//! Limits (rustc's, see `docs/decisions.md`): a model is a tuple of at most 16 layers (nest tuples
//! for more: `((L0, .., L15), L16)`; a longer tuple reads `shape error (chain length)`), and an
//! output buffer of the wrong type is a plain type mismatch (`expected B1, found B0`), so take
//! buffer types from the model (`<M as Infer<X>>::Output::zeroed()`) or let inference pick them.
//!
//! ## Layers and training
//!
//! A model is a tuple of layers (or a struct with `#[derive(Params)]`); its parameter count, its
//! gradient type and every buffer it needs are fixed by the types. Two contracts: [`nn::Infer`]
//! (evaluation, no caches) and [`nn::Train`] (a forward pass that keeps what backward needs, in
//! the caller's [`nn::Mode`], and the backward pass). The in-place API below is the one embedded
//! code uses (put the values in statics instead of on the stack); [`nn::Network`] wraps it with
//! heap buffers for programs on a PC.
//!
//! ```
//! use shaped::prelude::*;
//! use shaped::nn::{Ctx, Grads, Loss, SoftmaxCrossEntropy};
//! use shaped::optim::{Adam, Optimizer};
//!
//! type Mlp = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
//! type X = Tensor2<f32, U2, U4>;
//! const _: () = assert!(<Mlp as Params<f32>>::PARAMS == 4 * 8 + 8 + 8 * 3 + 3);
//!
//! let mut model = Mlp::zeroed();
//! model.init(shaped::init::Scheme::HeUniform, &mut shaped::rand::Rng::new(1));
//! let (mut grads, mut cache) = (Grads::<Mlp>::zeroed(), <Mlp as Train<X>>::Cache::zeroed());
//! let mut adam: Adam<f32, Grads<Mlp>> = Adam::zeroed().lr(0.05);
//! let x: X = tensor([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -1.0, 0.5]]);
//! let labels = tensor([2usize, 0]);
//! let (mut logits, mut dlogits) = (Tensor2::zeros(), Tensor2::zeros());
//! let mut ctx = Ctx::train(7);
//! let mut losses = [0.0; 20];
//! for loss in &mut losses {
//!     model.forward(&x, ctx, &mut cache, &mut logits);
//!     *loss = SoftmaxCrossEntropy.loss_and_grad(&logits, &labels, &mut dlogits);
//!     grads.zero();
//!     model.backward(&x, &mut cache, &dlogits, None, Some(&mut grads));
//!     adam.step(&mut model, &grads);
//!     ctx.next_step();
//! }
//! assert!(losses[19] < losses[0] / 10.0);
//! // Inference needs no cache: only the largest pair of consecutive activations.
//! let y = model.apply(&x);
//! assert_eq!(y.argmax_rows(), labels);
//! ```
//!
//! Every backward pass is tested against central differences ([`gradcheck`] is public, for your
//! own layers too).
//!
//! ## Memory
//!
//! Tensors are plain inline arrays. The `boxed_*` constructors (feature `alloc`),
//! [`boxed_zeroed`] and [`boxed_zeroed_aligned`] (64-byte aligned, for the kernels) build big
//! values directly on the heap; in `no_std` code, put them in statics ([`mem::Static`]).
//!
//! ## Features
//! - `data` (default): `std`, plus the [`data`] module's file reading (IDX, gzip), datasets,
//!   batches and splits ([`data::metrics`] works without any feature).
//! - `std` (default): `alloc`, std's float math, run-time CPU detection for the kernels.
//! - `alloc`: boxed constructors ([`boxed_zeroed`], [`boxed_zeroed_aligned`], `Tensor::boxed_*`)
//!   and [`nn::Network`].
//! - `libm`: float math without std.
//! - `threads` (off by default): `std`, plus `nn::DataParallel`, a training step on two cores
//!   (each half of the batch on its own thread).
//!
//! ## Modules
//! [`shape`] (dims, shapes, the shape rules), [`ops`] (tensor operations on [`Tensor`]),
//! [`kernel`] (the matrix-product and convolution kernels), [`nn`] (layers, losses, models, weight files),
//! [`optim`] (optimizers, clipping), [`init`], [`rand`], [`gradcheck`], [`data`].
#![no_std]
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(feature = "alloc")]
mod aligned;
pub mod data;
pub mod gradcheck;
pub mod graph;
pub mod guide;
pub mod init;
pub mod kernel;
pub mod mem;
pub mod nn;
pub mod ops;
pub mod optim;
pub mod quant;
pub mod rand;
mod scalar;
pub mod shape;
mod tensor;
pub mod train;

#[cfg(feature = "alloc")]
pub use aligned::{Aligned, boxed_zeroed_aligned};
pub use scalar::{Element, Pod, Real, Scalar, Zeroable};
/// Derives [`nn::Params`] (and [`nn::Module`], and the gradient struct `{Name}Grads`) for a layer
/// or model struct: `#[param]` trainable tensors, `#[state]` saved non-trainable tensors,
/// `#[skip]` markers and configuration; every other field is a sub-model.
pub use shaped_derive::Params;
pub use shaped_derive::{Pod, Zeroable};

/// What the public macros expand to; not an API.
#[doc(hidden)]
pub mod __private {
    pub use shaped_derive::shape_rule;
}
#[cfg(feature = "alloc")]
pub use tensor::boxed_zeroed;
pub use tensor::{IntoTensor, LengthError, Tensor, Tensor1, Tensor2, Tensor3, Tensor4, tensor};

/// What a first program needs, and nothing it would have to disambiguate.
///
/// - tensors, shapes and the typenum dims (`U784`), with the traits their methods come from;
/// - the layer contracts ([`Infer`](crate::nn::Infer), [`Train`](crate::nn::Train),
///   [`Module`](crate::nn::Module), [`Params`](crate::nn::Params),
///   [`Tensors`](crate::nn::Tensors)) and the common layers, so `model.infer(..)`,
///   `model.forward(..)`, `model.init(..)` and `grads.zero()` resolve;
/// - what one training step names: [`Ctx`](crate::nn::Ctx) and [`Mode`](crate::nn::Mode),
///   [`Grads`](crate::nn::Grads), the initialisation [`Scheme`](crate::init::Scheme) and the
///   [`Rng`](crate::rand::Rng) it draws from, the [`Loss`](crate::nn::Loss) trait with the two
///   losses most models start with ([`Mse`](struct@crate::nn::Mse),
///   [`SoftmaxCrossEntropy`](struct@crate::nn::SoftmaxCrossEntropy)), and the
///   [`Optimizer`](crate::optim::Optimizer) trait with [`Sgd`](crate::optim::Sgd) and
///   [`Adam`](crate::optim::Adam).
///
/// Everything else (other losses and optimizers, schedules, data, weight files) is imported from
/// its module, so a glob import of the prelude stays small enough not to clash with user names.
pub mod prelude {
    pub use crate::init::Scheme;
    pub use crate::nn::{
        Conv2d, Ctx, Flatten, Frozen, Grads, Infer, Linear, Loss, MaxPool2d, Mode, Module, Mse,
        Params, ReLU, Sigmoid, Softmax, SoftmaxCrossEntropy, Tanh, Tensors, Train,
    };
    pub use crate::optim::{Adam, Optimizer, Sgd};
    pub use crate::rand::Rng;
    pub use crate::scalar::{Real, Scalar, Zeroable};
    pub use crate::shape::{Dim, Prod3, Prod4, Shape};
    pub use crate::tensor::{Tensor, Tensor1, Tensor2, Tensor3, Tensor4, tensor};
    pub use typenum::consts::*;
    pub use typenum::{Prod, Unsigned, op};
}
