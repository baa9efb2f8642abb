// Max pooling with a 2×2 window and padding 2: a window could hold only padding.
use shaped::nn::{Infer, MaxPool2d};
use shaped::prelude::*;

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<MaxPool2d<U2, U2, U2>, Tensor4<f32, U8, U4, U6, U6>>();
}
