//! int8 post-training quantization in the TFLite scheme, for microcontrollers without an FPU.
//!
//! - Weights: `i8`, symmetric per output channel (zero point 0), scale `max|w| / 127`.
//! - Activations: `i8`, asymmetric per tensor, `real = scale · (q − zero)`, ranges calibrated on
//!   sample inputs ([`calibrate`]).
//! - Bias and accumulation: `i32`; requantization to the next activation's scale by a
//!   fixed-point multiplier and a shift ([`Requant`]), so inference uses no float at all.
//! - ReLU is fused: a convolution or linear layer followed by a ReLU (directly or through max
//!   pooling or flatten, which commute with it) is calibrated on the ReLU's output, so its
//!   saturation *is* the ReLU.
//!
//! The quantized model type follows from the float one, [`Quantized<M>`]: `Conv2d` and
//! `Direct<Conv2d>` → [`QConv2d`], `Linear` → [`QLinear`], `ReLU` → [`QReLU`], `AvgPool2d` →
//! [`QAvgPool2d`]; `MaxPool2d` and `Flatten` stay (they work on `i8`); tuples map layer by layer.
//! Shapes stay compile-time: the quantized chain checks like the float one.
//!
//! ```
//! use shaped::nn::{Conv2d, Flatten, Infer, Linear, MaxPool2d, ReLU};
//! use shaped::prelude::*;
//! use shaped::quant::{self, Quantized};
//! type Cnn = (Conv2d<f32, U1, U4, U3>, MaxPool2d<U2>, ReLU, Flatten, Linear<f32, U36, U3>);
//! type X = Tensor4<f32, U1, U1, U8, U8>;
//! let mut model = shaped::boxed_zeroed::<Cnn>();
//! model.init(shaped::init::Scheme::HeUniform, &mut shaped::rand::Rng::new(1));
//! let images: Vec<X> = (0..8).map(|i| X::from_flat_fn(|j| ((i * 7 + j) % 13) as f32 / 12.0)).collect();
//! let ranges = quant::calibrate(&*model, &images);
//! let q: Box<Quantized<Cnn>> = quant::quantize(&*model, &ranges);
//! let input = quant::input_params(&ranges);
//! let xq = Tensor4::<i8, U1, U1, U8, U8>::from_flat_fn(|j| input.quantize(images[0].as_slice()[j]));
//! let logits = q.apply(&xq); // int8 logits, no float
//! # let _ = logits;
//! // A byte per weight, plus a bias, a multiplier and a shift per output channel.
//! assert!(size_of::<Quantized<Cnn>>() < size_of::<Cnn>() / 2);
//! ```

#[cfg(feature = "alloc")]
mod calibrate;
mod conv;
mod image;
mod linear;
mod params;
mod pool;
mod requant;

#[cfg(feature = "alloc")]
pub use calibrate::{Calibrate, Shaped, calibrate, input_params, output_params, quantize};
pub use conv::QConv2d;
pub use linear::QLinear;
pub use params::{QParams, Range};
pub use pool::{QAvgPool2d, QReLU};
pub use requant::Requant;

use crate::nn::{AvgPool2d, Conv2d, Direct, Flatten, Frozen, Linear, MaxPool2d, ReLU};
use crate::shape::{Dim, Pair};

/// What a layer does to the quantization parameters, for fusing ReLUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Computes new values (convolution, linear): gets its own output parameters.
    Affine,
    /// ReLU: fused into the affine layer before it.
    Relu,
    /// Keeps values and their parameters (max or average pooling, flatten).
    Pass,
}

/// A float model that has an int8 twin, [`Quantized<Self>`].
pub trait Quantize {
    /// The quantized layer or model.
    type Q: crate::Zeroable;
    /// Leaf layers: the model has `LAYERS + 1` activations counting its input.
    const LAYERS: usize;
    /// Writes each leaf layer's [`Role`] into `out[..LAYERS]`.
    fn roles(out: &mut [Role]);
    /// Fills `q` from the float parameters, given the parameters of every activation
    /// (`acts[0]` the input, `acts[i + 1]` leaf `i`'s output).
    fn quantize_into(&self, acts: &[QParams], q: &mut Self::Q);
}

/// The int8 model of float model `M`.
pub type Quantized<M> = <M as Quantize>::Q;

impl<C: Dim, F: Dim, K: Pair, S: Pair, P: Pair> Quantize for Conv2d<f32, C, F, K, S, P> {
    type Q = QConv2d<C, F, K, S, P>;
    const LAYERS: usize = 1;
    fn roles(out: &mut [Role]) {
        out[0] = Role::Affine;
    }
    fn quantize_into(&self, acts: &[QParams], q: &mut Self::Q) {
        let n = self.weight.as_slice().len() / F::USIZE;
        let (w, wq) = (self.weight.as_slice(), q.weight.as_mut_slice());
        for f in 0..F::USIZE {
            let rq = channel(
                n,
                |i| w[f * n + i],
                |i, v| wq[f * n + i] = v,
                self.bias.as_slice()[f],
                acts,
            );
            (
                q.bias.as_mut_slice()[f],
                q.mult.as_mut_slice()[f],
                q.shift.as_mut_slice()[f],
            ) = rq;
        }
        (q.zero_in, q.zero_out, q.floor) = (acts[0].zero, acts[1].zero, -128);
    }
}

