//! Training practice: the decisions around the optimizer's steps.
//!
//! - **Before training**: standardise the inputs with statistics of the training set only
//!   ([`data::standardize`](crate::data::standardize)); pick hyper-parameters by
//!   [`RandomSearch`], the learning rate on a log scale ([`Range::log`]).
//! - **Each epoch**: set the learning rate from a [`Schedule`] ([`StepDecay`], [`Exponential`],
//!   [`InverseTime`], [`Cosine`], [`Warmup`]) on any optimizer, run the epoch, measure the dev
//!   metric and ask [`EarlyStopping`] whether to go on (keep the weights of its best epoch).
//! - **After training**: compare train, train-dev, dev and test errors with [`Errors::diagnose`]
//!   to see whether bias, variance or data mismatch limits the model, and what to try next.
//!
//! Everything here is `no_std` and uses no heap. Schedules, search and standardisation need
//! float math (feature `std` or `libm`).
//!
//! ```
//! use shaped::nn::Grads;
//! use shaped::optim::{Optimizer, Sgd};
//! use shaped::prelude::*;
//! use shaped::train::{Cosine, Decision, EarlyStopping, Errors, Goal, Problem, Schedule, Warmup};
//! type M = shaped::nn::Linear<f64, U1, U1>;
//!
//! let (mut model, mut grads) = (M::zeros(), Grads::<M>::zeroed());
//! let mut opt = Sgd::new();
//! let schedule = Warmup::new(2, Cosine::new(0.1, 1e-3, 30)?);
//! let mut stop = EarlyStopping::new(Goal::Minimize, 3, 1e-4)?;
//! let target = 3.0; // fit w = 3 on the loss (w - 3)²
//! for epoch in 0..100 {
//!     schedule.apply(&mut opt, epoch);
//!     let w = model.weight[[0, 0]];
//!     grads.weight.fill(2.0 * (w - target)); // stand-in for an epoch of backward passes
//!     opt.step(&mut model, &grads);
//!     let dev_loss = (model.weight[[0, 0]] - target).powi(2);
//!     if stop.update(dev_loss) == Decision::Stop {
//!         break;
//!     }
//! }
//! let best = stop.best().expect("finite losses");
//! assert!(best.metric < 1e-2 && stop.epochs() < 100);
//!
//! let errors = Errors { train: 0.01, train_dev: 0.015, dev: 0.06, test: None, bayes: None };
//! assert_eq!(errors.diagnose()?.problem(), Problem::DataMismatch);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod diagnosis;
mod early_stop;
mod goal;
#[cfg(any(feature = "std", feature = "libm"))]
mod schedule;
#[cfg(any(feature = "std", feature = "libm"))]
mod search;

pub use diagnosis::{Diagnosis, ErrorRateError, Errors, Problem};
pub use early_stop::{Best, Decision, EarlyStopping, MinDeltaError};
pub use goal::Goal;
#[cfg(any(feature = "std", feature = "libm"))]
pub use schedule::{Cosine, Exponential, InverseTime, Schedule, ScheduleError, StepDecay, Warmup};
#[cfg(any(feature = "std", feature = "libm"))]
pub use search::{RandomSearch, Range, RangeError, Trial};
