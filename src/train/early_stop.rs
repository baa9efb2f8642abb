//! Early stopping: end training when the dev metric has stopped improving, and remember the
//! epoch that was best (the one whose weights to keep).

use super::Goal;

/// What to do after an epoch, from [`EarlyStopping::update`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The metric is the best so far: keep (save) these weights and go on.
    Improved,
    /// No improvement, but within patience: go on.
    Continue,
    /// No improvement for more than `patience` epochs in a row: stop, and use the best epoch's
    /// weights.
    Stop,
}

/// The best epoch seen so far.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Best {
    /// The epoch (0-based count of [`update`](EarlyStopping::update) calls).
    pub epoch: usize,
    /// Its metric.
    pub metric: f64,
}

/// An invalid `min_delta`: negative or not finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinDeltaError(pub f64);

impl core::fmt::Display for MinDeltaError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "min_delta {} must be finite and >= 0", self.0)
    }
}

impl core::error::Error for MinDeltaError {}

/// Stops training once the dev metric has not improved by more than `min_delta` for more than
/// `patience` epochs in a row.
///
/// A NaN metric (a diverged run) never improves. Calls after [`Decision::Stop`] go on with the
/// same rule, so a caller that ignores a stop sees the next improvement.
///
/// ```
/// use shaped::train::{Decision, EarlyStopping, Goal};
/// let mut stop = EarlyStopping::new(Goal::Maximize, 1, 0.0)?;
/// let accuracy = [0.80, 0.85, 0.84, 0.86, 0.86, 0.85];
/// use Decision::*;
/// let decisions = accuracy.map(|a| stop.update(a));
/// assert_eq!(decisions, [Improved, Improved, Continue, Improved, Continue, Stop]);
/// assert_eq!(stop.best().map(|b| b.epoch), Some(3));
/// # Ok::<(), shaped::train::MinDeltaError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct EarlyStopping {
    goal: Goal,
    patience: usize,
    min_delta: f64,
    best: Option<Best>,
    epochs: usize,
    since_best: usize,
}

impl EarlyStopping {
    /// Tolerates `patience` epochs in a row without an improvement of more than `min_delta`
    /// (in the metric's units); the next one stops.
    pub fn new(goal: Goal, patience: usize, min_delta: f64) -> Result<Self, MinDeltaError> {
        if !(min_delta.is_finite() && min_delta >= 0.0) {
            return Err(MinDeltaError(min_delta));
        }
        Ok(EarlyStopping {
            goal,
            patience,
            min_delta,
            best: None,
            epochs: 0,
            since_best: 0,
        })
    }

    /// Records one epoch's dev metric and says whether to go on.
    pub fn update(&mut self, metric: f64) -> Decision {
        let epoch = self.epochs;
        self.epochs += 1;
        let improved = match self.best {
            None => !metric.is_nan(),
            Some(best) => self.goal.improves(metric, best.metric, self.min_delta),
        };
        if improved {
            self.best = Some(Best { epoch, metric });
            self.since_best = 0;
            Decision::Improved
        } else {
            self.since_best += 1;
            if self.since_best > self.patience {
                Decision::Stop
            } else {
                Decision::Continue
            }
        }
    }

    /// The best epoch so far (`None` before the first non-NaN metric).
    pub fn best(&self) -> Option<Best> {
        self.best
    }

    /// Epochs recorded so far.
    pub fn epochs(&self) -> usize {
        self.epochs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stop: &mut EarlyStopping, metrics: &[f64]) -> Option<usize> {
        metrics
            .iter()
            .position(|&m| stop.update(m) == Decision::Stop)
    }

    #[test]
    fn loss_stops_after_patience_runs_out() {
        let mut stop = EarlyStopping::new(Goal::Minimize, 2, 0.0).unwrap();
        // best at epoch 2; epochs 3, 4 are tolerated, 5 stops
        let loss = [1.0, 0.8, 0.5, 0.6, 0.5, 0.7, 0.1];
        assert_eq!(run(&mut stop, &loss), Some(5));
        assert_eq!(
            stop.best(),
            Some(Best {
                epoch: 2,
                metric: 0.5
            })
        );
        assert_eq!(stop.epochs(), 6);
    }

    #[test]
    fn min_delta_ignores_tiny_gains() {
        let mut stop = EarlyStopping::new(Goal::Maximize, 0, 0.01).unwrap();
        assert_eq!(stop.update(0.900), Decision::Improved);
        assert_eq!(stop.update(0.905), Decision::Stop); // +0.005 is not > 0.01
        assert_eq!(stop.update(0.920), Decision::Improved); // +0.02 is
        assert_eq!(stop.best().unwrap().epoch, 2);
    }

    #[test]
    fn nan_never_improves() {
        let mut stop = EarlyStopping::new(Goal::Minimize, 1, 0.0).unwrap();
        assert_eq!(stop.update(f64::NAN), Decision::Continue);
        assert_eq!(stop.best(), None);
        assert_eq!(stop.update(2.0), Decision::Improved);
        assert_eq!(stop.update(f64::NAN), Decision::Continue);
        assert_eq!(stop.update(f64::NAN), Decision::Stop);
        assert_eq!(
            stop.best(),
            Some(Best {
                epoch: 1,
                metric: 2.0
            })
        );
    }

    #[test]
    fn bad_min_delta_is_an_error() {
        for d in [-0.1, f64::NAN, f64::INFINITY] {
            assert!(EarlyStopping::new(Goal::Minimize, 3, d).is_err());
        }
    }
}
