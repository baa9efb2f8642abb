// Fully qualified call on a broken MLP: one error, not one per argument.
use shaped::nn::{Infer, Linear, ReLU};
use shaped::prelude::*;

type Mlp = (Linear<f32, U784, U10>, ReLU, Linear<f32, U16, U10>);

fn main() {
    let model = shaped::boxed_zeroed::<Mlp>();
    let x = shaped::boxed_zeroed::<Tensor2<f32, U32, U784>>();
    let mut scratch = Zeroable::zeroed();
    let mut y = Tensor::zeros();
    Infer::infer(&*model, &*x, &mut scratch, &mut y);
}
