//! Type-level output sizes of convolution and pooling.
//!
//! Along one axis, a window of `K` sliding with stride `S` over `N` values padded by `P` on each
//! side yields `⌊(N + 2P − K) / S⌋ + 1` values. [`ConvDim`] and [`PoolDim`] bundle the typenum
//! arithmetic in one blanket impl each, so generic code needs a single bound per axis
//! (`H: ConvDim<K, S, P>`) and names the result with [`ConvOut`] / [`PoolOut`].
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
//! ```

use core::ops::{Add, Div, Mul, Sub};
use typenum::{B0, B1, Diff, GrEq, IsGreaterOrEqual, Prod, Quot, Sub1, Sum, U0, U1, U2};

use super::check::{ToDecimal, Verdict};
use super::{Dim, rules};

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

/// An input size `Self` that a pooling window of `K` with stride `S` fits (`Self >= K`), no padding.
/// `Out` is `⌊(Self − K) / S⌋ + 1`.
pub trait PoolDim<K, S>: Dim {
    /// The output size along this axis.
    type Out: Dim;
}

/// Output size of pooling along one axis: `⌊(N − K) / S⌋ + 1`.
pub type PoolOut<N, K, S> = <N as PoolDim<K, S>>::Out;

/// The padding that keeps the size at stride 1 ("same" convolution): `(K − 1) / 2`, for odd `K`.
pub type SamePad<K> = Quot<Sub1<K>, U2>;

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

impl<N: Dim, K, S> PoolDim<K, S> for N
where
    N: IsGreaterOrEqual<K>,
    GrEq<N, K>: Slide<N, K, S, rules::PoolWindowFits>,
{
    type Out = <GrEq<N, K> as Slide<N, K, S, rules::PoolWindowFits>>::Out;
}
