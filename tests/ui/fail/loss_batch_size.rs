// Class targets for 16 samples against logits for a batch of 32.
use shaped::nn::{Loss, SoftmaxCrossEntropy};
use shaped::prelude::*;

fn main() {
    let logits = Tensor2::<f32, U32, U10>::zeros();
    let labels = Tensor1::<usize, U16>::zeros();
    let _ = SoftmaxCrossEntropy.loss(&logits, &labels);
}
