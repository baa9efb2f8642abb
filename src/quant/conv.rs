//! [`QConv2d`]: the int8 convolution, computed directly on the input (no column matrix).

use core::marker::PhantomData;

use typenum::{U0, U1, Unsigned};

use super::Requant;
use crate::nn::Infer;
use crate::shape::{ConvDim, ConvOut, Dim, DimEq, Pair, rules};
use crate::tensor::Tensor;

/// An int8 2-D convolution (TFLite's scheme): `i8` weights, symmetric per filter; `i32` bias and
/// accumulation; the accumulator requantized per filter to the output's scale with a fixed-point
/// multiplier, then saturated to `[floor, 127]` (a fused ReLU raises `floor` to the output's zero
/// point). Geometry as [`Conv2d`](crate::nn::Conv2d); built by [`quantize`](super::quantize).
///
/// `y[f][oy][ox] = clamp(zero_out + requant[f](bias[f] + Σ weight · (x − zero_in)))`; padding is
/// the real value 0, so it adds nothing and is skipped.
#[derive(crate::Zeroable)]
#[shaped(crate = crate)]
pub struct QConv2d<C: Dim, F: Dim, K: Pair, S: Pair = U1, P: Pair = U0> {
    /// Bias in the accumulator's scale (`input scale × weight scale`).
    pub bias: Tensor<i32, (F,)>,
    /// Per filter: `input scale × weight scale / output scale`, fixed point.
    pub mult: Tensor<i32, (F,)>,
    /// Per filter: the multiplier's power of two.
    pub shift: Tensor<i32, (F,)>,
    /// The input's zero point.
    pub zero_in: i32,
    /// The output's zero point.
    pub zero_out: i32,
    /// The lowest output value (saturation; a fused ReLU's floor).
    pub floor: i32,
    /// Filters `(F, C, KH, KW)`, as the float layer's.
    pub weight: Tensor<i8, (F, C, K::H, K::W)>,
    _geometry: PhantomData<(S, P)>,
}

impl<C: Dim, F: Dim, K: Pair, S: Pair, P: Pair> QConv2d<C, F, K, S, P> {
    /// Filter `f`'s requantization.
    #[inline(always)]
    pub(crate) fn requant(&self, f: usize) -> Requant {
        Requant {
            mult: self.mult.as_slice()[f],
            shift: self.shift.as_slice()[f],
        }
    }
}

impl<B, C, C2, F, K, S, P, H, W> Infer<Tensor<i8, (B, C2, H, W)>> for QConv2d<C, F, K, S, P>
where
    B: Dim,
    C: Dim,
    F: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    C2: Dim + DimEq<C, rules::ConvInputChannels>,
    H: ConvDim<K::H, S::H, P::H>,
    W: ConvDim<K::W, S::W, P::W>,
{
    type Output = Tensor<
        i8,
        (
            B,
            F,
            ConvOut<H, K::H, S::H, P::H>,
            ConvOut<W, K::W, S::W, P::W>,
        ),
    >;
    type Scratch = ();

    fn infer(&self, x: &Tensor<i8, (B, C2, H, W)>, _: &mut (), y: &mut Self::Output) {
        let (h, w) = (H::USIZE as isize, W::USIZE as isize);
        let (kh, kw, sh, sw) = (K::H::USIZE, K::W::USIZE, S::H::USIZE, S::W::USIZE);
        let (ph, pw) = (P::H::USIZE as isize, P::W::USIZE as isize);
        let (oh, ow) = (
            ConvOut::<H, K::H, S::H, P::H>::USIZE,
            ConvOut::<W, K::W, S::W, P::W>::USIZE,
        );
        let (zx, zy) = (self.zero_in, self.zero_out);
        let filters = self.weight.as_slice().chunks_exact(C::USIZE * kh * kw);
        for b in 0..B::USIZE {
            let (xb, yb) = (x.outer(b), y.outer_mut(b));
            let planes = yb.chunks_exact_mut(oh * ow);
            for (f, (plane, filter)) in planes.zip(filters.clone()).enumerate() {
                let (bias, rq) = (self.bias.as_slice()[f], self.requant(f));
                for (oy, row) in plane.chunks_exact_mut(ow).enumerate() {
                    let iy0 = (oy * sh) as isize - ph;
                    let (ky0, ky1) = (0.max(-iy0) as usize, kh.min((h - iy0).max(0) as usize));
                    for (ox, out) in row.iter_mut().enumerate() {
                        let ix0 = (ox * sw) as isize - pw;
                        let (kx0, kx1) = (0.max(-ix0) as usize, kw.min((w - ix0).max(0) as usize));
                        let mut acc = bias;
                        let channels = xb.chunks_exact(H::USIZE * W::USIZE);
                        for (xc, fc) in channels.zip(filter.chunks_exact(kh * kw)) {
                            for ky in ky0..ky1 {
                                let iy = (iy0 + ky as isize) as usize;
                                let at = iy * W::USIZE + (ix0 + kx0 as isize) as usize;
                                let xs = &xc[at..at + (kx1 - kx0)];
                                let ws = &fc[ky * kw + kx0..ky * kw + kx1];
                                for (&a, &k) in xs.iter().zip(ws) {
                                    acc += (a as i32 - zx) * k as i32;
                                }
                            }
                        }
                        *out = (zy + rq.apply(acc)).clamp(self.floor, 127) as i8;
                    }
                }
            }
        }
    }
}
