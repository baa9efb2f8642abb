//! Calibration (the activation ranges of a float model on sample inputs) and quantization.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{QParams, Quantize, Quantized, Range, Role};
use crate::nn::{AvgPool2d, Conv2d, Direct, Flatten, Frozen, Infer, Linear, MaxPool2d, ReLU};
use crate::shape::{Dim, Pair, Shape};
use crate::tensor::Tensor;

/// A float model whose every activation can be observed on input `X`.
pub trait Calibrate<X>: Quantize {
    /// The model's output.
    type Out: crate::Zeroable;
    /// Runs the model on `x` into `y`, widening `ranges[i]` by leaf `i`'s output.
    fn observe(&self, x: &X, y: &mut Self::Out, ranges: &mut [Range]);
}

macro_rules! leaves {
    ($([$($g:tt)*] $ty:ty;)*) => {$(
        impl<X, Sh: Shape, $($g)*> Calibrate<X> for $ty
        where
            Self: Infer<X, Output = Tensor<f32, Sh>>,
        {
            type Out = Tensor<f32, Sh>;
            fn observe(&self, x: &X, y: &mut Self::Out, ranges: &mut [Range]) {
                let mut scratch = crate::boxed_zeroed::<<Self as Infer<X>>::Scratch>();
                self.infer(x, &mut scratch, y);
                ranges[0].observe(y.as_slice());
            }
        }
    )*};
}
leaves! {
    [C: Dim, F: Dim, K: Pair, S: Pair, P: Pair] Conv2d<f32, C, F, K, S, P>;
    [C: Dim, F: Dim, K: Pair, S: Pair, P: Pair] Direct<Conv2d<f32, C, F, K, S, P>>;
    [I: Dim, O: Dim] Linear<f32, I, O>;
    [] ReLU;
    [] Flatten;
    [K, S, P] MaxPool2d<K, S, P>;
    [K, S, P] AvgPool2d<K, S, P>;
}

impl<X, L: Calibrate<X>> Calibrate<X> for Frozen<L> {
    type Out = L::Out;
    fn observe(&self, x: &X, y: &mut Self::Out, ranges: &mut [Range]) {
        self.0.observe(x, y, ranges);
    }
}

macro_rules! chains {
    ($(($x:ident; $($l:ident $prev:ident $pv:ident $h:ident $hv:ident $i:tt),+; $ln:ident $prevn:ident $pvn:ident $n:tt))*) => {$(
        impl<X, $($l, $h,)+ $ln> Calibrate<X> for ($($l,)+ $ln,)
        where
            $($l: Calibrate<$prev, Out = $h>, $h: crate::Zeroable,)+
            $ln: Calibrate<$prevn>,
        {
            type Out = $ln::Out;
            fn observe(&self, $x: &X, y: &mut Self::Out, ranges: &mut [Range]) {
                let mut at = 0;
                $(
                    let mut $hv = crate::boxed_zeroed::<$h>();
                    self.$i.observe(&*$pv, &mut *$hv, &mut ranges[at..at + $l::LAYERS]);
                    at += $l::LAYERS;
                )+
                self.$n.observe(&*$pvn, y, &mut ranges[at..]);
            }
        }
    )*};
}
chains! {
    (x; L0 X x H0 h0 0; L1 H0 h0 1)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1; L2 H1 h1 2)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2; L3 H2 h2 3)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2, L3 H2 h2 H3 h3 3; L4 H3 h3 4)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2, L3 H2 h2 H3 h3 3, L4 H3 h3 H4 h4 4; L5 H4 h4 5)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2, L3 H2 h2 H3 h3 3, L4 H3 h3 H4 h4 4, L5 H4 h4 H5 h5 5; L6 H5 h5 6)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2, L3 H2 h2 H3 h3 3, L4 H3 h3 H4 h4 4, L5 H4 h4 H5 h5 5, L6 H5 h5 H6 h6 6; L7 H6 h6 7)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2, L3 H2 h2 H3 h3 3, L4 H3 h3 H4 h4 4, L5 H4 h4 H5 h5 5, L6 H5 h5 H6 h6 6, L7 H6 h6 H7 h7 7; L8 H7 h7 8)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2, L3 H2 h2 H3 h3 3, L4 H3 h3 H4 h4 4, L5 H4 h4 H5 h5 5, L6 H5 h5 H6 h6 6, L7 H6 h6 H7 h7 7, L8 H7 h7 H8 h8 8; L9 H8 h8 9)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2, L3 H2 h2 H3 h3 3, L4 H3 h3 H4 h4 4, L5 H4 h4 H5 h5 5, L6 H5 h5 H6 h6 6, L7 H6 h6 H7 h7 7, L8 H7 h7 H8 h8 8, L9 H8 h8 H9 h9 9; L10 H9 h9 10)
    (x; L0 X x H0 h0 0, L1 H0 h0 H1 h1 1, L2 H1 h1 H2 h2 2, L3 H2 h2 H3 h3 3, L4 H3 h3 H4 h4 4, L5 H4 h4 H5 h5 5, L6 H5 h5 H6 h6 6, L7 H6 h6 H7 h7 7, L8 H7 h7 H8 h8 8, L9 H8 h8 H9 h9 9, L10 H9 h9 H10 h10 10; L11 H10 h10 11)
}

