//! Softmax and log-softmax over each row of a matrix `(B, N)`, numerically stable (the row's
//! maximum is subtracted before `exp`).
//!
//! Backward, per row, with `y` the output and `g` the upstream gradient:
//! softmax `dx = y ⊙ (g − ⟨y, g⟩)`; log-softmax `dx = g − softmax(x) · Σg`.

use super::{Node, Op, Var};
use crate::scalar::Real;
use crate::shape::Dim;
use crate::tensor::Tensor;

/// Softmax (`LOG = false`) or log-softmax (`LOG = true`) of each row.
pub struct Softmax<'a, T, B: Dim, N: Dim, const LOG: bool> {
    x: &'a dyn Node<T, (B, N)>,
}

impl<T: Real, B: Dim, N: Dim, const LOG: bool> Op<T, (B, N)> for Softmax<'_, T, B, N, LOG> {
    fn count_inputs(&self) {
        self.x.count();
    }
    fn backward(&self, value: &Tensor<T, (B, N)>, grad: &Tensor<T, (B, N)>) {
        self.x.receive(&mut |gx| {
            for r in 0..B::USIZE {
                let (y, g) = (value.outer(r), grad.outer(r));
                let d = gx.outer_mut(r);
                if LOG {
                    let total: T = g.iter().copied().sum();
                    for ((v, &yi), &gi) in d.iter_mut().zip(y).zip(g) {
                        *v += gi - yi.exp() * total;
                    }
                } else {
                    let dot: T = y.iter().zip(g).map(|(&a, &b)| a * b).sum();
                    for ((v, &yi), &gi) in d.iter_mut().zip(y).zip(g) {
                        *v += yi * (gi - dot);
                    }
                }
            }
        });
    }
}

/// `log Σ exp` of a row, stable: `m + ln Σ exp(x − m)` with `m` the row's maximum.
fn log_sum_exp<T: Real>(row: &[T]) -> T {
    let m = row
        .iter()
        .copied()
        .fold(T::neg_infinity(), |a, b| if b > a { b } else { a });
    if !m.is_finite() {
        return m;
    }
    m + row.iter().map(|&v| (v - m).exp()).sum::<T>().ln()
}

/// `log Σ exp` of each row.
fn row_lse<T: Real, B: Dim, N: Dim>(x: &Tensor<T, (B, N)>) -> Tensor<T, (B,)> {
    Tensor::from_flat_fn(|r| log_sum_exp(x.outer(r)))
}

impl<T: Real, B: Dim, N: Dim, O: Op<T, (B, N)>> Var<T, (B, N), O> {
    /// Softmax of each row (each output row sums to 1).
    pub fn softmax(&self) -> Var<T, (B, N), Softmax<'_, T, B, N, false>> {
        let (x, lse) = (self.value(), row_lse(self.value()));
        let value = Tensor::<T, (B, N)>::from_fn(|[r, c]| (x[[r, c]] - lse[[r]]).exp());
        Var::from_op(value, Softmax { x: self })
    }

    /// Log-softmax of each row, `x − log Σ exp x` (finite where softmax would underflow).
    pub fn log_softmax(&self) -> Var<T, (B, N), Softmax<'_, T, B, N, true>> {
        let (x, lse) = (self.value(), row_lse(self.value()));
        let value = Tensor::<T, (B, N)>::from_fn(|[r, c]| x[[r, c]] - lse[[r]]);
        Var::from_op(value, Softmax { x: self })
    }
}
