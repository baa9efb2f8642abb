// `Conv2dSame` with a 3×4 kernel: odd in height, even in width, so no symmetric padding keeps
// the width.
use shaped::nn::{Conv2dSame, Infer};
use shaped::prelude::*;

fn output_bytes<M: Infer<X>, X>() -> usize {
    size_of::<M::Output>()
}

fn main() {
    let _ = output_bytes::<Conv2dSame<f32, U1, U2, (U3, U4)>, Tensor4<f32, U1, U1, U8, U8>>();
}
