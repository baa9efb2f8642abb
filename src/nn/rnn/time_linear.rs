//! [`Linear`] on every step of a sequence: `(N, S, I)` → `(N, S, O)`, as PyTorch's `nn.Linear`
//! on `(*, I)`. The steps are rows of one matrix product, so this is the batch impl with
//! `N·S` rows.

use crate::kernel::Gemm;
use crate::nn::{Ctx, Infer, Linear, LinearGrads, Train};
use crate::scalar::Scalar;
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

/// `y_t = x_t·W + b` at every step (time-distributed).
///
/// ```
/// use shaped::nn::{Infer, Linear};
/// use shaped::prelude::*;
/// let mut l = Linear::<f64, U2, U1>::zeros();
/// l.weight = tensor([[1.0], [10.0]]);
/// let y = l.apply(&tensor([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]])); // (1, 3, 2)
/// assert_eq!(y, tensor([[[21.0], [43.0], [65.0]]]));
/// ```
impl<T: Scalar, N: Dim, S: Dim, I: Dim, O: Dim, I2> Infer<Tensor<T, (N, S, I2)>> for Linear<T, I, O>
where
    I2: Dim + DimEq<I, rules::LinearInput>,
{
    type Output = Tensor<T, (N, S, O)>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (N, S, I2)>, _: &mut (), y: &mut Self::Output) {
        let rows = N::USIZE * S::USIZE;
        let g = Gemm::nn(rows, I::USIZE, O::USIZE);
        T::gemm(g, x.as_slice(), self.weight.as_slice(), y.as_mut_slice());
        let b = self.bias.as_slice();
        for row in y.as_mut_slice().chunks_exact_mut(O::USIZE) {
            row.iter_mut().zip(b).for_each(|(v, &bj)| *v += bj);
        }
    }
}

impl<T: Scalar, N: Dim, S: Dim, I: Dim, O: Dim, I2> Train<Tensor<T, (N, S, I2)>> for Linear<T, I, O>
where
    I2: Dim + DimEq<I, rules::LinearInput>,
{
    type Cache = ();

    fn forward(&mut self, x: &Tensor<T, (N, S, I2)>, _: Ctx, _: &mut (), y: &mut Self::Output) {
        self.infer(x, &mut (), y);
    }

    fn backward(
        &self,
        x: &Tensor<T, (N, S, I2)>,
        _: &mut (),
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (N, S, I2)>>,
        grads: Option<&mut LinearGrads<T, I, O>>,
    ) {
        let (r, i, o) = (N::USIZE * S::USIZE, I::USIZE, O::USIZE);
        if let Some(dx) = dx {
            let w = self.weight.as_slice();
            T::gemm(Gemm::nn(r, o, i).tb(), dy.as_slice(), w, dx.as_mut_slice());
        }
        let Some(grads) = grads else { return };
        let gw = grads.weight.as_mut_slice();
        T::gemm(
            Gemm::nn(i, r, o).ta().acc(),
            x.as_slice(),
            dy.as_slice(),
            gw,
        );
        let db = grads.bias.as_mut_slice();
        for row in dy.as_slice().chunks_exact(o) {
            db.iter_mut().zip(row).for_each(|(d, &v)| *d += v);
        }
    }
}
