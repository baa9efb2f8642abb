use shaped::prelude::*;

fn main() {
    let mut a = Tensor2::<f32, U2, U4>::zeros();
    a += &Tensor1::<f32, U4>::zeros();
}
