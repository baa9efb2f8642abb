//! Conv2d: forward against a naive 7-loop reference, gradients against central differences (f64),
//! parameter counts and output types.

use crate::conv_common::{ConvSizes, fill, gradcheck, naive_conv};
use shaped::nn::{Conv2d, Conv2dSame, Ctx, Grads};
use shaped::prelude::*;
use shaped::rand::Rng;
use shaped::shape::{Pair, SamePads};

/// Runs `Conv2d<f64, C, F, K, S, P>` on random data of shape `SX` and compares with the reference.
fn check_forward<C: Dim, F: Dim, K: Pair, S: Pair, P: Pair, SX: Shape, SY: Shape>(z: ConvSizes)
where
    Conv2d<f64, C, F, K, S, P>: Infer<Tensor<f64, SX>, Output = Tensor<f64, SY>> + Params<f64>,
{
    let (oh, ow) = z.out();
    assert_eq!(SY::DIMS, &[z.b, z.f, oh, ow], "output type for {z:?}");
    let mut rng = Rng::new(7);
    let mut conv = shaped::boxed_zeroed::<Conv2d<f64, C, F, K, S, P>>();
    conv.params_mut(&mut |p| fill(&mut rng, p));
    let mut x = shaped::boxed_zeroed::<Tensor<f64, SX>>();
    fill(&mut rng, x.as_mut_slice());
    let mut work =
        shaped::boxed_zeroed::<<Conv2d<f64, C, F, K, S, P> as Infer<Tensor<f64, SX>>>::Scratch>();
    let mut y = shaped::boxed_zeroed::<Tensor<f64, SY>>();
    conv.infer(&x, &mut work, &mut y);
    let expected = naive_conv(
        z,
        x.as_slice(),
        conv.weight.as_slice(),
        conv.bias.as_slice(),
    );
    for (i, (a, e)) in y.iter().zip(&expected).enumerate() {
        assert!(
            (a - e).abs() <= 1e-12 * (1.0 + e.abs()),
            "{z:?} at {i}: {a} vs {e}"
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn sizes(
    b: usize,
    c: usize,
    h: usize,
    w: usize,
    f: usize,
    k: usize,
    s: usize,
    p: usize,
) -> ConvSizes {
    ConvSizes {
        b,
        c,
        h,
        w,
        f,
        k,
        s,
        p,
    }
}

#[test]
fn forward_matches_naive_reference() {
    // LeNet's first layer: 1 -> 6, 5×5, pad 2 on 28×28.
    check_forward::<U1, U6, U5, U1, U2, (U2, U1, U28, U28), _>(sizes(2, 1, 28, 28, 6, 5, 1, 2));
    // LeNet's second layer: 6 -> 16, 5×5 on 14×14.
    check_forward::<U6, U16, U5, U1, U0, (U2, U6, U14, U14), _>(sizes(2, 6, 14, 14, 16, 5, 1, 0));
    // Stride 2, padding 1, non-square input.
    check_forward::<U3, U4, U3, U2, U1, (U2, U3, U7, U9), _>(sizes(2, 3, 7, 9, 4, 3, 2, 1));
    // (n + 2p − k) not divisible by s: (10 + 2 − 4) / 3 and (8 + 2 − 4) / 3.
    check_forward::<U2, U3, U4, U3, U1, (U1, U2, U10, U8), _>(sizes(1, 2, 10, 8, 3, 4, 3, 1));
    // Kernel as large as the padded input, 1×1 kernels, padding wider than the kernel reach.
    check_forward::<U2, U2, U5, U1, U1, (U2, U2, U3, U4), _>(sizes(2, 2, 3, 4, 2, 5, 1, 1));
    check_forward::<U4, U5, U1, U1, U0, (U3, U4, U5, U6), _>(sizes(3, 4, 5, 6, 5, 1, 1, 0));
    check_forward::<U1, U2, U3, U2, U3, (U1, U1, U5, U4), _>(sizes(1, 1, 5, 4, 2, 3, 2, 3));
}

fn check_grads<C: Dim, F: Dim, K: Pair, S: Pair, P: Pair, SX: Shape, SY: Shape>(label: &str)
where
    Conv2d<f64, C, F, K, S, P>: Train<Tensor<f64, SX>, Output = Tensor<f64, SY>> + Params<f64>,
{
    let mut rng = Rng::new(11);
    let mut conv = shaped::boxed_zeroed::<Conv2d<f64, C, F, K, S, P>>();
    conv.params_mut(&mut |p| fill(&mut rng, p));
    let mut x = shaped::boxed_zeroed::<Tensor<f64, SX>>();
    fill(&mut rng, x.as_mut_slice());
    let (ex, ep) = gradcheck(&mut *conv, &x, 3);
    println!("gradcheck {label}: dX {ex:.2e}, dW/db {ep:.2e}");
    assert!(
        ex <= 1e-6 && ep <= 1e-6,
        "{label}: dX {ex:e}, params {ep:e}"
    );
}

#[test]
fn gradients_match_central_differences() {
    check_grads::<U2, U3, U3, U2, U1, (U2, U2, U7, U6), _>("stride 2, pad 1, 7×6");
    check_grads::<U2, U2, U4, U3, U1, (U1, U2, U10, U8), _>("k4 s3 p1 on 10×8 (not divisible)");
    check_grads::<U3, U4, U3, U1, U0, (U2, U3, U5, U5), _>("3 -> 4 channels, 3×3");
    check_grads::<U1, U2, U5, U1, U2, (U2, U1, U6, U7), _>("same padding 5×5 on 6×7");
    // `Conv2dSame<f64, U2, U2, (U3, U5)>`, spelled out so the helper can take its parameters.
    type Rect = (U3, U5);
    check_grads::<U2, U2, Rect, U1, SamePads<Rect>, (U1, U2, U7, U9), _>("same 3×5 on 7×9");
}

#[test]
fn first_layer_skips_dx_and_accumulates_grads() {
    type L = Conv2d<f64, U2, U3, U3, U1, U1>;
    type X = Tensor4<f64, U2, U2, U5, U4>;
    let mut rng = Rng::new(5);
    let mut conv = shaped::boxed_zeroed::<L>();
    conv.params_mut(&mut |p| fill(&mut rng, p));
    let mut x = shaped::boxed_zeroed::<X>();
    fill(&mut rng, x.as_mut_slice());
    let mut work = shaped::boxed_zeroed::<<L as Train<X>>::Cache>();
    let mut y = shaped::boxed_zeroed::<Tensor4<f64, U2, U3, U5, U4>>();
    conv.forward(&x, Ctx::train(0), &mut work, &mut y);
    let (mut g1, mut g2) = (
        shaped::boxed_zeroed::<Grads<L>>(),
        shaped::boxed_zeroed::<Grads<L>>(),
    );
    let mut dx = shaped::boxed_zeroed::<X>();
    conv.backward(&x, &mut work, &y, Some(&mut dx), Some(&mut g1));
    conv.backward(&x, &mut work, &y, None, Some(&mut g2));
    assert_eq!(g1.weight, g2.weight, "dx = None must not change dW");
    conv.backward(&x, &mut work, &y, None, Some(&mut g2));
    // Without gradients (a frozen layer), only dX is written.
    let mut dx2 = shaped::boxed_zeroed::<X>();
    conv.backward(&x, &mut work, &y, Some(&mut dx2), None);
    assert_eq!(
        dx, dx2,
        "dX does not depend on whether gradients are wanted"
    );
    for (a, b) in g1.weight.iter().zip(g2.weight.iter()) {
        assert!((2.0 * a - b).abs() < 1e-12, "gradients accumulate");
    }
}

#[test]
fn parameter_counts_are_constants() {
    const SMALL: usize = <Conv2d<f32, U3, U2, U3> as Params<f32>>::PARAMS;
    const LENET_LIKE: usize = <Conv2d<f32, U3, U6, U5> as Params<f32>>::PARAMS;
    assert_eq!(SMALL, 2 * 3 * 3 * 3 + 2); // 56
    assert_eq!(SMALL, 56);
    assert_eq!(LENET_LIKE, 6 * 3 * 5 * 5 + 6); // 456
    assert_eq!(LENET_LIKE, 456);
}

#[test]
fn output_type_of_a_32x32x3_input() {
    type L = Conv2d<f32, U3, U6, U5>;
    let conv = shaped::boxed_zeroed::<L>();
    let x = shaped::boxed_zeroed::<Tensor4<f32, U4, U3, U32, U32>>();
    let mut work = shaped::boxed_zeroed::<<L as Infer<Tensor4<f32, U4, U3, U32, U32>>>::Scratch>();
    let mut y: Box<Tensor4<f32, U4, U6, U28, U28>> = shaped::boxed_zeroed();
    conv.infer(&x, &mut work, &mut y);
    assert!(y.iter().all(|&v| v == 0.0));
}

#[test]
fn same_padding_keeps_the_size() {
    type L = Conv2dSame<f64, U1, U1, U3>;
    let mut conv = L::zeros();
    conv.weight[[0, 0, 1, 1]] = 1.0; // identity kernel
    let x: Tensor4<f64, U1, U1, U2, U3> = tensor([[[[1., 2., 3.], [4., 5., 6.]]]]);
    let mut y = Tensor4::<f64, U1, U1, U2, U3>::zeros();
    let mut work: shaped::nn::ConvWork<f64, U1, U3, U3, U2, U3, U4, U5> = Zeroable::zeroed();
    conv.infer(&x, &mut work, &mut y);
    assert_eq!(y, x);
}

/// A 3×5 same conv keeps 7×9 and is exactly the conv padded by (1, 2).
#[test]
fn same_padding_per_axis_keeps_a_non_square_size() {
    type Same = Conv2dSame<f64, U2, U3, (U3, U5)>;
    type Explicit = Conv2d<f64, U2, U3, (U3, U5), U1, (U1, U2)>;
    type X = Tensor4<f64, U2, U2, U7, U9>;
    let mut rng = Rng::new(3);
    let mut same = shaped::boxed_zeroed::<Same>();
    same.params_mut(&mut |p| fill(&mut rng, p));
    let mut explicit = shaped::boxed_zeroed::<Explicit>();
    explicit.weight = same.weight.clone();
    explicit.bias = same.bias.clone();
    let mut x = shaped::boxed_zeroed::<X>();
    fill(&mut rng, x.as_mut_slice());
    let y: Box<Tensor4<f64, U2, U3, U7, U9>> = same.infer_boxed(&x);
    assert_eq!(y, explicit.infer_boxed(&x));
    assert!(y.iter().all(|v| v.is_finite()) && y.iter().any(|&v| v != 0.0));
}

#[test]
fn init_uses_conv_fan_in() {
    type L = Conv2d<f64, U4, U8, U3>;
    let mut conv = shaped::boxed_zeroed::<L>();
    conv.bias.fill(1.0);
    conv.init(shaped::init::Scheme::HeUniform, &mut Rng::new(1));
    let bound = (6.0f64 / (4.0 * 9.0)).sqrt(); // fan_in = C·K·K = 36
    assert!(conv.weight.iter().all(|w| w.abs() <= bound));
    assert!(conv.weight.iter().any(|w| w.abs() > 0.9 * bound));
    assert!(conv.bias.iter().all(|&b| b == 0.0));
}
