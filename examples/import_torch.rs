//! A LeNet-5 with BatchNorm trained in PyTorch, imported from safetensors into the typed model:
//! evaluated on the bundled MNIST test set, fine-tuned here for one epoch, exported again.
//!
//! ```text
//! cargo run --release --example import_torch [-- EXPORT_PATH]
//! ```
//!
//! The weights are the fixture `tests/fixtures/torch/lenet5_bn.safetensors`, made by its
//! `make_fixture.py`, which also recorded the model's test accuracy in `accuracy.txt`; this
//! example exits with status 1 if its accuracy on the same 1000 images differs. The export
//! (default `target/lenet5_bn_finetuned.safetensors`) loads into PyTorch with
//! `load_state_dict(strict=True)`: `python make_fixture.py check EXPORT_PATH ACCURACY`.

use std::error::Error;
use std::path::{Path, PathBuf};

use shaped::data::metrics::ConfusionMatrix;
use shaped::data::{Batcher, Dataset, LastBatch, Mnist};
use shaped::nn::weights::safetensors::{self, Options};
use shaped::nn::{BatchNorm2d, Ctx, Grads, Loss, SoftmaxCrossEntropy};
use shaped::optim::{Momentum, Optimizer};
use shaped::prelude::*;

/// The script's `nn.Sequential`, layer for layer: the state_dict names are the chain's.
type LeNetBn = (
    Conv2d<f32, U1, U6, U5, U1, U2>,
    BatchNorm2d<f32, U6>,
    ReLU,
    MaxPool2d<U2>,
    Conv2d<f32, U6, U16, U5>,
    BatchNorm2d<f32, U16>,
    ReLU,
    MaxPool2d<U2>,
    Flatten,
    Linear<f32, U400, U120>,
    ReLU,
    Linear<f32, U120, U84>,
    ReLU,
    Linear<f32, U84, U10>,
);

type B = U32;
type Images = Tensor4<f32, B, U1, U28, U28>;
type Logits = Tensor2<f32, B, U10>;
type Cache = <LeNetBn as Train<Images>>::Cache;
type Scratch = <LeNetBn as Infer<Images>>::Scratch;

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = root.join("tests/fixtures/torch");
    let out = std::env::args().nth(1).map_or_else(
        || root.join("target/lenet5_bn_finetuned.safetensors"),
        PathBuf::from,
    );
    let recorded: Vec<usize> = std::fs::read_to_string(fixture.join("accuracy.txt"))?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [correct_in_torch, images] = recorded[..] else {
        return Err("accuracy.txt: expected `correct total`".into());
    };

    let mnist = Mnist::bundled::<f32>()?; // pixels / 255, as the script
    let mut model = shaped::boxed_zeroed::<LeNetBn>();
    let path = fixture.join("lenet5_bn.safetensors");
    safetensors::load_file(&mut *model, &path, &Options::TORCH)?;
    println!(
        "imported {} ({} parameters, {} batches tracked by BatchNorm)",
        path.display(),
        <LeNetBn as Params<f32>>::PARAMS,
        model.1.num_batches_tracked
    );

    let mut scratch = shaped::boxed_zeroed::<Scratch>();
    let mut x = shaped::boxed_zeroed::<Images>();
    let mut logits = Logits::zeros();
    let cm = evaluate(&model, &mnist.test, &mut scratch, &mut x, &mut logits)?;
    let correct = (cm.accuracy() * mnist.test.len() as f64).round() as usize;
    println!(
        "test accuracy as imported: {:.2}% ({correct}/{}); PyTorch recorded {:.2}% ({correct_in_torch}/{images})",
        100.0 * cm.accuracy(),
        mnist.test.len(),
        100.0 * correct_in_torch as f64 / images as f64,
    );
    if (correct, mnist.test.len()) != (correct_in_torch, images) {
        eprintln!("FAIL: the imported model's accuracy differs from PyTorch's");
        std::process::exit(1);
    }

    // One epoch of fine-tuning here: SGD with momentum, BatchNorm in training mode.
    let mut grads = shaped::boxed_zeroed::<Grads<LeNetBn>>();
    let mut sgd = Momentum::<f32, Box<Grads<LeNetBn>>>::boxed().momentum(0.9);
    sgd.set_learning_rate(0.01);
    let mut cache = shaped::boxed_zeroed::<Cache>();
    let seed = 5;
    let mut ctx = Ctx::train(seed);
    let mut labels = Tensor1::<usize, B>::zeros();
    let mut dlogits = Logits::zeros();
    let mut batcher = Batcher::shuffled(mnist.train.len(), seed, LastBatch::Drop);
    batcher.start_epoch(0);
    let (mut loss_sum, mut batches) = (0.0, 0);
    while batcher
        .next_batch_images(&mnist.train, &mut x, &mut labels)?
        .is_some()
    {
        model.forward(&x, ctx, &mut cache, &mut logits);
        loss_sum += f64::from(SoftmaxCrossEntropy.loss_and_grad(&logits, &labels, &mut dlogits));
        grads.zero();
        model.backward(&x, &mut cache, &dlogits, None, Some(&mut grads));
        sgd.step(&mut *model, &grads);
        ctx.next_step();
        batches += 1;
    }
    let tuned = evaluate(&model, &mnist.test, &mut scratch, &mut x, &mut logits)?;
    println!(
        "fine-tuned one epoch ({batches} batches, mean loss {:.4}): test accuracy {:.2}%",
        loss_sum / f64::from(batches),
        100.0 * tuned.accuracy()
    );

    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    safetensors::save_file(&*model, &out, &Options::TORCH)?;
    // The export reads back into the typed model with the same accuracy.
    let mut again = shaped::boxed_zeroed::<LeNetBn>();
    safetensors::load_file(&mut *again, &out, &Options::TORCH)?;
    let back = evaluate(&again, &mnist.test, &mut scratch, &mut x, &mut logits)?;
    assert_eq!(back.accuracy(), tuned.accuracy());
    println!(
        "exported to {}; check it in PyTorch with: python tests/fixtures/torch/make_fixture.py check {} {:.2}",
        out.display(),
        out.display(),
        100.0 * tuned.accuracy()
    );
    Ok(())
}

/// The confusion matrix of `model` (evaluation mode) on every sample of `data`.
fn evaluate(
    model: &LeNetBn,
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
