// `Conv2dSame` with a 4×3 kernel: an even kernel has no centre, so no symmetric padding keeps
// the height.
use shaped::nn::Conv2dSame;
use shaped::prelude::*;

fn main() {
    let _conv = Conv2dSame::<f32, U1, U2, (U4, U3)>::zeros();
}
