// A 5×5 kernel on a 3-wide input without padding.
use shaped::nn::{Conv2d, Infer};
use shaped::prelude::*;

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<Conv2d<f32, U1, U2, U5>, Tensor4<f32, U1, U1, U8, U3>>();
}
