//! Type-level output sizes of convolution and pooling.
//!
//! Along one axis, a window of `K` sliding with stride `S` over `N` values padded by `P` on each
//! side yields `⌊(N + 2P − K) / S⌋ + 1` values. [`ConvDim`] and [`PoolDim`] bundle the typenum
//! arithmetic in one blanket impl each, so generic code needs a single bound per axis
//! (`H: ConvDim<K, S, P>`) and names the result with [`ConvOut`] / [`PoolOut`].
//!
//! 2-D layers take each of kernel, stride and padding as a [`Pair`]: one dim for both axes (`U3`)
//! or an `(H, W)` tuple (`(U3, U5)`), and apply the rule to each axis with its own values.
//!
//! A window larger than the (padded) input is a readable compile error: the blanket impl compares
//! with typenum's `IsGreaterOrEqual` and dispatches on the resulting bit; `B1` does the arithmetic,
//! `B0` goes through [`Verdict`] to the rule's message, e.g.
//! `shape error (conv kernel larger than padded input): the padded input has 3, the kernel needs 5`.
//!
//! ```
//! use shaped::prelude::*;
//! use shaped::shape::{ConvOut, PoolOut, SamePad};
//! use typenum::Unsigned;
//! assert_eq!(<ConvOut<U227, U11, U4, U0>>::USIZE, 55); // AlexNet's first layer
//! assert_eq!(<ConvOut<U28, U5, U1, U2>>::USIZE, 28);
//! assert_eq!(<ConvOut<U28, U5, U1, SamePad<U5>>>::USIZE, 28);
//! assert_eq!(<PoolOut<U28, U2, U2>>::USIZE, 14);
//! assert_eq!(<PoolOut<U5, U3, U2, U1>>::USIZE, 3); // padded by 1: (5 + 2 − 3)/2 + 1
//! ```

use core::ops::{Add, Div, Mul, Rem, Sub};
use typenum::{
    B0, B1, Bit, Diff, Eq, GrEq, IsEqual, IsGreaterOrEqual, Mod, Prod, Quot, Sub1, Sum, U0, U1, U2,
    UInt, UTerm, Unsigned,
};

use super::check::{ToDecimal, Verdict};
use super::{Dim, rules};

/// A 2-D kernel size, stride or padding: one dim for both axes (`U3`, as PyTorch's
/// `kernel_size=3`) or one per axis, `(H, W)` (`(U3, U5)`, as `kernel_size=(3, 5)`).
///
/// ```
/// use shaped::prelude::*;
/// use shaped::shape::Pair;
/// assert_eq!((<<U3 as Pair>::H>::USIZE, <<U3 as Pair>::W>::USIZE), (3, 3));
/// assert_eq!((<<(U3, U5) as Pair>::H>::USIZE, <<(U3, U5) as Pair>::W>::USIZE), (3, 5));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a 2-D size: write one dim (`U3`) or a pair of dims (`(U3, U5)`)",
    label = "kernel, stride and padding are a dim or an (H, W) pair of dims"
)]
pub trait Pair {
    /// The value along the height (rows).
    type H: Dim;
    /// The value along the width (columns).
    type W: Dim;
}

impl Pair for UTerm {
    type H = UTerm;
    type W = UTerm;
}

impl<U: Unsigned, B: Bit> Pair for UInt<U, B>
where
    UInt<U, B>: Dim,
{
    type H = Self;
    type W = Self;
}

impl<H: Dim, W: Dim> Pair for (H, W) {
    type H = H;
    type W = W;
}

/// An input size `Self` that a convolution window of `K`, stride `S`, padding `P` fits
/// (`Self + 2P >= K`). `Out` is the output size `⌊(Self + 2P − K) / S⌋ + 1`.
pub trait ConvDim<K, S, P>: Dim {
    /// The output size along this axis.
    type Out: Dim;
    /// The padded input size `Self + 2P` (the size of a padded copy of the input).
    type Padded: Dim;
}

/// Output size of a convolution along one axis: `⌊(N + 2P − K) / S⌋ + 1`.
pub type ConvOut<N, K, S, P> = <N as ConvDim<K, S, P>>::Out;

/// An input size `Self` that a pooling window of `K` with stride `S` and padding `P` fits
/// (`Self + 2P >= K`), with at most half a window of padding (`2P <= K`, as PyTorch requires, so
/// every window holds an input value). `Out` is `⌊(Self + 2P − K) / S⌋ + 1`.
pub trait PoolDim<K, S, P = U0>: Dim {
    /// The output size along this axis.
    type Out: Dim;
}

/// Output size of pooling along one axis: `⌊(N + 2P − K) / S⌋ + 1`.
pub type PoolOut<N, K, S, P = U0> = <N as PoolDim<K, S, P>>::Out;

