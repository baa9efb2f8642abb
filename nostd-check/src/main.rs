//! Runs `shaped` with no std, no heap and no libc: tensor ops checked against hand values, Adam
//! with gradient clipping on a 4→8→3 ReLU MLP (softmax cross-entropy, then a masked loss),
//! inference with the trained model checked against plain loops, and SGD training steps of a
//! small CNN (conv, ReLU, max-pool, flatten, linear), an LSTM's forward pass (checked against
//! plain loops) and training step (checked against the host's values, `tests/suite/rnn.rs`,
//! `nostd_reference`), a `graph` expression with its backward, and PyTorch weights read from an
//! embedded safetensors file into a static model. Prints a report and the peak
//! stack use; exits 0 only if every check passes (a panic aborts with a non-zero status).
#![no_std]
#![no_main]
#![no_builtins]

mod rt;
mod weights;

use core::fmt::Write;

use rt::Out;
use shaped::mem::Static;
use shaped::nn::{Ctx, Grads, LastStep, Loss, Lstm, Masked, SoftmaxCrossEntropy};
use shaped::ops::reduce::argmax;
use shaped::optim::{Adam, Optimizer, Sgd, clip_grad_norm};
use shaped::prelude::*;

type Batch = U6;
type Mlp = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
type Input = Tensor2<f32, Batch, U4>;
type Output = Tensor2<f32, Batch, U3>;
type Cache = <Mlp as Train<Input>>::Cache;

// Everything sizeable is a zeroed static in `.bss`.
static MODEL: Static<Mlp> = Static::zeroed();
static GRADS: Static<Grads<Mlp>> = Static::zeroed();
static ADAM_M: Static<Grads<Mlp>> = Static::zeroed();
static ADAM_V: Static<Grads<Mlp>> = Static::zeroed();
static CACHE: Static<Cache> = Static::zeroed();
static SCRATCH: Static<<Mlp as Infer<Input>>::Scratch> = Static::zeroed();
static X: Static<Input> = Static::zeroed();
static Y: Static<Output> = Static::zeroed();
static DY: Static<Output> = Static::zeroed();

/// A small CNN on 1×6×6 images: conv 1→2 3×3 (→ 2×4×4), ReLU, max-pool 2 (→ 2×2×2), flatten (8),
/// linear 8→2. Every output size is computed by the type system.
type Cnn = (
    Conv2d<f32, U1, U2, U3>,
    ReLU,
    MaxPool2d<U2>,
    Flatten,
    Linear<f32, U8, U2>,
);
type Images = Tensor4<f32, U4, U1, U6, U6>;
type CnnCache = <Cnn as Train<Images>>::Cache;
static CNN: Static<Cnn> = Static::zeroed();
static CNN_GRADS: Static<Grads<Cnn>> = Static::zeroed();
static CNN_CACHE: Static<CnnCache> = Static::zeroed();

/// An LSTM over 5 steps of 3 features (hidden size 4), its last state classified by a linear
/// layer: the recurrent layer's unrolled workspace is a static of compile-time size.
type Seq = (Lstm<f32, U3, U4>, LastStep, Linear<f32, U4, U2>);
type Seqs = Tensor3<f32, U2, U5, U3>;
static SEQ: Static<Seq> = Static::zeroed();
static SEQ_GRADS: Static<Grads<Seq>> = Static::zeroed();
static SEQ_CACHE: Static<<Seq as Train<Seqs>>::Cache> = Static::zeroed();
static LSTM_SCRATCH: Static<<Lstm<f32, U3, U4> as Infer<Seqs>>::Scratch> = Static::zeroed();
/// The host's results (`tests/suite/rnn.rs`, `nostd_reference::EXPECT`): the last hidden state of
/// sequence 0, and the loss before and after one SGD step.
const SEQ_HOST: [f32; 6] = [
    0.08918661,
    -0.16999604,
    -0.06670078,
    0.10045328,
    0.63054,
    0.6132823,
];

