// dW = Xᵀ·dY needs X and dY to have the same number of rows (the batch).
use shaped::prelude::*;

fn main() {
    let x: Tensor2<f32, U32, U4> = Tensor::zeros();
    let dy: Tensor2<f32, U16, U3> = Tensor::zeros();
    let _dw = x.t_matmul(&dy);
}
