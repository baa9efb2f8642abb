use shaped::prelude::*;

fn main() {
    let mut y = Tensor2::<f64, U3, U3>::zeros();
    y.add_row(&tensor([1., 2.]));
}
