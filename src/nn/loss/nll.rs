//! [`Nll`](struct@Nll): negative log-likelihood on log-probabilities.

use super::{Reduction, SampleLoss, Target, reduction_builders};
use crate::scalar::Real;

/// Negative log-likelihood of log-probabilities `y` (a [`LogSoftmax`](crate::nn::LogSoftmax)
/// output, PyTorch's `NLLLoss`): per sample `−y_k` for a class index `k`, `−Σ_c t_c · y_c` for a
/// target distribution. Gradient per sample: `−1` at `k` (`−t` for a distribution).
///
/// `(…, LogSoftmax)` with `Nll` computes what
/// [`SoftmaxCrossEntropy`](struct@super::SoftmaxCrossEntropy) does on the logits (values and
/// gradients), in two steps; the fused loss is cheaper.
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

/// [`Nll`](struct@Nll) with the mean reduction, usable as a value (`&Nll`).
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

#[cfg(test)]
mod tests {
    use crate::gradcheck::{Config, check_layer};
    use crate::nn::{Ctx, Infer, LogSoftmax, Loss, Masked, Nll, Reduction, SoftmaxCrossEntropy};
    use crate::nn::{Train, loss::SampleTargets};
    use crate::prelude::*;
    use crate::rand::Rng;

    type X = Tensor2<f64, U4, U5>;

    fn logits(seed: u64) -> X {
        let mut rng = Rng::new(seed);
        Tensor::from_flat_fn(|_| rng.uniform(-4.0, 4.0))
    }

    #[test]
    fn values_and_gradients_by_hand() {
        let y = tensor([[-0.5, -1.0, -2.0], [-0.25, f64::NEG_INFINITY, -3.0]]);
        let mut dy = Tensor2::<f64, U2, U3>::zeros();
        let l = Nll.loss_and_grad(&y, &tensor([1usize, 0]), &mut dy);
        assert_eq!(l, (1.0 + 0.25) / 2.0);
        assert_eq!(dy, tensor([[0.0, -0.5, 0.0], [-0.5, 0.0, 0.0]]));
        let t = tensor([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]]);
        let l = Nll
            .sum()
            .loss_and_grad(&y, &Masked::new(&t, &tensor([true, false])), &mut dy);
        assert_eq!(l, 0.75);
        assert_eq!(dy, tensor([[-0.5, -0.5, 0.0], [0.0, 0.0, 0.0]]));
    }

    /// `Nll(LogSoftmax(x))` and its gradient through LogSoftmax's backward, next to the fused
    /// loss on `x`.
    fn agree<Tgt>(reduction: Reduction, x: &X, target: &Tgt)
    where
        Tgt: SampleTargets<f64, U4, U5>,
    {
        let (nll, sce) = (
            Nll.with_reduction(reduction),
            SoftmaxCrossEntropy.with_reduction(reduction),
        );
        let (mut cache, mut y, mut dy, mut dx) = (X::zeros(), X::zeros(), X::zeros(), X::zeros());
        LogSoftmax.forward(x, Ctx::train(0), &mut cache, &mut y);
        let two_step = nll.loss_and_grad(&y, target, &mut dy);
        LogSoftmax.backward(x, &mut cache, &dy, Some(&mut dx), None);
        let mut fused_dx = X::zeros();
        let fused = sce.loss_and_grad(x, target, &mut fused_dx);
        assert!(
            (two_step - fused).abs() <= 1e-13 * fused.abs(),
            "{two_step} vs {fused}"
        );
        for (&a, &b) in dx.iter().zip(fused_dx.iter()) {
            assert!((a - b).abs() <= 1e-14, "{a} vs {b}");
        }
        assert!(fused_dx.iter().any(|&d| d != 0.0));
    }

    #[test]
    fn log_softmax_then_nll_is_softmax_cross_entropy() {
        let labels = tensor([4usize, 0, 2, 2]);
        let mut rng = Rng::new(3);
        let probs = X::from_flat_fn(|_| rng.uniform(0.0, 1.0));
        let mask = tensor([true, true, false, true]);
        for r in [Reduction::Mean, Reduction::Sum] {
            for seed in 0..3 {
                let x = logits(seed);
                agree(r, &x, &labels);
                agree(r, &x, &probs);
                agree(r, &x, &Masked::new(&labels, &mask));
                agree(r, &x, &Masked::new(&probs, &mask));
            }
            let big = logits(7).map(|v| v * 250.0); // logits of up to ±1000
            agree(r, &big, &labels);
        }
    }

    #[test]
    fn gradcheck_through_log_softmax() {
        let labels = tensor([1usize, 3, 0, 4]);
        let mask = tensor([true, false, true, true]);
        for loss in [Nll, Nll.sum()] {
            let mut x = logits(11);
            let report = check_layer(&mut LogSoftmax, &mut x, &loss, &labels, Config::default());
            assert!(report.max_rel() < 1e-6, "{report}");
            let masked = Masked::new(&labels, &mask);
            let report = check_layer(&mut LogSoftmax, &mut x, &loss, &masked, Config::default());
            assert!(report.max_rel() < 1e-6, "{report}");
            assert_eq!(report.input.checked, 20);
        }
    }

    #[test]
    fn apply_matches_train_forward() {
        let x = logits(5);
        let (mut cache, mut y) = (X::zeros(), X::zeros());
        LogSoftmax.forward(&x, Ctx::eval(), &mut cache, &mut y);
        assert_eq!(LogSoftmax.apply(&x), y);
    }
}
