use crate::nn::{Ctx, Infer, Train};
use crate::scalar::{Scalar, Zeroable};
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

/// Affine layer `y = x·W + b` with `W: (I, O)`, `b: (O,)`, on batches `(B, I) -> (B, O)`.
///
/// Backward: `dX = dY·Wᵀ`, `dW += Xᵀ·dY`, `db += Σ rows of dY`.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Infer, Linear, Params};
/// let mut l = Linear::<f64, U2, U3>::zeros();
/// l.weight = tensor([[1., 2., 3.], [1., 4., 6.]]);
/// l.bias.fill(2.0);
/// let x = tensor([[2., 4.], [2., 1.], [4., 3.]]);
/// let mut y = Tensor2::<f64, U3, U3>::zeros();
/// l.infer(&x, &mut (), &mut y);
/// assert_eq!(y, tensor([[8., 22., 32.], [5., 10., 14.], [9., 22., 32.]]));
/// assert_eq!(<Linear<f64, U2, U3> as Params<f64>>::PARAMS, 9);
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
#[params(init = Self::init_weights)]
pub struct Linear<T, I: Dim, O: Dim> {
    /// Weights, `(inputs, outputs)`.
    #[param]
    pub weight: Tensor<T, (I, O)>,
    /// Bias, one per output.
    #[param]
    pub bias: Tensor<T, (O,)>,
}

impl<T: Scalar, I: Dim, O: Dim> Linear<T, I, O> {
    /// A layer with all parameters zero (initialise with
    /// [`Params::init`](crate::nn::Params::init) before training).
    pub fn zeros() -> Self {
        Zeroable::zeroed()
    }
}

impl<T: Scalar, I: Dim, O: Dim> Clone for Linear<T, I, O> {
    fn clone(&self) -> Self {
        Linear {
            weight: self.weight.clone(),
            bias: self.bias.clone(),
        }
    }
}

impl<T: Scalar, I: Dim, O: Dim> core::fmt::Debug for Linear<T, I, O> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Linear")
            .field("weight", &self.weight)
            .field("bias", &self.bias)
            .finish()
    }
}

impl<T: Scalar, B: Dim, I: Dim, O: Dim, I2> Infer<Tensor<T, (B, I2)>> for Linear<T, I, O>
where
    I2: Dim + DimEq<I, rules::LinearInput>,
{
    type Output = Tensor<T, (B, O)>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, I2)>, _: &mut (), y: &mut Tensor<T, (B, O)>) {
        let g = crate::kernel::Gemm::nn(B::USIZE, I::USIZE, O::USIZE);
        T::gemm(g, x.as_slice(), self.weight.as_slice(), y.as_mut_slice());
        let b = self.bias.as_slice();
        for row in y.as_mut_slice().chunks_exact_mut(O::USIZE) {
            row.iter_mut().zip(b).for_each(|(v, &bj)| *v += bj);
        }
    }
}

impl<T: Scalar, B: Dim, I: Dim, O: Dim, I2> Train<Tensor<T, (B, I2)>> for Linear<T, I, O>
where
    I2: Dim + DimEq<I, rules::LinearInput>,
{
    type Cache = ();

    fn forward(&mut self, x: &Tensor<T, (B, I2)>, _: Ctx, _: &mut (), y: &mut Tensor<T, (B, O)>) {
        self.infer(x, &mut (), y);
    }

    fn backward(
        &self,
        x: &Tensor<T, (B, I2)>,
        _: &mut (),
        dy: &Tensor<T, (B, O)>,
        dx: Option<&mut Tensor<T, (B, I2)>>,
        grads: Option<&mut LinearGrads<T, I, O>>,
    ) {
        use crate::kernel::Gemm;
        let (b, i, o) = (B::USIZE, I::USIZE, O::USIZE);
        if let Some(dx) = dx {
            T::gemm(
                Gemm::nn(b, o, i).tb(),
                dy.as_slice(),
                self.weight.as_slice(),
                dx.as_mut_slice(),
            );
        }
        let Some(grads) = grads else { return };
        T::gemm(
            Gemm::nn(i, b, o).ta().acc(),
            x.as_slice(),
            dy.as_slice(),
            grads.weight.as_mut_slice(),
        );
        let db = grads.bias.as_mut_slice();
        for row in dy.as_slice().chunks_exact(o) {
            db.iter_mut().zip(row).for_each(|(d, &r)| *d += r);
        }
    }
}

impl<T: Scalar, I: Dim, O: Dim> Linear<T, I, O> {
    /// Weights by `scheme` with `fan_in = I`, `fan_out = O`; biases zero.
    fn init_weights(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
    where
        T: crate::Real,
    {
        crate::init::fill_weights(self.weight.as_mut_slice(), I::USIZE, O::USIZE, scheme, rng);
        self.bias.fill(T::zero());
    }
}
