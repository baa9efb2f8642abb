//! [`Tensor<T, S>`]: `S::NUMEL` values of `T` inline, in row-major order, shaped by `S`.

mod array;
#[cfg(feature = "alloc")]
mod boxed;
mod fmt;

pub use array::{IntoTensor, tensor};
#[cfg(feature = "alloc")]
pub use boxed::boxed_zeroed;

use core::marker::PhantomData;

use crate::scalar::{Scalar, Zeroable};
use crate::shape::Shape;

/// A tensor of `T` with the compile-time shape `S`, stored inline (no heap).
///
/// Big tensors should not travel by value (each move is a copy of all elements, and debug builds
/// make several): create them with the `boxed_*` constructors (feature `alloc`) or in statics,
/// and use the `*_into`/in-place forms of the ops.
///
/// ```
/// use shaped::prelude::*;
/// let x: Tensor2<f32, U2, U3> = tensor([[1., 2., 3.], [4., 5., 6.]]);
/// assert_eq!(x[[1, 2]], 6.0);
/// assert_eq!(x.as_slice(), &[1., 2., 3., 4., 5., 6.]);
/// assert_eq!(Tensor2::<f32, U2, U3>::DIMS, &[2, 3]);
/// ```
#[repr(transparent)]
pub struct Tensor<T, S: Shape> {
    data: S::Storage<T>,
    _shape: PhantomData<S>,
}

/// A rank-1 tensor (vector) of length `A`.
pub type Tensor1<T, A> = Tensor<T, (A,)>;
/// A rank-2 tensor (matrix) with `A` rows and `B` columns.
pub type Tensor2<T, A, B> = Tensor<T, (A, B)>;
/// A rank-3 tensor, e.g. one image `(C, H, W)`.
pub type Tensor3<T, A, B, C> = Tensor<T, (A, B, C)>;
/// A rank-4 tensor, e.g. a batch of images `(N, C, H, W)`.
pub type Tensor4<T, A, B, C, D> = Tensor<T, (A, B, C, D)>;

// SAFETY: the storage is nested arrays of `T`, so a tensor is `Send`/`Sync` exactly when `T` is.
// Written out (instead of the auto traits) because proving the auto traits walks generic-array's
// binary length types level by level, which deep models make the trait solver do for every
// activation; this proof is one step.
unsafe impl<T: Send, S: Shape> Send for Tensor<T, S> {}
// SAFETY: as above.
unsafe impl<T: Sync, S: Shape> Sync for Tensor<T, S> {}
// SAFETY: the storage is nested arrays of `T`; all-zero `T`s make an all-zero tensor.
unsafe impl<T: Zeroable, S: Shape> Zeroable for Tensor<T, S> {}
// SAFETY: nested arrays of `Pod` elements: no padding, every bit pattern valid.
unsafe impl<T: crate::scalar::Pod, S: Shape> crate::scalar::Pod for Tensor<T, S> {}

/// A slice whose length does not match the tensor it should fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LengthError {
    /// The tensor's number of elements.
    pub expected: usize,
    /// The slice's length.
    pub got: usize,
}

impl core::fmt::Display for LengthError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "slice has {} elements, the tensor needs {}",
            self.got, self.expected
        )
    }
}
impl core::error::Error for LengthError {}

impl<T, S: Shape> Tensor<T, S> {
    /// Number of axes.
    pub const RANK: usize = S::RANK;
    /// Size of each axis.
    pub const DIMS: &'static [usize] = S::DIMS;
    /// Number of elements.
    pub const NUMEL: usize = S::NUMEL;

    /// Builds a tensor from a function of each element's multi-index (`[i]`, `[i, j]`, ...).
    pub fn from_fn(mut f: impl FnMut(S::Index) -> T) -> Self {
        Self::from_flat_fn(|i| f(S::unravel(i)))
    }

    /// Builds a tensor from a function of each element's flat (row-major) index.
    pub fn from_flat_fn(f: impl FnMut(usize) -> T) -> Self {
        Tensor {
            data: S::storage_from_fn(f),
            _shape: PhantomData,
        }
    }

    /// The elements in row-major order.
    #[inline(always)]
    pub fn as_slice(&self) -> &[T] {
        S::flat(&self.data)
    }

