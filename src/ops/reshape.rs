//! Reshape and flatten, with the element count checked at compile time.
//!
//! A tensor is `NUMEL` contiguous values in row-major order whatever its shape, so a reshape to a
//! shape with the same element count is a zero-copy reinterpretation: [`reshape_ref`](Tensor::reshape_ref),
//! [`reshape_mut`](Tensor::reshape_mut), [`flatten`](Tensor::flatten). [`reshape`](Tensor::reshape)
//! copies into a new tensor.
//!
//! The counts are compared with `S2::Count: DimEq<S::Count, rules::ElementCount>` ([`Numel`]), so a
//! mismatch reads `shape error (reshape element count): the new shape holds 12 elements, the
//! tensor has 6`. Concrete shapes need no where-clauses. Generic code that flattens
//! `(B, C, H, W)` names one bound, `C: Volume<H, W>` (rank 3: `H: Area<W>`), and gets
//! `(B, Prod3<C, H, W>)`.

use core::ops::Mul;

use crate::shape::{Dim, DimEq, EvenBatch, Numel, Prod3, Shape, SplitBatch, rules};
use crate::tensor::Tensor;
use typenum::Prod;

/// `Self · W` is a dim: what flattening `(B, H, W)` to `(B, H·W)` needs. Holds for all concrete
/// dims; generic code writes `H: Area<W>` and names the result `Prod<H, W>`.
pub trait Area<W>: Dim + Mul<W, Output: Dim> {}
impl<H: Dim + Mul<W, Output: Dim>, W> Area<W> for H {}

/// `Self · H · W` is a dim: what flattening `(B, C, H, W)` to `(B, C·H·W)` needs. Holds for all
/// concrete dims; generic code writes `C: Volume<H, W>` and names the result `Prod3<C, H, W>`.
pub trait Volume<H, W>: Dim + Mul<H, Output: Mul<W, Output: Dim>> {}
impl<C: Dim + Mul<H, Output: Mul<W, Output: Dim>>, H, W> Volume<H, W> for C {}

/// Reinterprets a tensor as another shape with the same number of `T`s.
///
/// # Safety
/// `S2` must hold exactly `S::NUMEL` elements.
#[inline(always)]
unsafe fn cast_ref<T, S: Shape, S2: Shape>(t: &Tensor<T, S>) -> &Tensor<T, S2> {
    const {
        assert!(size_of::<Tensor<T, S>>() == size_of::<Tensor<T, S2>>());
        assert!(align_of::<Tensor<T, S>>() == align_of::<Tensor<T, S2>>());
    }
    // SAFETY: `Tensor` is `repr(transparent)` over nested `GenericArray`s, and a `GenericArray<T, N>`
    // has the layout of `[T; N]`; so both tensors are `NUMEL` contiguous `T`s with `T`'s alignment
    // and no padding, in row-major order (the assertions above re-check size and alignment). Every
    // bit pattern valid for one is valid for the other, and the borrow keeps the lifetime.
    unsafe { &*(t as *const Tensor<T, S>).cast::<Tensor<T, S2>>() }
}

/// Mutable form of [`cast_ref`].
///
/// # Safety
/// `S2` must hold exactly `S::NUMEL` elements.
#[inline(always)]
unsafe fn cast_mut<T, S: Shape, S2: Shape>(t: &mut Tensor<T, S>) -> &mut Tensor<T, S2> {
    const {
        assert!(size_of::<Tensor<T, S>>() == size_of::<Tensor<T, S2>>());
        assert!(align_of::<Tensor<T, S>>() == align_of::<Tensor<T, S2>>());
    }
    // SAFETY: as in `cast_ref`; the unique borrow is handed on, so no aliasing is created.
    unsafe { &mut *(t as *mut Tensor<T, S>).cast::<Tensor<T, S2>>() }
}

