//! Random hyper-parameter search: sample each trial's hyper-parameters from ranges (uniform, or
//! uniform in the logarithm for rates that span decades), and keep the best trial.
//!
//! Random rather than grid search, because with a few important parameters among many a grid
//! tries only a handful of distinct values of each (Bergstra & Bengio, 2012).

use num_traits::Float;

use super::Goal;
use crate::rand::Rng;

/// A range that is empty, reversed, not finite, or (log scale) not positive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeError {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl core::fmt::Display for RangeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let RangeError { lo, hi } = self;
        write!(
            f,
            "search range [{lo}, {hi}] must be finite with lo <= hi (and lo > 0 on a log scale)"
        )
    }
}

impl core::error::Error for RangeError {}

/// Where to sample one hyper-parameter from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Range {
    /// Uniform in `[lo, hi]` (dropout, momentum).
    pub fn uniform(lo: f64, hi: f64) -> Result<Self, RangeError> {
        match lo.is_finite() && hi.is_finite() && lo <= hi {
            true => Ok(Range { lo, hi, log: false }),
            false => Err(RangeError { lo, hi }),
        }
    }

    /// Log-uniform in `[lo, hi]`, `0 < lo`: each decade equally likely (learning rate, weight
    /// decay). Uniform sampling of `[1e-4, 1e-1]` would put 90% of the trials in the top decade.
    pub fn log(lo: f64, hi: f64) -> Result<Self, RangeError> {
        match lo > 0.0 && hi.is_finite() && lo <= hi {
            true => Ok(Range { lo, hi, log: true }),
            false => Err(RangeError { lo, hi }),
        }
    }

    /// One sample, in `[lo, hi]`.
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        let u = rng.next_f64();
        let x = match self.log {
            false => self.lo + (self.hi - self.lo) * u,
            true => Float::exp(Float::ln(self.lo) + (Float::ln(self.hi) - Float::ln(self.lo)) * u),
        };
        x.clamp(self.lo, self.hi) // exp(ln hi) may round past hi
    }
}

/// One evaluated trial.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trial<const N: usize> {
    /// Its position among the reported trials, from 0.
    pub index: usize,
    /// Its hyper-parameters, in the order of the search's ranges.
    pub params: [f64; N],
    /// Its score (dev metric).
    pub score: f64,
}

/// Random search over `N` hyper-parameters, reproducible from a seed.
///
/// ```
/// use shaped::train::{Goal, Range, RandomSearch};
/// let ranges = [Range::log(1e-4, 1e-1)?, Range::uniform(0.0, 0.5)?]; // lr, dropout
/// let mut search = RandomSearch::new(ranges, 7, Goal::Minimize);
/// // A stand-in for "train with these and return the dev loss": best near lr = 1e-2.
/// let best = search.run(50, |[lr, dropout]| (lr.log10() + 2.0).powi(2) + dropout);
/// let best = best.expect("50 finite scores");
/// assert!((best.params[0].log10() + 2.0).abs() < 0.5 && best.params[1] < 0.2);
/// # Ok::<(), shaped::train::RangeError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RandomSearch<const N: usize> {
    ranges: [Range; N],
    rng: Rng,
    goal: Goal,
    trials: usize,
    best: Option<Trial<N>>,
}

impl<const N: usize> RandomSearch<N> {
    /// A search over `ranges`, sampling from a generator seeded with `seed`, for the best score in
    /// the direction of `goal`.
    pub fn new(ranges: [Range; N], seed: u64, goal: Goal) -> Self {
        RandomSearch {
            ranges,
            rng: Rng::new(seed),
            goal,
            trials: 0,
            best: None,
        }
    }

    /// The hyper-parameters of a new trial.
    pub fn sample(&mut self) -> [f64; N] {
        self.ranges.map(|r| r.sample(&mut self.rng))
    }

