//! Loss functions on a batch of predictions `(B, C)`: [`SoftmaxCrossEntropy`] (on logits),
//! [`CrossEntropy`] (on probabilities), [`Mse`], [`BceWithLogits`], and their masked forms
//! ([`Masked`]).
//!
//! # Conventions
//! - Every loss is a **mean**: per-sample losses (the two cross-entropies) over the batch,
//!   elementwise losses ([`Mse`], [`BceWithLogits`]) over all `B·C` elements, as PyTorch's
//!   `reduction="mean"`. The gradient written by [`Loss::loss_and_grad`] is that of the mean.
//! - **Masks** (`true` = keep) drop entries entirely: a masked entry adds nothing to the loss or the
//!   gradient (its `dy` is `0`, even if its prediction or target is NaN), and the mean is over the
//!   *unmasked* entries. All entries masked: loss `0`, gradient `0`. Per-sample losses take a
//!   `(B,)` mask, elementwise losses a `(B, C)` mask.
//! - **Targets and masks** may be declared with any dims; a mismatch with the predictions is a
//!   compile error naming the rule, e.g. `shape error (batch size): got 16, expected 32` or
//!   `shape error (class count): the targets have 9 classes, the logits have 10`.
//! - **NaN and ±∞ propagate**: a NaN prediction or target makes the loss NaN and its own gradient
//!   entries NaN (nothing is clamped). Logits may be as large as the float range allows: the
//!   log-sum-exp and the logistic terms are computed stably (finite on logits of ±1000).
//! - **Class indices** out of range (`≥ C`) are treated like NaN data: that sample's loss and its
//!   gradient row are NaN, so the returned loss is NaN and the bad batch is visible at once. Nothing
//!   panics and no memory outside the row is touched. Validate labels up front with
//!   [`check_classes`] to get a readable error instead.

use crate::nn::activation::{sigmoid, softmax_row};
use crate::scalar::Real;
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

/// A scalar objective of predictions `Y` (usually `(B, C)`) and a target `Tgt`.
///
/// Implemented by the losses of this module for class-index targets `Tensor<usize, (B,)>`,
/// probability / value targets `Tensor<T, (B, C)>`, and [`Masked`] targets.
pub trait Loss<T, Y, Tgt> {
    /// The loss value (a mean, see the module docs).
    fn loss(&self, y: &Y, target: &Tgt) -> T;

    /// The loss value, and `dy = ∂loss/∂y` written (overwritten) into `dy`.
    fn loss_and_grad(&self, y: &Y, target: &Tgt, dy: &mut Y) -> T;
}

/// A target with a mask (`true` = the entry counts): `Masked::new(&targets, &mask)`.
///
/// Per-sample losses take a `(B,)` mask (one flag per sample); elementwise losses a `(B, C)` mask.
/// The mean is over the unmasked entries.
#[derive(Debug)]
pub struct Masked<'a, Tgt, M> {
    /// The targets, as for the unmasked loss.
    pub target: &'a Tgt,
    /// Which entries count.
    pub mask: &'a M,
}

impl<'a, Tgt, M> Masked<'a, Tgt, M> {
    /// Pairs targets with a mask.
    pub fn new(target: &'a Tgt, mask: &'a M) -> Self {
        Masked { target, mask }
    }
}

impl<Tgt, M> Clone for Masked<'_, Tgt, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Tgt, M> Copy for Masked<'_, Tgt, M> {}

/// A class index out of range, found by [`check_classes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassError {
    /// Position of the sample in the batch.
    pub sample: usize,
    /// Its class index.
    pub class: usize,
    /// The number of classes (valid indices are `0..classes`).
    pub classes: usize,
}

impl core::fmt::Display for ClassError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "sample {} has class index {}, but there are only {} classes (0..{})",
            self.sample, self.class, self.classes, self.classes
        )
    }
}
impl core::error::Error for ClassError {}

