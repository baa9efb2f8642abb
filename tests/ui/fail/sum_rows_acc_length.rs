use shaped::prelude::*;

fn main() {
    let dy = Tensor2::<f64, U8, U3>::zeros();
    let mut db = Tensor1::<f64, U4>::zeros();
    dy.sum_rows_acc(&mut db);
}
