//! Sums and means: of all elements (a scalar, shape `(1,)`), and of each row of a matrix
//! (`(B, N) -> (B,)`). Backward spreads the gradient evenly: `∂Σx/∂xᵢ = 1`, `∂mean/∂xᵢ = 1/n`.

use super::{Node, Op, Var};
use crate::scalar::Real;
use crate::shape::{Dim, Shape};
use crate::tensor::Tensor;
use typenum::U1;

/// The sum (or mean) of all elements of `x`.
pub struct Sum<'a, T, S: Shape> {
    x: &'a dyn Node<T, S>,
    /// `1` for the sum, `1/n` for the mean.
    scale: T,
}

impl<T: Real, S: Shape> Op<T, (U1,)> for Sum<'_, T, S> {
    fn count_inputs(&self) {
        self.x.count();
    }
    fn backward(&self, _: &Tensor<T, (U1,)>, grad: &Tensor<T, (U1,)>) {
        let g = grad.as_slice()[0] * self.scale;
        self.x
            .receive(&mut |gx| gx.iter_mut().for_each(|v| *v += g));
    }
}

/// The sum (or mean) of each row of `x: (B, N)`.
pub struct RowSum<'a, T, B: Dim, N: Dim> {
    x: &'a dyn Node<T, (B, N)>,
    scale: T,
}

impl<T: Real, B: Dim, N: Dim> Op<T, (B,)> for RowSum<'_, T, B, N> {
    fn count_inputs(&self) {
        self.x.count();
    }
    fn backward(&self, _: &Tensor<T, (B,)>, grad: &Tensor<T, (B,)>) {
        let (g, a) = (grad.as_slice(), self.scale);
        self.x.receive(&mut |gx| {
            for (row, &gi) in gx.as_mut_slice().chunks_exact_mut(N::USIZE.max(1)).zip(g) {
                row.iter_mut().for_each(|v| *v += gi * a);
            }
        });
    }
}

impl<T: Real, S: Shape, O: Op<T, S>> Var<T, S, O> {
    /// The sum of all elements, as a scalar `(1,)`.
    pub fn sum(&self) -> Var<T, (U1,), Sum<'_, T, S>> {
        self.reduce(T::one())
    }

    /// The mean of all elements, as a scalar `(1,)`.
    pub fn mean(&self) -> Var<T, (U1,), Sum<'_, T, S>> {
        self.reduce(T::one() / T::from_usize(S::NUMEL))
    }

    fn reduce(&self, scale: T) -> Var<T, (U1,), Sum<'_, T, S>> {
        let value = Tensor::full(self.value().sum() * scale);
        Var::from_op(value, Sum { x: self, scale })
    }
}

impl<T: Real, B: Dim, N: Dim, O: Op<T, (B, N)>> Var<T, (B, N), O> {
    /// The sum of each row, `(B, N) -> (B,)`.
    pub fn row_sums(&self) -> Var<T, (B,), RowSum<'_, T, B, N>> {
        self.reduce_rows(T::one())
    }

    /// The mean of each row, `(B, N) -> (B,)`.
    pub fn row_means(&self) -> Var<T, (B,), RowSum<'_, T, B, N>> {
        self.reduce_rows(T::one() / T::from_usize(N::USIZE))
    }

    fn reduce_rows(&self, scale: T) -> Var<T, (B,), RowSum<'_, T, B, N>> {
        let value = self.value().sum_cols().map(|v| v * scale);
        Var::from_op(value, RowSum { x: self, scale })
    }
}
