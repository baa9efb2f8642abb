//! [`QReLU`] and [`QAvgPool2d`]: int8 layers that keep their input's scale and zero point.
//! (Max pooling needs no quantized form: [`MaxPool2d`](crate::nn::MaxPool2d) works on `i8`.)

use core::marker::PhantomData;

use typenum::Unsigned;

use crate::nn::Infer;
use crate::shape::{Dim, Pair, PoolDim, PoolOut, Shape};
use crate::tensor::Tensor;

/// ReLU on int8 values: `max(x, zero)`, the real value 0 being `zero`. After a convolution or a
/// linear layer whose range was calibrated through the ReLU, this is already the identity (the
/// ReLU is fused into their saturation); it stays in the chain so every float layer has its
/// quantized twin.
#[derive(Clone, Copy, Debug, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct QReLU {
    /// The zero point of the input (and output).
    pub zero: i32,
}

impl<S: Shape> Infer<Tensor<i8, S>> for QReLU {
    type Output = Tensor<i8, S>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<i8, S>, _: &mut (), y: &mut Tensor<i8, S>) {
        let z = self.zero.clamp(-128, 127) as i8;
        for (o, &v) in y.iter_mut().zip(x.iter()) {
            *o = v.max(z);
        }
    }
}

/// Average pooling on int8 values, in integers: `zero + round(Σ (x − zero) / (KH·KW))`, padding
/// counted as the real value 0 (as [`AvgPool2d`](crate::nn::AvgPool2d)); same scale and zero
/// point in and out.
#[derive(crate::Zeroable)]
#[shaped(crate = crate)]
pub struct QAvgPool2d<K, S = K, P = typenum::U0> {
    /// The zero point of the input (and output).
    pub zero: i32,
    _geometry: PhantomData<(K, S, P)>,
}

impl<B, C, H, W, K, S, P> Infer<Tensor<i8, (B, C, H, W)>> for QAvgPool2d<K, S, P>
where
    B: Dim,
    C: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    H: PoolDim<K::H, S::H, P::H>,
    W: PoolDim<K::W, S::W, P::W>,
{
    type Output = Tensor<
        i8,
        (
            B,
            C,
            PoolOut<H, K::H, S::H, P::H>,
            PoolOut<W, K::W, S::W, P::W>,
        ),
    >;
    type Scratch = ();

    fn infer(&self, x: &Tensor<i8, (B, C, H, W)>, _: &mut (), y: &mut Self::Output) {
        let (h, w) = (H::USIZE as isize, W::USIZE as isize);
        let (kh, kw) = (K::H::USIZE as isize, K::W::USIZE as isize);
        let (sh, sw) = (S::H::USIZE as isize, S::W::USIZE as isize);
        let (ph, pw) = (P::H::USIZE as isize, P::W::USIZE as isize);
        let ow = PoolOut::<W, K::W, S::W, P::W>::USIZE;
        let n = (kh * kw) as i32;
        let planes = x.as_slice().chunks_exact((h * w) as usize);
        let per = PoolOut::<H, K::H, S::H, P::H>::USIZE * ow;
        let outs = y.as_mut_slice().chunks_exact_mut(per);
        for (plane, out) in planes.zip(outs) {
            for (i, o) in out.iter_mut().enumerate() {
                let (oy, ox) = ((i / ow) as isize, (i % ow) as isize);
                let mut sum = 0i32;
                for iy in (oy * sh - ph).max(0)..(oy * sh - ph + kh).min(h) {
                    for ix in (ox * sw - pw).max(0)..(ox * sw - pw + kw).min(w) {
                        sum += plane[(iy * w + ix) as usize] as i32 - self.zero;
                    }
                }
                // Round half away from zero.
                let q = if sum >= 0 {
                    (2 * sum + n) / (2 * n)
                } else {
                    -((-2 * sum + n) / (2 * n))
                };
                *o = (self.zero + q).clamp(-128, 127) as i8;
            }
        }
    }
}

impl<K, S, P> QAvgPool2d<K, S, P> {
    /// The layer for inputs with zero point `zero`.
    pub const fn new(zero: i32) -> Self {
        QAvgPool2d {
            zero,
            _geometry: PhantomData,
        }
    }
}
