use core::ops::Mul;
use generic_array::GenericArray;
use generic_array::sequence::GenericSequence;
use typenum::{Prod, Unsigned};

use super::Dim;
use super::check::{Elementwise, Mask, SameShape};

/// A tensor shape: a tuple of 1 to 4 [`Dim`]s, e.g. `(U32, U784)` or `(B, U1, U28, U28)`.
///
/// `Storage<T>` is a nested generic array with exactly the layout of `[T; NUMEL]`, row-major.
/// The [`SameShape`] supertraits let generic code call elementwise ops and masks on two tensors of
/// one generic shape without where-clauses.
pub trait Shape:
    Copy + Default + Send + Sync + 'static + SameShape<Self, Elementwise> + SameShape<Self, Mask>
{
    /// Nested generic arrays holding `NUMEL` values of `T`.
    type Storage<T>;
    /// Number of axes (1 to 4).
    const RANK: usize;
    /// The size of each axis, outermost first.
    const DIMS: &'static [usize];
    /// Number of elements.
    const NUMEL: usize;
    /// The elements in row-major order.
    fn flat<T>(s: &Self::Storage<T>) -> &[T];
    /// The elements in row-major order, mutably.
    fn flat_mut<T>(s: &mut Self::Storage<T>) -> &mut [T];
    /// Builds storage from a function of the flat (row-major) index.
    fn storage_from_fn<T>(f: impl FnMut(usize) -> T) -> Self::Storage<T>;
    /// A multi-index: `[usize; RANK]`.
    type Index: Copy + core::fmt::Debug;
    /// The multi-index of a flat index.
    fn unravel(flat: usize) -> Self::Index;
    /// The flat index of a multi-index, or `None` if any index is out of range.
    fn ravel(index: Self::Index) -> Option<usize>;
}

#[inline(always)]
fn ravel<const R: usize>(index: [usize; R], dims: &[usize]) -> Option<usize> {
    let mut flat = 0;
    for (&i, &d) in index.iter().zip(dims) {
        if i >= d {
            return None;
        }
        flat = flat * d + i;
    }
    Some(flat)
}

#[inline(always)]
fn unravel<const R: usize>(mut flat: usize, dims: &[usize]) -> [usize; R] {
    let mut index = [0; R];
    for axis in (0..R).rev() {
        index[axis] = flat % dims[axis];
        flat /= dims[axis];
    }
    index
}

/// The number of elements of a shape as a type-level number, for compile-time checked reshapes.
/// Implemented for every shape whose dims can be multiplied (all concrete shapes).
pub trait Numel: Shape {
    /// `NUMEL` as a typenum unsigned integer.
    type Count: Unsigned;
}

impl<A: Dim> Shape for (A,) {
    type Storage<T> = GenericArray<T, A>;
    const RANK: usize = 1;
    type Index = [usize; 1];
    #[inline(always)]
    fn unravel(flat: usize) -> Self::Index {
        unravel(flat, Self::DIMS)
    }
    #[inline(always)]
    fn ravel(index: Self::Index) -> Option<usize> {
        ravel(index, Self::DIMS)
    }
    const DIMS: &'static [usize] = &[A::USIZE];
    const NUMEL: usize = A::USIZE;
    #[inline(always)]
    fn flat<T>(s: &Self::Storage<T>) -> &[T] {
        s.as_slice()
    }
    #[inline(always)]
    fn flat_mut<T>(s: &mut Self::Storage<T>) -> &mut [T] {
        s.as_mut_slice()
    }
    fn storage_from_fn<T>(f: impl FnMut(usize) -> T) -> Self::Storage<T> {
        GenericArray::generate(f)
    }
}

impl<A: Dim, B: Dim> Shape for (A, B) {
    type Storage<T> = GenericArray<<(B,) as Shape>::Storage<T>, A>;
    const RANK: usize = 2;
    type Index = [usize; 2];
    #[inline(always)]
    fn unravel(flat: usize) -> Self::Index {
        unravel(flat, Self::DIMS)
    }
    #[inline(always)]
    fn ravel(index: Self::Index) -> Option<usize> {
        ravel(index, Self::DIMS)
    }
    const DIMS: &'static [usize] = &[A::USIZE, B::USIZE];
    const NUMEL: usize = A::USIZE * B::USIZE;
    #[inline(always)]
    fn flat<T>(s: &Self::Storage<T>) -> &[T] {
        GenericArray::slice_from_chunks(s.as_slice())
    }
    #[inline(always)]
    fn flat_mut<T>(s: &mut Self::Storage<T>) -> &mut [T] {
        GenericArray::slice_from_chunks_mut(s.as_mut_slice())
    }
    fn storage_from_fn<T>(mut f: impl FnMut(usize) -> T) -> Self::Storage<T> {
        GenericArray::generate(|i| <(B,)>::storage_from_fn(|j| f(i * B::USIZE + j)))
    }
}

