//! [`Parallel`]: two branches on one input, merged by a sum ([`Add`]) or a concatenation along
//! features or channels ([`Concat`]) — an Inception-style fork, or with a residual-like
//! projection shortcut as branch `b`.
//!
//! Backward: the input fans out to both branches, so `dx` is the sum of the two branches' input
//! gradients.

use core::marker::PhantomData;

use crate::nn::{Ctx, Infer, Train};
use crate::scalar::{Pod, Scalar};
use crate::shape::{Dim, DimEq, Elementwise, SameShape, Shape};
use crate::tensor::Tensor;

crate::shape_rule! {
    /// `Concat` of `(B, C, H, W)` branches: both must have the same height.
    pub struct ConcatHeight {
        message: "shape error (concat height): the first branch gives height {E}, the second {G}",
        label: "channel concatenation needs branches of the same height and width",
    }
    /// `Concat` of `(B, C, H, W)` branches: both must have the same width.
    pub struct ConcatWidth {
        message: "shape error (concat width): the first branch gives width {E}, the second {G}",
        label: "channel concatenation needs branches of the same height and width",
    }
}

/// Two layers (or chains) `a` and `b` applied to the same input, their outputs merged by `M`:
/// [`Add`] (`a(x) + b(x)`, same shapes) or [`Concat`] (features `(B, Fa + Fb)`, or channels
/// `(B, Ca + Cb, H, W)`).
///
/// Parameters are named under `a` and `b` (`a.0.weight`, `b.weight`).
///
/// ```
/// use shaped::nn::parallel::{Concat, Parallel};
/// use shaped::nn::{Infer, Linear, ReLU};
/// use shaped::prelude::*;
/// type Fork = Parallel<Linear<f64, U2, U3>, (Linear<f64, U2, U1>, ReLU), Concat>;
/// let mut fork = Fork::zeroed();
/// fork.b.0.bias = tensor([5.0]);
/// let y: Tensor2<f64, U1, U4> = fork.apply(&tensor([[1.0, 2.0]]));
/// assert_eq!(y, tensor([[0.0, 0.0, 0.0, 5.0]]));
/// ```
#[derive(Clone, Debug, Default, PartialEq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct Parallel<A, B, M = Add> {
    /// The first branch.
    pub a: A,
    /// The second branch.
    pub b: B,
    /// How the outputs are merged.
    #[skip]
    pub merge: PhantomData<M>,
}

/// Merge by elementwise sum: `a(x) + b(x)`; both branches receive `dy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Add;

/// Merge by concatenation along features `(B, F)` or channels `(B, C, H, W)`; each branch
/// receives its part of `dy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Concat;

/// How a [`Parallel`] merges its branches' outputs `YA` and `YB`, and splits the gradient back.
pub trait Merge<YA, YB> {
    /// The merged output.
    type Output: Pod;
    /// `y = merge(ya, yb)`.
    fn merge(ya: &YA, yb: &YB, y: &mut Self::Output);
    /// The parts of `dy` that belong to each branch.
    fn split(dy: &Self::Output, dya: &mut YA, dyb: &mut YB);
}

impl<T: Scalar + Pod, S: Shape, S2: Shape + SameShape<S, Elementwise>>
    Merge<Tensor<T, S>, Tensor<T, S2>> for Add
{
    type Output = Tensor<T, S>;
    fn merge(ya: &Tensor<T, S>, yb: &Tensor<T, S2>, y: &mut Tensor<T, S>) {
        y.copy_from(ya);
        y.add_tensor_assign(yb);
    }
    fn split(dy: &Tensor<T, S>, dya: &mut Tensor<T, S>, dyb: &mut Tensor<T, S2>) {
        dya.copy_from(dy);
        dyb.as_mut_slice().copy_from_slice(dy.as_slice());
    }
}

/// Interleaves per-sample blocks of `a` (`na` values) and `b` (`nb` values) into `y`, or back.
fn join<T: Copy>(a: &[T], b: &[T], y: &mut [T], na: usize, nb: usize) {
    for ((row, ra), rb) in y
        .chunks_exact_mut(na + nb)
        .zip(a.chunks_exact(na))
        .zip(b.chunks_exact(nb))
    {
        row[..na].copy_from_slice(ra);
        row[na..].copy_from_slice(rb);
    }
}

fn unjoin<T: Copy>(y: &[T], a: &mut [T], b: &mut [T], na: usize, nb: usize) {
    for ((row, ra), rb) in y
        .chunks_exact(na + nb)
        .zip(a.chunks_exact_mut(na))
        .zip(b.chunks_exact_mut(nb))
    {
        ra.copy_from_slice(&row[..na]);
        rb.copy_from_slice(&row[na..]);
    }
}

impl<T, N, FA, FB> Merge<Tensor<T, (N, FA)>, Tensor<T, (N, FB)>> for Concat
where
    T: Scalar + Pod,
    N: Dim,
    FA: Dim + core::ops::Add<FB, Output: Dim>,
    FB: Dim,
{
    type Output = Tensor<T, (N, typenum::Sum<FA, FB>)>;
    fn merge(ya: &Tensor<T, (N, FA)>, yb: &Tensor<T, (N, FB)>, y: &mut Self::Output) {
        join(
            ya.as_slice(),
            yb.as_slice(),
            y.as_mut_slice(),
            FA::USIZE,
            FB::USIZE,
        );
    }
    fn split(dy: &Self::Output, dya: &mut Tensor<T, (N, FA)>, dyb: &mut Tensor<T, (N, FB)>) {
        unjoin(
            dy.as_slice(),
            dya.as_mut_slice(),
            dyb.as_mut_slice(),
            FA::USIZE,
            FB::USIZE,
        );
    }
}

