//! Recurrent layers over whole sequences, with backpropagation through time (BPTT): [`Rnn`]
//! (tanh), [`Lstm`] and [`Gru`], plus what sequence models need around them: [`LastStep`],
//! [`Linear`](crate::nn::Linear) on every step, a per-step softmax cross-entropy with a mask
//! for padded steps ([`seq_loss`]), and carried state for truncated BPTT ([`State`]).
//!
//! # Conventions
//! - **Batch-major sequences**: inputs `(N, S, D)` (`N` sequences of `S` steps of `D` features),
//!   hidden states `(N, S, H)`; every dim is a type, so the unrolled workspace (`S` steps of
//!   cached gates) has a size known at compile time and lives in the layer's cache, never on a
//!   heap.
//! - **Row vectors**: `h_t = tanh(x_t·W_x + h_{t−1}·W_h + b)` with `W_x: (D, H)`, `W_h: (H, H)`.
//! - **LSTM** gates packed in PyTorch's order **i, f, g, o**: `W_x: (D, 4, H)` and
//!   `W_h: (H, 4, H)`, which are PyTorch's `(D, 4H)` and `(H, 4H)` (transposed) in the same
//!   row-major layout; `c_t = f⊙c_{t−1} + i⊙g`, `h_t = o⊙tanh(c_t)`.
//! - **GRU** gates in PyTorch's order **r, z, n**: `n = tanh(x·W_in + b_in + r⊙(h·W_hn + b_hn))`,
//!   `h_t = (1 − z)⊙n + z⊙h_{t−1}`. One bias per gate, plus PyTorch's second bias `b_hn` for
//!   `n`, where two biases are not equivalent to one (inside `r⊙(..)`).
//! - **Initial states** `h0` (and `c0`) are zero unless set in the cache before the forward
//!   pass ([`State::set_initial`]); backward returns their gradients `dh0` (and `dc0`).
//! - **Per-step gradient norms**: backward records `‖∂L/∂h_t‖` (over the batch) for each step
//!   ([`State::step_norms`]), to watch gradients explode or vanish; clip with
//!   [`clip_grad_norm`](crate::optim::clip_grad_norm) on the gradients.
//!
//! A layer returns every hidden state; follow it with [`LastStep`] for the last one only.
//! Stacking is composition: `(Lstm<f32, U28, U64>, Lstm<f32, U64, U64>, LastStep, Linear<..>)`.
//!
//! # Truncated BPTT
//! Split a long sequence into blocks of `S` steps. After each block, [`State::carry`] makes the
//! final states the initial states of the next block; backward never looks past a block's
//! initial state, so gradients stop at the boundary. [`State::reset`] starts afresh.

mod gru;
mod last;
mod lstm;
mod rules;
pub mod seq_loss;
mod simple;
mod state;
mod steps;
mod time_linear;

pub use gru::{Gru, GruCache, GruGrads};
pub use last::LastStep;
pub use lstm::{Lstm, LstmCache, LstmGrads};
pub use rules::{RecurrentInput, SequenceLength};
pub use seq_loss::StepTargets;
pub use simple::{Rnn, RnnCache, RnnGrads};
pub use state::State;
