//! Elementwise losses: the loss of one element ([`ElementLoss`]), [`ElementTargets`] (what a
//! target type says about each element), and the [`Loss`] and [`Unreduced`] impls joining them.

use super::reduction::{Reduction, reduce};
use super::unreduced::{self, Unreduced};
use super::{BceWithLogits, Loss, Masked, Mse};
use crate::scalar::{Real, Scalar};
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

/// A loss defined per element, reduced over the `B·C` elements.
pub(super) trait ElementLoss {
    /// The loss of one element and its derivative in `y` (not yet scaled by the reduction).
    fn element<T: Real>(&self, y: T, t: T) -> (T, T);
    /// How the elements' losses are combined.
    fn reduction(&self) -> Reduction;
}

/// A target type of an elementwise loss on predictions `(B, C)`: the target value of each
/// element (row-major) and whether it counts.
///
/// Its impls carry the compile-time checks: batch size `B` (rule `BatchSize`) and `C` columns
/// (rule `ClassCount`), for the targets and the mask alike.
pub trait ElementTargets<T, B, C> {
    /// Whether element `i` counts (`false` when masked out).
    fn kept(&self, i: usize) -> bool;
    /// The target of element `i`.
    fn value(&self, i: usize) -> T;
}

impl<T: Scalar, B: Dim, C: Dim, B2, C2> ElementTargets<T, B, C> for Tensor<T, (B2, C2)>
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    C2: Dim + DimEq<C, rules::ClassCount>,
{
    fn kept(&self, _: usize) -> bool {
        true
    }
    fn value(&self, i: usize) -> T {
        self.as_slice()[i]
    }
}

impl<T, B: Dim, C: Dim, Tgt, B3, C3> ElementTargets<T, B, C>
    for Masked<'_, Tgt, Tensor<bool, (B3, C3)>>
where
    Tgt: ElementTargets<T, B, C>,
    B3: Dim + DimEq<B, rules::BatchSize>,
    C3: Dim + DimEq<C, rules::ClassCount>,
{
    fn kept(&self, i: usize) -> bool {
        self.mask.as_slice()[i] && self.target.kept(i)
    }
    fn value(&self, i: usize) -> T {
        self.target.value(i)
    }
}

/// Runs an [`ElementLoss`] over a batch.
fn per_element<T: Real, L: ElementLoss, B: Dim, C: Dim>(
    loss: &L,
    y: &Tensor<T, (B, C)>,
    target: &impl ElementTargets<T, B, C>,
    dy: Option<&mut [T]>,
) -> T {
    let y = y.as_slice();
    let kept = |i| target.kept(i);
    reduce(loss.reduction(), y.len(), 1, kept, dy, |i, d| {
        let (value, grad) = loss.element(y[i], target.value(i));
        if let Some(d) = d {
            d[0] = grad;
        }
        value
    })
}

/// The [`Loss`] and [`Unreduced`] impls of an [`ElementLoss`] (blanket impls would overlap the
/// ones for [`SampleLoss`](super::SampleLoss)).
macro_rules! element_losses {
    ($($ty:ty),*) => {$(
        impl<T: Real, B: Dim, C: Dim, Tgt> Loss<T, Tensor<T, (B, C)>, Tgt> for $ty
        where
            Tgt: ElementTargets<T, B, C>,
        {
            fn loss(&self, y: &Tensor<T, (B, C)>, target: &Tgt) -> T {
                per_element(self, y, target, None)
            }

            fn loss_and_grad(
                &self,
                y: &Tensor<T, (B, C)>,
                target: &Tgt,
                dy: &mut Tensor<T, (B, C)>,
            ) -> T {
                per_element(self, y, target, Some(dy.as_mut_slice()))
            }
        }

        impl<T: Real, B: Dim, C: Dim, Tgt> Unreduced<T, Tensor<T, (B, C)>, Tgt> for $ty
        where
            Tgt: ElementTargets<T, B, C>,
        {
            type Entries = Tensor<T, (B, C)>;

            fn losses(&self, y: &Tensor<T, (B, C)>, target: &Tgt, out: &mut Tensor<T, (B, C)>) {
                let (y, kept) = (y.as_slice(), |i| target.kept(i));
                unreduced::losses(out.as_mut_slice(), kept, |i| {
                    self.element(y[i], target.value(i)).0
                });
            }

            fn backward(
                &self,
                y: &Tensor<T, (B, C)>,
                target: &Tgt,
                upstream: &Tensor<T, (B, C)>,
                dy: &mut Tensor<T, (B, C)>,
            ) {
                let (y, kept) = (y.as_slice(), |i| target.kept(i));
                unreduced::backward(upstream.as_slice(), 1, kept, dy.as_mut_slice(), |i, d| {
                    d[0] = self.element(y[i], target.value(i)).1;
                });
            }
        }
    )*};
}
element_losses!(Mse, BceWithLogits);