/// The ranges of the input and of every leaf layer's output (`LAYERS + 1` of them) over
/// `inputs`: the calibration data (a few hundred training images are plenty).
pub fn calibrate<'a, M: Calibrate<X>, X: Shaped + 'a>(
    model: &M,
    inputs: impl IntoIterator<Item = &'a X>,
) -> Vec<Range> {
    let mut ranges = alloc::vec![Range::EMPTY; M::LAYERS + 1];
    let mut y = crate::boxed_zeroed::<M::Out>();
    for x in inputs {
        ranges[0].observe(x.values());
        model.observe(x, &mut y, &mut ranges[1..]);
    }
    ranges
}

/// A float tensor whose values calibration can read.
pub trait Shaped {
    /// The values, row-major.
    fn values(&self) -> &[f32];
}

impl<S: Shape> Shaped for Tensor<f32, S> {
    fn values(&self) -> &[f32] {
        self.as_slice()
    }
}

/// The parameters of every activation after fusing each ReLU into the affine layer before it
/// (through any pass-through layers), and giving pass-through layers and ReLUs their input's
/// parameters.
fn activation_params<M: Quantize>(ranges: &[Range]) -> Vec<QParams> {
    assert_eq!(
        ranges.len(),
        M::LAYERS + 1,
        "calibrate this model type: one range per activation"
    );
    let mut roles = alloc::vec![Role::Affine; M::LAYERS];
    M::roles(&mut roles);
    let mut r = ranges.to_vec();
    for i in 0..roles.len() {
        if roles[i] != Role::Relu {
            continue;
        }
        let mut j = i;
        while j > 0 && roles[j - 1] == Role::Pass {
            j -= 1;
        }
        if j > 0 && roles[j - 1] == Role::Affine {
            let fused = Range {
                min: 0.0,
                max: r[i + 1].max,
            };
            for v in &mut r[j..=i + 1] {
                *v = fused;
            }
        }
    }
    let mut acts: Vec<QParams> = r.iter().map(|&v| QParams::of(v)).collect();
    for (i, role) in roles.iter().enumerate() {
        if *role != Role::Affine {
            acts[i + 1] = acts[i];
        }
    }
    acts
}

/// The int8 model of `model`, from the activation ranges of [`calibrate`].
///
/// # Panics
/// If `ranges` is not one range per activation of this model type (`LAYERS + 1`).
pub fn quantize<M: Quantize>(model: &M, ranges: &[Range]) -> Box<Quantized<M>> {
    let acts = activation_params::<M>(ranges);
    let mut q = crate::boxed_zeroed::<Quantized<M>>();
    model.quantize_into(&acts, &mut q);
    q
}

/// The parameters of the model's input: quantize inputs with them.
pub fn input_params(ranges: &[Range]) -> QParams {
    QParams::of(ranges[0])
}

/// The parameters of the model's output (its logits), after fusion, e.g. to dequantize them.
pub fn output_params<M: Quantize>(ranges: &[Range]) -> QParams {
    *activation_params::<M>(ranges).last().unwrap()
}
