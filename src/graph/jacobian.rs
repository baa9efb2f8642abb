//! Jacobians by reverse mode: one `backward` per output element gives one row.
//!
//! For `y = f(x)` with `x` of `n` and `y` of `m` elements (each flattened row-major), the
//! Jacobian is the `m × n` matrix `J[i][j] = ∂yᵢ/∂xⱼ`. Seeding `backward` with the unit vector
//! `eᵢ` sends `eᵢᵀ·J`, row `i`, into `x`'s gradient. The facts of the lecture follow, and are
//! tested: an elementwise `f` has a diagonal Jacobian `diag(f'(x))`; `∂(Wx)/∂x = W`;
//! `∂(xW)/∂x = Wᵀ` for a row vector `x`; `∂(x + b)/∂b = I`; the Jacobian of a composition is the
//! product of the Jacobians.

use super::{Leaf, Op, Var};
use crate::scalar::Real;
use crate::shape::{Dim, Numel, Shape};
use crate::tensor::Tensor;

/// The number of elements of a shape as a dim (`Count<(U3, U4)>` is `U12`).
pub type Count<S> = <S as Numel>::Count;

/// The Jacobian `∂y/∂x`, `(elements of y, elements of x)`, of an expression `y` built from the
/// leaf `x` (other leaves are constants). `x`'s gradient is left as it was.
///
/// ```
/// use shaped::graph::{jacobian, leaf};
/// use shaped::prelude::*;
/// let x = leaf(tensor([1.0, 2.0]));
/// let y = x.exp();
/// let j = jacobian(&y, &x);
/// assert_eq!(j, tensor([[1f64.exp(), 0.0], [0.0, 2f64.exp()]])); // diag(f'(x))
/// ```
pub fn jacobian<T, SY, SX, O>(
    y: &Var<T, SY, O>,
    x: &Leaf<T, SX>,
) -> Tensor<T, (Count<SY>, Count<SX>)>
where
    T: Real,
    SY: Numel<Count: Dim>,
    SX: Numel<Count: Dim>,
    O: Op<T, SY>,
{
    let saved = x.grad().clone();
    let mut j = Tensor::<T, (Count<SY>, Count<SX>)>::zeros();
    let mut seed = Tensor::<T, SY>::zeros();
    for i in 0..SY::NUMEL {
        x.clear_grad();
        seed.as_mut_slice()[i] = T::one();
        y.backward_with(&seed);
        seed.as_mut_slice()[i] = T::zero();
        j.outer_mut(i).copy_from_slice(x.grad().as_slice());
    }
    x.restore_grad(&saved);
    j
}

impl<T: Real, S: Shape> Leaf<T, S> {
    fn clear_grad(&self) {
        self.grad_cell().borrow_mut().fill(T::zero());
    }
    fn restore_grad(&self, saved: &Tensor<T, S>) {
        self.grad_cell().borrow_mut().copy_from(saved);
    }
}
