//! Recurrent layers (the conventions: [`crate::guide::recurrent`]).

mod gru;
mod last;
mod lstm;
mod rules;
mod seq_loss;
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
pub use time_linear::{TimeDistributed, TimeDistributedGrads};