impl<T, S: Numel> Tensor<T, S> {
    /// This tensor seen as shape `S2` (same element count, checked at compile time), no copy.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let x = tensor([[1, 2, 3], [4, 5, 6]]);
    /// let y: &Tensor2<i32, U3, U2> = x.reshape_ref();
    /// assert_eq!(y, &tensor([[1, 2], [3, 4], [5, 6]]));
    /// ```
    pub fn reshape_ref<S2>(&self) -> &Tensor<T, S2>
    where
        S2: Numel<Count: DimEq<S::Count, rules::ElementCount>>,
    {
        // SAFETY: the bound proves `S2::NUMEL == S::NUMEL`.
        unsafe { cast_ref(self) }
    }

    /// This tensor seen mutably as shape `S2` (same element count, checked), no copy.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut x = tensor([[1, 2], [3, 4]]);
    /// x.reshape_mut::<(U4,)>()[[3]] = 40;
    /// assert_eq!(x, tensor([[1, 2], [3, 40]]));
    /// ```
    pub fn reshape_mut<S2>(&mut self) -> &mut Tensor<T, S2>
    where
        S2: Numel<Count: DimEq<S::Count, rules::ElementCount>>,
    {
        // SAFETY: the bound proves `S2::NUMEL == S::NUMEL`.
        unsafe { cast_mut(self) }
    }

    /// A copy of this tensor with shape `S2` (same element count, checked).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let v = tensor([1., 2., 3., 4., 5., 6.]).reshape::<(U2, U3)>();
    /// assert_eq!(v, tensor([[1., 2., 3.], [4., 5., 6.]]));
    /// ```
    pub fn reshape<S2>(&self) -> Tensor<T, S2>
    where
        T: Copy,
        S2: Numel<Count: DimEq<S::Count, rules::ElementCount>>,
    {
        self.reshape_ref().clone()
    }

    /// A boxed tensor reshaped without copying (feature `alloc`).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let flat = Tensor1::<f32, U6>::boxed_full(1.0);
    /// let m = flat.reshape_boxed::<(U2, U3)>();
    /// assert_eq!(m.sum(), 6.0);
    /// ```
    #[cfg(feature = "alloc")]
    pub fn reshape_boxed<S2>(self: alloc::boxed::Box<Self>) -> alloc::boxed::Box<Tensor<T, S2>>
    where
        S2: Numel<Count: DimEq<S::Count, rules::ElementCount>>,
    {
        const {
            assert!(size_of::<Self>() == size_of::<Tensor<T, S2>>());
            assert!(align_of::<Self>() == align_of::<Tensor<T, S2>>());
        }
        let p = alloc::boxed::Box::into_raw(self).cast::<Tensor<T, S2>>();
        // SAFETY: same layout as in `cast_ref` (equal size and alignment, so the allocation's
        // layout is also right for deallocating it as the new type); the box is moved, not aliased.
        unsafe { alloc::boxed::Box::from_raw(p) }
    }
}

impl<T, B: Dim, H: Dim, W: Dim> Tensor<T, (B, H, W)> {
    /// `(B, H, W) -> (B, H·W)`: each sample flattened, the batch axis kept, no copy.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    /// let f: &Tensor2<i32, U2, U4> = x.flatten();
    /// assert_eq!(f.outer(1), &[5, 6, 7, 8]);
    /// ```
    pub fn flatten(&self) -> &Tensor<T, (B, Prod<H, W>)>
    where
        H: Area<W>,
    {
        // SAFETY: `B·(H·W) == B·H·W` elements.
        unsafe { cast_ref(self) }
    }

    /// `(B, H, W) -> (B, H·W)`, mutably, no copy.
    pub fn flatten_mut(&mut self) -> &mut Tensor<T, (B, Prod<H, W>)>
    where
        H: Area<W>,
    {
        // SAFETY: `B·(H·W) == B·H·W` elements.
        unsafe { cast_mut(self) }
    }
}

