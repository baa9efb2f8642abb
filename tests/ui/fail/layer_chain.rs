// A model whose second layer expects 16 inputs while the first produces 10.
use shaped::nn::{Infer, Linear};
use shaped::prelude::*;

type Model = (Linear<f32, U784, U10>, Linear<f32, U16, U10>);

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<Model, Tensor2<f32, U32, U784>>();
}
