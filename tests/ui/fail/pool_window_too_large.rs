// Pooling a 1-pixel-high feature map with a 2×2 window.
use shaped::nn::{Infer, MaxPool2d};
use shaped::prelude::*;

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<MaxPool2d<U2>, Tensor4<f32, U8, U4, U1, U6>>();
}
