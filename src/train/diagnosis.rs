//! Bias/variance analysis (Andrew Ng's "Machine Learning Yearning"): where the error between
//! the best possible and the test set comes from, and what to try first.
//!
//! The error levels, lowest first, and the gap between each one and the next:
//!
//! | from → to | gap | try |
//! |---|---|---|
//! | Bayes (human) → train | avoidable bias | a bigger model, train longer, a better optimizer |
//! | train → train-dev | variance | more data, regularisation (weight decay, augmentation) |
//! | train-dev → dev | data mismatch | training data more like dev/test (collect, synthesise) |
//! | dev → test | overfitting to dev | a bigger dev set |
//!
//! The train-dev set is held out from the *training* distribution, so the train → train-dev gap
//! is generalisation alone and train-dev → dev is the distribution shift alone.

use core::fmt;

/// Error rates (fractions in `[0, 1]`, e.g. `1 − accuracy`) measured on each set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Errors {
    /// On the training set.
    pub train: f64,
    /// On held-out data from the training distribution.
    pub train_dev: f64,
    /// On the dev set (the target distribution).
    pub dev: f64,
    /// On the test set, if measured.
    pub test: Option<f64>,
    /// An estimate of the Bayes (irreducible) error, e.g. human error; `None` counts as 0, so all
    /// training error is taken as avoidable.
    pub bayes: Option<f64>,
}

/// An error rate that is not a fraction in `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErrorRateError {
    /// Which set.
    pub set: &'static str,
    /// Its value.
    pub value: f64,
}

impl fmt::Display for ErrorRateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ErrorRateError { set, value } = self;
        write!(f, "{set} error {value} is not a fraction in [0, 1]")
    }
}

impl core::error::Error for ErrorRateError {}

/// The largest gap, naming what to work on first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Bayes → train.
    AvoidableBias,
    /// Train → train-dev.
    Variance,
    /// Train-dev → dev.
    DataMismatch,
    /// Dev → test.
    DevOverfitting,
    /// No gap is positive.
    None,
}

impl Problem {
    /// A one-line diagnosis with what to try.
    pub fn advice(self) -> &'static str {
        match self {
            Problem::AvoidableBias => {
                "high avoidable bias: bigger model / train longer / better optimizer"
            }
            Problem::Variance => "high variance: get more data / regularise",
            Problem::DataMismatch => "data mismatch: make training data more like dev/test",
            Problem::DevOverfitting => "overfitting the dev set: get a bigger dev set",
            Problem::None => "no gap: errors are at the Bayes estimate",
        }
    }
}

/// The gaps between the error levels; [`Display`](fmt::Display) prints a table and the
/// diagnosis. Gaps can be negative (e.g. a dev set easier than train-dev); they are shown as they
/// are and never chosen as the problem.
///
/// ```
/// use shaped::train::{Errors, Problem};
/// let errors = Errors { train: 0.02, train_dev: 0.10, dev: 0.11, test: None, bayes: Some(0.01) };
/// let d = errors.diagnose()?;
/// assert!((d.variance - 0.08).abs() < 1e-12);
/// assert_eq!(d.problem(), Problem::Variance);
/// assert!(d.to_string().ends_with("high variance: get more data / regularise"));
/// # Ok::<(), shaped::train::ErrorRateError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnosis {
    /// The errors it was computed from.
    pub errors: Errors,
    /// `train − bayes`.
    pub avoidable_bias: f64,
    /// `train_dev − train`.
    pub variance: f64,
    /// `dev − train_dev`.
    pub data_mismatch: f64,
    /// `test − dev`, if the test error is known.
    pub dev_overfitting: Option<f64>,
}

impl Errors {
    /// The gaps, or an error if a rate is not a fraction in `[0, 1]` (NaN included).
    pub fn diagnose(&self) -> Result<Diagnosis, ErrorRateError> {
        let sets = [
            ("train", Some(self.train)),
            ("train-dev", Some(self.train_dev)),
            ("dev", Some(self.dev)),
            ("test", self.test),
            ("bayes", self.bayes),
        ];
        for (set, value) in sets {
            if let Some(value) = value.filter(|v| !(0.0..=1.0).contains(v)) {
                return Err(ErrorRateError { set, value });
            }
        }
        Ok(Diagnosis {
            errors: *self,
            avoidable_bias: self.train - self.bayes.unwrap_or(0.0),
            variance: self.train_dev - self.train,
            data_mismatch: self.dev - self.train_dev,
            dev_overfitting: self.test.map(|test| test - self.dev),
        })
    }
}

