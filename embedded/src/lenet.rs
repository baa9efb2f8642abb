// The model types shared by the device programs, the host export (`examples/embedded_export.rs`)
// and the host tests (`tests/suite/quant_lenet.rs`), which include this file as a module.

use shaped::nn::{Conv2d, Direct, Flatten, Linear, MaxPool2d, ReLU};
use shaped::prelude::*;

/// LeNet-5 as `examples/mnist` trains it (the same function and parameter order), laid out for a
/// microcontroller: direct convolutions (no column matrix), and each ReLU after its max-pooling
/// (they commute exactly), so the largest pair of live activations is conv1's output and the
/// pooled one, 4 · (4704 + 1176) = 23520 bytes, plus the 84 features between the two parts.
pub type LeNet = (Features, Head);

/// One image, batch 1.
pub type Image = Tensor4<f32, U1, U1, U28, U28>;
/// One int8 image (pixel − 128: the input scale is 1/255, zero point −128).
pub type ImageQ = Tensor4<i8, U1, U1, U28, U28>;
/// The int8 LeNet-5.
pub type LeNetQ = shaped::quant::Quantized<LeNet>;

/// The feature extractor (frozen when fine-tuning the head on the device).
pub type Features = (
    Direct<Conv2d<f32, U1, U6, U5, U1, U2>>,
    MaxPool2d<U2>,
    ReLU,
    Direct<Conv2d<f32, U6, U16, U5>>,
    MaxPool2d<U2>,
    ReLU,
    Flatten,
    Linear<f32, U400, U120>,
    ReLU,
    Linear<f32, U120, U84>,
    ReLU,
);
/// The last layer, retrained on the device.
pub type Head = Linear<f32, U84, U10>;

/// Test images embedded in the device programs, and training images for fine-tuning.
pub const TEST: usize = 100;
pub const TRAIN: usize = 200;

/// Multiply-accumulates of one LeNet-5 inference: conv1 6·784·25, conv2 16·100·150, then the
/// three linear layers.
pub const MACS: u64 = 6 * 784 * 25 + 16 * 100 * 150 + 400 * 120 + 120 * 84 + 84 * 10;
