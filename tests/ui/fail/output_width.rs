// An output buffer with 100 columns for a layer that produces 120.
use shaped::nn::{Infer, Linear};
use shaped::prelude::*;

fn main() {
    let layer = shaped::boxed_zeroed::<Linear<f32, U400, U120>>();
    let x = shaped::boxed_zeroed::<Tensor2<f32, U8, U400>>();
    let mut y = shaped::boxed_zeroed::<Tensor2<f32, U8, U100>>();
    layer.infer(&*x, &mut (), &mut *y);
}
