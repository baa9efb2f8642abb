use shaped::prelude::*;

fn main() {
    let y = Tensor4::<f32, U32, U16, U5, U5>::zeros();
    let _: &Tensor2<f32, U32, U256> = y.reshape_ref();
}
