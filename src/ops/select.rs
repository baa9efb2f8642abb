//! Masks and selection: comparisons give `Tensor<bool, S>` masks, masks combine with `and`, `or`,
//! `not`, and pick elements with [`select`](Tensor::select) (NumPy's `where`),
//! [`masked_fill`](Tensor::masked_fill) and [`masked_copy`](Tensor::masked_copy).
//!
//! A mask may have any shape `M` that passes `M: SameShape<S, Mask>`, so a mismatch reads
//! `shape error (mask shape): axis 0 differs: the tensor has 3, the mask has 2`.
//!
//! Comparisons follow `PartialOrd`: any comparison with NaN is `false` (so `x.eq(f64::NAN)` is all
//! `false`, and `x.gt(t)` and `x.le(t)` are both `false` where `x` is NaN).

use core::ops::{BitAnd, BitOr, Not};

use crate::shape::{Elementwise, Mask, SameShape, Shape};
use crate::tensor::Tensor;

impl<T: Copy, S: Shape> Tensor<T, S> {
    /// Elementwise `mask ? on_true : on_false` (NumPy's `where`), as a new tensor with
    /// `on_true`'s shape; the mask and `on_false` are checked against it. (Being checked, the shape
    /// of `on_false` is not inferred: `&Tensor::zeros()` there needs its type spelled out.)
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let x = tensor([-1.0, 2.0, -3.0]);
    /// let y = tensor([10.0, 20.0, 30.0]);
    /// assert_eq!(Tensor::select(&x.gt(0.0), &x, &y), tensor([10.0, 2.0, 30.0]));
    /// ```
    pub fn select<M, S2>(mask: &Tensor<bool, M>, on_true: &Self, on_false: &Tensor<T, S2>) -> Self
    where
        M: Shape + SameShape<S, Mask>,
        S2: Shape + SameShape<S, Elementwise>,
    {
        let (m, t, f) = (mask.as_slice(), on_true.as_slice(), on_false.as_slice());
        Tensor::from_flat_fn(|i| if m[i] { t[i] } else { f[i] })
    }

    /// Sets the elements where `mask` is `true` to `value`, in place.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut x = tensor([[1, 2], [3, 4]]);
    /// let odd = tensor([[true, false], [true, false]]);
    /// x.masked_fill(&odd, 0);
    /// assert_eq!(x, tensor([[0, 2], [0, 4]]));
    /// ```
    pub fn masked_fill<M: Shape + SameShape<S, Mask>>(&mut self, mask: &Tensor<bool, M>, value: T) {
        for (x, &m) in self.iter_mut().zip(mask) {
            if m {
                *x = value;
            }
        }
    }

    /// Copies the elements of `src` where `mask` is `true` into `self`, in place: the in-place
    /// form of [`select`](Self::select) (`self` plays `on_false`).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut x = tensor([1, 2, 3]);
    /// x.masked_copy(&tensor([false, true, true]), &tensor([10, 20, 30]));
    /// assert_eq!(x, tensor([1, 20, 30]));
    /// ```
    pub fn masked_copy<M, S2>(&mut self, mask: &Tensor<bool, M>, src: &Tensor<T, S2>)
    where
        M: Shape + SameShape<S, Mask>,
        S2: Shape + SameShape<S, Elementwise>,
    {
        let (m, s) = (mask.as_slice(), src.as_slice());
        for (i, x) in self.iter_mut().enumerate() {
            if m[i] {
                *x = s[i];
            }
        }
    }
}

/// `mask[i] = pred(a[i], b[i])` for two tensors of one shape.
#[inline(always)]
fn compare<T: Copy, S: Shape>(a: &[T], b: &[T], pred: impl Fn(&T, &T) -> bool) -> Tensor<bool, S> {
    Tensor::from_flat_fn(|i| pred(&a[i], &b[i]))
}

impl<T: Copy + PartialOrd, S: Shape> Tensor<T, S> {
    /// The mask of elements `> value`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([1, 5, 3]).gt(3), tensor([false, true, false]));
    /// ```
    pub fn gt(&self, value: T) -> Tensor<bool, S> {
        self.map(|x| x > value)
    }

    /// The mask of elements `>= value`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([1, 5, 3]).ge(3), tensor([false, true, true]));
    /// ```
    pub fn ge(&self, value: T) -> Tensor<bool, S> {
        self.map(|x| x >= value)
    }

    /// The mask of elements `< value`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([1., 5., 3.]).lt(3.), tensor([true, false, false]));
    /// ```
    pub fn lt(&self, value: T) -> Tensor<bool, S> {
        self.map(|x| x < value)
    }

    /// The mask of elements `<= value`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([1., 5., 3.]).le(3.), tensor([true, false, true]));
    /// ```
    pub fn le(&self, value: T) -> Tensor<bool, S> {
        self.map(|x| x <= value)
    }

    /// The mask of elements equal to `value` (elementwise; for one `bool` comparing two whole
    /// tensors use `==`).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[1, 2], [2, 0]]).eq(2), tensor([[false, true], [true, false]]));
    /// ```
    pub fn eq(&self, value: T) -> Tensor<bool, S> {
        self.map(|x| x == value)
    }

