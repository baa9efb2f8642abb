// Accumulating Xᵀ·dY (which is (4, 3)) into a gradient of the wrong shape (3, 4).
use shaped::prelude::*;

fn main() {
    let x: Tensor2<f32, U8, U4> = Tensor::zeros();
    let dy: Tensor2<f32, U8, U3> = Tensor::zeros();
    let mut dw: Tensor2<f32, U3, U4> = Tensor::zeros();
    x.t_matmul_acc(&dy, &mut dw);
}
