//! [`Nll`]: negative log-likelihood on log-probabilities.

use super::{Reduction, SampleLoss, Target, reduction_builders};
use crate::scalar::Real;

/// Negative log-likelihood of log-probabilities `y` (a [`LogSoftmax`](crate::nn::LogSoftmax)
/// output, PyTorch's `NLLLoss`): per sample `−y_k` for a class index `k`, `−Σ_c t_c · y_c` for a
/// target distribution. Gradient per sample: `−1` at `k` (`−t` for a distribution).
///
/// `(…, LogSoftmax)` with `Nll` computes what [`SoftmaxCrossEntropy`](super::SoftmaxCrossEntropy)
/// does on the logits (values and gradients), in two steps; the fused loss is cheaper.
///
/// A row containing NaN gives a NaN loss and a NaN gradient row, even when the NaN is not at the
/// target class; `−∞` log-probabilities (probability 0) elsewhere in the row are fine.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Infer, Loss, LogSoftmax, Nll, SoftmaxCrossEntropy};
/// let logits = tensor([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]]);
/// let labels = tensor([0usize, 2]);
/// let nll: f64 = Nll.loss(&LogSoftmax.apply(&logits), &labels);
/// let fused: f64 = SoftmaxCrossEntropy.loss(&logits, &labels);
/// assert!((nll - fused).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nll {
    /// Mean or sum over the samples.
    pub reduction: Reduction,
}

/// [`Nll`] with the mean reduction, usable as a value (`&Nll`).
#[allow(non_upper_case_globals)]
pub const Nll: Nll = Nll {
    reduction: Reduction::Mean,
};

reduction_builders!(Nll);

impl SampleLoss for Nll {
    fn sample<T: Real>(&self, y: &[T], target: Target<'_, T>, dy: Option<&mut [T]>) -> T {
        if y.iter().any(|v| v.is_nan()) {
            dy.into_iter().for_each(|d| d.fill(T::nan()));
            return T::nan();
        }
        match target {
            Target::Class(k) => {
                if let Some(dy) = dy {
                    dy.fill(T::zero());
                    dy[k] = -T::one();
                }
                -y[k]
            }
            Target::Probs(t) => {
                if let Some(dy) = dy {
                    dy.iter_mut().zip(t).for_each(|(d, &ti)| *d = -ti);
                }
                -t.iter().zip(y).map(|(&ti, &yi)| ti * yi).sum::<T>()
            }
        }
    }

    fn reduction(&self) -> Reduction {
        self.reduction
    }
}
