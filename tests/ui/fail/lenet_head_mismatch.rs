// A CNN whose head expects 400 features while the conv part produces 6·12·12 = 864.
use shaped::nn::{Conv2d, Flatten, Infer, Linear, MaxPool2d};
use shaped::prelude::*;

type Model = (Conv2d<f32, U1, U6, U5>, MaxPool2d<U2>, Flatten, Linear<f32, U400, U120>);

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<Model, Tensor4<f32, U32, U1, U28, U28>>();
}
