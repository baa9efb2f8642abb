//! Type-level conv/pool output sizes and CNN chains that type-check only when the numbers agree.

use shaped::nn::{Conv2d, Flatten, Infer, Linear, MaxPool2d, Params};
use shaped::prelude::*;
use shaped::shape::{ConvDim, ConvOut, PoolOut, SamePad};
use typenum::Unsigned;

#[test]
fn conv_output_sizes() {
    assert_eq!(<ConvOut<U227, U11, U4, U0>>::USIZE, 55); // AlexNet: (227 − 11)/4 + 1
    assert_eq!(<ConvOut<U8, U3, U2, U0>>::USIZE, 3); // ⌊5/2⌋ + 1
    assert_eq!(<ConvOut<U28, U5, U1, U2>>::USIZE, 28);
    assert_eq!(<ConvOut<U3, U5, U1, U1>>::USIZE, 1); // the kernel exactly fits the padded input
    assert_eq!(<ConvOut<U10, U4, U3, U1>>::USIZE, 3); // ⌊8/3⌋ + 1
    assert_eq!(<SamePad<U5>>::USIZE, 2);
    assert_eq!(<SamePad<U3>>::USIZE, 1);
    assert_eq!(<ConvOut<U13, U7, U1, SamePad<U7>>>::USIZE, 13);
}

#[test]
fn pool_output_sizes() {
    assert_eq!(<PoolOut<U28, U2, U2>>::USIZE, 14);
    assert_eq!(<PoolOut<U7, U2, U2>>::USIZE, 3);
    assert_eq!(<PoolOut<U13, U3, U2>>::USIZE, 6); // AlexNet-style overlapping pooling
}

/// Generic code names the output size with one bound per axis.
fn out_size<H: ConvDim<K, S, P>, K, S, P>() -> usize {
    <ConvOut<H, K, S, P>>::USIZE
}

#[test]
fn generic_code_needs_one_bound_per_axis() {
    assert_eq!(out_size::<U32, U5, U1, U0>(), 28);
}

type LeNetFeatures = (
    Conv2d<f32, U1, U6, U5, U1, U2>,
    MaxPool2d<U2>,
    Conv2d<f32, U6, U16, U5>,
    MaxPool2d<U2>,
    Flatten,
    Linear<f32, U400, U120>,
);

#[test]
fn lenet_chain_type_checks() {
    type X = Tensor4<f32, U8, U1, U28, U28>;
    let model = shaped::boxed_zeroed::<LeNetFeatures>();
    let mut work = shaped::boxed_zeroed::<<LeNetFeatures as Infer<X>>::Scratch>();
    let x = shaped::boxed_zeroed::<X>();
    let mut y: Box<Tensor2<f32, U8, U120>> = shaped::boxed_zeroed();
    model.infer(&x, &mut work, &mut y);
    assert_eq!(
        <LeNetFeatures as Params<f32>>::PARAMS,
        (6 * 25 + 6) + (16 * 6 * 25 + 16) + (400 * 120 + 120)
    );
}