impl Diagnosis {
    /// The largest positive gap (the first of equal ones, in the table's order).
    pub fn problem(&self) -> Problem {
        let gaps = [
            (Problem::AvoidableBias, self.avoidable_bias),
            (Problem::Variance, self.variance),
            (Problem::DataMismatch, self.data_mismatch),
            (Problem::DevOverfitting, self.dev_overfitting.unwrap_or(0.0)),
        ];
        let mut worst = (Problem::None, 0.0);
        for (problem, gap) in gaps {
            if gap > worst.1 {
                worst = (problem, gap);
            }
        }
        worst.0
    }
}

impl fmt::Display for Diagnosis {
    /// ```text
    /// set        error  gap to previous
    /// bayes       1.0%  (estimate)
    /// train       2.0%  avoidable bias   +1.0%
    /// ...
    /// diagnosis: high variance: get more data / regularise
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = 100.0;
        let e = &self.errors;
        writeln!(f, "{:<10} {:>6}  gap to previous", "set", "error")?;
        match e.bayes {
            Some(b) => writeln!(f, "{:<10} {:>5.1}%  (estimate)", "bayes", b * pct)?,
            None => writeln!(f, "{:<10} {:>6}  (not given: taken as 0)", "bayes", "-")?,
        }
        let mut row = |set: &str, error: f64, gap: &str, value: f64| {
            writeln!(
                f,
                "{set:<10} {:>5.1}%  {gap:<16} {:>+5.1}%",
                error * pct,
                value * pct
            )
        };
        row("train", e.train, "avoidable bias", self.avoidable_bias)?;
        row("train-dev", e.train_dev, "variance", self.variance)?;
        row("dev", e.dev, "data mismatch", self.data_mismatch)?;
        if let (Some(test), Some(gap)) = (e.test, self.dev_overfitting) {
            row("test", test, "dev overfitting", gap)?;
        }
        write!(f, "diagnosis: {}", self.problem().advice())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    fn errors(train: f64, train_dev: f64, dev: f64) -> Errors {
        Errors {
            train,
            train_dev,
            dev,
            test: None,
            bayes: None,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn gaps_by_hand() {
        let e = Errors {
            test: Some(0.20),
            bayes: Some(0.04),
            ..errors(0.10, 0.12, 0.15)
        };
        let d = e.diagnose().unwrap();
        assert!(close(d.avoidable_bias, 0.06));
        assert!(close(d.variance, 0.02));
        assert!(close(d.data_mismatch, 0.03));
        assert!(close(d.dev_overfitting.unwrap(), 0.05));
        assert_eq!(d.problem(), Problem::AvoidableBias);
    }

    #[test]
    fn each_problem_is_found() {
        let cases = [
            (errors(0.08, 0.09, 0.10), Problem::AvoidableBias), // bayes taken as 0
            (errors(0.01, 0.09, 0.10), Problem::Variance),
            (errors(0.01, 0.02, 0.10), Problem::DataMismatch),
            (errors(0.0, 0.0, 0.0), Problem::None),
        ];
        for (e, want) in cases {
            assert_eq!(e.diagnose().unwrap().problem(), want, "{e:?}");
        }
        let overfit = Errors {
            test: Some(0.2),
            ..errors(0.01, 0.02, 0.03)
        };
        assert_eq!(
            overfit.diagnose().unwrap().problem(),
            Problem::DevOverfitting
        );
        // A negative gap is never the problem.
        let easy_dev = Errors {
            bayes: Some(0.05),
            ..errors(0.05, 0.05, 0.01)
        };
        assert_eq!(easy_dev.diagnose().unwrap().problem(), Problem::None);
    }

    #[test]
    fn out_of_range_rates_are_errors() {
        assert_eq!(
            errors(0.1, f64::NAN, 0.1).diagnose().unwrap_err().set,
            "train-dev"
        );
        assert_eq!(errors(1.5, 0.1, 0.1).diagnose().unwrap_err().set, "train");
        let bad_bayes = Errors {
            bayes: Some(-0.01),
            ..errors(0.1, 0.1, 0.1)
        };
        assert_eq!(bad_bayes.diagnose().unwrap_err().set, "bayes");
    }

    #[test]
    fn table_lists_every_level_and_the_diagnosis() {
        let e = Errors {
            test: Some(0.12),
            bayes: Some(0.01),
            ..errors(0.02, 0.10, 0.11)
        };
        let text = e.diagnose().unwrap().to_string();
        let lines: std::vec::Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 7, "{text}");
        assert!(
            lines[1].starts_with("bayes") && lines[1].contains("1.0%"),
            "{text}"
        );
        assert!(
            lines[3].contains("train-dev") && lines[3].contains("+8.0%"),
            "{text}"
        );
        assert!(
            lines[5].contains("test") && lines[5].contains("+1.0%"),
            "{text}"
        );
        assert_eq!(
            lines[6],
            "diagnosis: high variance: get more data / regularise"
        );
        let no_bayes = errors(0.02, 0.10, 0.11).diagnose().unwrap().to_string();
        assert!(no_bayes.contains("taken as 0") && !no_bayes.contains("test"));
    }
}
