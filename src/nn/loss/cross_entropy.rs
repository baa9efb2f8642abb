//! [`CrossEntropy`]: cross-entropy on probabilities.

use super::{Reduction, SampleLoss, Target, reduction_builders};
use crate::scalar::Real;

/// Cross-entropy of probabilities `y` (e.g. a [`Softmax`](crate::nn::Softmax) output) against
/// targets: per sample `−Σ_c t_c · ln(y_c + δ)`; `δ` keeps `ln(0)` finite.
///
/// Gradient per sample: `−t_c / (y_c + δ)`. Prefer
/// [`SoftmaxCrossEntropy`](struct@super::SoftmaxCrossEntropy) on logits for training.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{CrossEntropy, Loss};
/// let y = tensor([[0.1, 0.1, 0.8]]);
/// let t = tensor([[0.0, 0.0, 1.0]]);
/// let loss: f64 = CrossEntropy::new(1e-10).loss(&y, &t);
/// assert!((loss - 0.2231435511892097).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossEntropy {
    /// Added to every probability before the logarithm.
    pub delta: f64,
    /// Mean or sum over the samples.
    pub reduction: Reduction,
}

impl CrossEntropy {
    /// The mean cross-entropy with `δ = delta`.
    pub const fn new(delta: f64) -> Self {
        CrossEntropy {
            delta,
            reduction: Reduction::Mean,
        }
    }
}

impl Default for CrossEntropy {
    /// `δ = 1e-7`, mean.
    fn default() -> Self {
        CrossEntropy::new(1e-7)
    }
}

reduction_builders!(CrossEntropy);

impl SampleLoss for CrossEntropy {
    fn sample<T: Real>(&self, y: &[T], target: Target<'_, T>, dy: Option<&mut [T]>) -> T {
        // A NaN anywhere in the row (not only at the target class) makes the sample NaN, as for
        // every loss: a class target must not hide a broken prediction.
        if y.iter().any(|v| v.is_nan()) {
            dy.into_iter().for_each(|d| d.fill(T::nan()));
            return T::nan();
        }
        let delta = T::from_f64(self.delta);
        match target {
            Target::Class(k) => {
                if let Some(dy) = dy {
                    dy.fill(T::zero());
                    dy[k] = -T::one() / (y[k] + delta);
                }
                -(y[k] + delta).ln()
            }
            Target::Probs(t) => {
                if let Some(dy) = dy {
                    for ((d, &yi), &ti) in dy.iter_mut().zip(y).zip(t) {
                        *d = -ti / (yi + delta);
                    }
                }
                -t.iter()
                    .zip(y)
                    .map(|(&ti, &yi)| ti * (yi + delta).ln())
                    .sum::<T>()
            }
        }
    }

    fn reduction(&self) -> Reduction {
        self.reduction
    }
}

#[cfg(test)]
mod tests {
    use crate::nn::{CrossEntropy, Loss};
    use crate::prelude::*;

    #[test]
    fn seed_value_and_gradient_by_hand() {
        let y = tensor([[0.1, 0.1, 0.8], [0.1, 0.1, 0.8]]);
        let ce = CrossEntropy::new(1e-10);
        let right = -(0.8f64 + 1e-10).ln();
        assert!((right - 0.2231435511892097).abs() < 1e-15);
        let both = right - (0.1f64 + 1e-10).ln();
        let l: f64 = ce.loss(&y, &tensor([2usize, 0]));
        assert!((l - both / 2.0).abs() < 1e-15, "{l}");
        let l: f64 = ce
            .sum()
            .loss(&y, &tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]));
        assert!((l - both).abs() < 1e-15, "{l}");

        let y = tensor([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]);
        let mut dy = Tensor2::<f64, U2, U3>::zeros();
        let l = CrossEntropy::new(0.0).loss_and_grad(&y, &tensor([1usize, 0]), &mut dy);
        assert!((l + (0.5f64.ln() + 0.6f64.ln()) / 2.0).abs() < 1e-15);
        assert_eq!(dy, tensor([[0.0, -1.0, 0.0], [-1.0 / 1.2, 0.0, 0.0]]));
    }

    #[test]
    fn nan_outside_the_target_class_is_not_hidden() {
        let y = tensor([[0.2, f64::NAN, 0.8], [0.6, 0.3, 0.1]]);
        let mut dy = Tensor2::<f64, U2, U3>::zeros();
        let l = CrossEntropy::new(0.0).loss_and_grad(&y, &tensor([2usize, 0]), &mut dy);
        assert!(l.is_nan());
        assert!(dy.as_slice()[..3].iter().all(|d| d.is_nan()), "{dy:?}");
        assert_eq!(
            dy.as_slice()[3..],
            [-1.0 / 1.2, 0.0, 0.0],
            "the clean row is unchanged"
        );
    }
}
