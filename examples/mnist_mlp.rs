//! A 784→256→10 MLP trained with Adam on the bundled 5000-image MNIST subset.
//!
//! ```text
//! cargo run --release --example mnist_mlp
//! ```
//!
//! Prints loss, train and test accuracy and time per epoch, then the final test accuracy, macro F1
//! and confusion matrix. Exits with status 1 if the test accuracy is below 93%, so CI can rely on it.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use shaped::data::augment::shift;
use shaped::data::metrics::ConfusionMatrix;
use shaped::data::{Batcher, Dataset, LastBatch, Mnist};
use shaped::init::Scheme;
use shaped::nn::{Ctx, Grads, Loss, SoftmaxCrossEntropy};
use shaped::optim::{Adam, Optimizer};
use shaped::prelude::*;
use shaped::rand::Rng;

/// Samples per batch: a type, so every buffer below has a compile-time size.
type B = U32;
type Model = (Linear<f32, U784, U256>, ReLU, Linear<f32, U256, U10>);
type Input = Tensor2<f32, B, U784>;
type Cache = <Model as Train<Input>>::Cache;
type Scratch = <Model as Infer<Input>>::Scratch;

const EPOCHS: u64 = 20;
const LR: f32 = 2e-3;
const TARGET: f64 = 0.93;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mnist = Mnist::bundled::<f32>()?; // pixels / 255
    let (train, test) = (&mnist.train, &mnist.test);
    println!(
        "mnist-5k: {} train, {} test, {} features; model {} parameters, batch {}",
        train.len(),
        test.len(),
        train.features(),
        <Model as Params<f32>>::PARAMS,
        B::USIZE
    );

    // Everything big lives on the heap, zeroed in place.
    let mut model = shaped::boxed_zeroed::<Model>();
    model.init(Scheme::HeUniform, &mut Rng::new(1));
    let mut grads = shaped::boxed_zeroed::<Grads<Model>>();
    let mut adam = Adam::<f32, Box<Grads<Model>>>::boxed().lr(LR);
    let mut cache = shaped::boxed_zeroed::<Cache>();
    let mut scratch = shaped::boxed_zeroed::<Scratch>();
    let ctx = Ctx::train(0);
    let mut x = shaped::boxed_zeroed::<Input>();
    let mut y = Tensor1::<usize, B>::zeros();
    let mut logits = Tensor2::<f32, B, U10>::zeros();
    let mut dlogits = Tensor2::<f32, B, U10>::zeros();

    let mut batcher = Batcher::shuffled(train.len(), 42, LastBatch::Drop);
    let mut aug = Rng::new(7); // random shifts of the training images
    let steps = batcher.batches_per_epoch(B::USIZE) as u64;
    let style = ProgressStyle::with_template("epoch {prefix:>2} [{bar:30}] {pos}/{len} {msg}")?
        .progress_chars("=> ");

    for epoch in 0..EPOCHS {
        let t0 = Instant::now();
        let bar = ProgressBar::new(steps).with_style(style.clone());
        bar.set_prefix((epoch + 1).to_string());
        batcher.start_epoch(epoch);
        // Cosine learning-rate decay from LR to 0 over the run.
        let progress = epoch as f32 / EPOCHS as f32;
        adam.set_learning_rate(LR * 0.5 * (1.0 + (std::f32::consts::PI * progress).cos()));
        let (mut loss_sum, mut batches) = (0.0, 0);
        while let Some(rows) = batcher.next_batch(train, &mut x, &mut y)? {
            for r in 0..rows {
                let (dx, dy) = (aug.below(5) as isize - 2, aug.below(5) as isize - 2);
                shift(x.outer_mut(r), 28, 28, dx, dy, 0.0);
            }
            model.forward(&x, ctx, &mut cache, &mut logits);
            debug_assert_eq!(rows, B::USIZE); // LastBatch::Drop: every batch is full
            let loss = SoftmaxCrossEntropy.loss_and_grad(&logits, &y, &mut dlogits);
            grads.zero();
            model.backward(&x, &mut cache, &dlogits, None, Some(&mut grads));
            adam.step(&mut *model, &grads);
            loss_sum += f64::from(loss);
            batches += 1;
            bar.inc(1);
            bar.set_message(format!("loss {:.4}", loss_sum / batches as f64));
        }
        bar.finish_and_clear();
        let train_acc = evaluate(&model, train, &mut scratch, &mut x, &mut logits)?.accuracy();
        let test_acc = evaluate(&model, test, &mut scratch, &mut x, &mut logits)?.accuracy();
        println!(
            "epoch {:>2}  loss {:.4}  train {:>6.2}%  test {:>6.2}%  {:>6.0} ms",
            epoch + 1,
            loss_sum / batches as f64,
            100.0 * train_acc,
            100.0 * test_acc,
            t0.elapsed().as_secs_f64() * 1e3
        );
    }

    let cm = evaluate(&model, test, &mut scratch, &mut x, &mut logits)?;
    println!("\nconfusion matrix on the test set:\n{cm}");
    println!("{}", cm.report());
    println!(
        "final test accuracy {:.2}%, macro F1 {:.4}, total time {:.1} s",
        100.0 * cm.accuracy(),
        cm.macro_f1(),
        start.elapsed().as_secs_f64()
    );
    if cm.accuracy() < TARGET {
        eprintln!("FAIL: test accuracy below {:.0}%", 100.0 * TARGET);
        std::process::exit(1);
    }
    Ok(())
}

/// The confusion matrix of `model` on every sample of `data` (the last batch is partial).
fn evaluate(
    model: &Model,
    data: &Dataset<f32>,
    scratch: &mut Scratch,
    x: &mut Input,
    logits: &mut Tensor2<f32, B, U10>,
) -> Result<ConfusionMatrix<U10>, Box<dyn std::error::Error>> {
    let mut cm = ConfusionMatrix::new();
    let mut y = Tensor1::<usize, B>::zeros();
    let mut batcher = Batcher::new(data.len(), LastBatch::Partial);
    while let Some(rows) = batcher.next_batch(data, x, &mut y)? {
        model.infer(x, scratch, logits);
        cm.add_logits(logits, &y, rows)?;
    }
    Ok(cm)
}
