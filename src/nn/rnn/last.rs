//! [`LastStep`]: the last step of a sequence, `(N, S, H)` → `(N, H)`.

use crate::nn::{Ctx, Infer, Train};
use crate::scalar::Scalar;
use crate::shape::Dim;
use crate::tensor::Tensor;

/// Keeps the last step of each sequence, `(N, S, H)` → `(N, H)`: a recurrent layer followed by
/// `LastStep` returns only its final hidden state (a many-to-one model). Backward sends the
/// gradient to the last step only.
///
/// ```
/// use shaped::nn::{Infer, LastStep};
/// use shaped::prelude::*;
/// let h = tensor([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]);
/// assert_eq!(LastStep.apply(&h), tensor([[3.0, 4.0], [7.0, 8.0]]));
/// ```
#[derive(Clone, Copy, Debug, Default, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct LastStep;

impl<T: Scalar, N: Dim, S: Dim, H: Dim> Infer<Tensor<T, (N, S, H)>> for LastStep {
    type Output = Tensor<T, (N, H)>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (N, S, H)>, _: &mut (), y: &mut Self::Output) {
        let (s, h) = (S::USIZE, H::USIZE);
        for (b, row) in y.as_mut_slice().chunks_exact_mut(h).enumerate() {
            let from = (b * s + s - 1) * h;
            row.copy_from_slice(&x.as_slice()[from..from + h]);
        }
    }
}

impl<T: Scalar, N: Dim, S: Dim, H: Dim> Train<Tensor<T, (N, S, H)>> for LastStep {
    type Cache = ();

    fn forward(&mut self, x: &Tensor<T, (N, S, H)>, _: Ctx, _: &mut (), y: &mut Self::Output) {
        self.infer(x, &mut (), y);
    }

    fn backward(
        &self,
        _: &Tensor<T, (N, S, H)>,
        _: &mut (),
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (N, S, H)>>,
        _: Option<&mut ()>,
    ) {
        let Some(dx) = dx else { return };
        let (s, h) = (S::USIZE, H::USIZE);
        dx.fill(T::zero());
        for (b, row) in dy.as_slice().chunks_exact(h).enumerate() {
            let to = (b * s + s - 1) * h;
            dx.as_mut_slice()[to..to + h].copy_from_slice(row);
        }
    }
}