    /// The elements in row-major order, mutably.
    #[inline(always)]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        S::flat_mut(&mut self.data)
    }

    /// The nested generic arrays behind the tensor.
    pub fn storage(&self) -> &S::Storage<T> {
        &self.data
    }

    /// The element at a multi-index, or `None` if any index is out of range.
    pub fn get(&self, index: S::Index) -> Option<&T> {
        S::ravel(index).map(|i| &self.as_slice()[i])
    }

    /// The element at a multi-index, mutably, or `None` if any index is out of range.
    pub fn get_mut(&mut self, index: S::Index) -> Option<&mut T> {
        S::ravel(index).map(|i| &mut self.as_mut_slice()[i])
    }

    /// Iterates over the elements in row-major order.
    pub fn iter(&self) -> core::slice::Iter<'_, T> {
        self.as_slice().iter()
    }

    /// Iterates mutably over the elements in row-major order.
    pub fn iter_mut(&mut self) -> core::slice::IterMut<'_, T> {
        self.as_mut_slice().iter_mut()
    }

    /// The `i`-th slice along the outermost axis (a row of a matrix, a sample of a batch).
    ///
    /// # Panics
    /// If `i` is not less than the first dim.
    #[inline]
    pub fn outer(&self, i: usize) -> &[T] {
        let inner = S::NUMEL / S::DIMS[0];
        &self.as_slice()[i * inner..(i + 1) * inner]
    }

    /// The `i`-th slice along the outermost axis, mutably.
    ///
    /// # Panics
    /// If `i` is not less than the first dim.
    #[inline]
    pub fn outer_mut(&mut self, i: usize) -> &mut [T] {
        let inner = S::NUMEL / S::DIMS[0];
        &mut self.as_mut_slice()[i * inner..(i + 1) * inner]
    }
}

impl<T: Copy, S: Shape> Tensor<T, S> {
    /// A tensor with every element `value`.
    pub fn full(value: T) -> Self {
        Self::from_flat_fn(|_| value)
    }

    /// Copies a slice of exactly `NUMEL` elements (row-major); any other length is an error.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert!(Tensor2::<f32, U2, U2>::from_slice(&[1., 2., 3., 4.]).is_ok());
    /// let err = Tensor2::<f32, U2, U2>::from_slice(&[1., 2., 3.]).unwrap_err();
    /// assert_eq!((err.expected, err.got), (4, 3));
    /// ```
    pub fn from_slice(values: &[T]) -> Result<Self, LengthError> {
        if values.len() != S::NUMEL {
            return Err(LengthError {
                expected: S::NUMEL,
                got: values.len(),
            });
        }
        Ok(Self::from_flat_fn(|i| values[i]))
    }

    /// Sets every element to `value`.
    pub fn fill(&mut self, value: T) {
        self.as_mut_slice().fill(value);
    }

    /// Copies all elements of `other` into `self` (no allocation, no temporary).
    pub fn copy_from(&mut self, other: &Self) {
        self.as_mut_slice().copy_from_slice(other.as_slice());
    }

    /// Applies `f` to every element, giving a new tensor of the same shape.
    pub fn map<U>(&self, mut f: impl FnMut(T) -> U) -> Tensor<U, S> {
        let s = self.as_slice();
        Tensor::from_flat_fn(|i| f(s[i]))
    }

    /// Applies `f` to every element in place.
    pub fn map_inplace(&mut self, mut f: impl FnMut(T) -> T) {
        self.iter_mut().for_each(|x| *x = f(*x));
    }

    /// Combines two tensors of the same shape element by element.
    pub fn zip_map<U: Copy, V>(
        &self,
        other: &Tensor<U, S>,
        mut f: impl FnMut(T, U) -> V,
    ) -> Tensor<V, S> {
        let (a, b) = (self.as_slice(), other.as_slice());
        Tensor::from_flat_fn(|i| f(a[i], b[i]))
    }
}

impl<T: Scalar, S: Shape> Tensor<T, S> {
    /// All zeros.
    pub fn zeros() -> Self {
        Zeroable::zeroed()
    }

    /// All ones.
    pub fn ones() -> Self {
        Self::full(T::one())
    }
}

impl<T: Scalar, S: Shape> Default for Tensor<T, S> {
    fn default() -> Self {
        Self::zeros()
    }
}

impl<T: Copy, S: Shape> Clone for Tensor<T, S> {
    fn clone(&self) -> Self {
        let s = self.as_slice();
        Self::from_flat_fn(|i| s[i])
    }

    fn clone_from(&mut self, source: &Self) {
        self.copy_from(source);
    }
}

impl<T: PartialEq, S: Shape> PartialEq for Tensor<T, S> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq, S: Shape> Eq for Tensor<T, S> {}

impl<T, S: Shape> core::ops::Index<S::Index> for Tensor<T, S> {
    type Output = T;
    /// # Panics
    /// If any index is out of range.
    #[inline]
    fn index(&self, index: S::Index) -> &T {
        match S::ravel(index) {
            Some(i) => &self.as_slice()[i],
            None => panic!("tensor index {index:?} out of range for dims {:?}", S::DIMS),
        }
    }
}

impl<T, S: Shape> core::ops::IndexMut<S::Index> for Tensor<T, S> {
    #[inline]
    fn index_mut(&mut self, index: S::Index) -> &mut T {
        match S::ravel(index) {
            Some(i) => &mut self.as_mut_slice()[i],
            None => panic!("tensor index {index:?} out of range for dims {:?}", S::DIMS),
        }
    }
}

impl<'a, T, S: Shape> IntoIterator for &'a Tensor<T, S> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T, S: Shape> IntoIterator for &'a mut Tensor<T, S> {
    type Item = &'a mut T;
    type IntoIter = core::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}