/// Checks that every class index is below `classes`; the first offender is the error.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::check_classes;
/// assert!(check_classes(&tensor([0usize, 2, 1]), 3).is_ok());
/// let err = check_classes(&tensor([0usize, 3, 1]), 3).unwrap_err();
/// assert_eq!((err.sample, err.class), (1, 3));
/// ```
pub fn check_classes<B: Dim>(
    targets: &Tensor<usize, (B,)>,
    classes: usize,
) -> Result<(), ClassError> {
    match targets.iter().position(|&c| c >= classes) {
        None => Ok(()),
        Some(sample) => Err(ClassError {
            sample,
            class: targets.as_slice()[sample],
            classes,
        }),
    }
}

/// The target of one sample, as handed to a [`SampleLoss`].
#[derive(Clone, Copy, Debug)]
pub enum Target<'a, T> {
    /// A class index, guaranteed `< C` (out-of-range indices never reach a `SampleLoss`).
    Class(usize),
    /// A target distribution (one-hot or soft), `C` values.
    Probs(&'a [T]),
}

/// A loss defined per sample (one row of `C` values), averaged over the batch.
///
/// Implementing it gives [`Loss`] for class-index targets `Tensor<usize, (B,)>`, probability
/// targets `Tensor<T, (B, C)>`, and both masked by a `(B,)` mask. The batch driver handles the
/// mean, the masks and out-of-range class indices.
pub trait SampleLoss {
    /// The loss of one sample; when `dy` is given, writes `∂loss/∂y` of this sample (not yet
    /// divided by the batch size) into it.
    fn sample<T: Real>(&self, y: &[T], target: Target<'_, T>, dy: Option<&mut [T]>) -> T;
}

/// Softmax followed by cross-entropy, on logits `(B, C)`: per sample
/// `−Σ_c t_c · ln softmax(x)_c` (for a class index `k`: `logsumexp(x) − x_k`).
///
/// Computed as `Σt·logsumexp(x) − Σ t_c·x_c` with the row maximum subtracted, so it is finite and
/// exact on logits of ±1000. Gradient per sample: `softmax(x)·Σt − t`, which is the familiar
/// `softmax(x) − t` for one-hot or normalised targets; the batch mean divides it by `B`.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Loss, SoftmaxCrossEntropy};
/// let logits = tensor([[1000.0, -1000.0], [0.0, 0.0]]);
/// let labels = tensor([1usize, 0]);
/// let loss: f64 = SoftmaxCrossEntropy.loss(&logits, &labels);
/// assert_eq!(loss, (2000.0 + f64::ln(2.0)) / 2.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

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
}

/// Cross-entropy of probabilities `y` (e.g. a [`Softmax`](crate::nn::Softmax) output) against
/// targets: per sample `−Σ_c t_c · ln(y_c + δ)`; `δ` keeps `ln(0)` finite.
///
/// Gradient per sample: `−t_c / (y_c + δ)`. Prefer [`SoftmaxCrossEntropy`] on logits for training.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{CrossEntropy, Loss};
/// let y = tensor([[0.1, 0.1, 0.8]]);
/// let t = tensor([[0.0, 0.0, 1.0]]);
/// let loss: f64 = CrossEntropy { delta: 1e-10 }.loss(&y, &t);
/// assert!((loss - 0.2231435511892097).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossEntropy {
    /// Added to every probability before the logarithm.
    pub delta: f64,
}

impl Default for CrossEntropy {
    /// `δ = 1e-7`.
    fn default() -> Self {
        CrossEntropy { delta: 1e-7 }
    }
}

