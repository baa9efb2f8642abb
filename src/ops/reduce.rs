//! Reductions: of all elements (`sum`, `mean`, `min`, `max`, `l2_norm`) and of a matrix `(B, N)`
//! along one axis: over the batch (`sum_rows: (B, N) -> (N,)`, the bias gradient) or within each
//! row (`sum_cols`, `max_rows`, `argmax_rows: (B, N) -> (B,)`).
//!
//! NaN: `min`, `max`, `max_rows` and `argmax_rows` treat NaN as the extreme value, like PyTorch:
//! a NaN anywhere makes the result NaN, and `argmax_rows` returns the index of the first NaN of its
//! row. A diverging model therefore shows up instead of being hidden. Sums follow IEEE 754.
//!
//! `min`, `max` and the per-row maxima of a tensor with no elements fail to build (a `const`
//! assertion), since there is no value to return.

use crate::scalar::{Real, Scalar};
use crate::shape::{Dim, DimEq, Shape, rules};
use crate::tensor::Tensor;

/// `true` for NaN (the only value not equal to itself); always `false` for integers.
#[inline(always)]
#[allow(clippy::eq_op)]
fn is_nan<T: PartialOrd>(x: T) -> bool {
    x != x
}

/// Whether `candidate` replaces `best` as the maximum: strictly greater, or the first NaN.
#[inline(always)]
fn beats_max<T: PartialOrd + Copy>(candidate: T, best: T) -> bool {
    !is_nan(best) && (candidate > best || is_nan(candidate))
}

/// Whether `candidate` replaces `best` as the minimum: strictly less, or the first NaN.
#[inline(always)]
fn beats_min<T: PartialOrd + Copy>(candidate: T, best: T) -> bool {
    !is_nan(best) && (candidate < best || is_nan(candidate))
}

/// The index of the first maximum of a slice: the library's one argmax rule.
///
/// Ties go to the lowest index; a NaN counts as the maximum (the first NaN wins), as in PyTorch's
/// `argmax`, so a NaN prediction is never hidden behind a valid-looking class. An empty slice
/// gives 0.
///
/// ```
/// use shaped::ops::reduce::argmax;
/// assert_eq!(argmax(&[0.1, 3.0, -1.0, 3.0]), 1);
/// assert_eq!(argmax(&[0.5, f32::NAN, 0.2, f32::NAN]), 1);
/// ```
#[inline(always)]
pub fn argmax<T: PartialOrd + Copy>(xs: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate().skip(1) {
        if beats_max(x, xs[best]) {
            best = i;
        }
    }
    best
}

impl<T: Scalar, S: Shape> Tensor<T, S> {
    /// The sum of all elements (0 for an empty tensor).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[1, 2], [3, 4]]).sum(), 10);
    /// ```
    pub fn sum(&self) -> T {
        self.iter().fold(T::zero(), |acc, &x| acc + x)
    }

    /// The largest element; NaN if any element is NaN.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[3, -1], [7, 2]]).max(), 7);
    /// assert!(tensor([1.0, f64::NAN, 2.0]).max().is_nan());
    /// ```
    pub fn max(&self) -> T {
        const { assert!(S::NUMEL > 0, "max of a tensor with no elements") };
        let s = self.as_slice();
        s[argmax(s)]
    }

    /// The smallest element; NaN if any element is NaN.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[3, -1], [7, 2]]).min(), -1);
    /// ```
    pub fn min(&self) -> T {
        const { assert!(S::NUMEL > 0, "min of a tensor with no elements") };
        let s = self.as_slice();
        s[1..]
            .iter()
            .fold(s[0], |best, &x| if beats_min(x, best) { x } else { best })
    }
}

impl<T: Real, S: Shape> Tensor<T, S> {
    /// The mean of all elements (NaN for an empty tensor).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[1., 2.], [3., 6.]]).mean(), 3.0);
    /// ```
    pub fn mean(&self) -> T {
        self.sum() / T::from_usize(S::NUMEL)
    }

