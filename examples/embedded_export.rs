//! Writes what the embedded programs (`embedded/`) embed: the trained LeNet-5 as f32 and int8
//! model images, 100 test and 200 training images, and the host's predictions, which the device
//! must reproduce.
//!
//! ```text
//! cargo run --release --example mnist                 # trains, writes target/lenet5-mnist.weights
//! cargo run --release --example embedded_export [-- WEIGHTS [OUT_DIR]]   # default embedded/data
//! ```
//!
//! int8: calibrated on the first 500 training images; prints f32 and int8 accuracy on all 1000
//! test images.

use std::error::Error;
use std::path::PathBuf;

use shaped::data::Mnist;
use shaped::mem::image;
use shaped::nn::weights;
use shaped::prelude::*;
use shaped::quant;

#[path = "../embedded/src/lenet.rs"]
#[allow(dead_code)]
mod lenet;
use lenet::{Image, ImageQ, LeNet, LeNetQ, TEST, TRAIN};

/// The model `examples/mnist` trains (its weight files' names).
type Trained = (
    (
        Conv2d<f32, U1, U6, U5, U1, U2>,
        ReLU,
        MaxPool2d<U2>,
        Conv2d<f32, U6, U16, U5>,
        ReLU,
        MaxPool2d<U2>,
        Flatten,
    ),
    (
        Linear<f32, U400, U120>,
        ReLU,
        Linear<f32, U120, U84>,
        ReLU,
        Linear<f32, U84, U10>,
    ),
);

fn argmax(v: &[impl PartialOrd + Copy]) -> u8 {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best as u8
}

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    let weights_path = args
        .next()
        .map_or_else(|| root.join("target/lenet5-mnist.weights"), PathBuf::from);
    let out = args
        .next()
        .map_or_else(|| root.join("embedded/data"), PathBuf::from);
    std::fs::create_dir_all(&out)?;

    let mut trained = shaped::boxed_zeroed::<Trained>();
    weights::load_file(&mut *trained, &weights_path)?;
    let mut model = shaped::boxed_zeroed::<LeNet>();
    let mut values = Vec::new();
    trained.params(&mut |v| values.push(v.to_vec()));
    let mut it = values.into_iter();
    model.params_mut(&mut |v| v.copy_from_slice(&it.next().expect("same parameter count")));

    let mnist = Mnist::bundled::<f32>()?;
    let image_of = |s: &[f32]| Image::from_flat_fn(|i| s[i]);
    let pixels = |s: &[f32]| {
        s.iter()
            .map(|&v| (v * 255.0).round() as u8)
            .collect::<Vec<u8>>()
    };

    let calib: Vec<Image> = (0..500).map(|i| image_of(mnist.train.sample(i))).collect();
    let ranges = quant::calibrate(&*model, &calib);
    let q = quant::quantize(&*model, &ranges);
    let input = quant::input_params(&ranges);
    println!(
        "input quantization: scale 1/{:.3}, zero {}",
        1.0 / input.scale,
        input.zero
    );
    assert_eq!(
        input.zero, -128,
        "inputs span [0, 1]: the int8 input is pixel − 128"
    );

    let (mut hits32, mut hits8) = (0, 0);
    let (mut pred32, mut pred8) = (Vec::new(), Vec::new());
    let (mut test_u8, mut test_labels) = (Vec::new(), Vec::new());
    for i in 0..mnist.test.len() {
        let s = mnist.test.sample(i);
        let px = pixels(s);
        // The f32 input is pixel / 255, as on the device.
        let x = Image::from_flat_fn(|j| px[j] as f32 / 255.0);
        let xq = ImageQ::from_flat_fn(|j| (px[j] as i32 - 128) as i8);
        let (p32, p8) = (
            argmax(model.apply(&x).as_slice()),
            argmax(q.apply(&xq).as_slice()),
        );
        let label = mnist.test.label(i) as u8;
        hits32 += usize::from(p32 == label);
        hits8 += usize::from(p8 == label);
        if i < TEST {
            pred32.push(p32);
            pred8.push(p8);
            test_u8.extend_from_slice(&px);
            test_labels.push(label);
        }
    }
    let n = mnist.test.len() as f64;
    println!(
        "host: f32 {:.1}%, int8 {:.1}% on {} test images; first {TEST}: f32 {} / int8 {} right",
        100.0 * hits32 as f64 / n,
        100.0 * hits8 as f64 / n,
        mnist.test.len(),
        pred32
            .iter()
            .zip(&test_labels)
            .filter(|(p, l)| p == l)
            .count(),
        pred8
            .iter()
            .zip(&test_labels)
            .filter(|(p, l)| p == l)
            .count(),
    );
    let (mut train_u8, mut train_labels) = (Vec::new(), Vec::new());
    for i in 0..TRAIN {
        train_u8.extend_from_slice(&pixels(mnist.train.sample(i)));
        train_labels.push(mnist.train.label(i) as u8);
    }
    let files: [(&str, Vec<u8>); 8] = [
        ("lenet-f32.img", image::image(&*model)),
        ("lenet-int8.img", image::image::<LeNetQ>(&q)),
        ("test-images.u8", test_u8),
        ("test-labels.u8", test_labels),
        ("host-f32.pred", pred32),
        ("host-int8.pred", pred8),
        ("train-images.u8", train_u8),
        ("train-labels.u8", train_labels),
    ];
    for (name, bytes) in files {
        std::fs::write(out.join(name), &bytes)?;
        println!("{:>8} bytes  {}", bytes.len(), out.join(name).display());
    }
    Ok(())
}
