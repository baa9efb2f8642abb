use shaped::graph::leaf;
use shaped::prelude::*;

fn main() {
    let x = leaf(Tensor2::<f64, U2, U40>::zeros());
    let w = leaf(Tensor2::<f64, U30, U16>::zeros());
    let _ = x.matmul(&w);
}
