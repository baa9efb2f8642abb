//! LeNet-5 on the bundled MNIST 5k (4000 train / 1000 test images, 28×28):
//!
//! ```text
//! cargo run --release --example mnist [-- WEIGHTS_PATH [DATA_DIR]]
//! ```
//!
//! conv 1→6 5×5 pad 2, ReLU, max-pool 2, conv 6→16 5×5, ReLU, max-pool 2, flatten,
//! 400→120→84→10 with ReLUs; SGD with momentum and weight decay, batch 32, training images randomly shifted by up to 2
//! pixels. Prints per-epoch loss, test accuracy and
//! samples/s, saves the weights (default `target/lenet5-mnist.weights`) and exits non-zero if the
//! final test accuracy is below 97%.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use shaped::nn::{Conv2d, Flatten, Layer, Linear, MaxPool2d, Params, weights};
use shaped::prelude::*;
use shaped::rand::Rng;

/// `max(x, 0)` (local until the activation module lands on main).
#[derive(Clone, Copy, Debug, Default)]
struct Relu;
// SAFETY: zero-sized.
unsafe impl Zeroable for Relu {}
impl<S: Shape> Layer<Tensor<f32, S>> for Relu {
    type Output = Tensor<f32, S>;
    type Work = ();
    fn forward(&self, x: &Tensor<f32, S>, _: &mut (), y: &mut Tensor<f32, S>) {
        y.iter_mut()
            .zip(x.iter())
            .for_each(|(y, &x)| *y = x.max(0.0));
    }
    fn backward(
        &self,
        x: &Tensor<f32, S>,
        _: &mut (),
        dy: &Tensor<f32, S>,
        dx: Option<&mut Tensor<f32, S>>,
        _: &mut Self,
    ) {
        if let Some(dx) = dx {
            for ((d, &x), &g) in dx.iter_mut().zip(x.iter()).zip(dy.iter()) {
                *d = if x > 0.0 { g } else { 0.0 };
            }
        }
    }
}
impl Params<f32> for Relu {
    const PARAMS: usize = 0;
    fn visit(&self, _: &mut impl FnMut(&[f32])) {}
    fn visit_mut(&mut self, _: &mut impl FnMut(&mut [f32])) {}
    fn zip_params<const N: usize>(
        &mut self,
        _: &Self,
        _: [&mut Self; N],
        _: &mut impl FnMut(&mut [f32], &[f32], [&mut [f32]; N]),
    ) {
    }
}

/// LeNet-5: the feature extractor and the classifier head (a tuple chain holds up to 8 layers).
type LeNet = (
    (
        Conv2d<f32, U1, U6, U5, U1, U2>,
        Relu,
        MaxPool2d<U2>,
        Conv2d<f32, U6, U16, U5>,
        Relu,
        MaxPool2d<U2>,
        Flatten,
    ),
    (
        Linear<f32, U400, U120>,
        Relu,
        Linear<f32, U120, U84>,
        Relu,
        Linear<f32, U84, U10>,
    ),
);

const BATCH: usize = 32;
type Batch = U32;
type Images = Tensor4<f32, Batch, U1, U28, U28>;
type Logits = Tensor2<f32, Batch, U10>;

/// Images scaled to [0, 1] and labels, read from MNIST IDX files.
struct Split {
    images: Vec<f32>,
    labels: Vec<usize>,
}

fn read_idx(dir: &Path, prefix: &str) -> Result<Split, Box<dyn Error>> {
    let images = std::fs::read(dir.join(format!("{prefix}-images-idx3-ubyte")))?;
    let labels = std::fs::read(dir.join(format!("{prefix}-labels-idx1-ubyte")))?;
    let be = |b: &[u8], at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    if images.len() < 16 || labels.len() < 8 || be(&images, 0) != 0x803 || be(&labels, 0) != 0x801 {
        return Err(format!("{}: not MNIST IDX files", dir.display()).into());
    }
    let (n, rows, cols) = (be(&images, 4) as usize, be(&images, 8), be(&images, 12));
    if (rows, cols) != (28, 28) || images.len() != 16 + n * 784 || labels.len() != 8 + n {
        return Err(format!("{}: expected {n} images of 28×28", dir.display()).into());
    }
    Ok(Split {
        images: images[16..].iter().map(|&p| f32::from(p) / 255.0).collect(),
        labels: labels[8..].iter().map(|&l| usize::from(l)).collect(),
    })
}

/// Softmax cross-entropy: writes `dlogits = (softmax − onehot) / B`, returns the summed loss.
fn softmax_xent(logits: &Logits, labels: &[usize], d: &mut Logits) -> f32 {
    let mut loss = 0.0;
    let rows = logits.as_slice().chunks_exact(10);
    for ((row, drow), &label) in rows.zip(d.as_mut_slice().chunks_exact_mut(10)).zip(labels) {
        let m = row.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        let mut s = 0.0;
        for (d, &v) in drow.iter_mut().zip(row) {
            *d = (v - m).exp();
            s += *d;
        }
        drow.iter_mut().for_each(|d| *d /= s * BATCH as f32);
        drow[label] -= 1.0 / BATCH as f32;
        loss += s.ln() - (row[label] - m);
    }
    loss
}