/// The padding that keeps the size at stride 1 ("same" convolution): `(K − 1) / 2`, for odd `K`.
/// Unchecked: for an even `K` it is one short. [`SamePads`] is the checked 2-D form.
pub type SamePad<K> = Quot<Sub1<K>, U2>;

/// The per-axis padding that keeps `H × W` at stride 1 for a kernel [`Pair`] `K`:
/// `(SamePad<K::H>, SamePad<K::W>)`, so a `(3, 5)` kernel is padded by `(1, 2)`.
///
/// Only odd kernels have a centre, so only they keep the size with the same padding on both
/// sides (PyTorch pads even kernels asymmetrically, which [`Conv2d`](crate::nn::Conv2d) does not
/// do). Naming `SamePads` of an even kernel is a compile error, e.g.
/// `shape error (same padding): a kernel of 4 rows has no centre row; ...`.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::shape::{Pair, SamePads};
/// type P = SamePads<(U3, U5)>;
/// assert_eq!((<<P as Pair>::H>::USIZE, <<P as Pair>::W>::USIZE), (1, 2));
/// assert_eq!(<<SamePads<U7> as Pair>::W>::USIZE, 3);
/// ```
pub type SamePads<K> = <K as OddKernel>::SamePads;

/// A kernel [`Pair`] odd along both axes (rules `SameKernelRows`, `SameKernelColumns`): the
/// kernels that [`SamePads`] can keep the size for. Every pair of concrete dims is checked.
pub trait OddKernel: Pair {
    /// `(SamePad<Self::H>, SamePad<Self::W>)`.
    type SamePads: Pair;
}

impl<K: Pair> OddKernel for K
where
    K::H: OddDim<rules::SameKernelRows>,
    K::W: OddDim<rules::SameKernelColumns>,
{
    type SamePads = (
        <K::H as OddDim<rules::SameKernelRows>>::SamePad,
        <K::W as OddDim<rules::SameKernelColumns>>::SamePad,
    );
}

/// An odd dim (`Self mod 2 == 1`, else the rule `R` reports it) and its [`SamePad`].
#[doc(hidden)]
pub trait OddDim<R>: Dim {
    type SamePad: Dim;
}

impl<N: Dim, R> OddDim<R> for N
where
    N: Rem<U2, Output: IsEqual<U1>> + Sub<B1, Output: Div<U2, Output: Dim>>,
    R: Verdict<Eq<Mod<N, U2>, U1>, N, N>,
{
    type SamePad = SamePad<N>;
}

/// `N + 2P`.
type Padded<N, P> = Sum<N, Prod<P, U2>>;

/// The size after sliding, chosen by the bit "the window fits": `B1` computes it, `B0` reports the
/// rule `R` with the padded size and the window in decimal.
#[doc(hidden)]
pub trait Slide<N, K, S, R> {
    type Out: Dim;
}

impl<N, K, S, R> Slide<N, K, S, R> for B1
where
    N: Sub<K>,
    Diff<N, K>: Div<S>,
    Quot<Diff<N, K>, S>: Add<U1>,
    Sum<Quot<Diff<N, K>, S>, U1>: Dim,
{
    type Out = Sum<Quot<Diff<N, K>, S>, U1>;
}

impl<N: ToDecimal, K: ToDecimal, S, R> Slide<N, K, S, R> for B0
where
    R: Verdict<B0, N, K>,
{
    type Out = U0;
}

impl<N: Dim, K, S, P> ConvDim<K, S, P> for N
where
    P: Mul<U2>,
    N: Add<Prod<P, U2>>,
    Padded<N, P>: IsGreaterOrEqual<K>,
    GrEq<Padded<N, P>, K>: Slide<Padded<N, P>, K, S, rules::ConvKernelFits>,
    Padded<N, P>: Dim,
{
    type Padded = Padded<N, P>;
    type Out = <GrEq<Padded<N, P>, K> as Slide<Padded<N, P>, K, S, rules::ConvKernelFits>>::Out;
}

impl<N: Dim, K, S, P> PoolDim<K, S, P> for N
where
    P: Mul<U2>,
    K: IsGreaterOrEqual<Prod<P, U2>>,
    rules::PoolPaddingFits: Verdict<GrEq<K, Prod<P, U2>>, Prod<P, U2>, K>,
    N: Add<Prod<P, U2>>,
    Padded<N, P>: IsGreaterOrEqual<K>,
    GrEq<Padded<N, P>, K>: Slide<Padded<N, P>, K, S, rules::PoolWindowFits>,
{
    type Out = <GrEq<Padded<N, P>, K> as Slide<Padded<N, P>, K, S, rules::PoolWindowFits>>::Out;
}
