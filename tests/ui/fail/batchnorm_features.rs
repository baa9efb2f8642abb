// A BatchNorm2d for 16 channels after a layer that produces 6.
use shaped::nn::{BatchNorm2d, Infer};
use shaped::prelude::*;

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<BatchNorm2d<f32, U16>, Tensor4<f32, U8, U6, U14, U14>>();
}