    /// The mask of `self[i] > rhs[i]`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([1, 5]).gt_tensor(&tensor([1, 4])), tensor([false, true]));
    /// ```
    pub fn gt_tensor<S2: Shape + SameShape<S, Elementwise>>(
        &self,
        rhs: &Tensor<T, S2>,
    ) -> Tensor<bool, S> {
        compare(self.as_slice(), rhs.as_slice(), T::gt)
    }

    /// The mask of `self[i] >= rhs[i]`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([1, 5]).ge_tensor(&tensor([1, 6])), tensor([true, false]));
    /// ```
    pub fn ge_tensor<S2: Shape + SameShape<S, Elementwise>>(
        &self,
        rhs: &Tensor<T, S2>,
    ) -> Tensor<bool, S> {
        compare(self.as_slice(), rhs.as_slice(), T::ge)
    }

    /// The mask of `self[i] < rhs[i]`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([1, 5]).lt_tensor(&tensor([2, 5])), tensor([true, false]));
    /// ```
    pub fn lt_tensor<S2: Shape + SameShape<S, Elementwise>>(
        &self,
        rhs: &Tensor<T, S2>,
    ) -> Tensor<bool, S> {
        compare(self.as_slice(), rhs.as_slice(), T::lt)
    }

    /// The mask of `self[i] <= rhs[i]`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([1, 5]).le_tensor(&tensor([1, 4])), tensor([true, false]));
    /// ```
    pub fn le_tensor<S2: Shape + SameShape<S, Elementwise>>(
        &self,
        rhs: &Tensor<T, S2>,
    ) -> Tensor<bool, S> {
        compare(self.as_slice(), rhs.as_slice(), T::le)
    }

    /// The mask of `self[i] == rhs[i]` (e.g. correct predictions: `pred.eq_tensor(&labels)`).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let (pred, labels) = (tensor([3, 1, 4]), tensor([3, 2, 4]));
    /// assert_eq!(pred.eq_tensor(&labels).count_true(), 2);
    /// ```
    pub fn eq_tensor<S2: Shape + SameShape<S, Elementwise>>(
        &self,
        rhs: &Tensor<T, S2>,
    ) -> Tensor<bool, S> {
        compare(self.as_slice(), rhs.as_slice(), T::eq)
    }
}

impl<S: Shape> Tensor<bool, S> {
    /// Elementwise logical and (also `&a & &b`).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let (a, b) = (tensor([true, true, false]), tensor([true, false, false]));
    /// assert_eq!(a.and(&b), tensor([true, false, false]));
    /// ```
    pub fn and<S2: Shape + SameShape<S, Elementwise>>(&self, rhs: &Tensor<bool, S2>) -> Self {
        compare(self.as_slice(), rhs.as_slice(), |&a, &b| a & b)
    }

    /// Elementwise logical or (also `&a | &b`).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let (a, b) = (tensor([true, true, false]), tensor([true, false, false]));
    /// assert_eq!(a.or(&b), tensor([true, true, false]));
    /// ```
    pub fn or<S2: Shape + SameShape<S, Elementwise>>(&self, rhs: &Tensor<bool, S2>) -> Self {
        compare(self.as_slice(), rhs.as_slice(), |&a, &b| a | b)
    }

    /// Elementwise logical not (also `!&a`).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([true, false]).not(), tensor([false, true]));
    /// ```
    pub fn not(&self) -> Self {
        self.map(|m| !m)
    }

    /// The number of `true` elements.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[true, false], [true, true]]).count_true(), 3);
    /// ```
    pub fn count_true(&self) -> usize {
        self.iter().filter(|&&m| m).count()
    }

    /// Whether any element is `true` (`false` for an empty mask).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert!(tensor([false, true]).any());
    /// ```
    pub fn any(&self) -> bool {
        self.iter().any(|&m| m)
    }

    /// Whether every element is `true` (`true` for an empty mask).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert!(!tensor([false, true]).all());
    /// ```
    pub fn all(&self) -> bool {
        self.iter().all(|&m| m)
    }
}

/// `&a & &b`: elementwise logical and of two masks.
impl<S: Shape, S2: Shape + SameShape<S, Elementwise>> BitAnd<&Tensor<bool, S2>>
    for &Tensor<bool, S>
{
    type Output = Tensor<bool, S>;
    fn bitand(self, rhs: &Tensor<bool, S2>) -> Tensor<bool, S> {
        self.and(rhs)
    }
}

/// `&a | &b`: elementwise logical or of two masks.
impl<S: Shape, S2: Shape + SameShape<S, Elementwise>> BitOr<&Tensor<bool, S2>>
    for &Tensor<bool, S>
{
    type Output = Tensor<bool, S>;
    fn bitor(self, rhs: &Tensor<bool, S2>) -> Tensor<bool, S> {
        self.or(rhs)
    }
}

/// `!&a`: elementwise logical not.
impl<S: Shape> Not for &Tensor<bool, S> {
    type Output = Tensor<bool, S>;
    fn not(self) -> Tensor<bool, S> {
        self.map(|m| !m)
    }
}

/// `!a`: elementwise logical not, reusing the storage.
impl<S: Shape> Not for Tensor<bool, S> {
    type Output = Tensor<bool, S>;
    fn not(mut self) -> Tensor<bool, S> {
        self.map_inplace(|m| !m);
        self
    }
}
