//! Compile-time shape checks that fail with readable messages.
//!
//! How a check works (see `shared/DESIGN.md` §2 for the traps this avoids):
//! 1. [`DimEq<E, Rule>`] is implemented for every dim `G`; its where-clause compares `G` and `E`
//!    with typenum's `IsEqual` and hands the resulting bit to [`Verdict`].
//! 2. On `B1` the verdict holds. On `B0` both dims are converted to decimal marker types
//!    ([`ToDecimal`]) and the rule must implement [`Report`] for them.
//! 3. Each rule implements `Report` only through a trait with `#[diagnostic::on_unimplemented]` and
//!    const parameters, which has no impls; rustc reports that trait, and its message prints the
//!    const parameters, i.e. the dims in decimal.
//!
//! Generic code needs no bounds: for a generic `K: Dim`, `K: IsEqual<K, Output = B1>` is a
//! supertrait of [`Dim`], so `K: DimEq<K, Rule>` is proved without knowing `K`.

use core::ops::{Div, Rem};
use typenum::{B0, B1, IsEqual, IsLess, Le, Mod, Quot, U10, U100, U1000};

use super::Dim;
use crate::shape::rules;

/// A number printed in a shape error: `D<864>` prints as `864`.
#[derive(Clone, Copy, Debug, Default)]
pub struct D<const N: usize>;

/// A number of 1000 or more, as its thousands and its last three digits (printed without separators).
#[derive(Clone, Copy, Debug, Default)]
pub struct Large<H, X2, X1, X0>(H, X2, X1, X0);

/// `U0..=U999` to `D<0>..=D<999>` (a generated table).
pub trait DecimalTable {
    /// The decimal marker.
    type Out;
}
include!(concat!(env!("OUT_DIR"), "/decimal.rs"));

/// Converts a typenum unsigned integer to a printable decimal marker ([`D`] or [`Large`]).
/// Used only on the error path, so its type-level division costs nothing in correct programs.
pub trait ToDecimal {
    /// The decimal marker.
    type Out;
}

#[doc(hidden)]
pub trait DecimalBranch {
    type Out;
}

impl<N: IsLess<U1000>> ToDecimal for N
where
    (Le<N, U1000>, N): DecimalBranch,
{
    type Out = <(Le<N, U1000>, N) as DecimalBranch>::Out;
}

impl<N: DecimalTable> DecimalBranch for (B1, N) {
    type Out = N::Out;
}

type Low<N> = Mod<N, U1000>;
type Digit2<N> = Quot<Low<N>, U100>;
type Digit1<N> = Quot<Mod<Low<N>, U100>, U10>;
type Digit0<N> = Mod<Low<N>, U10>;

impl<N> DecimalBranch for (B0, N)
where
    N: Div<U1000> + Rem<U1000>,
    Quot<N, U1000>: DecimalTable,
    Low<N>: Div<U100> + Rem<U100> + Rem<U10>,
    Mod<Low<N>, U100>: Div<U10>,
    Digit2<N>: DecimalTable,
    Digit1<N>: DecimalTable,
    Digit0<N>: DecimalTable,
{
    type Out = Large<
        <Quot<N, U1000> as DecimalTable>::Out,
        <Digit2<N> as DecimalTable>::Out,
        <Digit1<N> as DecimalTable>::Out,
        <Digit0<N> as DecimalTable>::Out,
    >;
}

/// Implemented by a rule for the decimal forms of two mismatching dims; only through the rule's
/// message trait, which has no impls. This is where a failed check surfaces.
pub trait Report<Got, Expected> {}

/// The outcome of comparing two dims: `B1` holds for every rule, `B0` needs a [`Report`].
pub trait Verdict<Bit, Got, Expected> {}

impl<R, G, E> Verdict<B1, G, E> for R {}

impl<R, G: ToDecimal, E: ToDecimal> Verdict<B0, G, E> for R where R: Report<G::Out, E::Out> {}

/// "`Self` (the dim found) equals `E` (the dim required)", checked under the shape rule `R`
/// (a marker from [`rules`](crate::shape::rules)). Holds for any generic `K: Dim` against itself.
pub trait DimEq<E, R> {}

impl<G: IsEqual<E>, E, R> DimEq<E, R> for G where R: Verdict<<G as IsEqual<E>>::Output, G, E> {}

/// "`Self` has the same shape as `S`", checked axis by axis under the rule family `R`
/// ([`Elementwise`] or [`Mask`]). Every shape has it against itself (a supertrait of
/// [`Shape`](super::Shape)).
#[diagnostic::on_unimplemented(
    message = "shape error (rank): the operands have different ranks",
    label = "both operands must have the same number of axes"
)]
pub trait SameShape<S, R> {}

/// Rule family for elementwise operands.
#[derive(Clone, Copy, Debug, Default)]
pub struct Elementwise;
/// Rule family for masks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mask;

/// The per-axis rules of a family.
pub trait AxisRules {
    /// Rule for axis 0.
    type A0;
    /// Rule for axis 1.
    type A1;
    /// Rule for axis 2.
    type A2;
    /// Rule for axis 3.
    type A3;
}
impl AxisRules for Elementwise {
    type A0 = rules::ElementwiseAxis0;
    type A1 = rules::ElementwiseAxis1;
    type A2 = rules::ElementwiseAxis2;
    type A3 = rules::ElementwiseAxis3;
}
impl AxisRules for Mask {
    type A0 = rules::MaskAxis0;
    type A1 = rules::MaskAxis1;
    type A2 = rules::MaskAxis2;
    type A3 = rules::MaskAxis3;
}

impl<A: Dim, A2: DimEq<A, R::A0>, R: AxisRules> SameShape<(A,), R> for (A2,) {}
impl<A: Dim, B: Dim, A2: DimEq<A, R::A0>, B2: DimEq<B, R::A1>, R: AxisRules> SameShape<(A, B), R>
    for (A2, B2)
{
}
impl<A, B, C, A2, B2, C2, R> SameShape<(A, B, C), R> for (A2, B2, C2)
where
    R: AxisRules,
    A2: DimEq<A, R::A0>,
    B2: DimEq<B, R::A1>,
    C2: DimEq<C, R::A2>,
{
}
impl<A, B, C, E, A2, B2, C2, E2, R> SameShape<(A, B, C, E), R> for (A2, B2, C2, E2)
where
    R: AxisRules,
    A2: DimEq<A, R::A0>,
    B2: DimEq<B, R::A1>,
    C2: DimEq<C, R::A2>,
    E2: DimEq<E, R::A3>,
{
}

/// Never a shape. Its `SameShape` impls give every tuple a second candidate, so rustc does not
/// commit to the tuple impl (and infer the other side through typenum) before both shapes are known.
#[doc(hidden)]
pub enum Unknown {}
#[diagnostic::do_not_recommend]
impl<A2, R> SameShape<Unknown, R> for (A2,) {}
#[diagnostic::do_not_recommend]
impl<A2, B2, R> SameShape<Unknown, R> for (A2, B2) {}
#[diagnostic::do_not_recommend]
impl<A2, B2, C2, R> SameShape<Unknown, R> for (A2, B2, C2) {}
#[diagnostic::do_not_recommend]
impl<A2, B2, C2, E2, R> SameShape<Unknown, R> for (A2, B2, C2, E2) {}
