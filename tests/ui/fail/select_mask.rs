use shaped::prelude::*;

fn main() {
    let mask = tensor([[true, false], [false, true], [true, true]]);
    let x = Tensor2::<f32, U3, U3>::zeros();
    let _ = Tensor::select(&mask, &x, &x);
}
