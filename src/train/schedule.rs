//! Learning-rate schedules: the learning rate as a function of the epoch, set on any optimizer
//! through [`LearningRate`].
//!
//! | schedule | `lr(epoch)` |
//! |---|---|
//! | [`StepDecay`] | `lr0 · γ^⌊epoch / every⌋` |
//! | [`Exponential`] | `lr0 · γ^epoch` |
//! | [`InverseTime`] | `lr0 / (1 + decay · epoch)` |
//! | [`Cosine`] | `floor + (lr0 − floor) · (1 + cos(π · epoch / epochs)) / 2`, then `floor` |
//! | [`Warmup`] | `inner.lr(0) · (epoch + 1) / warmup` for the first epochs, then `inner` |
//!
//! Epochs count from 0. Rates are `f64`; [`Schedule::apply`] converts to the optimizer's type.

use num_traits::Float;

use crate::Real;
use crate::optim::LearningRate;

/// A learning rate per epoch.
pub trait Schedule {
    /// The learning rate for `epoch` (counted from 0).
    fn lr(&self, epoch: usize) -> f64;

    /// Sets `opt`'s learning rate for `epoch` and returns it; call it at the start of each epoch.
    fn apply<T: Real>(&self, opt: &mut impl LearningRate<T>, epoch: usize) -> T
    where
        Self: Sized,
    {
        let lr = T::from_f64(self.lr(epoch));
        opt.set_learning_rate(lr);
        lr
    }
}

/// A schedule parameter out of its range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScheduleError {
    /// Which parameter.
    pub what: &'static str,
    /// Its value.
    pub value: f64,
    /// The range it must be in, in words.
    pub expected: &'static str,
}

impl core::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let ScheduleError {
            what,
            value,
            expected,
        } = self;
        write!(f, "schedule {what} is {value}, must be {expected}")
    }
}

impl core::error::Error for ScheduleError {}

/// `Ok(())` if `ok`, else the error for parameter `what`.
fn check(
    ok: bool,
    what: &'static str,
    value: f64,
    expected: &'static str,
) -> Result<(), ScheduleError> {
    match ok {
        true => Ok(()),
        false => Err(ScheduleError {
            what,
            value,
            expected,
        }),
    }
}

fn check_lr0(lr0: f64) -> Result<(), ScheduleError> {
    check(lr0.is_finite() && lr0 > 0.0, "lr0", lr0, "finite and > 0")
}

fn check_factor(gamma: f64) -> Result<(), ScheduleError> {
    check(gamma > 0.0 && gamma <= 1.0, "factor", gamma, "in (0, 1]")
}

/// `γ^n` by multiplications only, so a rate is the same bits however it was computed.
fn pow(gamma: f64, n: usize) -> f64 {
    crate::scalar::powu(gamma, n as u64)
}

/// Multiplies the rate by `factor` every `every` epochs (PyTorch's `StepLR`).
///
/// ```
/// use shaped::train::{Schedule, StepDecay};
/// let s = StepDecay::new(0.1, 0.5, 10)?;
/// assert_eq!([s.lr(0), s.lr(9), s.lr(10), s.lr(25)], [0.1, 0.1, 0.05, 0.025]);
/// # Ok::<(), shaped::train::ScheduleError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay {
    lr0: f64,
    factor: f64,
    every: usize,
}

impl StepDecay {
    /// `lr0 > 0`, `factor` in `(0, 1]`, `every ≥ 1` epochs.
    pub fn new(lr0: f64, factor: f64, every: usize) -> Result<Self, ScheduleError> {
        check_lr0(lr0)?;
        check_factor(factor)?;
        check(every > 0, "every", every as f64, ">= 1 epoch")?;
        Ok(StepDecay { lr0, factor, every })
    }
}

impl Schedule for StepDecay {
    fn lr(&self, epoch: usize) -> f64 {
        self.lr0 * pow(self.factor, epoch / self.every)
    }
}

