//! Per-sample losses: [`SampleLoss`] (the loss of one row), [`SampleTargets`] (what a target type
//! says about each row), and the one [`Loss`] and one [`Unreduced`] impl joining them.

use super::reduction::{Reduction, reduce};
use super::unreduced::{self, Unreduced};
use super::{Loss, Masked};
use crate::scalar::{Real, Scalar};
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

/// The target of one sample, as handed to a [`SampleLoss`].
#[derive(Clone, Copy, Debug)]
pub enum Target<'a, T> {
    /// A class index, guaranteed `< C` (out-of-range indices never reach a `SampleLoss`).
    Class(usize),
    /// A target distribution (one-hot or soft), `C` values.
    Probs(&'a [T]),
}

/// A loss defined per sample (one row of `C` values), reduced over the batch.
///
/// Implementing it gives [`Loss`] for every [`SampleTargets`] type: class-index targets
/// `Tensor<usize, (B,)>`, probability targets `Tensor<T, (B, C)>`, and both masked by a `(B,)`
/// mask. The batch driver handles the reduction, the masks and out-of-range class indices.
pub trait SampleLoss {
    /// The loss of one sample; when `dy` is given, writes `∂loss/∂y` of this sample (not yet
    /// scaled by the reduction) into it.
    fn sample<T: Real>(&self, y: &[T], target: Target<'_, T>, dy: Option<&mut [T]>) -> T;

    /// How the samples' losses are combined; override when the loss has a `reduction` field.
    fn reduction(&self) -> Reduction {
        Reduction::Mean
    }
}

/// A target type of a per-sample loss on predictions `(B, C)`: the target of each sample and
/// whether it counts.
///
/// Its impls carry the compile-time checks: the targets' (and masks') batch size must be `B`
/// (rule `BatchSize`) and probability targets must have `C` columns (rule `ClassCount`).
pub trait SampleTargets<T, B, C> {
    /// Whether sample `b` counts (`false` when masked out).
    fn kept(&self, b: usize) -> bool;
    /// The target of sample `b`; `None` for a class index out of range `0..C`.
    fn target(&self, b: usize) -> Option<Target<'_, T>>;
}

impl<T, B: Dim, C: Dim, B2> SampleTargets<T, B, C> for Tensor<usize, (B2,)>
where
    B2: Dim + DimEq<B, rules::BatchSize>,
{
    fn kept(&self, _: usize) -> bool {
        true
    }
    fn target(&self, b: usize) -> Option<Target<'_, T>> {
        let k = self.as_slice()[b];
        (k < C::USIZE).then_some(Target::Class(k))
    }
}

impl<T: Scalar, B: Dim, C: Dim, B2, C2> SampleTargets<T, B, C> for Tensor<T, (B2, C2)>
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    C2: Dim + DimEq<C, rules::ClassCount>,
{
    fn kept(&self, _: usize) -> bool {
        true
    }
    fn target(&self, b: usize) -> Option<Target<'_, T>> {
        let c = C::USIZE;
        Some(Target::Probs(&self.as_slice()[b * c..(b + 1) * c]))
    }
}

impl<T, B: Dim, C: Dim, Tgt, B3> SampleTargets<T, B, C> for Masked<'_, Tgt, Tensor<bool, (B3,)>>
where
    Tgt: SampleTargets<T, B, C>,
    B3: Dim + DimEq<B, rules::BatchSize>,
{
    fn kept(&self, b: usize) -> bool {
        self.mask.as_slice()[b] && self.target.kept(b)
    }
    fn target(&self, b: usize) -> Option<Target<'_, T>> {
        self.target.target(b)
    }
}

/// The loss of sample `b` of `y` (its gradient row written into `dy` when given); an
/// out-of-range class gives a NaN loss and gradient row.
fn sample_at<T: Real, L: SampleLoss, B: Dim, C: Dim>(
    loss: &L,
    y: &Tensor<T, (B, C)>,
    target: &impl SampleTargets<T, B, C>,
    b: usize,
    dy: Option<&mut [T]>,
) -> T {
    let c = C::USIZE;
    match target.target(b) {
        Some(t) => loss.sample(&y.as_slice()[b * c..(b + 1) * c], t, dy),
        None => {
            dy.into_iter().for_each(|d| d.fill(T::nan()));
            T::nan()
        }
    }
}

/// Runs a [`SampleLoss`] over a batch and reduces.
fn per_sample<T: Real, L: SampleLoss, B: Dim, C: Dim>(
    loss: &L,
    y: &Tensor<T, (B, C)>,
    target: &impl SampleTargets<T, B, C>,
    dy: Option<&mut [T]>,
) -> T {
    let c = C::USIZE;
    let rows = y.as_slice().len() / c.max(1);
    let kept = |b| target.kept(b);
    reduce(loss.reduction(), rows, c, kept, dy, |b, d| {
        sample_at(loss, y, target, b, d)
    })
}

impl<T: Real, L: SampleLoss, B: Dim, C: Dim, Tgt> Loss<T, Tensor<T, (B, C)>, Tgt> for L
where
    Tgt: SampleTargets<T, B, C>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, target: &Tgt) -> T {
        per_sample(self, y, target, None)
    }

    fn loss_and_grad(&self, y: &Tensor<T, (B, C)>, target: &Tgt, dy: &mut Tensor<T, (B, C)>) -> T {
        per_sample(self, y, target, Some(dy.as_mut_slice()))
    }
}

impl<T: Real, L: SampleLoss, B: Dim, C: Dim, Tgt> Unreduced<T, Tensor<T, (B, C)>, Tgt> for L
where
    Tgt: SampleTargets<T, B, C>,
{
    type Entries = Tensor<T, (B,)>;

    fn losses(&self, y: &Tensor<T, (B, C)>, target: &Tgt, out: &mut Tensor<T, (B,)>) {
        let kept = |b| target.kept(b);
        unreduced::losses(out.as_mut_slice(), kept, |b| {
            sample_at(self, y, target, b, None)
        });
    }

    fn backward(
        &self,
        y: &Tensor<T, (B, C)>,
        target: &Tgt,
        upstream: &Tensor<T, (B,)>,
        dy: &mut Tensor<T, (B, C)>,
    ) {
        let (g, kept) = (upstream.as_slice(), |b| target.kept(b));
        unreduced::backward(g, C::USIZE, kept, dy.as_mut_slice(), |b, d| {
            sample_at(self, y, target, b, Some(d));
        });
    }
}