/// The value of a static, taken once (a second take is a bug: it panics, exit 101).
fn take<T: Zeroable>(s: &'static Static<T>) -> &'static mut T {
    s.take().expect("static taken twice")
}

/// A fixed batch: two samples per class, linearly separable.
const SAMPLES: [[f32; 4]; 6] = [
    [1.0, 0.2, -0.5, 0.1],
    [0.9, -0.1, -0.3, 0.0],
    [-0.2, 1.0, 0.4, -0.6],
    [0.1, 0.8, 0.6, -0.4],
    [-0.5, -0.3, 0.2, 1.0],
    [-0.4, 0.1, -0.1, 0.9],
];
const LABELS: [usize; 6] = [0, 0, 1, 1, 2, 2];
const STEPS: usize = 60;
const CNN_STEPS: usize = 100;

/// Counts failed checks and prints one line per check.
struct Checks {
    failed: u32,
}

impl Checks {
    fn check(&mut self, ok: bool, what: core::fmt::Arguments<'_>) {
        let _ = writeln!(Out, "[{}] {what}", if ok { " ok " } else { "FAIL" });
        self.failed += u32::from(!ok);
    }
}

fn run() -> i32 {
    let _ = writeln!(
        Out,
        "shaped nostd-check: no_std, no alloc, no libc, panic=abort"
    );
    let mut checks = Checks { failed: 0 };
    tensor_ops(&mut checks);
    train_and_infer(&mut checks);
    train_cnn(&mut checks);
    lstm(&mut checks);
    graph_expression(&mut checks);
    weights::torch_weights(&mut checks);

    let used = rt::stack_used();
    let _ = writeln!(
        Out,
        "stack: peak {used} bytes of {} painted; statics: MLP {} B (x4 with grads and Adam), work {} B; CNN {} B (x2), work {} B",
        rt::STACK_SIZE,
        core::mem::size_of::<Mlp>(),
        core::mem::size_of::<Cache>(),
        core::mem::size_of::<Cnn>(),
        core::mem::size_of::<CnnCache>(),
    );
    checks.check(
        used < rt::STACK_SIZE - 4096,
        format_args!("stack stayed in bounds"),
    );
    if checks.failed == 0 {
        let _ = writeln!(Out, "PASS");
        0
    } else {
        let _ = writeln!(Out, "FAILED: {} check(s)", checks.failed);
        1
    }
}

/// (a) matmul, bias add, transposed product, a reduction and a masked select, against values
/// worked out by hand.
fn tensor_ops(checks: &mut Checks) {
    let a: Tensor2<f32, U2, U3> = tensor([[1., 2., 3.], [4., 5., 6.]]);
    let b: Tensor2<f32, U3, U2> = tensor([[7., 8.], [9., 10.], [11., 12.]]);
    let bias = tensor([0.5f32, -1.0]);

    let mut y = Tensor2::<f32, U2, U2>::zeros();
    a.matmul_into(&b, &mut y);
    y.add_row(&bias);
    // [[58, 64], [139, 154]] + bias.
    let expected = [58.5, 63.0, 139.5, 153.0];
    checks.check(
        y.as_slice() == expected,
        format_args!("matmul + bias: {:?}", y.as_slice()),
    );

    // AᵀA: Gram matrix of A's columns (1,4), (2,5), (3,6).
    let gram: Tensor2<f32, U3, U3> = a.t_matmul(&a);
    let expected = [17.0, 22.0, 27.0, 22.0, 29.0, 36.0, 27.0, 36.0, 45.0];
    checks.check(
        gram.as_slice() == expected,
        format_args!("t_matmul (AᵀA): {:?}", gram.as_slice()),
    );

    let (total, col_sums, row_max) = (y.sum(), y.sum_rows(), y.argmax_rows());
    checks.check(
        total == 414.0 && col_sums.as_slice() == [198.0, 216.0] && row_max.as_slice() == [1, 1],
        format_args!(
            "reductions: sum {total}, column sums {:?}, argmax per row {:?}",
            col_sums.as_slice(),
            row_max.as_slice()
        ),
    );

    let mask = y.gt(100.0);
    let selected = Tensor::select(&mask, &y, &Tensor2::<f32, U2, U2>::zeros());
    checks.check(
        selected.as_slice() == [0.0, 0.0, 139.5, 153.0] && mask.count_true() == 2,
        format_args!(
            "where(y > 100, y, 0): {:?}, {} kept",
            selected.as_slice(),
            mask.count_true()
        ),
    );
}

/// (b) Adam with clipping on a 4→8→3 ReLU MLP with every buffer in `.bss`, then a masked loss
/// that ignores one sample; (c) inference with the trained model, checked against a forward pass
/// written out with plain loops.
fn train_and_infer(checks: &mut Checks) {
    let (model, grads, cache) = (take(&MODEL), take(&GRADS), take(&CACHE));
    let (x, y, dy) = (take(&X), take(&Y), take(&DY));
    for (i, s) in SAMPLES.iter().enumerate() {
        x.as_mut_slice()[4 * i..4 * i + 4].copy_from_slice(s);
    }
    model.init(
        shaped::init::Scheme::XavierUniform,
        &mut shaped::rand::Rng::new(2024),
    );
    let mut opt = Adam::new(take(&ADAM_M), take(&ADAM_V)).lr(0.05);

    let labels = Tensor1::<usize, Batch>::from_slice(&LABELS).unwrap();
    let mut first = f32::NAN;
    for step in 0..STEPS {
        grads.zero();
        Train::forward(model, x, Ctx::train(0), cache, y);
        let loss = SoftmaxCrossEntropy.loss_and_grad(y, &labels, dy);
        if step == 0 {
            first = loss;
        }
        Train::backward(model, x, cache, dy, None, Some(grads));
        let norm = clip_grad_norm(grads, 5.0);
        if !norm.is_finite() {
            checks.check(false, format_args!("gradient norm {norm} at step {step}"));
            return;
        }
        opt.step(model, grads);
    }
    Infer::infer(model, x, take(&SCRATCH), y);
    let last = SoftmaxCrossEntropy.loss(y, &labels);
    checks.check(
        last < first / 4.0,
        format_args!("train: 4->8->3 MLP, Adam x{STEPS}, cross-entropy {first:.4} -> {last:.4}"),
    );

    // A masked loss: sample 5 is dropped, so its gradient row must be exactly zero and the loss
    // the mean over the other five.
    let keep = tensor([true, true, true, true, true, false]);
    let masked = SoftmaxCrossEntropy.loss_and_grad(y, &Masked::new(&labels, &keep), dy);
    let dropped_row_zero = dy.outer(5).iter().all(|&g| g == 0.0);
    let per_sample = |i: usize| {
        let r = y.outer(i);
        let m = r.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        let lse = m + Real::ln(r.iter().map(|&v| Real::exp(v - m)).sum::<f32>());
        lse - r[LABELS[i]]
    };
    let by_hand = (0..5).map(per_sample).sum::<f32>() / 5.0;
    checks.check(
        dropped_row_zero && (masked - by_hand).abs() < 1e-5,
        format_args!("masked loss: {masked:.5} (by hand {by_hand:.5}), masked row's gradient zero"),
    );

    // (c) Inference: the library's forward against plain loops over the weights.
    let mut max_diff = 0.0f32;
    let mut correct = 0;
    for (i, s) in SAMPLES.iter().enumerate() {
        let (l0, l1) = (&model.0, &model.2);
        let mut h = [0.0f32; 8];
        for (j, hj) in h.iter_mut().enumerate() {
            let z = l0.bias[[j]] + (0..4).map(|k| s[k] * l0.weight[[k, j]]).sum::<f32>();
            *hj = z.max(0.0);
        }
        let mut out = [0.0f32; 3];
        for (j, oj) in out.iter_mut().enumerate() {
            *oj = l1.bias[[j]] + (0..8).map(|k| h[k] * l1.weight[[k, j]]).sum::<f32>();
        }
        let lib = y.outer(i);
        for (a, b) in out.iter().zip(lib) {
            max_diff = max_diff.max((a - b).abs());
        }
        correct += usize::from(argmax(lib) == LABELS[i]);
    }
    checks.check(
        max_diff < 1e-5 && correct == 6,
        format_args!(
            "inference: {correct}/6 classified, forward vs plain loops max diff {max_diff:e}"
        ),
    );
}

/// (d) SGD steps of a small CNN on four 6×6 images (a vertical or a horizontal bar); the loss must
/// fall and the trained net must classify all four.
fn train_cnn(checks: &mut Checks) {
    let (model, grads, cache) = (take(&CNN), take(&CNN_GRADS), take(&CNN_CACHE));
    let images = Images::from_fn(|[b, _, r, c]| {
        let (vertical, at) = (b % 2 == 0, 1 + b);
        f32::from(u8::from(if vertical { c == at } else { r == at }))
    });
    let labels: Tensor1<usize, U4> = tensor([0, 1, 0, 1]);
    model.init(
        shaped::init::Scheme::HeUniform,
        &mut shaped::rand::Rng::new(7),
    );
    let (mut logits, mut dlogits) = (Tensor2::<f32, U4, U2>::zeros(), Tensor2::zeros());
    let mut sgd = Sgd::new().lr(0.2);
    let mut first = f32::NAN;
    for step in 0..CNN_STEPS {
        Train::forward(model, &images, Ctx::train(0), cache, &mut logits);
        let loss = SoftmaxCrossEntropy.loss_and_grad(&logits, &labels, &mut dlogits);
        if step == 0 {
            first = loss;
        }
        grads.zero();
        Train::backward(model, &images, cache, &dlogits, None, Some(grads));
        sgd.step(model, grads);
    }
    Train::forward(model, &images, Ctx::eval(), cache, &mut logits);
    let last = SoftmaxCrossEntropy.loss(&logits, &labels);
    let correct = (0..4)
        .filter(|&i| argmax(logits.outer(i)) == labels[[i]])
        .count();
    checks.check(
        last < first / 2.0 && correct == 4,
        format_args!(
            "train: CNN ({} params), SGD x{CNN_STEPS}, cross-entropy {first:.4} -> {last:.4}, {correct}/4 classified",
            <Cnn as Params<f32>>::PARAMS
        ),
    );
}

/// (e) An LSTM forward pass against plain loops (gates i, f, g, o), then a training step of
/// (Lstm, LastStep, Linear) against the host's values.
fn lstm(checks: &mut Checks) {
    let (model, grads, cache) = (take(&SEQ), take(&SEQ_GRADS), take(&SEQ_CACHE));
    model.init(
        shaped::init::Scheme::XavierUniform,
        &mut shaped::rand::Rng::new(99),
    );
    let mut rng = shaped::rand::Rng::new(100);
    let x = Seqs::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let mut h = Tensor3::<f32, U2, U5, U4>::zeros();
    Infer::infer(&model.0, &x, take(&LSTM_SCRATCH), &mut h);

    let l = &model.0;
    let sig = |v: f32| 1.0 / (1.0 + Real::exp(-v));
    let mut max_diff = 0.0f32;
    for b in 0..2 {
        let (mut hp, mut cp) = ([0.0f32; 4], [0.0f32; 4]);
        for t in 0..5 {
            let mut a = [[0.0f32; 4]; 4];
            for (gate, row) in a.iter_mut().enumerate() {
                for (j, v) in row.iter_mut().enumerate() {
                    *v = l.bias[[gate, j]]
                        + (0..3)
                            .map(|k| x[[b, t, k]] * l.weight_x[[k, gate, j]])
                            .sum::<f32>()
                        + (0..4)
                            .map(|k| hp[k] * l.weight_h[[k, gate, j]])
                            .sum::<f32>();
                }
            }
            for j in 0..4 {
                let (i, f, g, o) = (
                    sig(a[0][j]),
                    sig(a[1][j]),
                    Real::tanh(a[2][j]),
                    sig(a[3][j]),
                );
                cp[j] = f * cp[j] + i * g;
                hp[j] = o * Real::tanh(cp[j]);
                max_diff = max_diff.max((hp[j] - h[[b, t, j]]).abs());
            }
        }
    }
    checks.check(
        max_diff < 1e-6,
        format_args!("LSTM 3->4 over 5 steps: forward vs plain loops max diff {max_diff:e}"),
    );

    let labels: Tensor1<usize, U2> = tensor([0, 1]);
    let (mut logits, mut dlogits) = (Tensor2::<f32, U2, U2>::zeros(), Tensor2::zeros());
    Train::forward(model, &x, Ctx::train(0), cache, &mut logits);
    let before = SoftmaxCrossEntropy.loss_and_grad(&logits, &labels, &mut dlogits);
    grads.zero();
    Train::backward(model, &x, cache, &dlogits, None, Some(grads));
    Sgd::new().lr(0.5).step(model, grads);
    Infer::infer(model, &x, &mut Zeroable::zeroed(), &mut logits);
    let after = SoftmaxCrossEntropy.loss(&logits, &labels);
    let got = [
        h[[0, 4, 0]],
        h[[0, 4, 1]],
        h[[0, 4, 2]],
        h[[0, 4, 3]],
        before,
        after,
    ];
    let diff = got
        .iter()
        .zip(SEQ_HOST)
        .fold(0.0f32, |m, (g, e)| m.max((g - e).abs()));
    checks.check(
        diff < 1e-5 && after < before,
        format_args!(
            "LSTM training step: loss {before:.5} -> {after:.5}, max diff to the host's values {diff:e}"
        ),
    );
}

/// (f) An expression and its backward (`shaped::graph`), on the stack: the lecture's gate
/// `f = (x + y) · max(y, z)` at (1, 2, 0), then `Σ tanh(x·W)` with its gradient against the
/// closed form `xᵀ·(1 − tanh²)`.
fn graph_expression(checks: &mut Checks) {
    use shaped::graph::{leaf, scalar};
    let (x, y, z) = (scalar(1.0f32), scalar(2.0), scalar(0.0));
    let a = &x + &y;
    let b = y.max(&z);
    let f = &a * &b;
    f.backward();
    let grads = (x.grad()[[0]], y.grad()[[0]], z.grad()[[0]]);
    checks.check(
        f.item() == 6.0 && grads == (2.0, 5.0, 0.0),
        format_args!("graph gate: f {} grads {grads:?}", f.item()),
    );

    let xs = leaf(tensor([[0.5f32, -1.0], [2.0, 0.25]]));
    let w = leaf(tensor([[0.3f32, -0.2, 0.1], [0.4, 0.5, -0.6]]));
    let xw = xs.matmul(&w);
    let h = xw.tanh();
    let s = h.sum();
    s.backward();
    let d = h.value().map(|t| 1.0 - t * t);
    let expected = xs.value().t_matmul(&d);
    let err = w
        .grad()
        .iter()
        .zip(expected.iter())
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    checks.check(err < 1e-6, format_args!("graph dW error {err}"));
}
