//! Layers with forward and backward passes, composed into models by tuples.
//!
//! Two contracts (see [`layer`]):
//! - [`Infer`]: evaluation. `infer(&self, x, scratch, y)` writes the output into a caller-owned
//!   tensor; nothing is kept, and a chain's scratch is only the largest pair of consecutive
//!   activations plus the largest layer scratch.
//! - [`Train`]: `forward(&mut self, x, ctx, cache, y)` in the caller's [`Mode`], keeping what
//!   backward needs in [`Train::Cache`]; `backward` writes `dX` and *adds* the parameter gradients
//!   into the model's gradient type, [`Module::Grads`].
//!
//! What a model stores — trainable parameters, frozen parameters, state — is walked by name
//! through [`Params`] ([`params`]): `"0.weight"`, `"3.running_mean"`. `#[derive(Params)]` writes it
//! for a struct; [`Frozen`] makes any part non-trainable.
//!
//! A tuple of layers is a layer: `(Linear<f32, U784, U128>, ReLU, Linear<f32, U128, U10>)`. Every
//! buffer has a size fixed by the types ([`crate::mem`]).

pub mod activation;
pub mod batchnorm;
pub mod chain;
pub mod conv;
pub mod dropout;
pub mod embedding;
pub mod flatten;
mod frozen;
pub mod layer;
mod linear;
pub mod loss;
mod name;
pub mod network;
pub mod params;
pub mod pool;
pub mod rnn;
pub mod weights;

pub use activation::*;
pub use batchnorm::{BatchNorm1d, BatchNorm1dGrads, BatchNorm2d, BatchNorm2dGrads, BatchNormCache};
pub use conv::*;
pub use dropout::{Dropout, DropoutCache, DropoutError};
pub use embedding::{Embedding, EmbeddingGrads, IndexError};
pub use flatten::*;
pub use frozen::Frozen;
pub use layer::{Ctx, Infer, Mode, Train};
pub use linear::{Linear, LinearGrads};
pub use loss::*;
pub use name::{Name, Segment};
#[cfg(feature = "alloc")]
pub use network::*;
pub use params::{
    Entry, EntryMut, Kind, Module, Param, Params, Stored, Tensors, Values, ValuesMut,
};
pub use pool::*;
pub use rnn::{
    Gru, GruCache, GruGrads, LastStep, Lstm, LstmCache, LstmGrads, Rnn, RnnCache, RnnGrads, State,
    TimeDistributed, TimeDistributedGrads,
};

/// The gradient type of a model: `Grads<M>` is `<M as Module>::Grads`.
pub type Grads<M> = <M as Module>::Grads;
