// Method-call form on a broken MLP: the second layer expects 16 inputs, the first produces 10.
use shaped::nn::{Infer, Linear, ReLU};
use shaped::prelude::*;

type Mlp = (Linear<f32, U784, U10>, ReLU, Linear<f32, U16, U10>);

fn main() {
    let model = shaped::boxed_zeroed::<Mlp>();
    let x = shaped::boxed_zeroed::<Tensor2<f32, U32, U784>>();
    let mut scratch = Zeroable::zeroed();
    let mut y = Tensor::zeros();
    model.infer(&x, &mut scratch, &mut y);
}