    /// The Euclidean (Frobenius) norm `sqrt(Σ x²)`, computed without rescaling: values beyond
    /// about `1e19` (`f32`) overflow to infinity.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[3., 0.], [0., 4.]]).l2_norm(), 5.0);
    /// ```
    pub fn l2_norm(&self) -> T {
        self.iter().fold(T::zero(), |acc, &x| acc + x * x).sqrt()
    }
}

impl<T: Scalar, B: Dim, N: Dim> Tensor<T, (B, N)> {
    /// The sum over the batch axis, `(B, N) -> (N,)`: `db = Σ rows of dY`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let dy = tensor([[1, 2, 3], [10, 20, 30]]);
    /// assert_eq!(dy.sum_rows(), tensor([11, 22, 33]));
    /// ```
    pub fn sum_rows(&self) -> Tensor<T, (N,)> {
        let mut out = Tensor::zeros();
        self.sum_rows_acc(&mut out);
        out
    }

    /// `out += Σ rows of self`: accumulates the bias gradient `db += Σᵢ dY[i]`. `out` needs one
    /// element per column (checked).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut db = tensor([100, 100]);
    /// tensor([[1, 2], [3, 4]]).sum_rows_acc(&mut db);
    /// assert_eq!(db, tensor([104, 106]));
    /// ```
    pub fn sum_rows_acc<N2: Dim + DimEq<N, rules::BroadcastLength>>(
        &self,
        out: &mut Tensor<T, (N2,)>,
    ) {
        let o = out.as_mut_slice();
        for row in self.as_slice().chunks_exact(N::USIZE.max(1)) {
            o.iter_mut().zip(row).for_each(|(acc, &x)| *acc += x);
        }
    }

    /// The sum within each row, `(B, N) -> (B,)`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[1, 2, 3], [4, 5, 6]]).sum_cols(), tensor([6, 15]));
    /// ```
    pub fn sum_cols(&self) -> Tensor<T, (B,)> {
        Tensor::from_flat_fn(|i| self.outer(i).iter().fold(T::zero(), |acc, &x| acc + x))
    }

    /// The maximum of each row, `(B, N) -> (B,)`; NaN for a row holding a NaN.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// assert_eq!(tensor([[1, 9, 3], [4, 5, 6]]).max_rows(), tensor([9, 6]));
    /// ```
    pub fn max_rows(&self) -> Tensor<T, (B,)> {
        let mut out = Tensor::zeros();
        self.max_rows_into(&mut out);
        out
    }

    /// Writes the maximum of each row into `out` (one element per row, checked).
    pub fn max_rows_into<B2: Dim + DimEq<B, rules::BatchSize>>(&self, out: &mut Tensor<T, (B2,)>) {
        const { assert!(N::USIZE > 0, "max_rows of rows with no elements") };
        for (o, row) in out
            .iter_mut()
            .zip(self.as_slice().chunks_exact(N::USIZE.max(1)))
        {
            *o = row[argmax(row)];
        }
    }

    /// The column index of the maximum of each row, `(B, N) -> (B,)`: predicted classes from
    /// logits. Ties go to the first index; a row holding a NaN gives the first NaN's index.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let logits = tensor([[0.1, 2.0, 2.0], [5.0, -1.0, 0.0]]);
    /// assert_eq!(logits.argmax_rows(), tensor([1, 0]));
    /// ```
    pub fn argmax_rows(&self) -> Tensor<usize, (B,)> {
        let mut out = Tensor::zeros();
        self.argmax_rows_into(&mut out);
        out
    }

    /// Writes the argmax of each row into `out` (one element per row, checked).
    pub fn argmax_rows_into<B2: Dim + DimEq<B, rules::BatchSize>>(
        &self,
        out: &mut Tensor<usize, (B2,)>,
    ) {
        const { assert!(N::USIZE > 0, "argmax_rows of rows with no elements") };
        for (o, row) in out
            .iter_mut()
            .zip(self.as_slice().chunks_exact(N::USIZE.max(1)))
        {
            *o = argmax(row);
        }
    }
}
