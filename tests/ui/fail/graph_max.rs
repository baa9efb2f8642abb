use shaped::graph::leaf;
use shaped::prelude::*;

fn main() {
    // The lecture's gate on tensors, with z one row short.
    let x = leaf(Tensor2::<f64, U3, U4>::zeros());
    let y = leaf(Tensor2::<f64, U3, U4>::zeros());
    let z = leaf(Tensor2::<f64, U2, U4>::zeros());
    let a = &x + &y;
    let b = y.max(&z);
    let _ = &a * &b;
}
