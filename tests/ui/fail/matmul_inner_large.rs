// Dims of 1000 and more print in decimal too: (2, 1176) · (400, 10).
use shaped::prelude::*;

fn main() {
    let x = shaped::boxed_zeroed::<Tensor2<f32, U2, Prod3<U6, U14, U14>>>();
    let w = shaped::boxed_zeroed::<Tensor2<f32, U400, U10>>();
    let _y = x.matmul(&w);
}
