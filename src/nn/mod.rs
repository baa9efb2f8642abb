//! Layers with forward and backward passes, composed into models by tuples.
//!
//! Two contracts:
//! - [`Infer`]: evaluation. `infer(&self, x, scratch, y)` writes the output into a caller-owned
//!   tensor; nothing is kept, and a chain's scratch is only the largest pair of consecutive
//!   activations plus the largest layer scratch.
//! - [`Train`]: `forward(&mut self, x, ctx, cache, y)` in the caller's [`Mode`], keeping what
//!   backward needs in [`Train::Cache`]; `backward` writes `dX` and *adds* the parameter gradients
//!   into the model's gradient type, [`Module::Grads`].
//!
//! What a model stores — trainable parameters, frozen parameters, state — is walked by name
//! through [`Params`]: `"0.weight"`, `"3.running_mean"`. `#[derive(Params)]` writes it
//! for a struct; [`Frozen`] makes any part non-trainable.
//!
//! Activations ([`ReLU`], [`LeakyReLU`], [`Sigmoid`], [`Tanh`], [`Softmax`] and [`LogSoftmax`] over
//! the last axis) take tensors of any shape. `ReLU` and `LeakyReLU` keep nothing for backward
//! (the derivative is a function of the input's sign); the others keep their output, from which
//! their derivatives are cheap (`y(1 − y)`, `1 − y²`, ...). NaN and infinities propagate through
//! every layer; nothing is clamped or hidden.
//!
//! A tuple of layers is a layer: `(Linear<f32, U784, U128>, ReLU, Linear<f32, U128, U10>)`. Every
//! buffer has a size fixed by the types ([`crate::mem`]).

pub(crate) mod activation;
mod batchnorm;
pub mod chain;
mod conv;
#[cfg(feature = "threads")]
mod data_parallel;
mod dropout;
mod embedding;
mod flatten;
mod frozen;
mod layer;
mod linear;
mod loss;
mod name;
mod network;
pub mod parallel;
mod params;
mod pool;
mod residual;
mod rnn;
pub mod weights;

pub use activation::{LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh};
pub use batchnorm::{BatchNorm1d, BatchNorm1dGrads, BatchNorm2d, BatchNorm2dGrads, BatchNormCache};
pub use conv::{Conv2d, Conv2dSame, ConvGrads, ConvWork, Direct};
#[cfg(feature = "threads")]
pub use data_parallel::{DataParallel, Halves, Replicable};
pub use dropout::{Dropout, DropoutCache, DropoutError};
pub use embedding::{Embedding, EmbeddingGrads, IndexError};
pub use flatten::{Flat, Flatten, FlattenDims};
pub use frozen::Frozen;
pub use layer::{Ctx, Infer, Mode, Train};
pub use linear::{Linear, LinearGrads};
pub use loss::{
    BceWithLogits, ClassError, CrossEntropy, ElementTargets, Loss, Masked, Mse, Nll, Reduction,
    SampleLoss, SampleTargets, SoftmaxCrossEntropy, Target, Unreduced, check_classes,
};
pub use name::{Name, Segment};
#[cfg(feature = "alloc")]
pub use network::Network;
pub use params::{
    Either, Entry, EntryMut, Flag, HasTrainable, Kind, Module, No, Param, Params, Stored, Tensors,
    Values, ValuesMut, Yes,
};
pub use pool::{AvgPool2d, MaxPool2d};
pub use residual::{Residual, ResidualGrads};
pub use rnn::{
    Gru, GruCache, GruGrads, LastStep, Lstm, LstmCache, LstmGrads, RecurrentInput, Rnn, RnnCache,
    RnnGrads, SequenceLength, State, StepTargets, TimeDistributed, TimeDistributedGrads,
};

/// The gradient type of a model: `Grads<M>` is `<M as Module>::Grads`.
pub type Grads<M> = <M as Module>::Grads;
