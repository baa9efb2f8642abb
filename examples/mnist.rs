//! LeNet-5 on the bundled MNIST 5k (4000 train / 1000 test images, 28×28): the README's main
//! example.
//!
//! ```text
//! cargo run --release --example mnist [-- WEIGHTS_PATH [DATA_DIR]]
//! ```
//!
//! conv 1→6 5×5 pad 2, ReLU, max-pool 2, conv 6→16 5×5, ReLU, max-pool 2, flatten,
//! 400→120→84→10 with ReLUs; softmax cross-entropy; SGD with momentum and weight decay, batch 32;
//! training images randomly shifted by up to 2 pixels. Prints per-epoch loss, test accuracy and
//! samples/s, then the confusion matrix; saves the weights in the `SHAPEDW` format
//! ([`shaped::nn::weights`], default `target/lenet5-mnist.weights`) and exits with status 1 if
//! the final test accuracy is below 97%.

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use shaped::data::augment::shift;
use shaped::data::metrics::ConfusionMatrix;
use shaped::data::{Batcher, Dataset, LastBatch, Mnist};
use shaped::init::Scheme;
use shaped::nn::{Ctx, Grads, Loss, SoftmaxCrossEntropy, weights};
use shaped::optim::{Momentum, Optimizer};
use shaped::prelude::*;
use shaped::rand::Rng;

/// LeNet-5: the feature extractor and the classifier head (chains nest: `"0.3.weight"` is the
/// second convolution's weight).
type LeNet = (
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

/// Samples per batch: a type, so every buffer below has a compile-time size.
type B = U32;
type Images = Tensor4<f32, B, U1, U28, U28>;
type Logits = Tensor2<f32, B, U10>;
type Cache = <LeNet as Train<Images>>::Cache;
type Scratch = <LeNet as Infer<Images>>::Scratch;

const EPOCHS: u64 = 30;
const TARGET: f64 = 0.97;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/lenet5-mnist.weights"),
        PathBuf::from,
    );
    let mnist = match args.next() {
        Some(dir) => Mnist::load::<f32>(dir)?,
        None => Mnist::bundled::<f32>()?, // pixels / 255
    };
    let (train, test) = (&mnist.train, &mnist.test);
    println!(
        "MNIST 5k: {} train, {} test images; LeNet-5: {} parameters ({} KiB), training cache {} KiB, inference scratch {} KiB",
        train.len(),
        test.len(),
        <LeNet as Params<f32>>::PARAMS,
        size_of::<LeNet>() / 1024,
        size_of::<Cache>() / 1024,
        size_of::<Scratch>() / 1024,
    );

    // Everything big lives on the heap, zeroed in place (never built on the stack).
    let mut model = shaped::boxed_zeroed::<LeNet>();
    let seed = 42; // model init, batch order and augmentation are all reproducible
    model.init(Scheme::HeUniform, &mut Rng::new(seed));
    let mut grads = shaped::boxed_zeroed::<Grads<LeNet>>();
    let mut sgd = Momentum::<f32, Box<Grads<LeNet>>>::boxed()
        .momentum(0.9)
        .weight_decay(5e-4);
    let mut cache = shaped::boxed_zeroed::<Cache>();
    let mut scratch = shaped::boxed_zeroed::<Scratch>();
    let mut ctx = Ctx::train(seed);
    let mut x = shaped::boxed_zeroed::<Images>();
    let mut labels = Tensor1::<usize, B>::zeros();
    let (mut logits, mut dlogits) = (Logits::zeros(), Logits::zeros());

    let mut batcher = Batcher::shuffled(train.len(), seed, LastBatch::Drop);
    let mut aug = Rng::new(seed + 7); // random shifts of the training images
    let steps = batcher.batches_per_epoch(B::USIZE) as u64;
    let style = ProgressStyle::with_template("epoch {prefix:>2} [{bar:30}] {pos}/{len} {msg}")?
        .progress_chars("=> ");
    let started = Instant::now();
    for epoch in 0..EPOCHS {
        sgd.set_learning_rate(match epoch {
            ..18 => 0.02,
            18..26 => 0.005,
            _ => 0.001,
        });
        let bar = ProgressBar::new(steps).with_style(style.clone());
        bar.set_prefix((epoch + 1).to_string());
        batcher.start_epoch(epoch);
        let (t0, mut loss_sum, mut batches) = (Instant::now(), 0.0, 0);
        while batcher
            .next_batch_images(train, &mut x, &mut labels)?
            .is_some()
        {
            for i in 0..B::USIZE {
                shift(
                    x.outer_mut(i),
                    28,
                    28,
                    aug.below(5) as isize - 2,
                    aug.below(5) as isize - 2,
                    0.0,
                );
            }
            model.forward(&x, ctx, &mut cache, &mut logits);
            let loss = SoftmaxCrossEntropy.loss_and_grad(&logits, &labels, &mut dlogits);
            grads.zero();
            model.backward(&x, &mut cache, &dlogits, None, Some(&mut grads));
            sgd.step(&mut *model, &grads);
            ctx.next_step();
            loss_sum += f64::from(loss);
            batches += 1;
            bar.inc(1);
            bar.set_message(format!("loss {:.4}", loss_sum / batches as f64));
        }
        bar.finish_and_clear();
        let secs = t0.elapsed().as_secs_f64();
        let acc = evaluate(&model, test, &mut scratch, &mut x, &mut logits)?.accuracy();
        println!(
            "epoch {:>2}  loss {:.4}  test {:>6.2}%  {:>6.0} samples/s",
            epoch + 1,
            loss_sum / batches as f64,
            100.0 * acc,
            (batches * B::USIZE) as f64 / secs
        );
    }

    let cm = evaluate(&model, test, &mut scratch, &mut x, &mut logits)?;
    println!("\nconfusion matrix on the test set:\n{cm}");
    println!(
        "trained in {:.1} s; final test accuracy {:.2}%, macro F1 {:.4}",
        started.elapsed().as_secs_f64(),
        100.0 * cm.accuracy(),
        cm.macro_f1()
    );
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    weights::save_file(&*model, &out)?;
    println!("weights saved to {}", out.display());
    if cm.accuracy() < TARGET {
        eprintln!("FAIL: test accuracy below {:.0}%", 100.0 * TARGET);
        std::process::exit(1);
    }
    Ok(())
}

/// The confusion matrix of `model` on every sample of `data` (the last batch is partial; its
/// unused rows are ignored).
fn evaluate(
    model: &LeNet,
    data: &Dataset<f32>,
    scratch: &mut Scratch,
    x: &mut Images,
    logits: &mut Logits,
) -> Result<ConfusionMatrix<U10>, Box<dyn Error>> {
    let mut cm = ConfusionMatrix::new();
    let mut y = Tensor1::<usize, B>::zeros();
    let mut batcher = Batcher::new(data.len(), LastBatch::Partial);
    while let Some(rows) = batcher.next_batch_images(data, x, &mut y)? {
        model.infer(x, scratch, logits);
        cm.add_logits(logits, &y, rows)?;
    }
    Ok(cm)
}
