//! Classification metrics without a heap (they work in `no_std`): accuracy, a confusion matrix
//! with a type-level number of classes, per-class precision/recall/F1 and macro F1.
//!
//! ## Conventions
//! - **0/0 is 0.** A class that is never predicted has precision 0; a class absent from the
//!   truth has recall 0; F1 is 0 when precision + recall is 0; the accuracy of no samples is 0.
//!   (scikit-learn's `zero_division=0`.)
//! - **Macro F1** averages F1 over the classes that occur in the truth *or* the predictions;
//!   classes seen in neither are left out (they would count as 0 for no reason). With no samples
//!   at all it is 0.
//! - **NaN logits** are an error, not a prediction: [`ConfusionMatrix::add_logits`] refuses a
//!   batch with a NaN in a counted row ([`MetricsError::NanLogits`]), so a diverged model can
//!   never be scored as if it had predicted class 0. Predictions are the library's one argmax
//!   ([`crate::ops::reduce::argmax`]: ties to the lowest index).

use crate::shape::Dim;
use crate::tensor::Tensor;

/// A metric input that does not fit: lengths differ, or a class is out of range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricsError {
    /// Truth and predictions have different lengths.
    LengthMismatch {
        /// Number of true labels.
        truth: usize,
        /// Number of predictions.
        pred: usize,
    },
    /// A true or predicted class is not below the number of classes.
    ClassOutOfRange {
        /// Position of the offending sample.
        index: usize,
        /// The class found.
        class: usize,
        /// Number of classes.
        classes: usize,
    },
    /// A counted row of logits holds a NaN: the model produced no prediction for that sample.
    NanLogits {
        /// Position of the sample in the batch.
        index: usize,
    },
    /// More valid rows than the batch has.
    ValidRows {
        /// Valid rows claimed.
        valid: usize,
        /// Rows in the batch.
        batch: usize,
    },
}

impl core::fmt::Display for MetricsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MetricsError::LengthMismatch { truth, pred } => {
                write!(f, "{truth} true labels but {pred} predictions")
            }
            MetricsError::ClassOutOfRange {
                index,
                class,
                classes,
            } => write!(
                f,
                "class {class} at sample {index} is out of range for {classes} classes"
            ),
            MetricsError::ValidRows { valid, batch } => {
                write!(f, "{valid} valid rows claimed in a batch of {batch}")
            }
            MetricsError::NanLogits { index } => write!(
                f,
                "the logits of sample {index} contain NaN: the model made no prediction (diverged?)"
            ),
        }
    }
}

impl core::error::Error for MetricsError {}

/// The fraction of positions where `pred` equals `truth` (0 for empty input).
///
/// ```
/// use shaped::data::metrics::accuracy;
/// assert_eq!(accuracy(&[0, 1, 2, 2], &[0, 2, 2, 2]), Ok(0.75));
/// assert!(accuracy(&[0, 1], &[0]).is_err());
/// ```
pub fn accuracy(truth: &[usize], pred: &[usize]) -> Result<f64, MetricsError> {
    if truth.len() != pred.len() {
        return Err(MetricsError::LengthMismatch {
            truth: truth.len(),
            pred: pred.len(),
        });
    }
    let correct = truth.iter().zip(pred).filter(|(t, p)| t == p).count();
    Ok(ratio(correct, truth.len()))
}

/// Counts of (true class, predicted class) pairs for `C` classes: `counts()[[t, p]]`.
/// No heap: `C × C` counters inline.
///
/// ```
/// use shaped::data::metrics::ConfusionMatrix;
/// use shaped::prelude::*;
/// let mut cm = ConfusionMatrix::<U3>::new();
/// cm.add_all(&[0, 0, 1, 1, 2, 2], &[0, 1, 1, 1, 2, 0]).unwrap();
/// assert_eq!(cm.accuracy(), 4.0 / 6.0);
/// assert_eq!(cm.precision(1), 2.0 / 3.0);   // predicted 1 three times, right twice
/// assert_eq!(cm.recall(0), 0.5);            // one of two 0s found
/// print!("{cm}");
/// ```
#[derive(Clone, PartialEq, Eq, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct ConfusionMatrix<C: Dim> {
    counts: Tensor<usize, (C, C)>,
}

impl<C: Dim> Default for ConfusionMatrix<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: Dim> ConfusionMatrix<C> {
    /// An empty matrix (all counts 0).
    pub fn new() -> Self {
        ConfusionMatrix {
            counts: Tensor::zeros(),
        }
    }

    /// Resets all counts to 0.
    pub fn clear(&mut self) {
        self.counts.fill(0);
    }

    /// The counts, indexed `[true class, predicted class]`.
    pub fn counts(&self) -> &Tensor<usize, (C, C)> {
        &self.counts
    }

    /// Counts one sample. Errors (and counts nothing) if a class is not below `C` (the error
    /// reports index 0: a single sample).
    pub fn add(&mut self, truth: usize, pred: usize) -> Result<(), MetricsError> {
        for class in [truth, pred] {
            if class >= C::USIZE {
                return Err(MetricsError::ClassOutOfRange {
                    index: 0,
                    class,
                    classes: C::USIZE,
                });
            }
        }
        self.counts[[truth, pred]] += 1;
        Ok(())
    }

    /// Counts samples pairwise. Checks everything first: on error nothing is counted.
    pub fn add_all(&mut self, truth: &[usize], pred: &[usize]) -> Result<(), MetricsError> {
        if truth.len() != pred.len() {
            return Err(MetricsError::LengthMismatch {
                truth: truth.len(),
                pred: pred.len(),
            });
        }
        let pairs = truth.iter().zip(pred);
        for (index, (&t, &p)) in pairs.clone().enumerate() {
            if let Some(class) = [t, p].into_iter().find(|&c| c >= C::USIZE) {
                return Err(MetricsError::ClassOutOfRange {
                    index,
                    class,
                    classes: C::USIZE,
                });
            }
        }
        pairs.for_each(|(&t, &p)| self.counts[[t, p]] += 1);
        Ok(())
    }

