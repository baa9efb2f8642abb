use shaped::graph::leaf;
use shaped::prelude::*;

fn main() {
    let rows = leaf(Tensor2::<f64, U10, U8>::zeros());
    let _ = rows.reshape::<(U2, U30)>();
}
