// A batch of 33 images cannot be split into two equal halves (data-parallel training).
use shaped::prelude::*;

fn main() {
    let x = Tensor4::<f32, U33, U1, U28, U28>::zeros();
    let (_a, _b) = x.halves();
}
