use typenum::{Const, ToUInt, U};

use super::Tensor;
use crate::scalar::Element;
use crate::shape::Dim;

/// Nested Rust arrays that convert to a tensor of the matching shape (dims up to 1024 per axis).
///
/// The shape is inferred from the array literal, so `tensor([[1., 2.], [3., 4.]])` is a
/// `Tensor<f64, (U2, U2)>` without naming any type.
pub trait IntoTensor {
    /// The tensor type with this array's element type and dims.
    type Tensor;
    /// Copies the elements into a tensor.
    fn into_tensor(self) -> Self::Tensor;
}

/// Builds a tensor from nested arrays; the shape comes from the literal.
///
/// ```
/// use shaped::prelude::*;
/// let w = tensor([[1., 2., 3.], [1., 4., 6.]]);
/// let same: Tensor2<f64, U2, U3> = w.clone();
/// assert_eq!(w, same);
/// ```
pub fn tensor<A: IntoTensor>(array: A) -> A::Tensor {
    array.into_tensor()
}

impl<T: Element, const A: usize> IntoTensor for [T; A]
where
    Const<A>: ToUInt<Output: Dim>,
{
    type Tensor = Tensor<T, (U<A>,)>;
    fn into_tensor(self) -> Self::Tensor {
        Tensor::from_flat_fn(|i| self[i])
    }
}

impl<T: Element, const A: usize, const B: usize> IntoTensor for [[T; B]; A]
where
    Const<A>: ToUInt<Output: Dim>,
    Const<B>: ToUInt<Output: Dim>,
{
    type Tensor = Tensor<T, (U<A>, U<B>)>;
    fn into_tensor(self) -> Self::Tensor {
        Tensor::from_flat_fn(|i| self[i / B][i % B])
    }
}

impl<T: Element, const A: usize, const B: usize, const C: usize> IntoTensor for [[[T; C]; B]; A]
where
    Const<A>: ToUInt<Output: Dim>,
    Const<B>: ToUInt<Output: Dim>,
    Const<C>: ToUInt<Output: Dim>,
{
    type Tensor = Tensor<T, (U<A>, U<B>, U<C>)>;
    fn into_tensor(self) -> Self::Tensor {
        Tensor::from_flat_fn(|i| self[i / (B * C)][i / C % B][i % C])
    }
}

impl<T: Element, const A: usize, const B: usize, const C: usize, const E: usize> IntoTensor
    for [[[[T; E]; C]; B]; A]
where
    Const<A>: ToUInt<Output: Dim>,
    Const<B>: ToUInt<Output: Dim>,
    Const<C>: ToUInt<Output: Dim>,
    Const<E>: ToUInt<Output: Dim>,
{
    type Tensor = Tensor<T, (U<A>, U<B>, U<C>, U<E>)>;
    fn into_tensor(self) -> Self::Tensor {
        Tensor::from_flat_fn(|i| self[i / (B * C * E)][i / (C * E) % B][i / E % C][i % E])
    }
}