    /// Counts the first `valid` rows of a batch: predictions are the
    /// [`argmax`](crate::ops::reduce::argmax) of each row of `logits`, truths are `labels`. Rows past
    /// `valid` (padding of a partial batch) are ignored. A NaN in a counted row is an error
    /// ([`MetricsError::NanLogits`]) and nothing of the batch is counted.
    pub fn add_logits<T: PartialOrd + Copy, B: Dim>(
        &mut self,
        logits: &Tensor<T, (B, C)>,
        labels: &Tensor<usize, (B,)>,
        valid: usize,
    ) -> Result<(), MetricsError> {
        if valid > B::USIZE {
            return Err(MetricsError::ValidRows {
                valid,
                batch: B::USIZE,
            });
        }
        let labels = &labels.as_slice()[..valid];
        if let Some(index) = labels.iter().position(|&t| t >= C::USIZE) {
            return Err(MetricsError::ClassOutOfRange {
                index,
                class: labels[index],
                classes: C::USIZE,
            });
        }
        let rows = || (0..valid).map(|i| logits.outer(i));
        #[allow(
            clippy::eq_op,
            reason = "v != v is the NaN test for any PartialOrd type"
        )]
        if let Some(index) = rows().position(|row| row.iter().any(|&v| v != v)) {
            return Err(MetricsError::NanLogits { index });
        }
        for (&t, row) in labels.iter().zip(rows()) {
            self.counts[[t, crate::ops::reduce::argmax(row)]] += 1;
        }
        Ok(())
    }

    /// Number of samples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Number of samples predicted correctly (the diagonal).
    pub fn correct(&self) -> usize {
        (0..C::USIZE).map(|c| self.count(c, c)).sum()
    }

    /// `correct / total` (0 if nothing was counted).
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// Samples whose true class is `class` (its row sum; 0 for a class `>= C`).
    pub fn support(&self, class: usize) -> usize {
        (0..C::USIZE).map(|p| self.count(class, p)).sum()
    }

    /// Samples predicted as `class` (its column sum; 0 for a class `>= C`).
    pub fn predicted(&self, class: usize) -> usize {
        (0..C::USIZE).map(|t| self.count(t, class)).sum()
    }

    /// Of the samples predicted `class`, the fraction truly `class` (0 if never predicted).
    pub fn precision(&self, class: usize) -> f64 {
        ratio(self.count(class, class), self.predicted(class))
    }

    /// Of the samples truly `class`, the fraction predicted `class` (0 if the class is absent).
    pub fn recall(&self, class: usize) -> f64 {
        ratio(self.count(class, class), self.support(class))
    }

    /// Harmonic mean of precision and recall (0 if both are 0).
    pub fn f1(&self, class: usize) -> f64 {
        let (p, r) = (self.precision(class), self.recall(class));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Mean F1 over the classes present in the truth or the predictions (0 if there are none).
    pub fn macro_f1(&self) -> f64 {
        let seen = (0..C::USIZE).filter(|&c| self.support(c) + self.predicted(c) > 0);
        let (sum, n) = seen.fold((0.0, 0), |(s, n), c| (s + self.f1(c), n + 1));
        ratio_f(sum, n)
    }

    /// A printable per-class table: precision, recall, F1 and support, then accuracy and macro F1.
    pub fn report(&self) -> Report<'_, C> {
        Report(self)
    }

    /// The count at `[truth, pred]`, 0 outside the matrix.
    fn count(&self, truth: usize, pred: usize) -> usize {
        self.counts.get([truth, pred]).copied().unwrap_or(0)
    }

    /// Width of the widest number in the table (counts or class numbers).
    fn width(&self) -> usize {
        let max = self.counts.iter().copied().max().unwrap_or(0);
        digits(max).max(digits(C::USIZE.saturating_sub(1)))
    }
}

impl<C: Dim> core::fmt::Debug for ConfusionMatrix<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{self}")
    }
}

/// Rows are true classes, columns predicted classes:
///
/// ```text
/// true\pred  0  1  2
///         0  1  1  0
///         1  0  2  0
///         2  1  0  1
/// ```
impl<C: Dim> core::fmt::Display for ConfusionMatrix<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let w = self.width() + 1;
        write!(f, "true\\pred")?;
        for p in 0..C::USIZE {
            write!(f, " {p:>w$}")?;
        }
        writeln!(f)?;
        for t in 0..C::USIZE {
            write!(f, "{t:>9}")?;
            for p in 0..C::USIZE {
                write!(f, " {:>w$}", self.count(t, p))?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Per-class precision, recall, F1 and support of a [`ConfusionMatrix`], for printing.
pub struct Report<'a, C: Dim>(&'a ConfusionMatrix<C>);

impl<C: Dim> core::fmt::Display for Report<'_, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let cm = self.0;
        writeln!(f, "class  precision  recall      f1  support")?;
        for c in 0..C::USIZE {
            writeln!(
                f,
                "{c:>5}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}",
                cm.precision(c),
                cm.recall(c),
                cm.f1(c),
                cm.support(c)
            )?;
        }
        writeln!(
            f,
            "accuracy {:.4}, macro F1 {:.4}",
            cm.accuracy(),
            cm.macro_f1()
        )
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    ratio_f(num as f64, den)
}

fn ratio_f(num: f64, den: usize) -> f64 {
    if den == 0 { 0.0 } else { num / den as f64 }
}

fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}
