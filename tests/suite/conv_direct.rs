//! `Direct<Conv2d>`: the scratch-free inference path computes what the im2col path computes, for
//! every geometry (padding, strides, rectangular kernels, batches), keeps the parameters' names,
//! trains like the wrapped layer, and brings LeNet-5's batch-1 inference RAM under 24 KB.

use shaped::mem;
use shaped::nn::{Conv2d, Direct, Name};
use shaped::prelude::*;
use shaped::rand::Rng;
use shaped::shape::{ConvDim, Dim, Pair};

/// Random weights, biases and input; `Direct` against the im2col layer, elementwise.
fn same_as_im2col<B, C, F, H, W, K, S, P>(seed: u64)
where
    B: Dim,
    C: Dim,
    F: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    H: ConvDim<K::H, S::H, P::H>,
    W: ConvDim<K::W, S::W, P::W>,
{
    let mut rng = Rng::new(seed);
    let mut conv = Conv2d::<f64, C, F, K, S, P>::zeros();
    conv.weight = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    conv.bias = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let x = Tensor::<f64, (B, C, H, W)>::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let want = conv.apply(&x);
    let direct = Direct(conv);
    let got = direct.apply(&x);
    assert!(want.iter().any(|&v| v != 0.0));
    for (i, (&a, &e)) in got.iter().zip(want.iter()).enumerate() {
        assert!((a - e).abs() < 1e-12, "output {i}: direct {a}, im2col {e}");
    }
}

#[test]
fn direct_equals_im2col_for_every_geometry() {
    // LeNet-5's two layers: padded 5×5 on 28×28, then unpadded 6 → 16 channels.
    same_as_im2col::<U1, U1, U6, U28, U28, U5, U1, U2>(1);
    same_as_im2col::<U2, U6, U16, U14, U14, U5, U1, U0>(2);
    // Rectangular kernel, stride (2, 1), padding (1, 2).
    same_as_im2col::<U2, U2, U3, U7, U9, (U3, U5), (U2, U1), (U1, U2)>(3);
    // Kernel as wide as the padded input, padding on one axis, strides on the other.
    same_as_im2col::<U1, U3, U2, U5, U4, (U3, U6), (U1, U2), (U0, U1)>(4);
    // Padding larger than half the kernel: some windows see only padding along one axis.
    same_as_im2col::<U1, U1, U2, U3, U3, U2, U1, U2>(5);
}

#[test]
fn direct_keeps_names_and_trains_as_the_wrapped_layer() {
    type Conv = Conv2d<f32, U2, U3, U3>;
    let mut rng = Rng::new(9);
    let mut a = <(Conv, ReLU)>::zeroed();
    a.init(shaped::init::Scheme::HeUniform, &mut rng);
    let mut b = <(Direct<Conv>, ReLU)>::zeroed();
    b.0.0 = a.0.clone();
    let mut names = (Vec::new(), Vec::new());
    a.visit(&Name::ROOT, &mut |e| names.0.push(e.name.to_string()));
    b.visit(&Name::ROOT, &mut |e| names.1.push(e.name.to_string()));
    assert_eq!(names.0, ["0.weight", "0.bias"]);
    assert_eq!(names.0, names.1);
    assert_eq!(<(Direct<Conv>, ReLU) as Params<f32>>::PARAMS, 2 * 3 * 9 + 3);

    type X = Tensor4<f32, U2, U2, U6, U6>;
    let x = X::from_flat_fn(|i| ((i * 7) % 11) as f32 / 11.0 - 0.4);
    let (mut ya, mut yb) = (
        <(Conv, ReLU) as Infer<X>>::Output::zeroed(),
        Default::default(),
    );
    let mut ca = <(Conv, ReLU) as Train<X>>::Cache::zeroed();
    let mut cb = <(Direct<Conv>, ReLU) as Train<X>>::Cache::zeroed();
    a.forward(&x, Ctx::train(1), &mut ca, &mut ya);
    b.forward(&x, Ctx::train(1), &mut cb, &mut yb);
    assert_eq!(ya, yb);
    let dy = <(Conv, ReLU) as Infer<X>>::Output::from_flat_fn(|i| (i % 5) as f32 - 2.0);
    let (mut ga, mut gb) = (
        Grads::<(Conv, ReLU)>::zeroed(),
        Grads::<(Direct<Conv>, ReLU)>::zeroed(),
    );
    a.backward(&x, &mut ca, &dy, None, Some(&mut ga));
    b.backward(&x, &mut cb, &dy, None, Some(&mut gb));
    assert_eq!(ga.0.weight, gb.0.weight);
    assert!(ga.0.weight.iter().any(|&v| v != 0.0));
}

/// LeNet-5 for a microcontroller: direct convolutions, and ReLU after the pooling (max-pooling
/// and ReLU commute exactly), so no two full-resolution activations are alive together.
type DeviceLeNet = (
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
    Linear<f32, U84, U10>,
);
type X1 = Tensor4<f32, U1, U1, U28, U28>;

#[test]
fn device_lenet_runs_in_24_kb() {
    // The largest pair of consecutive activations is conv1's output and the pooled one:
    // 4 · (6·28·28 + 6·14·14) = 23520 bytes, and no layer needs scratch.
    let scratch = size_of::<<DeviceLeNet as Infer<X1>>::Scratch>();
    assert_eq!(scratch, 4 * (4704 + 1176));
    assert!(scratch <= 24 * 1024);
    const { mem::fits::<DeviceLeNet, X1>(4 * (784 + 4704 + 1176 + 10)) };
    assert_eq!(
        mem::infer_bytes::<DeviceLeNet, X1>(),
        4 * (784 + 4704 + 1176 + 10)
    );
}

#[test]
fn device_lenet_computes_the_host_lenet() {
    type HostLeNet = (
        Conv2d<f32, U1, U6, U5, U1, U2>,
        ReLU,
        MaxPool2d<U2>,
        Conv2d<f32, U6, U16, U5>,
        ReLU,
        MaxPool2d<U2>,
        Flatten,
        Linear<f32, U400, U120>,
        ReLU,
        Linear<f32, U120, U84>,
        ReLU,
        Linear<f32, U84, U10>,
    );
    let mut host = shaped::boxed_zeroed::<HostLeNet>();
    host.init(shaped::init::Scheme::HeUniform, &mut Rng::new(3));
    let mut device = shaped::boxed_zeroed::<DeviceLeNet>();
    let mut values = Vec::new();
    host.params(&mut |v| values.push(v.to_vec()));
    let mut it = values.into_iter();
    device.params_mut(&mut |v| v.copy_from_slice(&it.next().unwrap()));
    let mut rng = Rng::new(4);
    let x = X1::from_flat_fn(|_| rng.uniform(0.0, 1.0));
    let (want, got) = (host.apply(&x), device.apply(&x));
    for (&a, &e) in got.iter().zip(want.iter()) {
        assert!(
            (a - e).abs() <= 1e-4 * (1.0 + e.abs()),
            "direct {a}, im2col {e}"
        );
    }
}
