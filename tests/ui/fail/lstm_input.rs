// An Lstm<28, 64> fed sequences of 32 features.
use shaped::nn::{Infer, Lstm};
use shaped::prelude::*;

fn main() {
    let layer = shaped::boxed_zeroed::<Lstm<f32, U28, U64>>();
    let x = shaped::boxed_zeroed::<Tensor3<f32, U8, U28, U32>>();
    let y = layer.infer_boxed(&*x);
    let _ = y;
}