impl SampleLoss for CrossEntropy {
    fn sample<T: Real>(&self, y: &[T], target: Target<'_, T>, dy: Option<&mut [T]>) -> T {
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
}

/// Runs a [`SampleLoss`] over a batch: mean over the unmasked rows, gradient scaled to match,
/// masked rows zero, out-of-range classes NaN.
fn per_sample<'t, T: Real, L: SampleLoss>(
    loss: &L,
    y: &[T],
    classes: usize,
    target: impl Fn(usize) -> Option<Target<'t, T>>,
    mask: Option<&[bool]>,
    mut dy: Option<&mut [T]>,
) -> T {
    let rows = y.len() / classes.max(1);
    let kept = |b: usize| mask.is_none_or(|m| m[b]);
    let count = (0..rows).filter(|&b| kept(b)).count();
    let mut total = T::zero();
    for b in 0..rows {
        let row = &y[b * classes..(b + 1) * classes];
        let mut drow = dy
            .as_deref_mut()
            .map(|d| &mut d[b * classes..(b + 1) * classes]);
        if !kept(b) {
            drow.into_iter().for_each(|d| d.fill(T::zero()));
            continue;
        }
        total += match target(b) {
            Some(t) => loss.sample(row, t, drow.as_deref_mut()),
            None => {
                drow.into_iter().for_each(|d| d.fill(T::nan()));
                T::nan()
            }
        };
    }
    if count == 0 {
        return T::zero();
    }
    let scale = T::one() / T::from_usize(count);
    if let Some(dy) = dy {
        dy.iter_mut().for_each(|d| *d *= scale);
    }
    total * scale
}

/// The class target of sample `b`, or `None` when it is out of range.
fn class_target<'t, T>(
    labels: &[usize],
    classes: usize,
) -> impl Fn(usize) -> Option<Target<'t, T>> {
    move |b| (labels[b] < classes).then_some(Target::Class(labels[b]))
}

/// The probability target of sample `b`.
fn prob_target<'t, T>(t: &'t [T], classes: usize) -> impl Fn(usize) -> Option<Target<'t, T>> {
    move |b| Some(Target::Probs(&t[b * classes..(b + 1) * classes]))
}

impl<T: Real, L: SampleLoss, B: Dim, C: Dim, B2> Loss<T, Tensor<T, (B, C)>, Tensor<usize, (B2,)>>
    for L
where
    B2: Dim + DimEq<B, rules::BatchSize>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, t: &Tensor<usize, (B2,)>) -> T {
        let target = class_target(t.as_slice(), C::USIZE);
        per_sample(self, y.as_slice(), C::USIZE, target, None, None)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (B, C)>,
        t: &Tensor<usize, (B2,)>,
        dy: &mut Tensor<T, (B, C)>,
    ) -> T {
        let target = class_target(t.as_slice(), C::USIZE);
        per_sample(
            self,
            y.as_slice(),
            C::USIZE,
            target,
            None,
            Some(dy.as_mut_slice()),
        )
    }
}

impl<T: Real, L: SampleLoss, B: Dim, C: Dim, B2, C2> Loss<T, Tensor<T, (B, C)>, Tensor<T, (B2, C2)>>
    for L
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    C2: Dim + DimEq<C, rules::ClassCount>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, t: &Tensor<T, (B2, C2)>) -> T {
        let target = prob_target(t.as_slice(), C::USIZE);
        per_sample(self, y.as_slice(), C::USIZE, target, None, None)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (B, C)>,
        t: &Tensor<T, (B2, C2)>,
        dy: &mut Tensor<T, (B, C)>,
    ) -> T {
        let target = prob_target(t.as_slice(), C::USIZE);
        per_sample(
            self,
            y.as_slice(),
            C::USIZE,
            target,
            None,
            Some(dy.as_mut_slice()),
        )
    }
}

/// Class targets with a per-sample mask.
type MaskedClasses<'a, B2, B3> = Masked<'a, Tensor<usize, (B2,)>, Tensor<bool, (B3,)>>;
/// Probability targets with a per-sample mask.
type MaskedProbs<'a, T, B2, C2, B3> = Masked<'a, Tensor<T, (B2, C2)>, Tensor<bool, (B3,)>>;

