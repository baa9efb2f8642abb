//! [`SoftmaxCrossEntropy`](struct@SoftmaxCrossEntropy): softmax and cross-entropy fused, on logits.

use super::{Reduction, SampleLoss, Target, reduction_builders};
use crate::nn::activation::softmax_row;
use crate::scalar::Real;

/// Softmax followed by cross-entropy, on logits `(B, C)`: per sample
/// `−Σ_c t_c · ln softmax(x)_c` (for a class index `k`: `logsumexp(x) − x_k`).
///
/// Computed as `Σt·logsumexp(x) − Σ t_c·x_c` with the row maximum subtracted, so it is finite and
/// exact on logits of ±1000. Gradient per sample: `softmax(x)·Σt − t`, which is the familiar
/// `softmax(x) − t` for one-hot or normalised targets; the batch mean divides it by `B`.
/// Equals [`LogSoftmax`](crate::nn::LogSoftmax) followed by [`Nll`](struct@super::Nll), in one
/// pass.
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

/// [`SoftmaxCrossEntropy`](struct@SoftmaxCrossEntropy) with the mean reduction: lets
/// `SoftmaxCrossEntropy` be used as a value, as when it was a unit struct.
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

#[cfg(test)]
mod tests {
    use crate::nn::{Loss, SoftmaxCrossEntropy};
    use crate::prelude::*;

    /// Textbook softmax without stabilisation (fine for small logits).
    fn naive_softmax<const N: usize>(row: &[f64]) -> [f64; N] {
        let total: f64 = row.iter().map(|v| v.exp()).sum();
        core::array::from_fn(|i| row[i].exp() / total)
    }

    #[test]
    fn gradient_is_softmax_minus_target_over_n_or_not() {
        let x = tensor([
            [0.3, -1.2, 2.0, 0.5],
            [1.0, 1.0, -0.5, 0.0],
            [-2.0, 0.1, 0.2, 3.0],
        ]);
        let labels = [2usize, 0, 3];
        let one_hot = Tensor2::<f64, U3, U4>::from_fn(|[b, c]| (labels[b] == c) as u8 as f64);
        let (mut expected_loss, mut expected_grad) = (0.0, [0.0; 12]);
        for (b, &k) in labels.iter().enumerate() {
            let p = naive_softmax::<4>(x.outer(b));
            expected_loss -= p[k].ln();
            for (c, &pc) in p.iter().enumerate() {
                expected_grad[b * 4 + c] = pc - (c == k) as u8 as f64;
            }
        }
        let mut dy = Tensor2::<f64, U3, U4>::zeros();
        for (loss, n) in [(SoftmaxCrossEntropy, 3.0), (SoftmaxCrossEntropy.sum(), 1.0)] {
            for l in [
                loss.loss_and_grad(&x, &tensor(labels), &mut dy),
                loss.loss_and_grad(&x, &one_hot, &mut dy),
            ] {
                assert!((l - expected_loss / n).abs() < 1e-14, "{l}");
                for (&d, &e) in dy.iter().zip(&expected_grad) {
                    assert!((d - e / n).abs() < 1e-15, "{d} vs {e}/{n}");
                }
            }
        }
    }

    #[test]
    fn logits_of_1000() {
        let x = tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]]);
        let mut dy = Tensor2::<f64, U2, U3>::zeros();
        let l = SoftmaxCrossEntropy
            .sum()
            .loss_and_grad(&x, &tensor([1usize, 2]), &mut dy);
        assert_eq!(l, 2000.0 + 3f64.ln());
        let third = 1.0 / 3.0;
        assert_eq!(dy, tensor([[1.0, -1.0, 0.0], [third, third, third - 1.0]]));
    }
}
