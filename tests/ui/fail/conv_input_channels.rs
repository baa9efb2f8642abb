// A conv layer for 3 channels fed a single-channel batch.
use shaped::nn::{Conv2d, Infer};
use shaped::prelude::*;

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<Conv2d<f32, U3, U6, U5>, Tensor4<f32, U8, U1, U32, U32>>();
}