impl<I: Dim, O: Dim> Quantize for Linear<f32, I, O> {
    type Q = QLinear<I, O>;
    const LAYERS: usize = 1;
    fn roles(out: &mut [Role]) {
        out[0] = Role::Affine;
    }
    fn quantize_into(&self, acts: &[QParams], q: &mut Self::Q) {
        // Output `o`'s weights are column `o` of `(I, O)`, and row `o` of the quantized `(O, I)`.
        let (ni, no) = (I::USIZE, O::USIZE);
        let (w, wq) = (self.weight.as_slice(), q.weight.as_mut_slice());
        for o in 0..no {
            let rq = channel(
                ni,
                |i| w[i * no + o],
                |i, v| wq[o * ni + i] = v,
                self.bias.as_slice()[o],
                acts,
            );
            (
                q.bias.as_mut_slice()[o],
                q.mult.as_mut_slice()[o],
                q.shift.as_mut_slice()[o],
            ) = rq;
        }
        (q.zero_in, q.zero_out, q.floor) = (acts[0].zero, acts[1].zero, -128);
    }
}

/// Quantizes one output channel of `n` weights (`get(i)`, written with `put(i, q)`) and its
/// bias: symmetric weights of scale `max|w| / 127`; returns the `i32` bias and the fixed-point
/// multiplier `input scale × weight scale / output scale`.
fn channel(
    n: usize,
    get: impl Fn(usize) -> f32,
    mut put: impl FnMut(usize, i8),
    bias: f32,
    acts: &[QParams],
) -> (i32, i32, i32) {
    let wmax = (0..n).fold(0.0f32, |m, i| m.max(get(i).abs()));
    let sw = if wmax > 0.0 { wmax as f64 / 127.0 } else { 1.0 };
    for i in 0..n {
        put(
            i,
            requant::round_f64(get(i) as f64 / sw).clamp(-127.0, 127.0) as i8,
        );
    }
    let (sx, sy) = (acts[0].scale as f64, acts[1].scale as f64);
    let b = requant::round_f64(bias as f64 / (sx * sw)).clamp(i32::MIN as f64, i32::MAX as f64);
    let rq = Requant::new(sx * sw / sy);
    (b as i32, rq.mult, rq.shift)
}

/// Layers whose quantized form keeps the input's parameters.
macro_rules! keep_params {
    ($([$($g:tt)*] $ty:ty => $q:ty, $role:ident, |$acts:ident| $make:expr;)*) => {$(
        impl<$($g)*> Quantize for $ty {
            type Q = $q;
            const LAYERS: usize = 1;
            fn roles(out: &mut [Role]) {
                out[0] = Role::$role;
            }
            fn quantize_into(&self, $acts: &[QParams], q: &mut Self::Q) {
                *q = $make;
            }
        }
    )*};
}
keep_params! {
    [] ReLU => QReLU, Relu, |acts| QReLU { zero: acts[0].zero };
    [] Flatten => Flatten, Pass, |_a| Flatten;
    [K, S, P] MaxPool2d<K, S, P> => MaxPool2d<K, S, P>, Pass, |_a| MaxPool2d::new();
    [K, S, P] AvgPool2d<K, S, P> => QAvgPool2d<K, S, P>, Pass, |acts| QAvgPool2d::new(acts[0].zero);
}

/// The wrapper changes how the float layer runs, not what it computes.
macro_rules! wrappers {
    ($($w:ident),*) => {$(
        impl<L: Quantize> Quantize for $w<L> {
            type Q = L::Q;
            const LAYERS: usize = L::LAYERS;
            fn roles(out: &mut [Role]) {
                L::roles(out);
            }
            fn quantize_into(&self, acts: &[QParams], q: &mut Self::Q) {
                self.0.quantize_into(acts, q);
            }
        }
    )*};
}
wrappers!(Direct, Frozen);

macro_rules! tuples {
    ($(($($l:ident $i:tt),+))*) => {$(
        impl<$($l: Quantize),+> Quantize for ($($l,)+) {
            type Q = ($($l::Q,)+);
            const LAYERS: usize = 0 $(+ $l::LAYERS)+;
            fn roles(out: &mut [Role]) {
                let mut at = 0;
                $($l::roles(&mut out[at..at + $l::LAYERS]); at += $l::LAYERS;)+
                let _ = at;
            }
            fn quantize_into(&self, acts: &[QParams], q: &mut Self::Q) {
                let mut at = 0;
                $(self.$i.quantize_into(&acts[at..=at + $l::LAYERS], &mut q.$i); at += $l::LAYERS;)+
                let _ = at;
            }
        }
    )*};
}
tuples! {
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}
