//! A row vector broadcast over a batch: `Y += b` for every row of `Y: (B, N)`, `b: (N,)` (the bias
//! of an affine layer).
//!
//! The row may have any length `N2` that passes `N2: DimEq<N, rules::BroadcastLength>`, so a
//! mismatch reads `shape error (broadcast length): the row vector has 4 elements, the matrix has 3
//! columns`. The in-place forms (`add_row`, ...) are the primary API; `plus_row` and friends take
//! the matrix by value and hand it back, for small tensors and chains.
//!
//! The reverse direction, the bias gradient `db = Σ rows of dY`, is
//! [`sum_rows`](Tensor::sum_rows) in [`reduce`](super::reduce).

use crate::scalar::Scalar;
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

impl<T: Scalar, B: Dim, N: Dim> Tensor<T, (B, N)> {
    /// Applies `f(element, row[j])` to every element of column `j`, in every row.
    #[inline(always)]
    fn zip_rows(&mut self, row: &[T], f: impl Fn(T, T) -> T) {
        for r in self.as_mut_slice().chunks_exact_mut(N::USIZE.max(1)) {
            r.iter_mut().zip(row).for_each(|(x, &b)| *x = f(*x, b));
        }
    }

    /// Adds `row` to every row of `self`: `self[i][j] += row[j]` (bias add).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut y = tensor([[1, 2, 3], [4, 5, 6]]);
    /// y.add_row(&tensor([10, 20, 30]));
    /// assert_eq!(y, tensor([[11, 22, 33], [14, 25, 36]]));
    /// ```
    pub fn add_row<N2: Dim + DimEq<N, rules::BroadcastLength>>(&mut self, row: &Tensor<T, (N2,)>) {
        self.zip_rows(row.as_slice(), |x, b| x + b);
    }

    /// Subtracts `row` from every row of `self`: `self[i][j] -= row[j]` (e.g. centring by a mean).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut y = tensor([[1., 2.], [3., 6.]]);
    /// y.sub_row(&tensor([2., 4.]));
    /// assert_eq!(y, tensor([[-1., -2.], [1., 2.]]));
    /// ```
    pub fn sub_row<N2: Dim + DimEq<N, rules::BroadcastLength>>(&mut self, row: &Tensor<T, (N2,)>) {
        self.zip_rows(row.as_slice(), |x, b| x - b);
    }

    /// Multiplies every row of `self` elementwise by `row`: `self[i][j] *= row[j]` (per-column scale).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut y = tensor([[1, 2], [3, 4]]);
    /// y.mul_row(&tensor([10, 0]));
    /// assert_eq!(y, tensor([[10, 0], [30, 0]]));
    /// ```
    pub fn mul_row<N2: Dim + DimEq<N, rules::BroadcastLength>>(&mut self, row: &Tensor<T, (N2,)>) {
        self.zip_rows(row.as_slice(), |x, b| x * b);
    }

    /// By-value [`add_row`](Self::add_row): `x.matmul(&w).plus_row(&b)` is an affine map.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let x = tensor([[1., 0.], [0., 1.]]);
    /// let w = tensor([[2., 3.], [4., 5.]]);
    /// let y = x.matmul(&w).plus_row(&tensor([1., 1.]));
    /// assert_eq!(y, tensor([[3., 4.], [5., 6.]]));
    /// ```
    pub fn plus_row<N2: Dim + DimEq<N, rules::BroadcastLength>>(
        mut self,
        row: &Tensor<T, (N2,)>,
    ) -> Self {
        self.add_row(row);
        self
    }

    /// By-value [`sub_row`](Self::sub_row).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let y = tensor([[5, 5], [7, 9]]).minus_row(&tensor([1, 2]));
    /// assert_eq!(y, tensor([[4, 3], [6, 7]]));
    /// ```
    pub fn minus_row<N2: Dim + DimEq<N, rules::BroadcastLength>>(
        mut self,
        row: &Tensor<T, (N2,)>,
    ) -> Self {
        self.sub_row(row);
        self
    }

    /// By-value [`mul_row`](Self::mul_row).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let y = tensor([[1, 2], [3, 4]]).times_row(&tensor([2, 3]));
    /// assert_eq!(y, tensor([[2, 6], [6, 12]]));
    /// ```
    pub fn times_row<N2: Dim + DimEq<N, rules::BroadcastLength>>(
        mut self,
        row: &Tensor<T, (N2,)>,
    ) -> Self {
        self.mul_row(row);
        self
    }
}
