//! Chapters of the user guide: documentation only, no items.
//!
//! - [`own_layer`]: writing your own layer — its parameters, its two contracts, its gradient
//!   check — and using it in models and with optimizers.
//! - [`embedded`]: running and training on a microcontroller without a heap: statics, the memory
//!   constants, inference scratch.
//! - [`graph`]: computation graphs — the lecture's example `f = (x + y)·max(y, z)` with
//!   [`crate::graph`], fan-out, numerical checks, Jacobians.
//! - [`recurrent`]: recurrent networks — `Rnn`, `Lstm`, `Gru`, their conventions (batch-major,
//!   PyTorch's gate orders), per-step losses with masks, truncated BPTT with carried state.

pub mod embedded;
pub mod graph;
pub mod own_layer;
pub mod recurrent;