impl<T, N, CA, CB, H, W, H2, W2> Merge<Tensor<T, (N, CA, H, W)>, Tensor<T, (N, CB, H2, W2)>>
    for Concat
where
    T: Scalar + Pod,
    N: Dim,
    CA: Dim + core::ops::Add<CB, Output: Dim>,
    CB: Dim,
    H: Dim,
    W: Dim,
    H2: Dim + DimEq<H, ConcatHeight>,
    W2: Dim + DimEq<W, ConcatWidth>,
{
    type Output = Tensor<T, (N, typenum::Sum<CA, CB>, H, W)>;
    fn merge(ya: &Tensor<T, (N, CA, H, W)>, yb: &Tensor<T, (N, CB, H2, W2)>, y: &mut Self::Output) {
        let hw = H::USIZE * W::USIZE;
        let (na, nb) = (CA::USIZE * hw, CB::USIZE * hw);
        join(ya.as_slice(), yb.as_slice(), y.as_mut_slice(), na, nb);
    }
    fn split(
        dy: &Self::Output,
        dya: &mut Tensor<T, (N, CA, H, W)>,
        dyb: &mut Tensor<T, (N, CB, H2, W2)>,
    ) {
        let hw = H::USIZE * W::USIZE;
        let (na, nb) = (CA::USIZE * hw, CB::USIZE * hw);
        unjoin(
            dy.as_slice(),
            dya.as_mut_slice(),
            dyb.as_mut_slice(),
            na,
            nb,
        );
    }
}

/// The inference scratch of a [`Parallel`]: each branch's scratch and output.
#[repr(C)]
#[derive(crate::Zeroable)]
#[shaped(crate = crate)]
pub struct ParallelScratch<SA, SB, YA, YB> {
    sa: SA,
    sb: SB,
    ya: YA,
    yb: YB,
}

// SAFETY: four `Pod` fields; `parts`, the only access to them, asserts at compile time that the
// `repr(C)` layout has no padding between or after them.
unsafe impl<SA: Pod, SB: Pod, YA: Pod, YB: Pod> Pod for ParallelScratch<SA, SB, YA, YB> {}

impl<SA, SB, YA, YB> ParallelScratch<SA, SB, YA, YB> {
    #[inline(always)]
    fn parts(&mut self) -> (&mut SA, &mut SB, &mut YA, &mut YB) {
        const {
            let sum = size_of::<SA>() + size_of::<SB>() + size_of::<YA>() + size_of::<YB>();
            assert!(
                size_of::<Self>() == sum,
                "Parallel scratch would have padding"
            );
        }
        (&mut self.sa, &mut self.sb, &mut self.ya, &mut self.yb)
    }
}

impl<X, A: Infer<X>, B: Infer<X>, M: Merge<A::Output, B::Output>> Infer<X> for Parallel<A, B, M> {
    type Output = M::Output;
    type Scratch = ParallelScratch<A::Scratch, B::Scratch, A::Output, B::Output>;

    fn infer(&self, x: &X, scratch: &mut Self::Scratch, y: &mut M::Output) {
        let (sa, sb, ya, yb) = scratch.parts();
        self.a.infer(x, sa, ya);
        self.b.infer(x, sb, yb);
        M::merge(ya, yb, y);
    }
}

impl<T, S, A, B, M> Train<Tensor<T, S>> for Parallel<A, B, M>
where
    T: Scalar,
    S: Shape,
    A: Train<Tensor<T, S>>,
    B: Train<Tensor<T, S>>,
    M: Merge<A::Output, B::Output>,
{
    /// Each branch's cache and output (reused for its part of `dy`), and `b`'s input gradient.
    type Cache = (A::Cache, B::Cache, A::Output, B::Output, Tensor<T, S>);

    fn forward(&mut self, x: &Tensor<T, S>, ctx: Ctx, c: &mut Self::Cache, y: &mut M::Output) {
        self.a.forward(x, ctx.child(0), &mut c.0, &mut c.2);
        self.b.forward(x, ctx.child(1), &mut c.1, &mut c.3);
        M::merge(&c.2, &c.3, y);
    }

    fn backward(
        &self,
        x: &Tensor<T, S>,
        c: &mut Self::Cache,
        dy: &M::Output,
        dx: Option<&mut Tensor<T, S>>,
        grads: Option<&mut Self::Grads>,
    ) {
        M::split(dy, &mut c.2, &mut c.3);
        let (ga, gb) = match grads {
            Some(g) => (Some(&mut g.a), Some(&mut g.b)),
            None => (None, None),
        };
        match dx {
            Some(dx) => {
                self.a.backward(x, &mut c.0, &c.2, Some(&mut *dx), ga);
                self.b.backward(x, &mut c.1, &c.3, Some(&mut c.4), gb);
                dx.add_tensor_assign(&c.4);
            }
            None => {
                self.a.backward(x, &mut c.0, &c.2, None, ga);
                self.b.backward(x, &mut c.1, &c.3, None, gb);
            }
        }
    }
}

impl<A, B, M> Parallel<A, B, M> {
    /// Two branches, merged by `M`.
    pub fn new(a: A, b: B) -> Self {
        Parallel {
            a,
            b,
            merge: PhantomData,
        }
    }
}
