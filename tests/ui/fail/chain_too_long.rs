// A tuple of 17 layers: one more than a chain holds.
use shaped::nn::{Infer, ReLU};
use shaped::prelude::*;

type Deep = (
    ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, ReLU,
    ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, ReLU, ReLU,
);

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<Deep, Tensor2<f32, U4, U8>>();
}