impl<T, B: Dim, C: Dim, H: Dim, W: Dim> Tensor<T, (B, C, H, W)> {
    /// `(B, C, H, W) -> (B, C·H·W)`: each image flattened for a dense layer, the batch axis kept,
    /// no copy.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let x = Tensor4::<f32, U2, U3, U4, U5>::from_flat_fn(|i| i as f32);
    /// let f: &Tensor2<f32, U2, U60> = x.flatten();
    /// assert_eq!(f[[1, 0]], 60.0);
    /// ```
    pub fn flatten(&self) -> &Tensor<T, (B, Prod3<C, H, W>)>
    where
        C: Volume<H, W>,
    {
        // SAFETY: `B·(C·H·W) == B·C·H·W` elements.
        unsafe { cast_ref(self) }
    }

    /// `(B, C, H, W) -> (B, C·H·W)`, mutably, no copy: the backward of a flatten writes `dX`
    /// through it.
    pub fn flatten_mut(&mut self) -> &mut Tensor<T, (B, Prod3<C, H, W>)>
    where
        C: Volume<H, W>,
    {
        // SAFETY: `B·(C·H·W) == B·C·H·W` elements.
        unsafe { cast_mut(self) }
    }
}

/// One half of a batch of shape `S`: `(B / 2, ..)` (see [`Tensor::halves`]).
pub type Half<T, S> = Tensor<T, <S as SplitBatch>::Half>;

impl<T, S: SplitBatch> Tensor<T, S> {
    /// The first and second halves of the batch (first axis), no copy: a `(32, 1, 28, 28)` batch
    /// is two `(16, 1, 28, 28)` ones. The batch must be even; an odd one reads
    /// `shape error (batch halves): a batch of 33 does not split into two equal halves (32 would)`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let x = tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
    /// let (a, b): (&Tensor2<i32, U2, U2>, _) = x.halves();
    /// assert_eq!((a, b), (&tensor([[1, 2], [3, 4]]), &tensor([[5, 6], [7, 8]])));
    /// ```
    pub fn halves(&self) -> (&Half<T, S>, &Half<T, S>)
    where
        S: EvenBatch,
    {
        const { assert!(2 * size_of::<Tensor<T, S::Half>>() == size_of::<Tensor<T, S>>()) }
        let (a, b) = self.as_slice().split_at(S::NUMEL / 2);
        // SAFETY: each half is `NUMEL / 2` contiguous, aligned `T`s in row-major order: the batch
        // is the outermost axis, so its first `B / 2` rows come first. `Tensor<T, S::Half>` is
        // `repr(transparent)` over arrays with exactly that layout (size checked above), and the
        // borrows keep `self`'s lifetime.
        unsafe {
            (
                &*a.as_ptr().cast::<Tensor<T, S::Half>>(),
                &*b.as_ptr().cast::<Tensor<T, S::Half>>(),
            )
        }
    }

    /// The two halves of the batch, mutably, no copy (disjoint borrows).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut x = Tensor2::<f32, U4, U3>::zeros();
    /// let (a, b) = x.halves_mut();
    /// a.fill(1.0);
    /// b.fill(2.0);
    /// assert_eq!(x.outer(1), &[1.0; 3]);
    /// assert_eq!(x.outer(2), &[2.0; 3]);
    /// ```
    pub fn halves_mut(&mut self) -> (&mut Half<T, S>, &mut Half<T, S>)
    where
        S: EvenBatch,
    {
        const { assert!(2 * size_of::<Tensor<T, S::Half>>() == size_of::<Tensor<T, S>>()) }
        let (a, b) = self.as_mut_slice().split_at_mut(S::NUMEL / 2);
        // SAFETY: as in `halves`; `split_at_mut` makes the two borrows disjoint.
        unsafe {
            (
                &mut *a.as_mut_ptr().cast::<Tensor<T, S::Half>>(),
                &mut *b.as_mut_ptr().cast::<Tensor<T, S::Half>>(),
            )
        }
    }
}
