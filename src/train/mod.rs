//! Training practice: the decisions around the optimizer's steps.
//!
//! - **Each epoch**: set the learning rate from a [`Schedule`] ([`StepDecay`], [`Exponential`],
//!   [`InverseTime`], [`Cosine`], [`Warmup`]) on any optimizer, run the epoch, measure the dev
//!   metric and ask [`EarlyStopping`] whether to go on (keep the weights of its best epoch).
//!
//! Everything here is `no_std` and uses no heap. Schedules need float math (feature `std` or
//! `libm`).

mod early_stop;
mod goal;
#[cfg(any(feature = "std", feature = "libm"))]
mod schedule;

pub use early_stop::{Best, Decision, EarlyStopping, MinDeltaError};
pub use goal::Goal;
#[cfg(any(feature = "std", feature = "libm"))]
pub use schedule::{Cosine, Exponential, InverseTime, Schedule, ScheduleError, StepDecay, Warmup};
