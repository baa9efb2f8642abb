//! Flattening image batches into feature rows, with the product computed at the type level.

use core::ops::Mul;

use typenum::Prod;

use crate::nn::{Ctx, Infer, Train};
use crate::scalar::Scalar;
use crate::shape::{Dim, Prod3};
use crate::tensor::Tensor;

/// Flattens `(B, C, H, W)` to `(B, C·H·W)` (row-major, so a plain copy), e.g. between the conv
/// part of a CNN and its `Linear` head. The width `C·H·W` is a type, so a head of the wrong size
/// fails to compile: `shape error (Linear input features): got 864, expected 400`.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Flatten, Infer};
/// let x: Tensor4<f32, U1, U2, U1, U2> = tensor([[[[1., 2.]], [[3., 4.]]]]);
/// let mut y = Tensor2::<f32, U1, U4>::zeros();
/// Flatten.infer(&x, &mut (), &mut y);
/// assert_eq!(y, tensor([[1., 2., 3., 4.]]));
/// ```
#[derive(Clone, Copy, Debug, Default, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct Flatten;

/// A `(C, H, W)` volume whose element count `C·H·W` is a dim ([`Flat`]); every concrete volume is.
/// Generic code over `C, H, W` states this one bound.
pub trait FlattenDims {
    /// `C·H·W`.
    type Out: Dim;
}

impl<C: Dim + Mul<H>, H: Dim, W: Dim> FlattenDims for (C, H, W)
where
    Prod<C, H>: Mul<W>,
    Prod3<C, H, W>: Dim,
{
    type Out = Prod3<C, H, W>;
}

/// The flattened width of a `(C, H, W)` volume: `C·H·W`.
pub type Flat<C, H, W> = <(C, H, W) as FlattenDims>::Out;

impl<T: Scalar, B: Dim, C: Dim, H: Dim, W: Dim> Infer<Tensor<T, (B, C, H, W)>> for Flatten
where
    (C, H, W): FlattenDims,
{
    type Output = Tensor<T, (B, Flat<C, H, W>)>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, C, H, W)>, _: &mut (), y: &mut Self::Output) {
        y.as_mut_slice().copy_from_slice(x.as_slice());
    }
}

impl<T: Scalar, B: Dim, C: Dim, H: Dim, W: Dim> Train<Tensor<T, (B, C, H, W)>> for Flatten
where
    (C, H, W): FlattenDims,
{
    type Cache = ();

    fn forward(&mut self, x: &Tensor<T, (B, C, H, W)>, _: Ctx, _: &mut (), y: &mut Self::Output) {
        self.infer(x, &mut (), y);
    }

    fn backward(
        &self,
        _: &Tensor<T, (B, C, H, W)>,
        _: &mut (),
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (B, C, H, W)>>,
        _: Option<&mut ()>,
    ) {
        if let Some(dx) = dx {
            dx.as_mut_slice().copy_from_slice(dy.as_slice());
        }
    }
}
