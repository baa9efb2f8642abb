// (3, 2) · (3, 3): the left operand has 2 columns, the right one 3 rows.
use shaped::prelude::*;

fn main() {
    let x: Tensor2<f32, U3, U2> = Tensor::zeros();
    let w: Tensor2<f32, U3, U3> = Tensor::zeros();
    let _y = x.matmul(&w);
}
