//! Runs `shaped` with no std, no heap and no libc: a tensor computation checked against hand
//! values, a few Adam steps on a 4→8→3 MLP, and inference with the trained model. Prints a report
//! and the peak stack use; exits 0 only if every check passes (a panic exits 101).
//!
//! Written against the library as merged so far: bias add, reduction and masked select use
//! slices, the MLP is Linear-only and its MSE gradient is written by hand. Once `ops`
//! (`add_row`, `sum`, `select`) and `nn` (`ReLU`, softmax cross-entropy) are on main, switch to
//! them (`git merge main`).
#![no_std]
#![no_main]
#![no_builtins]

mod rt;

use core::fmt::Write;

use rt::{Bss, Out};
use shaped::nn::{Layer, Linear, Params};
use shaped::optim::{Adam, Optimizer, clip_grad_norm};
use shaped::prelude::*;

type Batch = U6;
type Mlp = (Linear<f32, U4, U8>, Linear<f32, U8, U3>);
type Input = Tensor2<f32, Batch, U4>;
type Output = Tensor2<f32, Batch, U3>;
type Work = <Mlp as Layer<Input>>::Work;

// Everything sizeable is a zeroed static in `.bss`.
static MODEL: Bss<Mlp> = Bss::zeroed();
static GRADS: Bss<Mlp> = Bss::zeroed();
static ADAM_M: Bss<Mlp> = Bss::zeroed();
static ADAM_V: Bss<Mlp> = Bss::zeroed();
static WORK: Bss<Work> = Bss::zeroed();
static X: Bss<Input> = Bss::zeroed();
static Y: Bss<Output> = Bss::zeroed();
static DY: Bss<Output> = Bss::zeroed();

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

    let used = rt::stack_used();
    let _ = writeln!(
        Out,
        "stack: peak {used} bytes of {} painted; statics: model {} B (x4 with grads and Adam), work {} B",
        rt::STACK_SIZE,
        core::mem::size_of::<Mlp>(),
        core::mem::size_of::<Work>(),
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
    let bias = [0.5f32, -1.0];

    let mut y = Tensor2::<f32, U2, U2>::zeros();
    a.matmul_into(&b, &mut y);
    for row in y.as_mut_slice().chunks_exact_mut(2) {
        row.iter_mut().zip(bias).for_each(|(v, b)| *v += b);
    }
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

    let total: f32 = y.iter().sum();
    let row_sums = [y.outer(0).iter().sum::<f32>(), y.outer(1).iter().sum()];
    checks.check(
        total == 414.0 && row_sums == [121.5, 292.5],
        format_args!("reduction: sum {total}, row sums {row_sums:?}"),
    );

    let mask = y.map(|v| v > 100.0);
    let selected = y.zip_map(&mask, |v, m| if m { v } else { 0.0 });
    let count = mask.iter().filter(|&&m| m).count();
    checks.check(
        selected.as_slice() == [0.0, 0.0, 139.5, 153.0] && count == 2,
        format_args!(
            "masked select (> 100): {:?}, {count} kept",
            selected.as_slice()
        ),
    );
}

/// `Σ (y − t)² / n` with one-hot targets; writes `dy = 2(y − t)/n`.
fn mse_one_hot(y: &Output, labels: &[usize; 6], dy: &mut Output) -> f32 {
    let n = (6 * 3) as f32;
    let mut loss = 0.0;
    for (i, (yr, dr)) in y
        .as_slice()
        .chunks_exact(3)
        .zip(dy.as_mut_slice().chunks_exact_mut(3))
        .enumerate()
    {
        for (k, (&v, d)) in yr.iter().zip(dr).enumerate() {
            let diff = v - if k == labels[i] { 1.0 } else { 0.0 };
            loss += diff * diff / n;
            *d = 2.0 * diff / n;
        }
    }
    loss
}

fn argmax(row: &[f32]) -> usize {
    (0..row.len()).fold(0, |best, k| if row[k] > row[best] { k } else { best })
}

/// (b) Adam on a 4→8→3 MLP with every buffer in `.bss`; (c) inference with the trained model,
/// checked against a forward pass written out with plain loops.
fn train_and_infer(checks: &mut Checks) {
    let (model, grads, work) = (MODEL.take(), GRADS.take(), WORK.take());
    let (x, y, dy) = (X.take(), Y.take(), DY.take());
    for (i, s) in SAMPLES.iter().enumerate() {
        x.as_mut_slice()[4 * i..4 * i + 4].copy_from_slice(s);
    }
    model.init(
        shaped::init::Scheme::XavierUniform,
        &mut shaped::rand::Rng::new(2024),
    );
    let mut opt = Adam::new(ADAM_M.take(), ADAM_V.take()).lr(0.05);

    let mut first = f32::NAN;
    for step in 0..STEPS {
        grads.zero();
        Layer::forward(model, x, work, y);
        let loss = mse_one_hot(y, &LABELS, dy);
        if step == 0 {
            first = loss;
        }
        Layer::backward(model, x, work, dy, None, grads);
        let norm = clip_grad_norm(grads, 5.0);
        if !norm.is_finite() {
            checks.check(false, format_args!("gradient norm {norm} at step {step}"));
            return;
        }
        opt.step(model, grads);
    }
    Layer::forward(model, x, work, y);
    let last = mse_one_hot(y, &LABELS, dy);
    checks.check(
        last < first / 4.0,
        format_args!("train: 4->8->3 MLP, Adam x{STEPS}, MSE {first:.4} -> {last:.4}"),
    );

    // (c) Inference: the library's forward against plain loops over the weights.
    let mut max_diff = 0.0f32;
    let mut correct = 0;
    for (i, s) in SAMPLES.iter().enumerate() {
        let (l0, l1) = (&model.0, &model.1);
        let mut h = [0.0f32; 8];
        for (j, hj) in h.iter_mut().enumerate() {
            *hj = l0.bias[[j]] + (0..4).map(|k| s[k] * l0.weight[[k, j]]).sum::<f32>();
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
