// Per-step targets for 4 steps against logits of 5 steps.
use shaped::nn::{Loss, SoftmaxCrossEntropy};
use shaped::prelude::*;

fn main() {
    let logits = Tensor3::<f32, U2, U5, U10>::zeros();
    let targets = Tensor2::<usize, U2, U4>::zeros();
    let _ = SoftmaxCrossEntropy.loss(&logits, &targets);
}
