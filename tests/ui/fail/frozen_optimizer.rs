// An optimizer stepped on a model that is frozen throughout: it would change nothing.
use shaped::nn::{Frozen, Grads, Linear, ReLU};
use shaped::optim::{Optimizer, Sgd};
use shaped::prelude::*;

type Features = (Linear<f32, U784, U120>, ReLU);

fn main() {
    let mut model = shaped::boxed_zeroed::<Frozen<Features>>();
    let grads = shaped::boxed_zeroed::<Grads<Frozen<Features>>>();
    let mut sgd = Sgd::new().lr(0.01);
    sgd.step(&mut *model, &grads);
}
