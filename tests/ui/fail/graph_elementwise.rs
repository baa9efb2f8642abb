use shaped::graph::leaf;
use shaped::prelude::*;

fn main() {
    let a = leaf(Tensor2::<f64, U2, U4>::zeros());
    let b = leaf(Tensor2::<f64, U2, U3>::zeros());
    let _ = &a * &b;
}
