// A Linear<400, 120> fed a batch with 864 features.
use shaped::nn::{Infer, Linear};
use shaped::prelude::*;

fn main() {
    let layer = shaped::boxed_zeroed::<Linear<f32, U400, U120>>();
    let x = shaped::boxed_zeroed::<Tensor2<f32, U8, U864>>();
    let mut y = shaped::boxed_zeroed::<Tensor2<f32, U8, U120>>();
    Infer::infer(&*layer, &*x, &mut (), &mut *y);
}
