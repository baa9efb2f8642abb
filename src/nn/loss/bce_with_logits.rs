//! [`BceWithLogits`]: binary cross-entropy on logits.

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

/// [`BceWithLogits`] with the mean reduction, usable as a value (`&BceWithLogits`).
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
