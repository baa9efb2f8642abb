//! Loss functions (see [`Loss`]).

mod bce_with_logits;
mod classes;
mod cross_entropy;
mod element;
mod masked;
mod mse;
mod nll;
mod reduction;
mod sample;
mod softmax_cross_entropy;
#[cfg(test)]
mod tests;
mod unreduced;

pub use bce_with_logits::BceWithLogits;
pub use classes::{ClassError, check_classes};
pub use cross_entropy::CrossEntropy;
pub use element::ElementTargets;
pub use masked::Masked;
pub use mse::Mse;
pub use nll::Nll;
pub use reduction::Reduction;
pub use sample::{SampleLoss, SampleTargets, Target};
pub use softmax_cross_entropy::SoftmaxCrossEntropy;
pub use unreduced::Unreduced;

/// A scalar objective of predictions `Y` (usually `(B, C)`) and a target `Tgt`.
///
/// Implemented by the losses of this module for class-index targets `Tensor<usize, (B,)>`,
/// probability / value targets `Tensor<T, (B, C)>`, and [`Masked`] targets.
///
/// The losses, on a batch of predictions `(B, C)`: [`SoftmaxCrossEntropy`] (on logits),
/// [`CrossEntropy`] (on probabilities), [`Nll`] (on log-probabilities, e.g. after
/// [`LogSoftmax`]), [`Mse`], [`BceWithLogits`], and their masked forms ([`Masked`]).
///
/// # Conventions
/// - **Reduction** ([`Reduction`], PyTorch's `reduction=`): every loss is a **mean** by default —
///   per-sample losses (the cross-entropies, [`Nll`]) over the batch, elementwise losses ([`Mse`],
///   [`BceWithLogits`]) over all `B·C` elements — or a **sum** with `.sum()`
///   (`SoftmaxCrossEntropy.sum()`, `CrossEntropy::new(1e-7).sum()`). The gradient written by
///   [`Loss::loss_and_grad`] is that of the reduced loss, so `sum = mean · count` for values and
///   gradients alike.
/// - **Unreduced** (PyTorch's `reduction='none'`): [`Unreduced`] gives the per-entry losses —
///   `(B,)` for per-sample losses, `(B, C)` for elementwise ones — and the gradient of their sum
///   weighted by an upstream gradient of that shape. It ignores the `reduction` field; a masked
///   entry has loss `0` and adds no gradient.
/// - **Masks** (`true` = keep) drop entries entirely: a masked entry adds nothing to the loss or
///   the gradient (its `dy` is `0`, even if its prediction or target is NaN); the mean is over the
///   *unmasked* entries and the sum over them. All entries masked: loss `0`, gradient `0`.
///   Per-sample losses take a `(B,)` mask, elementwise losses a `(B, C)` mask. A masked batch gives
///   exactly the loss and the per-row gradients of the batch with the masked rows removed.
/// - **Targets and masks** may be declared with any dims; a mismatch with the predictions is a
///   compile error naming the rule, e.g. `shape error (batch size): got 16, expected 32` or
///   `shape error (class count): the targets have 9 classes, the logits have 10`.
/// - **NaN and ±∞ propagate**: a NaN prediction or target makes the loss NaN and its own gradient
///   entries NaN (nothing is clamped). Logits may be as large as the float range allows: the
///   log-sum-exp and the logistic terms are computed stably (finite on logits of ±1000).
/// - **Class indices** out of range (`≥ C`) are treated like NaN data: that sample's loss and its
///   gradient row are NaN, so the returned loss is NaN and the bad batch is visible at once. Nothing
///   panics and no memory outside the row is touched. Validate labels up front with
///   [`check_classes`] to get a readable error instead.
///
/// # How the impls are built
/// One batch driver ([`Reduction`] handling, masks, zeroed masked entries) serves every loss, and
/// one pair of drivers its [`Unreduced`] form. A loss supplies the loss of one unit — a sample
/// ([`SampleLoss`]) or an element — and a target type says, through a *target view*
/// ([`SampleTargets`], [`ElementTargets`]), what the target of each unit is and whether it is
/// kept. The views carry the compile-time dim checks.
///
/// [`SoftmaxCrossEntropy`]: struct@SoftmaxCrossEntropy
/// [`Nll`]: struct@Nll
/// [`Mse`]: struct@Mse
/// [`BceWithLogits`]: struct@BceWithLogits
/// [`LogSoftmax`]: crate::nn::LogSoftmax
pub trait Loss<T, Y, Tgt> {
    /// The loss value (reduced as the loss's [`Reduction`] says, see [`Loss`]).
    fn loss(&self, y: &Y, target: &Tgt) -> T;

    /// The loss value, and `dy = ∂loss/∂y` written (overwritten) into `dy`.
    fn loss_and_grad(&self, y: &Y, target: &Tgt, dy: &mut Y) -> T;
}

/// The builders every loss with a `reduction` field gets: `.sum()`, `.mean()`,
/// `.with_reduction(r)`.
macro_rules! reduction_builders {
    ($($ty:ty),* $(,)?) => {$(
        impl $ty {
            /// The same loss, summed over the (unmasked) entries instead of averaged.
            pub const fn sum(self) -> Self {
                self.with_reduction($crate::nn::loss::Reduction::Sum)
            }
            /// The same loss, averaged over the (unmasked) entries (the default).
            pub const fn mean(self) -> Self {
                self.with_reduction($crate::nn::loss::Reduction::Mean)
            }
            /// The same loss with reduction `reduction`.
            pub const fn with_reduction(self, reduction: $crate::nn::loss::Reduction) -> Self {
                let mut loss = self;
                loss.reduction = reduction;
                loss
            }
        }
    )*};
}
use reduction_builders;
