//! Sequential MNIST: an LSTM reads each bundled MNIST 5k image row by row (28 steps of 28
//! pixels) and classifies it from its last hidden state.
//!
//! ```text
//! cargo run --release --example seq_mnist [-- EPOCHS [MIN_ACCURACY]]
//! ```
//!
//! `(Lstm<f32, 28, 128>, LastStep, Linear<f32, 128, 10>)`, softmax cross-entropy, Adam with
//! gradient clipping at global norm 1, batch 32, training images randomly shifted by up to 2
//! pixels. Prints per-epoch loss and test accuracy with a progress bar; exits with status 1 if the
//! final test accuracy is below `MIN_ACCURACY` (default 0.97). CI runs a short form
//! (`-- 1 0.5`: one epoch, at least 50%).

use std::error::Error;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use shaped::data::augment::shift;
use shaped::data::{Batcher, Dataset, LastBatch, Mnist};
use shaped::init::Scheme;
use shaped::nn::{Ctx, Grads, LastStep, Loss, Lstm, SoftmaxCrossEntropy};
use shaped::optim::{Adam, Optimizer, clip_grad_norm};
use shaped::prelude::*;
use shaped::rand::Rng;

type Hidden = U128;
type Model = (Lstm<f32, U28, Hidden>, LastStep, Linear<f32, Hidden, U10>);
type B = U32;
/// A batch of images as sequences: `(batch, 28 rows = steps, 28 pixels = features)`.
type Seqs = Tensor3<f32, B, U28, U28>;
type Flat = Tensor2<f32, B, U784>;
type Logits = Tensor2<f32, B, U10>;
type Cache = <Model as Train<Seqs>>::Cache;
type Scratch = <Model as Infer<Seqs>>::Scratch;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let epochs: u64 = args.next().map_or(Ok(20), |a| a.parse())?;
    let target: f64 = args.next().map_or(Ok(0.97), |a| a.parse())?;
    let mnist = Mnist::bundled::<f32>()?; // pixels / 255
    let (train, test) = (&mnist.train, &mnist.test);
    println!(
        "MNIST 5k row by row: {} train, {} test; LSTM 28→128: {} parameters, training cache {} KiB",
        train.len(),
        test.len(),
        <Model as Params<f32>>::PARAMS,
        size_of::<Cache>() / 1024,
    );

    let seed = 42;
    let mut model = shaped::boxed_zeroed::<Model>();
    model.init(Scheme::XavierUniform, &mut Rng::new(seed));
    let mut grads = shaped::boxed_zeroed::<Grads<Model>>();
    let mut adam = Adam::<f32, Box<Grads<Model>>>::boxed().lr(2e-3);
    let mut cache = shaped::boxed_zeroed::<Cache>();
    let mut scratch = shaped::boxed_zeroed::<Scratch>();
    let (mut flat, mut x) = (
        shaped::boxed_zeroed::<Flat>(),
        shaped::boxed_zeroed::<Seqs>(),
    );
    let mut labels = Tensor1::<usize, B>::zeros();
    let (mut logits, mut dlogits) = (Logits::zeros(), Logits::zeros());

    let mut batcher = Batcher::shuffled(train.len(), seed, LastBatch::Drop);
    let mut aug = Rng::new(seed + 7);
    let steps = batcher.batches_per_epoch(B::USIZE) as u64;
    let style = ProgressStyle::with_template("epoch {prefix:>2} [{bar:30}] {pos}/{len} {msg}")?
        .progress_chars("=> ");
    let started = Instant::now();
    let mut acc = 0.0;
    for epoch in 0..epochs {
        adam.set_learning_rate(if epoch + 3 >= epochs.max(6) {
            5e-4
        } else {
            2e-3
        });
        let bar = ProgressBar::new(steps).with_style(style.clone());
        bar.set_prefix((epoch + 1).to_string());
        batcher.start_epoch(epoch);
        let (mut loss_sum, mut batches) = (0.0, 0);
        while batcher.next_batch(train, &mut flat, &mut labels)?.is_some() {
            x.as_mut_slice().copy_from_slice(flat.as_slice());
            for i in 0..B::USIZE {
                let (dx, dy) = (aug.below(5) as isize - 2, aug.below(5) as isize - 2);
                shift(x.outer_mut(i), 28, 28, dx, dy, 0.0);
            }
            model.forward(&x, Ctx::train(seed), &mut cache, &mut logits);
            let loss = SoftmaxCrossEntropy.loss_and_grad(&logits, &labels, &mut dlogits);
            grads.zero();
            model.backward(&x, &mut cache, &dlogits, None, Some(&mut grads));
            clip_grad_norm(&mut *grads, 1.0);
            adam.step(&mut *model, &grads);
            loss_sum += f64::from(loss);
            batches += 1;
            bar.inc(1);
            bar.set_message(format!("loss {:.4}", loss_sum / batches as f64));
        }
        bar.finish_and_clear();
        acc = accuracy(&model, test, &mut scratch, &mut flat, &mut x, &mut logits)?;
        println!(
            "epoch {:>2}  loss {:.4}  test {:>6.2}%  ({:.0} s)",
            epoch + 1,
            loss_sum / batches as f64,
            100.0 * acc,
            started.elapsed().as_secs_f64()
        );
    }
    println!("trained in {:.1} s", started.elapsed().as_secs_f64());
    println!("seq_mnist: test accuracy {:.2}%", 100.0 * acc);
    if acc < target {
        eprintln!("FAIL: test accuracy below {:.2}%", 100.0 * target);
        std::process::exit(1);
    }
    Ok(())
}

/// Accuracy of `model` on every sample of `data` (the last batch is partial).
fn accuracy(
    model: &Model,
    data: &Dataset<f32>,
    scratch: &mut Scratch,
    flat: &mut Flat,
    x: &mut Seqs,
    logits: &mut Logits,
) -> Result<f64, Box<dyn Error>> {
    let mut y = Tensor1::<usize, B>::zeros();
    let mut batcher = Batcher::new(data.len(), LastBatch::Partial);
    let (mut right, mut total) = (0, 0);
    while let Some(rows) = batcher.next_batch(data, flat, &mut y)? {
        x.as_mut_slice().copy_from_slice(flat.as_slice());
        model.infer(x, scratch, logits);
        for (row, &label) in logits.as_slice().chunks_exact(10).zip(y.iter()).take(rows) {
            let best = (0..10)
                .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                .unwrap_or(0);
            right += usize::from(best == label);
            total += 1;
        }
    }
    Ok(right as f64 / total as f64)
}
