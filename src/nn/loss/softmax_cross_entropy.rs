//! [`SoftmaxCrossEntropy`]: softmax and cross-entropy fused, on logits.

use super::{Reduction, SampleLoss, Target, reduction_builders};
use crate::nn::activation::softmax_row;
use crate::scalar::Real;

/// Softmax followed by cross-entropy, on logits `(B, C)`: per sample
/// `−Σ_c t_c · ln softmax(x)_c` (for a class index `k`: `logsumexp(x) − x_k`).
///
/// Computed as `Σt·logsumexp(x) − Σ t_c·x_c` with the row maximum subtracted, so it is finite and
/// exact on logits of ±1000. Gradient per sample: `softmax(x)·Σt − t`, which is the familiar
/// `softmax(x) − t` for one-hot or normalised targets; the batch mean divides it by `B`.
/// Equals [`LogSoftmax`](crate::nn::LogSoftmax) followed by [`Nll`](super::Nll), in one pass.
///
/// The value `SoftmaxCrossEntropy` is the mean form (a constant of the same name);
/// `SoftmaxCrossEntropy.sum()` sums over the batch.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Loss, SoftmaxCrossEntropy};
/// let logits = tensor([[1000.0, -1000.0], [0.0, 0.0]]);
/// let labels = tensor([1usize, 0]);
/// let loss: f64 = SoftmaxCrossEntropy.loss(&logits, &labels);
/// assert_eq!(loss, (2000.0 + f64::ln(2.0)) / 2.0);
/// let sum: f64 = SoftmaxCrossEntropy.sum().loss(&logits, &labels);
/// assert_eq!(sum, 2000.0 + f64::ln(2.0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy {
    /// Mean or sum over the samples.
    pub reduction: Reduction,
}

/// [`SoftmaxCrossEntropy`] with the mean reduction: lets `SoftmaxCrossEntropy` be used as a value,
/// as when it was a unit struct.
#[allow(non_upper_case_globals)]
pub const SoftmaxCrossEntropy: SoftmaxCrossEntropy = SoftmaxCrossEntropy {
    reduction: Reduction::Mean,
};

reduction_builders!(SoftmaxCrossEntropy);

impl SampleLoss for SoftmaxCrossEntropy {
    fn sample<T: Real>(&self, x: &[T], target: Target<'_, T>, dy: Option<&mut [T]>) -> T {
        let max = x
            .iter()
            .fold(T::neg_infinity(), |m, &v| if v > m { v } else { m });
        let sum: T = x.iter().map(|&v| (v - max).exp()).sum();
        let lse = max + sum.ln();
        let (loss, mass) = match target {
            Target::Class(k) => (lse - x[k], T::one()),
            Target::Probs(t) => {
                let mass: T = t.iter().copied().sum();
                let tx: T = t.iter().zip(x).map(|(&ti, &xi)| ti * xi).sum();
                (mass * lse - tx, mass)
            }
        };
        if let Some(dy) = dy {
            softmax_row(x, dy);
            dy.iter_mut().for_each(|d| *d *= mass);
            match target {
                Target::Class(k) => dy[k] -= T::one(),
                Target::Probs(t) => dy.iter_mut().zip(t).for_each(|(d, &ti)| *d -= ti),
            }
        }
        loss
    }

    fn reduction(&self) -> Reduction {
        self.reduction
    }
}