    /// Records a trial's score; returns whether it is the best so far. NaN scores are recorded
    /// (they count) but never best.
    pub fn report(&mut self, params: [f64; N], score: f64) -> bool {
        let trial = Trial {
            index: self.trials,
            params,
            score,
        };
        self.trials += 1;
        let better = match self.best {
            None => !score.is_nan(),
            Some(best) => self.goal.improves(score, best.score, 0.0),
        };
        if better {
            self.best = Some(trial);
        }
        better
    }

    /// Runs `trials` trials of `objective` (hyper-parameters to score) and returns the best.
    pub fn run(
        &mut self,
        trials: usize,
        mut objective: impl FnMut([f64; N]) -> f64,
    ) -> Option<Trial<N>> {
        for _ in 0..trials {
            let params = self.sample();
            self.report(params, objective(params));
        }
        self.best
    }

    /// The best trial so far (`None` until a score that is not NaN).
    pub fn best(&self) -> Option<Trial<N>> {
        self.best
    }

    /// Trials reported so far.
    pub fn trials(&self) -> usize {
        self.trials
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts of `n` samples of `range` per decade of [1e-4, 1e-1].
    fn decade_counts(range: Range, n: usize) -> [usize; 3] {
        let mut rng = Rng::new(2024);
        let mut counts = [0; 3];
        for _ in 0..n {
            let x = range.sample(&mut rng);
            assert!((1e-4..=1e-1).contains(&x), "{x} out of range");
            let decade = (Float::log10(x) + 4.0).floor() as usize;
            counts[decade.min(2)] += 1;
        }
        counts
    }

    #[test]
    fn log_scale_covers_decades_evenly() {
        // Each decade is a binomial(30000, 1/3) count: sd ≈ 82, so ±400 is ≈ 5 sd.
        let counts = decade_counts(Range::log(1e-4, 1e-1).unwrap(), 30_000);
        for c in counts {
            assert!(c.abs_diff(10_000) < 400, "{counts:?}");
        }
        // Uniform sampling, by contrast, puts ≈ 90% in the top decade.
        let uniform = decade_counts(Range::uniform(1e-4, 1e-1).unwrap(), 30_000);
        assert!(uniform[2] > 26_000, "{uniform:?}");
    }

    #[test]
    fn uniform_mean_and_bounds() {
        let (range, mut rng) = (Range::uniform(-2.0, 6.0).unwrap(), Rng::new(1));
        let n = 20_000;
        let mean = (0..n).map(|_| range.sample(&mut rng)).sum::<f64>() / n as f64;
        // sd of the mean: (8/√12)/√20000 ≈ 0.016
        assert!((mean - 2.0).abs() < 0.08, "{mean}");
        let point = Range::log(0.5, 0.5).unwrap();
        assert_eq!(point.sample(&mut rng), 0.5);
    }

    #[test]
    fn keeps_the_best_and_is_reproducible() {
        let ranges = [Range::uniform(0.0, 1.0).unwrap()];
        let mut a = RandomSearch::new(ranges, 3, Goal::Maximize);
        let best = a.run(100, |[x]| x).unwrap();
        assert_eq!(a.trials(), 100);
        // The best is the largest sample: replay the same stream to check.
        let mut b = RandomSearch::new(ranges, 3, Goal::Maximize);
        let max = (0..100).map(|_| b.sample()[0]).fold(f64::MIN, f64::max);
        assert_eq!(best.params[0], max);
        assert!(!a.report([2.0], f64::NAN));
        assert!(a.report([2.0], 2.0));
        assert_eq!(a.best().unwrap().index, 101);
    }

    #[test]
    fn bad_ranges_are_errors() {
        assert!(Range::log(0.0, 1.0).is_err());
        assert!(Range::log(1.0, f64::INFINITY).is_err());
        assert!(Range::uniform(1.0, 0.0).is_err());
        assert!(Range::uniform(f64::NAN, 1.0).is_err());
    }
}
