// LeNet-5's first layers at batch 1 need 16696 bytes for inference: more than an 8 KB budget.
use shaped::nn::{Conv2d, Direct, Flatten, Linear, MaxPool2d, ReLU};
use shaped::prelude::*;

type Model = (Direct<Conv2d<f32, U1, U4, U3>>, MaxPool2d<U2>, ReLU, Flatten, Linear<f32, U676, U10>);
type X = Tensor4<f32, U1, U1, U28, U28>;

const _: () = shaped::mem::fits::<Model, X>(8 * 1024);

fn main() {}
