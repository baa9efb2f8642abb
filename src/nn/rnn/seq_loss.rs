//! Per-sample losses on every step of a sequence (see [`crate::guide::recurrent`]).

use crate::nn::loss::{Loss, Masked, Reduction, SampleLoss, Target};
use crate::scalar::Real;
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

use super::rules::SequenceLength;

/// The targets of a per-step loss on `(N, S, C)` logits: class indices `(N, S)`, or class
/// indices with a `(N, S)` mask ([`Masked`]). The impls check `N` (rule `BatchSize`) and `S`
/// (rule `SequenceLength`) at compile time.
pub trait StepTargets<N, S> {
    /// Whether the step at flat position `p = n·S + t` counts.
    fn kept(&self, p: usize) -> bool;
    /// The class index at flat position `p`.
    fn class(&self, p: usize) -> usize;
}

impl<N: Dim, S: Dim, N2, S2> StepTargets<N, S> for Tensor<usize, (N2, S2)>
where
    N2: Dim + DimEq<N, rules::BatchSize>,
    S2: Dim + DimEq<S, SequenceLength>,
{
    fn kept(&self, _: usize) -> bool {
        true
    }
    fn class(&self, p: usize) -> usize {
        self.as_slice()[p]
    }
}

impl<N: Dim, S: Dim, Tgt, N3, S3> StepTargets<N, S> for Masked<'_, Tgt, Tensor<bool, (N3, S3)>>
where
    Tgt: StepTargets<N, S>,
    N3: Dim + DimEq<N, rules::BatchSize>,
    S3: Dim + DimEq<S, SequenceLength>,
{
    fn kept(&self, p: usize) -> bool {
        self.mask.as_slice()[p] && self.target.kept(p)
    }
    fn class(&self, p: usize) -> usize {
        self.target.class(p)
    }
}

fn per_step<T: Real, L: SampleLoss, N: Dim, S: Dim, C: Dim>(
    loss: &L,
    y: &Tensor<T, (N, S, C)>,
    target: &impl StepTargets<N, S>,
    mut dy: Option<&mut [T]>,
) -> T {
    let c = C::USIZE;
    let (mut total, mut count) = (T::zero(), 0usize);
    for p in 0..N::USIZE * S::USIZE {
        let d = dy.as_deref_mut().map(|d| &mut d[p * c..(p + 1) * c]);
        if !target.kept(p) {
            d.into_iter().for_each(|d| d.fill(T::zero()));
            continue;
        }
        count += 1;
        let k = target.class(p);
        total += if k < c {
            loss.sample(&y.as_slice()[p * c..(p + 1) * c], Target::Class(k), d)
        } else {
            d.into_iter().for_each(|d| d.fill(T::nan()));
            T::nan()
        };
    }
    match loss.reduction() {
        Reduction::Sum => total,
        Reduction::Mean if count == 0 => T::zero(),
        Reduction::Mean => {
            let scale = T::one() / T::from_usize(count);
            dy.into_iter().flatten().for_each(|d| *d *= scale);
            total * scale
        }
    }
}

impl<T: Real, L: SampleLoss, N: Dim, S: Dim, C: Dim, Tgt> Loss<T, Tensor<T, (N, S, C)>, Tgt> for L
where
    Tgt: StepTargets<N, S>,
{
    fn loss(&self, y: &Tensor<T, (N, S, C)>, target: &Tgt) -> T {
        per_step(self, y, target, None)
    }

    fn loss_and_grad(
        &self,
        y: &Tensor<T, (N, S, C)>,
        target: &Tgt,
        dy: &mut Tensor<T, (N, S, C)>,
    ) -> T {
        per_step(self, y, target, Some(dy.as_mut_slice()))
    }
}
