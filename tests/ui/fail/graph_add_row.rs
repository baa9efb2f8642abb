use shaped::graph::leaf;
use shaped::prelude::*;

fn main() {
    let z = leaf(Tensor2::<f64, U4, U16>::zeros());
    let b = leaf(Tensor1::<f64, U12>::zeros());
    let _ = z.add_row(&b);
}