impl<T: Real, L: SampleLoss, B: Dim, C: Dim, B2, B3>
    Loss<T, Tensor<T, (B, C)>, MaskedClasses<'_, B2, B3>> for L
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    B3: Dim + DimEq<B, rules::BatchSize>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, t: &MaskedClasses<'_, B2, B3>) -> T {
        let target = class_target(t.target.as_slice(), C::USIZE);
        let mask = Some(t.mask.as_slice());
        per_sample(self, y.as_slice(), C::USIZE, target, mask, None)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (B, C)>,
        t: &MaskedClasses<'_, B2, B3>,
        dy: &mut Tensor<T, (B, C)>,
    ) -> T {
        let target = class_target(t.target.as_slice(), C::USIZE);
        let mask = Some(t.mask.as_slice());
        per_sample(
            self,
            y.as_slice(),
            C::USIZE,
            target,
            mask,
            Some(dy.as_mut_slice()),
        )
    }
}

impl<T: Real, L: SampleLoss, B: Dim, C: Dim, B2, C2, B3>
    Loss<T, Tensor<T, (B, C)>, MaskedProbs<'_, T, B2, C2, B3>> for L
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    C2: Dim + DimEq<C, rules::ClassCount>,
    B3: Dim + DimEq<B, rules::BatchSize>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, t: &MaskedProbs<'_, T, B2, C2, B3>) -> T {
        let target = prob_target(t.target.as_slice(), C::USIZE);
        let mask = Some(t.mask.as_slice());
        per_sample(self, y.as_slice(), C::USIZE, target, mask, None)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (B, C)>,
        t: &MaskedProbs<'_, T, B2, C2, B3>,
        dy: &mut Tensor<T, (B, C)>,
    ) -> T {
        let target = prob_target(t.target.as_slice(), C::USIZE);
        let mask = Some(t.mask.as_slice());
        per_sample(
            self,
            y.as_slice(),
            C::USIZE,
            target,
            mask,
            Some(dy.as_mut_slice()),
        )
    }
}

/// Mean squared error over all `B·C` elements: `(1 / (B·C)) · Σ (y − t)²`, gradient
/// `2(y − t) / (B·C)` (PyTorch's `MSELoss`).
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
pub struct Mse;

/// Binary cross-entropy on logits, elementwise, mean over all `B·C` elements:
/// `max(x, 0) − x·t + ln(1 + e^(−|x|))`, the stable form of `−t·ln σ(x) − (1 − t)·ln(1 − σ(x))`.
/// Gradient `(σ(x) − t) / (B·C)`. Targets are probabilities in `[0, 1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BceWithLogits;

/// Runs an elementwise loss `f(y, t) -> (value, ∂value/∂y)` over matching slices: mean over the
/// unmasked elements, gradient scaled to match, masked elements zero.
fn per_element<T: Real>(
    y: &[T],
    t: &[T],
    mask: Option<&[bool]>,
    mut dy: Option<&mut [T]>,
    f: impl Fn(T, T) -> (T, T),
) -> T {
    let count = mask.map_or(y.len(), |m| m.iter().filter(|&&k| k).count());
    if count == 0 {
        dy.into_iter().for_each(|d| d.fill(T::zero()));
        return T::zero();
    }
    let scale = T::one() / T::from_usize(count);
    let mut total = T::zero();
    for i in 0..y.len() {
        let (value, grad) = if mask.is_none_or(|m| m[i]) {
            f(y[i], t[i])
        } else {
            (T::zero(), T::zero())
        };
        total += value;
        if let Some(dy) = dy.as_deref_mut() {
            dy[i] = grad * scale;
        }
    }
    total * scale
}

fn mse<T: Real>(y: T, t: T) -> (T, T) {
    let d = y - t;
    (d * d, d + d)
}

fn bce_with_logits<T: Real>(x: T, t: T) -> (T, T) {
    let relu = if x > T::zero() { x } else { T::zero() };
    let value = relu - x * t + (T::one() + (-x.abs()).exp()).ln();
    (value, sigmoid(x) - t)
}

