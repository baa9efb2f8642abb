use shaped::prelude::*;

fn main() {
    let a = Tensor2::<f32, U2, U4>::zeros();
    let b = Tensor2::<f32, U2, U3>::zeros();
    let _ = a.hadamard(&b);
}