/// Copies a 28×28 image moved by `(dy, dx)` pixels, zero-filling what comes in from outside
/// (augmentation: the small training set otherwise overfits).
fn shifted(src: &[f32], dy: isize, dx: isize, dst: &mut [f32]) {
    dst.fill(0.0);
    for y in 0..28isize {
        let sy = y - dy;
        if !(0..28).contains(&sy) {
            continue;
        }
        for x in 0..28isize {
            let sx = x - dx;
            if (0..28).contains(&sx) {
                dst[(y * 28 + x) as usize] = src[(sy * 28 + sx) as usize];
            }
        }
    }
}

fn argmax(row: &[f32]) -> usize {
    (0..row.len()).fold(0, |best, i| if row[i] > row[best] { i } else { best })
}

/// Test accuracy in batches of 32 (the last partial batch is padded and its padding ignored).
fn accuracy(model: &LeNet, work: &mut <LeNet as Layer<Images>>::Work, test: &Split) -> f64 {
    let (mut x, mut logits) = (
        shaped::boxed_zeroed::<Images>(),
        shaped::boxed_zeroed::<Logits>(),
    );
    let mut correct = 0;
    for start in (0..test.labels.len()).step_by(BATCH) {
        let n = BATCH.min(test.labels.len() - start);
        x.fill(0.0);
        x.as_mut_slice()[..n * 784].copy_from_slice(&test.images[start * 784..(start + n) * 784]);
        model.forward(&x, work, &mut logits);
        correct += (0..n)
            .filter(|&i| argmax(logits.outer(i)) == test.labels[start + i])
            .count();
    }
    correct as f64 / test.labels.len() as f64
}

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .map_or_else(|| root.join("target/lenet5-mnist.weights"), PathBuf::from);
    let dir = args
        .next()
        .map_or_else(|| root.join("data/mnist-5k"), PathBuf::from);
    let (train, test) = (read_idx(&dir, "train")?, read_idx(&dir, "t10k")?);
    println!(
        "MNIST 5k: {} train, {} test images from {}",
        train.labels.len(),
        test.labels.len(),
        dir.display()
    );

    let mut rng = Rng::new(42);
    let mut model = shaped::boxed_zeroed::<LeNet>();
    model.init(shaped::init::Scheme::HeUniform, &mut rng);
    let mut grads = shaped::boxed_zeroed::<LeNet>();
    let mut velocity = shaped::boxed_zeroed::<LeNet>();
    let mut work = shaped::boxed_zeroed::<<LeNet as Layer<Images>>::Work>();
    let (mut x, mut logits, mut dlogits) = (
        shaped::boxed_zeroed::<Images>(),
        shaped::boxed_zeroed::<Logits>(),
        shaped::boxed_zeroed::<Logits>(),
    );
    println!(
        "LeNet-5: {} parameters, workspace {} KiB",
        <LeNet as Params<f32>>::PARAMS,
        size_of_val(&*work) / 1024
    );

    let (epochs, momentum, decay) = (20, 0.9f32, 5e-4f32);
    let mut order: Vec<usize> = (0..train.labels.len()).collect();
    let steps = order.len() / BATCH;
    let mut labels = [0usize; BATCH];
    let started = Instant::now();
    let mut acc = 0.0;
    for epoch in 1..=epochs {
        let lr = match epoch {
            ..=12 => 0.02,
            13..=17 => 0.005,
            _ => 0.001,
        };
        rng.shuffle(&mut order);
        let bar = ProgressBar::new(steps as u64);
        bar.set_style(ProgressStyle::with_template(
            "epoch {msg} [{bar:30}] {pos}/{len} {per_sec}",
        )?);
        bar.set_message(format!("{epoch:2}/{epochs}"));
        let (t0, mut loss) = (Instant::now(), 0.0);
        for batch in order.chunks_exact(BATCH) {
            for (i, &s) in batch.iter().enumerate() {
                let (dy, dx) = (rng.below(5) as isize - 2, rng.below(5) as isize - 2);
                shifted(
                    &train.images[s * 784..(s + 1) * 784],
                    dy,
                    dx,
                    x.outer_mut(i),
                );
                labels[i] = train.labels[s];
            }
            model.forward(&x, &mut work, &mut logits);
            loss += softmax_xent(&logits, &labels, &mut dlogits);
            grads.zero();
            model.backward(&x, &mut work, &dlogits, None, &mut grads);
            model.zip_params(&grads, [&mut *velocity], &mut |p, g, [v]| {
                for ((p, &g), v) in p.iter_mut().zip(g).zip(v.iter_mut()) {
                    *v = momentum * *v - lr * (g + decay * *p);
                    *p += *v;
                }
            });
            bar.inc(1);
        }
        bar.finish_and_clear();
        let secs = t0.elapsed().as_secs_f64();
        acc = accuracy(&model, &mut work, &test);
        println!(
            "epoch {epoch:2}: loss {:.4}, test accuracy {:.2}%, {:.0} samples/s",
            loss / (steps * BATCH) as f32,
            100.0 * acc,
            (steps * BATCH) as f64 / secs
        );
    }
    println!(
        "trained in {:.1} s; final test accuracy {:.2}%",
        started.elapsed().as_secs_f64(),
        100.0 * acc
    );
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    weights::save_file(&*model, &out)?;
    println!("weights saved to {}", out.display());
    if acc < 0.97 {
        eprintln!("test accuracy {:.2}% is below 97%", 100.0 * acc);
        std::process::exit(1);
    }
    Ok(())
}