/// Multiplies the rate by `factor` every epoch (PyTorch's `ExponentialLR`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exponential {
    lr0: f64,
    factor: f64,
}

impl Exponential {
    /// `lr0 > 0`, `factor` in `(0, 1]`.
    pub fn new(lr0: f64, factor: f64) -> Result<Self, ScheduleError> {
        check_lr0(lr0)?;
        check_factor(factor)?;
        Ok(Exponential { lr0, factor })
    }
}

impl Schedule for Exponential {
    fn lr(&self, epoch: usize) -> f64 {
        self.lr0 * pow(self.factor, epoch)
    }
}

/// `lr0 / (1 + decay · epoch)`: the `1/t` decay of the classic convergence results for SGD.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InverseTime {
    lr0: f64,
    decay: f64,
}

impl InverseTime {
    /// `lr0 > 0`, `decay ≥ 0` and finite.
    pub fn new(lr0: f64, decay: f64) -> Result<Self, ScheduleError> {
        check_lr0(lr0)?;
        check(
            decay.is_finite() && decay >= 0.0,
            "decay",
            decay,
            "finite and >= 0",
        )?;
        Ok(InverseTime { lr0, decay })
    }
}

impl Schedule for InverseTime {
    fn lr(&self, epoch: usize) -> f64 {
        self.lr0 / (1.0 + self.decay * epoch as f64)
    }
}

/// Cosine annealing from `lr0` down to `floor` over `epochs` epochs, then `floor` (one cycle of
/// SGDR, PyTorch's `CosineAnnealingLR` with `T_max = epochs` and `eta_min = floor`, without its
/// climb back after `T_max`).
///
/// ```
/// use shaped::train::{Cosine, Schedule};
/// let s = Cosine::new(0.1, 0.0, 10)?;
/// assert_eq!(s.lr(0), 0.1);
/// assert!((s.lr(5) - 0.05).abs() < 1e-12); // halfway: the mean of lr0 and floor
/// assert_eq!((s.lr(10), s.lr(50)), (0.0, 0.0));
/// # Ok::<(), shaped::train::ScheduleError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cosine {
    lr0: f64,
    floor: f64,
    epochs: usize,
}

impl Cosine {
    /// `lr0 > 0`, `floor` in `[0, lr0]`, `epochs ≥ 1`.
    pub fn new(lr0: f64, floor: f64, epochs: usize) -> Result<Self, ScheduleError> {
        check_lr0(lr0)?;
        check(floor >= 0.0 && floor <= lr0, "floor", floor, "in [0, lr0]")?;
        check(epochs > 0, "epochs", epochs as f64, ">= 1")?;
        Ok(Cosine { lr0, floor, epochs })
    }
}

impl Schedule for Cosine {
    fn lr(&self, epoch: usize) -> f64 {
        if epoch >= self.epochs {
            return self.floor;
        }
        let progress = epoch as f64 / self.epochs as f64;
        let cos = Float::cos(core::f64::consts::PI * progress);
        self.floor + (self.lr0 - self.floor) * (1.0 + cos) / 2.0
    }
}

/// Linear warmup: the first `warmup` epochs climb to `inner.lr(0)` in equal steps
/// (`inner.lr(0) · (epoch + 1) / warmup`), then `inner` runs from its own epoch 0. Large batches
/// and Adam often need it; `warmup = 0` is `inner` alone.
///
/// ```
/// use shaped::train::{Cosine, Schedule, Warmup};
/// let s = Warmup::new(2, Cosine::new(0.1, 0.0, 10)?);
/// assert_eq!([s.lr(0), s.lr(1), s.lr(2)], [0.05, 0.1, 0.1]);
/// assert_eq!(s.lr(7), Cosine::new(0.1, 0.0, 10)?.lr(5));
/// # Ok::<(), shaped::train::ScheduleError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmup<S> {
    warmup: usize,
    inner: S,
}

