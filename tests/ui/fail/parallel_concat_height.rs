use shaped::nn::parallel::{Concat, Parallel};
use shaped::nn::{Conv2d, Infer};
use shaped::prelude::*;

fn main() {
    // A 3×3 convolution without padding shrinks 8×8 to 6×6; the 1×1 branch keeps 8×8.
    type Fork = Parallel<Conv2d<f32, U3, U4, U3>, Conv2d<f32, U3, U2, U1>, Concat>;
    let fork = Fork::zeroed();
    let x = Tensor4::<f32, U1, U3, U8, U8>::zeros();
    let _ = fork.apply(&x);
}
