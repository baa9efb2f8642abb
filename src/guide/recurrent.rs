//! Recurrent networks: the layers, their conventions, and truncated BPTT.
//!
//! Recurrent layers over whole sequences, with backpropagation through time (BPTT):
//! [`Rnn`](crate::nn::Rnn) (tanh), [`Lstm`](crate::nn::Lstm) and [`Gru`](crate::nn::Gru), plus
//! what sequence models need around them: [`LastStep`](crate::nn::LastStep),
//! [`TimeDistributed`](crate::nn::TimeDistributed) (a [`Linear`](crate::nn::Linear) on every
//! step), a per-step softmax cross-entropy with a mask for padded steps ([below](#per-step-losses)),
//! and carried state for truncated BPTT ([`State`](crate::nn::State)).
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
//!   pass ([`State::set_initial`](crate::nn::State::set_initial)); backward returns their gradients `dh0` (and `dc0`).
//! - **Per-step gradient norms**: backward records `‖∂L/∂h_t‖` (over the batch) for each step
//!   ([`State::step_norms`](crate::nn::State::step_norms)), to watch gradients explode or vanish; clip with
//!   [`clip_grad_norm`](crate::optim::clip_grad_norm) on the gradients.
//!
//! The unrolled workspace is part of the cache type, so its size is a compile-time constant
//! ([`crate::mem`]):
//!
//! ```
//! use shaped::nn::{Grads, LastStep, Linear, Lstm, LstmCache};
//! use shaped::optim::Adam;
//! use shaped::prelude::*;
//! type Model = (Lstm<f32, U28, U128>, LastStep, Linear<f32, U128, U10>);
//! type X = Tensor3<f32, U32, U28, U28>; // 32 sequences of 28 steps of 28 features
//! const TRAIN: usize = shaped::mem::train_bytes::<f32, Model, X, Adam<f32, Grads<Model>>>();
//! // The LSTM keeps its gates and their gradients for 28 steps × 32 sequences × 4 × 128 units.
//! const GATES: usize = 2 * 28 * 32 * 4 * 128 * size_of::<f32>();
//! assert!(size_of::<LstmCache<f32, U32, U28, U28, U128>>() > GATES);
//! assert!(TRAIN > GATES);
//! ```
//!
//! A layer returns every hidden state; follow it with [`LastStep`](crate::nn::LastStep) for the last one only.
//! Stacking is composition: `(Lstm<f32, U28, U64>, Lstm<f32, U64, U64>, LastStep, Linear<..>)`.
//!
//! # Truncated BPTT
//! Split a long sequence into blocks of `S` steps. After each block, [`State::carry`](crate::nn::State::carry) makes the
//! final states the initial states of the next block; backward never looks past a block's
//! initial state, so gradients stop at the boundary. [`State::reset`](crate::nn::State::reset) starts afresh.
//!
//! # Per-step losses
//! Per-sample losses on every step of a sequence: logits `(N, S, C)` with class targets
//! `(N, S)`, optionally masked by a `(N, S)` mask of the steps that count (padding).
//!
//! Every [`SampleLoss`](crate::nn::SampleLoss) (e.g. [`SoftmaxCrossEntropy`](struct@crate::nn::SoftmaxCrossEntropy)) gets this
//! [`Loss`](crate::nn::Loss) impl. The mean is over the kept steps of all sequences; a masked step adds nothing
//! to the loss or the gradient (its `dy` rows are 0, even if its logits are NaN), so the
//! gradient equals that of the same batch with the masked steps removed. All steps masked: loss
//! 0, gradient 0. A class index `≥ C` makes its step's loss and gradient row NaN, as for the
//! batch losses.
//!
//! ```
//! use shaped::nn::{Loss, Masked, SoftmaxCrossEntropy};
//! use shaped::prelude::*;
//! let logits: Tensor3<f64, U1, U3, U2> = tensor([[[0.0, 0.0], [1.0, -1.0], [5.0, 5.0]]]);
//! let targets = tensor([[0usize, 1, 0]]);
//! let mask = tensor([[true, true, false]]); // the last step is padding
//! let loss = SoftmaxCrossEntropy.loss(&logits, &Masked::new(&targets, &mask));
//! let expect = (2f64.ln() + (1.0 + 2f64.exp()).ln()) / 2.0;
//! assert!((loss - expect).abs() < 1e-12);
//! ```
