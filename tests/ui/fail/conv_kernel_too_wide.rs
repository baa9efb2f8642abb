// A 3×7 kernel on a 9×5 input without padding: fits in height, not in width.
use shaped::nn::{Conv2d, Infer};
use shaped::prelude::*;

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<Conv2d<f32, U1, U2, (U3, U7)>, Tensor4<f32, U1, U1, U9, U5>>();
}
