// A Linear head straight after a pooling layer: 4-d activations into a layer that takes 2-d.
use shaped::nn::{Conv2d, Infer, Linear, MaxPool2d};
use shaped::prelude::*;

type Model = (Conv2d<f32, U1, U6, U5>, MaxPool2d<U2>, Linear<f32, U864, U10>);

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<Model, Tensor4<f32, U32, U1, U28, U28>>();
}
