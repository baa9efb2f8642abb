//! [`QLinear`]: the int8 affine layer.

use super::Requant;
use crate::nn::Infer;
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

/// An int8 affine layer (TFLite's scheme, as [`QConv2d`](super::QConv2d)): `i8` weights,
/// symmetric per output; `i32` bias and accumulation; per-output fixed-point requantization;
/// saturation to `[floor, 127]`. The weights are stored `(O, I)`, one contiguous row per output,
/// so each output is one dot product.
#[derive(crate::Zeroable)]
#[shaped(crate = crate)]
pub struct QLinear<I: Dim, O: Dim> {
    /// Bias in the accumulator's scale.
    pub bias: Tensor<i32, (O,)>,
    /// Per output: the fixed-point multiplier.
    pub mult: Tensor<i32, (O,)>,
    /// Per output: the multiplier's power of two.
    pub shift: Tensor<i32, (O,)>,
    /// The input's zero point.
    pub zero_in: i32,
    /// The output's zero point.
    pub zero_out: i32,
    /// The lowest output value (saturation; a fused ReLU's floor).
    pub floor: i32,
    /// Weights `(O, I)`: the float layer's `(I, O)`, transposed.
    pub weight: Tensor<i8, (O, I)>,
}

impl<B: Dim, I: Dim, O: Dim, I2> Infer<Tensor<i8, (B, I2)>> for QLinear<I, O>
where
    I2: Dim + DimEq<I, rules::LinearInput>,
{
    type Output = Tensor<i8, (B, O)>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<i8, (B, I2)>, _: &mut (), y: &mut Tensor<i8, (B, O)>) {
        let (zx, zy) = (self.zero_in, self.zero_out);
        for b in 0..B::USIZE {
            let (xb, yb) = (x.outer(b), y.outer_mut(b));
            let rows = self.weight.as_slice().chunks_exact(I::USIZE);
            for (o, (out, row)) in yb.iter_mut().zip(rows).enumerate() {
                let mut acc = self.bias.as_slice()[o];
                for (&a, &k) in xb.iter().zip(row) {
                    acc += (a as i32 - zx) * k as i32;
                }
                let rq = Requant {
                    mult: self.mult.as_slice()[o],
                    shift: self.shift.as_slice()[o],
                };
                *out = (zy + rq.apply(acc)).clamp(self.floor, 127) as i8;
            }
        }
    }
}