impl<S: Schedule> Warmup<S> {
    /// `warmup` epochs of linear warmup before `inner`.
    pub fn new(warmup: usize, inner: S) -> Self {
        Warmup { warmup, inner }
    }
}

impl<S: Schedule> Schedule for Warmup<S> {
    fn lr(&self, epoch: usize) -> f64 {
        match epoch.checked_sub(self.warmup) {
            Some(after) => self.inner.lr(after),
            None => self.inner.lr(0) * (epoch + 1) as f64 / self.warmup as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Sgd;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn step_and_exponential_decay_by_hand() {
        let step = StepDecay::new(0.2, 0.1, 3).unwrap();
        let want = [0.2, 0.2, 0.2, 0.02, 0.02, 0.02, 0.002];
        for (epoch, &w) in want.iter().enumerate() {
            assert!(close(step.lr(epoch), w), "step epoch {epoch}");
        }
        let exp = Exponential::new(0.5, 0.9).unwrap();
        let want = [0.5, 0.45, 0.405, 0.3645];
        for (epoch, &w) in want.iter().enumerate() {
            assert!(close(exp.lr(epoch), w), "exponential epoch {epoch}");
        }
        assert_eq!(Exponential::new(0.5, 1.0).unwrap().lr(1000), 0.5);
    }

    #[test]
    fn inverse_time_by_hand() {
        let s = InverseTime::new(0.3, 0.5).unwrap();
        for (epoch, w) in [(0, 0.3), (1, 0.2), (2, 0.15), (4, 0.1)] {
            assert!(close(s.lr(epoch), w), "epoch {epoch}");
        }
    }

    #[test]
    fn cosine_by_hand_and_floor() {
        let s = Cosine::new(1.0, 0.2, 4).unwrap();
        // cos(π/4) = √½, cos(π/2) = 0, cos(3π/4) = -√½
        let h = core::f64::consts::FRAC_1_SQRT_2;
        let want = [
            1.0,
            0.2 + 0.8 * (1.0 + h) / 2.0,
            0.6,
            0.2 + 0.8 * (1.0 - h) / 2.0,
            0.2,
        ];
        for (epoch, &w) in want.iter().enumerate() {
            assert!(close(s.lr(epoch), w), "epoch {epoch}: {}", s.lr(epoch));
        }
        assert_eq!(s.lr(1_000_000), 0.2);
    }

    #[test]
    fn warmup_climbs_then_hands_over() {
        let s = Warmup::new(4, StepDecay::new(0.8, 0.5, 2).unwrap());
        let want = [0.2, 0.4, 0.6, 0.8, 0.8, 0.8, 0.4];
        for (epoch, &w) in want.iter().enumerate() {
            assert!(close(s.lr(epoch), w), "epoch {epoch}");
        }
        let none = Warmup::new(0, InverseTime::new(0.3, 0.5).unwrap());
        assert!(close(none.lr(1), 0.2));
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert_eq!(StepDecay::new(0.1, 0.5, 0).unwrap_err().what, "every");
        assert_eq!(StepDecay::new(-0.1, 0.5, 1).unwrap_err().what, "lr0");
        assert_eq!(Exponential::new(0.1, 1.5).unwrap_err().what, "factor");
        assert_eq!(Exponential::new(f64::NAN, 0.5).unwrap_err().what, "lr0");
        assert_eq!(InverseTime::new(0.1, f64::NAN).unwrap_err().what, "decay");
        assert_eq!(Cosine::new(0.1, 0.2, 5).unwrap_err().what, "floor");
        assert_eq!(Cosine::new(0.1, 0.0, 0).unwrap_err().what, "epochs");
    }

    #[test]
    fn apply_sets_any_optimizers_rate() {
        let mut sgd = Sgd::<f32>::new();
        let s = StepDecay::new(0.1, 0.5, 1).unwrap();
        assert_eq!(s.apply(&mut sgd, 2), 0.025);
        assert_eq!(sgd.learning_rate(), 0.025);
    }
}
