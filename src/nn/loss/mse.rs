//! [`Mse`](struct@Mse): mean squared error.

use super::element::ElementLoss;
use super::{Reduction, reduction_builders};
use crate::scalar::Real;

/// Mean squared error over all `B·C` elements: `(1 / (B·C)) · Σ (y − t)²`, gradient
/// `2(y − t) / (B·C)` (PyTorch's `MSELoss`); `Mse.sum()` drops the `1 / (B·C)`.
///
/// Note the convention: some texts use `½·Σ (y − t)²` (summed, halved, gradient `y − t`); that
/// equals this loss times `B·C / 2`.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Loss, Mse};
/// let loss: f64 = Mse.loss(&tensor([[1.0, 2.0]]), &tensor([[0.0, 4.0]]));
/// assert_eq!(loss, (1.0 + 4.0) / 2.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse {
    /// Mean or sum over the elements.
    pub reduction: Reduction,
}

/// [`Mse`](struct@Mse) with the mean reduction, usable as a value (`&Mse`).
#[allow(non_upper_case_globals)]
pub const Mse: Mse = Mse {
    reduction: Reduction::Mean,
};

reduction_builders!(Mse);

impl ElementLoss for Mse {
    fn element<T: Real>(&self, y: T, t: T) -> (T, T) {
        let d = y - t;
        (d * d, d + d)
    }

    fn reduction(&self) -> Reduction {
        self.reduction
    }
}

#[cfg(test)]
mod tests {
    use crate::nn::{Loss, Mse};
    use crate::prelude::*;

    #[test]
    fn value_and_convention() {
        let y = tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]);
        let t = tensor([[1.5, 2.0, 1.0], [0.0, 1.0, 0.0]]);
        let mut dy = Tensor2::<f64, U2, U3>::zeros();
        // Squared errors 0.25, 0, 4, 0, 4, 0.25; gradient 2(y − t).
        let twice = [-1.0, 0.0, 4.0, 0.0, -4.0, 1.0];
        let l = Mse.sum().loss_and_grad(&y, &t, &mut dy);
        assert_eq!((l, dy.as_slice()), (8.5, &twice[..]));
        let l = Mse.loss_and_grad(&y, &t, &mut dy);
        assert!((l - 8.5 / 6.0).abs() < 1e-15);
        for (&d, &e) in dy.iter().zip(&twice) {
            assert!((d - e / 6.0).abs() < 1e-16, "{d}");
        }
    }
}
