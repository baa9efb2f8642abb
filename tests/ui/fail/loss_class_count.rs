// One-hot targets with 9 classes against 10 logits per sample.
use shaped::nn::{Loss, SoftmaxCrossEntropy};
use shaped::prelude::*;

fn main() {
    let logits = Tensor2::<f32, U4, U10>::zeros();
    let one_hot = Tensor2::<f32, U4, U9>::zeros();
    let _ = SoftmaxCrossEntropy.loss(&logits, &one_hot);
}