/// Elementwise targets with an elementwise mask.
type MaskedValues<'a, T, B2, C2, B3, C3> = Masked<'a, Tensor<T, (B2, C2)>, Tensor<bool, (B3, C3)>>;

impl<T: Real, B: Dim, C: Dim, B2, C2> Loss<T, Tensor<T, (B, C)>, Tensor<T, (B2, C2)>> for Mse
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    C2: Dim + DimEq<C, rules::ClassCount>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, t: &Tensor<T, (B2, C2)>) -> T {
        per_element(y.as_slice(), t.as_slice(), None, None, mse)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (B, C)>,
        t: &Tensor<T, (B2, C2)>,
        dy: &mut Tensor<T, (B, C)>,
    ) -> T {
        per_element(
            y.as_slice(),
            t.as_slice(),
            None,
            Some(dy.as_mut_slice()),
            mse,
        )
    }
}

impl<T: Real, B: Dim, C: Dim, B2, C2, B3, C3>
    Loss<T, Tensor<T, (B, C)>, MaskedValues<'_, T, B2, C2, B3, C3>> for Mse
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    C2: Dim + DimEq<C, rules::ClassCount>,
    B3: Dim + DimEq<B, rules::BatchSize>,
    C3: Dim + DimEq<C, rules::ClassCount>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, t: &MaskedValues<'_, T, B2, C2, B3, C3>) -> T {
        let (t, mask) = (t.target.as_slice(), Some(t.mask.as_slice()));
        per_element(y.as_slice(), t, mask, None, mse)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (B, C)>,
        t: &MaskedValues<'_, T, B2, C2, B3, C3>,
        dy: &mut Tensor<T, (B, C)>,
    ) -> T {
        let (t, mask) = (t.target.as_slice(), Some(t.mask.as_slice()));
        per_element(y.as_slice(), t, mask, Some(dy.as_mut_slice()), mse)
    }
}

impl<T: Real, B: Dim, C: Dim, B2, C2> Loss<T, Tensor<T, (B, C)>, Tensor<T, (B2, C2)>>
    for BceWithLogits
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    C2: Dim + DimEq<C, rules::ClassCount>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, t: &Tensor<T, (B2, C2)>) -> T {
        per_element(y.as_slice(), t.as_slice(), None, None, bce_with_logits)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (B, C)>,
        t: &Tensor<T, (B2, C2)>,
        dy: &mut Tensor<T, (B, C)>,
    ) -> T {
        per_element(
            y.as_slice(),
            t.as_slice(),
            None,
            Some(dy.as_mut_slice()),
            bce_with_logits,
        )
    }
}

impl<T: Real, B: Dim, C: Dim, B2, C2, B3, C3>
    Loss<T, Tensor<T, (B, C)>, MaskedValues<'_, T, B2, C2, B3, C3>> for BceWithLogits
where
    B2: Dim + DimEq<B, rules::BatchSize>,
    C2: Dim + DimEq<C, rules::ClassCount>,
    B3: Dim + DimEq<B, rules::BatchSize>,
    C3: Dim + DimEq<C, rules::ClassCount>,
{
    fn loss(&self, y: &Tensor<T, (B, C)>, t: &MaskedValues<'_, T, B2, C2, B3, C3>) -> T {
        let (t, mask) = (t.target.as_slice(), Some(t.mask.as_slice()));
        per_element(y.as_slice(), t, mask, None, bce_with_logits)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (B, C)>,
        t: &MaskedValues<'_, T, B2, C2, B3, C3>,
        dy: &mut Tensor<T, (B, C)>,
    ) -> T {
        let (t, mask) = (t.target.as_slice(), Some(t.mask.as_slice()));
        per_element(
            y.as_slice(),
            t,
            mask,
            Some(dy.as_mut_slice()),
            bce_with_logits,
        )
    }
}