impl<A: Dim, B: Dim, C: Dim> Shape for (A, B, C) {
    type Storage<T> = GenericArray<<(B, C) as Shape>::Storage<T>, A>;
    const RANK: usize = 3;
    type Index = [usize; 3];
    #[inline(always)]
    fn unravel(flat: usize) -> Self::Index {
        unravel(flat, Self::DIMS)
    }
    #[inline(always)]
    fn ravel(index: Self::Index) -> Option<usize> {
        ravel(index, Self::DIMS)
    }
    const DIMS: &'static [usize] = &[A::USIZE, B::USIZE, C::USIZE];
    const NUMEL: usize = A::USIZE * B::USIZE * C::USIZE;
    #[inline(always)]
    fn flat<T>(s: &Self::Storage<T>) -> &[T] {
        GenericArray::slice_from_chunks(<(A, B)>::flat(s))
    }
    #[inline(always)]
    fn flat_mut<T>(s: &mut Self::Storage<T>) -> &mut [T] {
        GenericArray::slice_from_chunks_mut(<(A, B)>::flat_mut(s))
    }
    fn storage_from_fn<T>(mut f: impl FnMut(usize) -> T) -> Self::Storage<T> {
        let inner = B::USIZE * C::USIZE;
        GenericArray::generate(|i| <(B, C)>::storage_from_fn(|j| f(i * inner + j)))
    }
}

impl<A: Dim, B: Dim, C: Dim, E: Dim> Shape for (A, B, C, E) {
    type Storage<T> = GenericArray<<(B, C, E) as Shape>::Storage<T>, A>;
    const RANK: usize = 4;
    type Index = [usize; 4];
    #[inline(always)]
    fn unravel(flat: usize) -> Self::Index {
        unravel(flat, Self::DIMS)
    }
    #[inline(always)]
    fn ravel(index: Self::Index) -> Option<usize> {
        ravel(index, Self::DIMS)
    }
    const DIMS: &'static [usize] = &[A::USIZE, B::USIZE, C::USIZE, E::USIZE];
    const NUMEL: usize = A::USIZE * B::USIZE * C::USIZE * E::USIZE;
    #[inline(always)]
    fn flat<T>(s: &Self::Storage<T>) -> &[T] {
        GenericArray::slice_from_chunks(<(A, B, C)>::flat(s))
    }
    #[inline(always)]
    fn flat_mut<T>(s: &mut Self::Storage<T>) -> &mut [T] {
        GenericArray::slice_from_chunks_mut(<(A, B, C)>::flat_mut(s))
    }
    fn storage_from_fn<T>(mut f: impl FnMut(usize) -> T) -> Self::Storage<T> {
        let inner = B::USIZE * C::USIZE * E::USIZE;
        GenericArray::generate(|i| <(B, C, E)>::storage_from_fn(|j| f(i * inner + j)))
    }
}

impl<A: Dim> Numel for (A,) {
    type Count = A;
}
impl<A: Dim + Mul<B>, B: Dim> Numel for (A, B)
where
    Prod<A, B>: Unsigned,
{
    type Count = Prod<A, B>;
}
impl<A: Dim + Mul<B>, B: Dim, C: Dim> Numel for (A, B, C)
where
    Prod<A, B>: Mul<C>,
    Prod<Prod<A, B>, C>: Unsigned,
{
    type Count = Prod<Prod<A, B>, C>;
}
impl<A: Dim + Mul<B>, B: Dim, C: Dim, E: Dim> Numel for (A, B, C, E)
where
    Prod<A, B>: Mul<C>,
    Prod<Prod<A, B>, C>: Mul<E>,
    Prod<Prod<Prod<A, B>, C>, E>: Unsigned,
{
    type Count = Prod<Prod<Prod<A, B>, C>, E>;
}
