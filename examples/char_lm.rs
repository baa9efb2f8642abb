//! A character-level language model on the book of Genesis (King James Version, public domain;
//! `data/text/`, see `data/README.md`), trained with truncated backpropagation through time.
//!
//! ```text
//! cargo run --release --example char_lm [-- EPOCHS]
//! ```
//!
//! `Embedding(64, 32) → Lstm(32, 128) → Linear(128, 64)` on every step, softmax cross-entropy on
//! the next character. The training text (the first 90%) is cut into 32 contiguous streams;
//! each batch is the next 32 characters of every stream, and the LSTM's final states are carried
//! into the next batch ([`State::carry`]) while backward stops at the batch boundary. Gradients
//! are clipped at global norm 5; Adam. After each epoch: validation perplexity on the last 10%
//! (read the same way, state carried), beside the unigram perplexity of the same text (character
//! frequencies of the training text), which a model that learned nothing would not beat. Then
//! samples 400 characters, one at a time (temperature 0.7).
//!
//! Final line: `char_lm: validation perplexity P`; exits with status 1 unless `P` is below
//! the unigram perplexity.

use std::error::Error;
use std::time::Instant;

use shaped::init::Scheme;
use shaped::nn::{
    Ctx, Embedding, Linear, Loss, Lstm, LstmCache, SoftmaxCrossEntropy, State, TimeDistributed,
    Train,
};
use shaped::optim::{Adam, Optimizer, clip_grad_norm};
use shaped::prelude::*;
use shaped::rand::Rng;

type Vocab = U64;
type E = U32;
type H = U128;
type N = U32;
// 32 steps per block: at 64, the (64, 32, 4, 128) gate tensors overflow the next trait solver's
// default recursion limit in generic-array's `ArrayLength` (docs/next-solver.md).
type S = U32;

/// The model as a struct: its parameters are named `embed.weight`, `lstm.weight_x`, ...
#[derive(shaped::Params, shaped::Zeroable)]
struct CharLm {
    embed: Embedding<f32, Vocab, E>,
    lstm: Lstm<f32, E, H>,
    head: TimeDistributed<Linear<f32, H, Vocab>>,
}

/// Everything one batch of `(n, s)` characters needs: activations, their gradients, the LSTM's
/// cache (holding the carried state).
#[derive(shaped::Zeroable)]
struct Work<Nb: Dim, Sb: Dim> {
    ids: Tensor<usize, (Nb, Sb)>,
    targets: Tensor<usize, (Nb, Sb)>,
    emb: Tensor<f32, (Nb, Sb, E)>,
    hid: Tensor<f32, (Nb, Sb, H)>,
    logits: Tensor<f32, (Nb, Sb, Vocab)>,
    demb: Tensor<f32, (Nb, Sb, E)>,
    dhid: Tensor<f32, (Nb, Sb, H)>,
    dlogits: Tensor<f32, (Nb, Sb, Vocab)>,
    cache: LstmCache<f32, Nb, Sb, E, H>,
}

impl CharLm {
    /// Forward on `w.ids` from the carried state; the mean cross-entropy on `w.targets`, and
    /// `w.dlogits` when `grad`.
    fn forward<Nb: Dim, Sb: Dim>(&mut self, w: &mut Work<Nb, Sb>, grad: bool) -> f32 {
        let ctx = Ctx::train(0);
        self.embed.forward(&w.ids, ctx, &mut (), &mut w.emb);
        self.lstm.forward(&w.emb, ctx, &mut w.cache, &mut w.hid);
        self.head.forward(&w.hid, ctx, &mut (), &mut w.logits);
        if grad {
            SoftmaxCrossEntropy.loss_and_grad(&w.logits, &w.targets, &mut w.dlogits)
        } else {
            SoftmaxCrossEntropy.loss(&w.logits, &w.targets)
        }
    }

    fn backward<Nb: Dim, Sb: Dim>(&self, w: &mut Work<Nb, Sb>, g: &mut CharLmGrads) {
        self.head.backward(
            &w.hid,
            &mut (),
            &w.dlogits,
            Some(&mut w.dhid),
            Some(&mut g.head),
        );
        let (emb, cache) = (&w.emb, &mut w.cache);
        self.lstm
            .backward(emb, cache, &w.dhid, Some(&mut w.demb), Some(&mut g.lstm));
        self.embed
            .backward(&w.ids, &mut (), &w.demb, None, Some(&mut g.embed));
    }
}

/// `text` as `N` contiguous streams: batch `k` holds characters `k·S .. (k+1)·S` of each stream,
/// the targets one character later.
struct Streams {
    codes: Vec<usize>,
    len: usize,
}

