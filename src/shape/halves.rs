//! Shapes whose first axis (the batch) splits into two equal halves: what
//! [`Tensor::halves`](crate::Tensor::halves) and data-parallel training need.

use core::ops::{Shl, Shr};
use typenum::{Shleft, Shright, U1};

use super::{Dim, DimEq, Shape, rules};

/// A dim with its half, `Self / 2` rounded down (every concrete dim).
pub trait Halve: Dim {
    /// `Self / 2`, rounded down.
    type Half: Dim;
    /// `(Self / 2) · 2`: `Self` when it is even.
    type Twice: Dim;
}

// Halved by a shift, not a division: typenum's `>> 1` drops the last bit in one step, while its
// division is a long division that deep models make the trait solver evaluate for every layer.
impl<B: Dim + Shr<U1, Output: Dim + Shl<U1, Output: Dim>>> Halve for B {
    type Half = Shright<B, U1>;
    type Twice = Shleft<Shright<B, U1>, U1>;
}

/// A shape `(B, ..)` and the shape `(B / 2, ..)` of each half of its batch. Every shape of
/// concrete dims has one; whether `B` is even is checked where the halves are taken, by
/// [`EvenBatch`].
pub trait SplitBatch: Shape {
    /// The batch `B`.
    type Batch: Halve;
    /// The shape of each half: `(B / 2, ..)`.
    type Half: Shape;
}

impl<B: Halve> SplitBatch for (B,) {
    type Batch = B;
    type Half = (B::Half,);
}
impl<B: Halve, A: Dim> SplitBatch for (B, A) {
    type Batch = B;
    type Half = (B::Half, A);
}
impl<B: Halve, A: Dim, C: Dim> SplitBatch for (B, A, C) {
    type Batch = B;
    type Half = (B::Half, A, C);
}
impl<B: Halve, A: Dim, C: Dim, D: Dim> SplitBatch for (B, A, C, D) {
    type Batch = B;
    type Half = (B::Half, A, C, D);
}

/// A [`SplitBatch`] shape whose batch is even, checked as `(B / 2) · 2 == B`; an odd one reads
/// `shape error (batch halves): a batch of 33 does not split into two equal halves (32 would)`.
pub trait EvenBatch: SplitBatch {}

impl<S> EvenBatch for S
where
    S: SplitBatch,
    <S::Batch as Halve>::Twice: DimEq<S::Batch, rules::BatchHalves>,
{
}
