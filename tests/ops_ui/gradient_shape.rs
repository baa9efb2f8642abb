use shaped::prelude::*;

fn main() {
    let x = Tensor2::<f32, U3, U2>::zeros();
    let dy = Tensor2::<f32, U3, U3>::zeros();
    let mut dw = Tensor2::<f32, U5, U3>::zeros();
    x.t_matmul_acc(&dy, &mut dw);
}