impl Streams {
    fn new(codes: Vec<usize>) -> Self {
        let len = (codes.len() - 1) / N::USIZE;
        Streams { codes, len }
    }
    fn batches(&self) -> usize {
        self.len / S::USIZE
    }
    fn fill(&self, k: usize, w: &mut Work<N, S>) {
        for b in 0..N::USIZE {
            let start = b * self.len + k * S::USIZE;
            let (i, t) = (w.ids.outer_mut(b), &self.codes[start..start + S::USIZE + 1]);
            i.copy_from_slice(&t[..S::USIZE]);
            w.targets.outer_mut(b).copy_from_slice(&t[1..]);
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let epochs: usize = std::env::args().nth(1).map_or(Ok(5), |a| a.parse())?;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/text/genesis-kjv.txt");
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut chars: Vec<char> = text.chars().collect();
    chars.sort_unstable();
    chars.dedup();
    if chars.len() > Vocab::USIZE {
        return Err(format!(
            "{path}: {} distinct characters, at most {}",
            chars.len(),
            Vocab::USIZE
        )
        .into());
    }
    let code = |c: char| chars.binary_search(&c).unwrap_or(0);
    let codes: Vec<usize> = text.chars().map(code).collect();
    let split = codes.len() * 9 / 10;
    let (train, valid) = (
        Streams::new(codes[..split].to_vec()),
        Streams::new(codes[split..].to_vec()),
    );

    // Unigram perplexity of the validation text under the training text's character frequencies.
    let mut counts = vec![1.0f64; Vocab::USIZE]; // add-one smoothing
    codes[..split].iter().for_each(|&c| counts[c] += 1.0);
    let total: f64 = counts.iter().sum();
    let nll: f64 = codes[split..]
        .iter()
        .map(|&c| -(counts[c] / total).ln())
        .sum();
    let unigram = (nll / (codes.len() - split) as f64).exp();
    println!(
        "Genesis (KJV): {} characters, {} distinct; train {}, validation {}; {} parameters",
        codes.len(),
        chars.len(),
        split,
        codes.len() - split,
        <CharLm as Params<f32>>::PARAMS
    );
    println!("unigram perplexity of the validation text: {unigram:.2}");

    let mut model = shaped::boxed_zeroed::<CharLm>();
    model.init(Scheme::XavierUniform, &mut Rng::new(5));
    let mut grads = shaped::boxed_zeroed::<CharLmGrads>();
    let mut adam = Adam::<f32, Box<CharLmGrads>>::boxed().lr(3e-3);
    let mut w = shaped::boxed_zeroed::<Work<N, S>>();
    let started = Instant::now();
    let mut ppl = f64::INFINITY;
    for epoch in 0..epochs {
        if epoch + 2 >= epochs.max(4) {
            adam.set_learning_rate(1e-3);
        }
        w.cache.reset();
        let (mut loss, mut worst) = (0.0, 0.0f32);
        for k in 0..train.batches() {
            train.fill(k, &mut w);
            loss += f64::from(model.forward(&mut w, true));
            grads.zero();
            model.backward(&mut w, &mut grads);
            worst = worst.max(clip_grad_norm(&mut *grads, 5.0));
            adam.step(&mut *model, &grads);
            w.cache.carry(); // the state goes on; the gradient stopped at this boundary
        }
        w.cache.reset();
        let mut vloss = 0.0;
        for k in 0..valid.batches() {
            valid.fill(k, &mut w);
            vloss += f64::from(model.forward(&mut w, false));
            w.cache.carry();
        }
        ppl = (vloss / valid.batches() as f64).exp();
        println!(
            "epoch {}  train loss {:.4}  validation perplexity {ppl:.2}  largest gradient norm {worst:.2}  ({:.0} s)",
            epoch + 1,
            loss / train.batches() as f64,
            started.elapsed().as_secs_f64()
        );
    }

    println!("\nsample (temperature 0.7):");
    println!(
        "{}",
        sample(&mut model, &chars, code('A'), 400, &mut Rng::new(11))
    );
    println!("\nchar_lm: validation perplexity {ppl:.2}");
    if ppl.is_nan() || ppl >= unigram {
        eprintln!(
            "FAIL: validation perplexity {ppl:.2} is not below the unigram perplexity {unigram:.2}"
        );
        std::process::exit(1);
    }
    Ok(())
}

/// `count` characters drawn one at a time from `first`, the state carried from step to step.
fn sample(m: &mut CharLm, chars: &[char], first: usize, count: usize, rng: &mut Rng) -> String {
    let mut w = shaped::boxed_zeroed::<Work<U1, U1>>();
    let (mut out, mut cur) = (String::new(), first);
    for _ in 0..count {
        out.push(chars[cur]);
        w.ids.as_mut_slice()[0] = cur;
        m.forward(&mut w, false);
        w.cache.carry();
        let logits = &w.logits;
        let top = logits.iter().fold(f32::MIN, |a, &b| a.max(b));
        let p: Vec<f64> = logits
            .iter()
            .take(chars.len())
            .map(|&l| f64::from((l - top) / 0.7).exp())
            .collect();
        let mut u = rng.next_f64() * p.iter().sum::<f64>();
        cur = p
            .iter()
            .position(|&q| {
                u -= q;
                u <= 0.0
            })
            .unwrap_or(0);
    }
    out
}
