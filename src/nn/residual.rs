//! [`Residual`]: `y = x + F(x)`, the skip connection of a ResNet block.

use crate::nn::{Ctx, Infer, Train};
use crate::scalar::Scalar;
use crate::shape::Shape;
use crate::tensor::Tensor;

/// `y = x + F(x)` for a layer or chain `F` whose output has its input's shape.
///
/// Backward: `x` fans out to the sum and to `F`, so `dx = dy + dF/dx · dy`: `F`'s input
/// gradient plus the identity path's. Parameters are `F`'s, named under `inner`
/// (`inner.0.weight`). Usable anywhere a layer is, in tuple chains too.
///
/// ```
/// use shaped::nn::{Infer, Linear, Residual};
/// use shaped::prelude::*;
/// let mut block = Residual::<Linear<f64, U2, U2>>::zeroed();
/// block.inner.weight = tensor([[0.0, 1.0], [1.0, 0.0]]); // F swaps the features
/// assert_eq!(block.apply(&tensor([[1.0, 2.0]])), tensor([[3.0, 3.0]]));
/// ```
#[derive(Clone, Debug, Default, PartialEq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct Residual<F> {
    /// The residual branch `F`.
    pub inner: F,
}

impl<T: Scalar, S: Shape, F: Infer<Tensor<T, S>, Output = Tensor<T, S>>> Infer<Tensor<T, S>>
    for Residual<F>
{
    type Output = Tensor<T, S>;
    type Scratch = F::Scratch;

    fn infer(&self, x: &Tensor<T, S>, scratch: &mut F::Scratch, y: &mut Tensor<T, S>) {
        self.inner.infer(x, scratch, y);
        y.add_tensor_assign(x);
    }
}

impl<T: Scalar, S: Shape, F: Train<Tensor<T, S>, Output = Tensor<T, S>>> Train<Tensor<T, S>>
    for Residual<F>
{
    type Cache = F::Cache;

    fn forward(&mut self, x: &Tensor<T, S>, ctx: Ctx, cache: &mut F::Cache, y: &mut Tensor<T, S>) {
        self.inner.forward(x, ctx.child(0), cache, y);
        y.add_tensor_assign(x);
    }

    fn backward(
        &self,
        x: &Tensor<T, S>,
        cache: &mut F::Cache,
        dy: &Tensor<T, S>,
        dx: Option<&mut Tensor<T, S>>,
        grads: Option<&mut Self::Grads>,
    ) {
        let grads = grads.map(|g| &mut g.inner);
        match dx {
            Some(dx) => {
                self.inner.backward(x, cache, dy, Some(&mut *dx), grads);
                dx.add_tensor_assign(dy);
            }
            None => self.inner.backward(x, cache, dy, None, grads),
        }
    }
}
