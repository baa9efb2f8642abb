//! [`BceWithLogits`](struct@BceWithLogits): binary cross-entropy on logits.

use super::element::ElementLoss;
use super::{Reduction, reduction_builders};
use crate::nn::activation::sigmoid;
use crate::scalar::Real;

/// Binary cross-entropy on logits, elementwise, mean over all `B·C` elements:
/// `max(x, 0) − x·t + ln(1 + e^(−|x|))`, the stable form of `−t·ln σ(x) − (1 − t)·ln(1 − σ(x))`.
/// Gradient `(σ(x) − t) / (B·C)`. Targets are probabilities in `[0, 1]`.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{BceWithLogits, Loss};
/// let (x, t) = (tensor([[0.0, 1000.0]]), tensor([[1.0, 1.0]]));
/// let sum: f64 = BceWithLogits.sum().loss(&x, &t);
/// assert_eq!(sum, f64::ln(2.0)); // ln 2 + 0: finite at a logit of 1000
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BceWithLogits {
    /// Mean or sum over the elements.
    pub reduction: Reduction,
}

/// [`BceWithLogits`](struct@BceWithLogits) with the mean reduction, usable as a value
/// (`&BceWithLogits`).
#[allow(non_upper_case_globals)]
pub const BceWithLogits: BceWithLogits = BceWithLogits {
    reduction: Reduction::Mean,
};

reduction_builders!(BceWithLogits);

impl ElementLoss for BceWithLogits {
    fn element<T: Real>(&self, x: T, t: T) -> (T, T) {
        let relu = if x > T::zero() { x } else { T::zero() };
        let value = relu - x * t + (T::one() + (-x.abs()).exp()).ln();
        (value, sigmoid(x) - t)
    }

    fn reduction(&self) -> Reduction {
        self.reduction
    }
}

#[cfg(test)]
mod tests {
    use crate::nn::{BceWithLogits, Loss};
    use crate::prelude::*;

    #[test]
    fn against_the_naive_formula_and_at_1000() {
        let x = tensor([[0.3, -1.2], [2.0, -0.1]]);
        let t = tensor([[1.0, 0.0], [0.25, 1.0]]);
        let sigma = |x: f64| 1.0 / (1.0 + (-x).exp());
        let naive: f64 = x
            .iter()
            .zip(t.iter())
            .map(|(&x, &t)| -t * sigma(x).ln() - (1.0 - t) * (1.0 - sigma(x)).ln())
            .sum();
        let mut dy = Tensor2::<f64, U2, U2>::zeros();
        for (loss, n) in [(BceWithLogits, 4.0), (BceWithLogits.sum(), 1.0)] {
            let l = loss.loss_and_grad(&x, &t, &mut dy);
            assert!((l - naive / n).abs() < 1e-14, "{l} vs {naive}/{n}");
            for ((&d, &x), &t) in dy.iter().zip(x.iter()).zip(t.iter()) {
                assert!((d - (sigma(x) - t) / n).abs() < 1e-15);
            }
        }
        // Saturated logits: right answers cost ~0, wrong ones |x|; nothing overflows.
        let x = tensor([[1000.0, -1000.0, 1000.0, -1000.0]]);
        let t = tensor([[1.0, 0.0, 0.0, 1.0]]);
        let l: f64 = BceWithLogits.sum().loss(&x, &t);
        assert_eq!(l, 2000.0);
    }
}
