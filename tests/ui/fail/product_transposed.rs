// dX = dY·Wᵀ needs dY and W to have the same number of columns (the outputs).
use shaped::prelude::*;

fn main() {
    let dy: Tensor2<f32, U8, U3> = Tensor::zeros();
    let w: Tensor2<f32, U4, U5> = Tensor::zeros();
    let _dx = dy.matmul_t(&w);
}
