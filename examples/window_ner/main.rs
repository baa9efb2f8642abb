//! Named-entity recognition as binary classification of the centre word of a 5-word window
//! (seed 004, CS224N lecture 3): is the centre word a location?
//!
//! The data is generated (`data.rs`: templates filled with names, some names both a place and a
//! person, some seen only in held-out sentences), reproducibly. The model is written with layers
//! and as a `shaped::graph` expression (`model.rs`); the example checks on the first batch that
//! both give the same loss and gradients, then trains the layer model with Adam and prints
//! precision, recall and F1 on the held-out windows. Exits non-zero below F1 0.8.
//!
//! `cargo run --release --example window_ner`

mod data;
mod model;

use data::{Corpus, Example};
use model::{Batch, Leaves, Window, Windows, expression_loss, layer_loss};
use shaped::data::metrics::ConfusionMatrix;
use shaped::nn::{Infer, Params, Train};
use shaped::prelude::*;

const EPOCHS: usize = 4;
const TARGET_F1: f64 = 0.8;

/// Windows `examples[start..start + 32]`, the last batch padded with copies of its first window
/// (`valid` says how many are real).
fn batch(examples: &[Example], start: usize) -> (Windows, usize) {
    let n = Batch::USIZE;
    let valid = n.min(examples.len() - start);
    let at = |i: usize| &examples[start + if i < valid { i } else { 0 }];
    let ids = Tensor::<usize, (Batch, model::Win)>::from_fn(|[i, k]| at(i).0[k]);
    let labels = Tensor::<f64, (Batch, U1)>::from_fn(|[i, _]| if at(i).1 { 1.0 } else { 0.0 });
    (Windows { ids, labels }, valid)
}

fn main() {
    let corpus = Corpus::generate(2024, 3000, 800);
    let vocab = corpus.vocab.len();
    if vocab > model::Vocab::USIZE {
        eprintln!(
            "window_ner: the generated vocabulary has {vocab} words, the model {}",
            model::Vocab::USIZE
        );
        std::process::exit(1);
    }
    let positives = |xs: &[Example]| xs.iter().filter(|e| e.1).count();
    println!(
        "window_ner: {vocab} words; {} training windows ({} locations), {} held-out ({} locations)",
        corpus.train.len(),
        positives(&corpus.train),
        corpus.test.len(),
        positives(&corpus.test)
    );

    let mut net = Window::zeroed();
    net.init(Scheme::XavierUniform, &mut Rng::new(7));
    let mut grads = Grads::<Window>::zeroed();
    let mut cache = <Window as Train<Tensor<usize, (Batch, model::Win)>>>::Cache::zeroed();

    // The two formulations agree: same loss, same gradient of every parameter.
    let (first, _) = batch(&corpus.train, 0);
    let layer = layer_loss(&mut net, &first, &mut cache, &mut grads);
    let leaves = Leaves::of(&net);
    let expr = expression_loss(&leaves, &first).expect("ids come from the vocabulary");
    let mut worst: f64 = 0.0;
    let mut compare = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .for_each(|(x, y)| worst = worst.max((x - y).abs()));
    };
    compare(grads.0.weight.as_slice(), leaves.table.grad().as_slice());
    compare(grads.2.weight.as_slice(), leaves.w.grad().as_slice());
    compare(grads.2.bias.as_slice(), leaves.b.grad().as_slice());
    compare(grads.4.weight.as_slice(), leaves.u.grad().as_slice());
    compare(grads.4.bias.as_slice(), leaves.c.grad().as_slice());
    println!(
        "layers vs expression: loss {layer:.6} vs {expr:.6}, largest gradient difference {worst:.1e}"
    );
    if (layer - expr).abs() > 1e-12 || worst > 1e-12 {
        eprintln!("window_ner: the two formulations disagree");
        std::process::exit(1);
    }

    let mut adam: Adam<f64, Grads<Window>> = Adam::zeroed().lr(0.01);
    let mut order: Vec<Example> = corpus.train.clone();
    let mut rng = Rng::new(11);
    for epoch in 1..=EPOCHS {
        rng.shuffle(&mut order);
        let (mut total, mut batches) = (0.0, 0);
        for start in (0..order.len() - Batch::USIZE).step_by(Batch::USIZE) {
            let (b, _) = batch(&order, start);
            grads.zero();
            total += layer_loss(&mut net, &b, &mut cache, &mut grads);
            adam.step(&mut net, &grads);
            batches += 1;
        }
        println!(
            "epoch {epoch}: mean training loss {:.4}",
            total / batches as f64
        );
    }

    let mut confusion = ConfusionMatrix::<U2>::new();
    for start in (0..corpus.test.len()).step_by(Batch::USIZE) {
        let (b, valid) = batch(&corpus.test, start);
        let scores = net.apply(&b.ids);
        for i in 0..valid {
            let truth = corpus.test[start + i].1 as usize;
            confusion
                .add(truth, (scores[[i, 0]] > 0.0) as usize)
                .expect("two classes");
        }
    }
    let (p, r, f1) = (confusion.precision(1), confusion.recall(1), confusion.f1(1));
    println!("held-out windows: precision {p:.3}, recall {r:.3}");
    println!("window_ner: F1 {f1:.3}");
    if f1.is_nan() || f1 < TARGET_F1 {
        eprintln!("window_ner: F1 below the target {TARGET_F1}");
        std::process::exit(1);
    }
}
