//! # Without a heap: statics and memory known at compile time
//!
//! With `default-features = false` (add `libm` for float layers) nothing in the library needs an
//! allocator. Every buffer has a type, so its size is a constant:
//!
//! - [`mem::infer_bytes`](crate::mem::infer_bytes): input, output and the inference scratch.
//!   A chain's scratch holds only the largest pair of consecutive activations (each layer reads
//!   its input at one end of one buffer and writes its output at the other) plus the largest
//!   layer scratch — not every activation.
//! - [`mem::train_bytes`](crate::mem::train_bytes): model, gradients, optimizer state, training
//!   cache, input, output and output gradient. [`Frozen`](crate::nn::Frozen) parts have no
//!   gradients and no optimizer state.
//!
//! Put each buffer in a [`mem::Static`](crate::mem::Static): zeroed `.bss`, handed out once as
//! `&'static mut`, no `unsafe` in your code. Weights trained elsewhere load from a byte slice
//! (`include_bytes!`) with [`nn::weights::load_from_slice`](crate::nn::weights::load_from_slice).
//!
//! ```
//! use shaped::mem::{self, Static};
//! use shaped::nn::{Ctx, Grads};
//! use shaped::prelude::*;
//!
//! type Model = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
//! type X = Tensor2<f32, U1, U4>;
//! type Scratch = <Model as Infer<X>>::Scratch;
//!
//! static MODEL: Static<Model> = Static::zeroed();
//! static SCRATCH: Static<Scratch> = Static::zeroed();
//! // A budget check at compile time: fails to build if the model outgrows it.
//! const _: () = assert!(mem::infer_bytes::<Model, X>() + size_of::<Model>() <= 1024);
//!
//! let (model, scratch) = (MODEL.take().unwrap(), SCRATCH.take().unwrap());
//! model.init(shaped::init::Scheme::HeUniform, &mut Rng::new(1));
//! let x: X = tensor([[0.5, -1.0, 0.25, 2.0]]);
//! let mut y = Tensor2::<f32, U1, U3>::zeros();
//! model.infer(&x, scratch, &mut y);
//! // Training the same model on the device needs its cache and gradients too.
//! assert!(mem::train_bytes::<f32, Model, X, Adam<f32, Grads<Model>>>() > mem::infer_bytes::<Model, X>());
//! # let _ = Ctx::eval();
//! ```
