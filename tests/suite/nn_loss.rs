//! Loss values and gradients against independent hand/naive computations, plus the documented
//! behaviours: masks, all-masked batches, NaN propagation, out-of-range class indices.

use shaped::nn::{
    BceWithLogits, CrossEntropy, Ctx, Linear, LinearGrads, Loss, Masked, Mse, SoftmaxCrossEntropy,
    check_classes,
};
use shaped::prelude::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

fn assert_close_slices(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        assert!(close(x, y, tol), "index {i}: {x} vs {y}\n{a:?}\n{b:?}");
    }
}

/// Textbook softmax without any stabilisation (fine for small logits).
fn naive_softmax(row: &[f64]) -> Vec<f64> {
    let e: Vec<f64> = row.iter().map(|v| v.exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

// (c) Seed value: y = [0.1, 0.1, 0.8], t = [0, 0, 1], δ = 1e-10 → −ln(0.8 + 1e-10).
#[test]
fn cross_entropy_seed_value() {
    let y = tensor([[0.1, 0.1, 0.8]]);
    let ce = CrossEntropy::new(1e-10);
    let one_hot: f64 = ce.loss(&y, &tensor([[0.0, 0.0, 1.0]]));
    let index: f64 = ce.loss(&y, &tensor([2usize]));
    assert!((one_hot - 0.2231435511892097).abs() < 1e-15, "{one_hot}");
    assert!((index - 0.2231435511892097).abs() < 1e-15, "{index}");
    // And the wrong-class case of the same seed: −ln(0.1 + δ)… averaged with the right one.
    let y2 = tensor([[0.1, 0.1, 0.8], [0.1, 0.1, 0.8]]);
    let two: f64 = ce.loss(&y2, &tensor([2usize, 0]));
    assert!(close(
        two,
        (0.2231435511892097 + -(0.1f64 + 1e-10).ln()) / 2.0,
        1e-14
    ));
}

#[test]
fn cross_entropy_gradient_by_hand() {
    let y = tensor([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]);
    let mut dy = Tensor2::<f64, U2, U3>::zeros();
    let l: f64 = CrossEntropy::new(0.0).loss_and_grad(&y, &tensor([1usize, 0]), &mut dy);
    assert!(close(l, -(0.5f64.ln() + 0.6f64.ln()) / 2.0, 1e-15));
    assert_close_slices(
        dy.as_slice(),
        &[0.0, -1.0, 0.0, -1.0 / 1.2, 0.0, 0.0],
        1e-15,
    );
}

// (d) softmax-with-loss backward equals (softmax(x) − t)/N computed independently.
#[test]
fn softmax_cross_entropy_backward_is_softmax_minus_target_over_n() {
    let x = tensor([
        [0.3, -1.2, 2.0, 0.5],
        [1.0, 1.0, -0.5, 0.0],
        [-2.0, 0.1, 0.2, 3.0],
    ]);
    let labels = [2usize, 0, 3];
    let mut dy = Tensor2::<f64, U3, U4>::zeros();
    let loss: f64 = SoftmaxCrossEntropy.loss_and_grad(&x, &tensor(labels), &mut dy);

    let mut expected_grad = Vec::new();
    let mut expected_loss = 0.0;
    for (b, &k) in labels.iter().enumerate() {
        let p = naive_softmax(x.outer(b));
        expected_loss -= p[k].ln() / 3.0;
        for (c, pc) in p.iter().enumerate() {
            expected_grad.push((pc - if c == k { 1.0 } else { 0.0 }) / 3.0);
        }
    }
    assert!(
        close(loss, expected_loss, 1e-14),
        "{loss} vs {expected_loss}"
    );
    assert_close_slices(dy.as_slice(), &expected_grad, 1e-14);

    // Same with one-hot targets.
    let one_hot = Tensor2::<f64, U3, U4>::from_fn(|[b, c]| (labels[b] == c) as u8 as f64);
    let loss2: f64 = SoftmaxCrossEntropy.loss_and_grad(&x, &one_hot, &mut dy);
    assert!(close(loss2, expected_loss, 1e-14));
    assert_close_slices(dy.as_slice(), &expected_grad, 1e-14);
}

// (e) Logits of ±1000: finite and correct.
#[test]
fn softmax_cross_entropy_logits_1000() {
    let x = tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]]);
    let labels = tensor([1usize, 2]);
    let mut dy = Tensor2::<f64, U2, U3>::zeros();
    let loss: f64 = SoftmaxCrossEntropy.loss_and_grad(&x, &labels, &mut dy);
    // Row 0: logsumexp = 1000 (+ e^-1000 terms, below f64 precision); −x_1 = 1000 → 2000.
    // Row 1: uniform → ln 3.
    assert!(loss.is_finite());
    assert!(close(loss, (2000.0 + 3f64.ln()) / 2.0, 1e-15), "{loss}");
    let third = 1.0 / 3.0;
    let expected = [
        1.0 / 2.0,
        -1.0 / 2.0,
        0.0,
        third / 2.0,
        third / 2.0,
        (third - 1.0) / 2.0,
    ];
    assert_close_slices(dy.as_slice(), &expected, 1e-15);

    // Shift invariance: logits + 1000 give the naive loss of the small logits.
    let small = tensor([[0.5, -0.25, 1.5]]);
    let shifted = small.map(|v| v + 1000.0);
    let naive = -naive_softmax(small.outer(0))[0].ln();
    let lowered = small.map(|v| v - 1000.0);
    for logits in [small, shifted, lowered] {
        let l: f64 = SoftmaxCrossEntropy.loss(&logits, &tensor([0usize]));
        assert!(close(l, naive, 1e-12), "{l} vs {naive}");
    }
}

#[test]
fn mse_value_and_convention() {
    let y = tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]);
    let t = tensor([[1.5, 2.0, 1.0], [0.0, 1.0, 0.0]]);
    let mut dy = Tensor2::<f64, U2, U3>::zeros();
    let l: f64 = Mse.loss_and_grad(&y, &t, &mut dy);
    // Squared errors 0.25, 0, 4, 0, 4, 0.25 → mean over 6 elements.
    assert!(close(l, 8.5 / 6.0, 1e-15));
    // Gradient 2(y − t)/6.
    assert_close_slices(
        dy.as_slice(),
        &[-1.0 / 6.0, 0.0, 4.0 / 6.0, 0.0, -4.0 / 6.0, 1.0 / 6.0],
        1e-15,
    );
}

#[test]
fn bce_with_logits_against_naive_and_at_1000() {
    let x = tensor([[0.3, -1.2], [2.0, -0.1]]);
    let t = tensor([[1.0, 0.0], [0.25, 1.0]]);
    let naive: f64 = x
        .iter()
        .zip(t.iter())
        .map(|(&x, &t)| {
            let s = 1.0 / (1.0 + (-x).exp());
            -t * s.ln() - (1.0 - t) * (1.0 - s).ln()
        })
        .sum::<f64>()
        / 4.0;
    let mut dy = Tensor2::<f64, U2, U2>::zeros();
    let l: f64 = BceWithLogits.loss_and_grad(&x, &t, &mut dy);
    assert!(close(l, naive, 1e-14), "{l} vs {naive}");
    let grad: Vec<f64> = x
        .iter()
        .zip(t.iter())
        .map(|(&x, &t)| (1.0 / (1.0 + (-x).exp()) - t) / 4.0)
        .collect();
    assert_close_slices(dy.as_slice(), &grad, 1e-14);

    // Saturated logits: right answers stay ~0, wrong ones cost |x|; nothing overflows.
    let x = tensor([[1000.0, -1000.0, 1000.0, -1000.0]]);
    let t = tensor([[1.0, 0.0, 0.0, 1.0]]);
    let l: f64 = BceWithLogits.loss_and_grad(&x, &t, &mut Tensor::zeros());
    assert_eq!(l, 2000.0 / 4.0);
}

// (a) Masking experiment: 3×2 input, Linear 2→k; a mask dropping row 3 gives exactly the
// gradient of the 2×2 input without row 3.
fn affine() -> Linear<f64, U2, U3> {
    let mut l = Linear::zeros();
    l.weight = tensor([[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]]);
    l.bias = tensor([0.1, -0.2, 0.3]);
    l
}

fn weight_grad<B: Dim, Tgt>(
    x: &Tensor2<f64, B, U2>,
    loss: &impl Loss<f64, Tensor2<f64, B, U3>, Tgt>,
    target: &Tgt,
) -> (f64, LinearGrads<f64, U2, U3>) {
    let mut l = affine();
    let (mut y, mut dy, mut g) = (Tensor::zeros(), Tensor::zeros(), Zeroable::zeroed());
    l.forward(x, Ctx::train(0), &mut (), &mut y);
    let value = loss.loss_and_grad(&y, target, &mut dy);
    l.backward(x, &mut (), &dy, None, Some(&mut g));
    (value, g)
}

#[test]
fn masking_drops_a_row_mse() {
    let x3 = tensor([[1.0, 2.0], [-0.5, 0.5], [3.0, -2.0]]);
    let x2 = tensor([[1.0, 2.0], [-0.5, 0.5]]);
    let t3 = tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5], [9.0, 9.0, 9.0]]);
    let t2 = tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]);
    let mask = Tensor2::<bool, U3, U3>::from_fn(|[b, _]| b < 2);
    let (lm, gm) = weight_grad(&x3, &Mse, &Masked::new(&t3, &mask));
    let (l2, g2) = weight_grad(&x2, &Mse, &t2);
    assert!(close(lm, l2, 1e-15), "{lm} vs {l2}");
    assert_close_slices(gm.weight.as_slice(), g2.weight.as_slice(), 1e-15);
    assert_close_slices(gm.bias.as_slice(), g2.bias.as_slice(), 1e-15);
    // The unmasked loss sees row 3 (sanity: the mask really changes something).
    let (lu, gu) = weight_grad(&x3, &Mse, &t3);
    assert!(!close(lu, l2, 1e-3) && !close(gu.weight[[0, 0]], g2.weight[[0, 0]], 1e-3));
}

#[test]
fn masking_drops_a_row_cross_entropy() {
    let x3 = tensor([[1.0, 2.0], [-0.5, 0.5], [3.0, -2.0]]);
    let x2 = tensor([[1.0, 2.0], [-0.5, 0.5]]);
    let mask = tensor([true, true, false]);
    let (lm, gm) = weight_grad(
        &x3,
        &SoftmaxCrossEntropy,
        &Masked::new(&tensor([2usize, 0, 1]), &mask),
    );
    let (l2, g2) = weight_grad(&x2, &SoftmaxCrossEntropy, &tensor([2usize, 0]));
    assert!(close(lm, l2, 1e-15));
    assert_close_slices(gm.weight.as_slice(), g2.weight.as_slice(), 1e-15);
    assert_close_slices(gm.bias.as_slice(), g2.bias.as_slice(), 1e-15);
}

#[test]
fn all_masked_gives_zero_loss_and_zero_gradient() {
    let y = tensor([[1.0, f64::NAN], [3.0, 4.0]]);
    let t = tensor([[0.0, 1.0], [f64::NAN, 0.0]]);
    let none = Tensor2::<bool, U2, U2>::full(false);
    let mut dy = Tensor2::<f64, U2, U2>::full(7.0);
    assert_eq!(Mse.loss_and_grad(&y, &Masked::new(&t, &none), &mut dy), 0.0);
    assert_eq!(dy, Tensor::zeros());
    dy.fill(7.0);
    assert_eq!(
        BceWithLogits.loss_and_grad(&y, &Masked::new(&t, &none), &mut dy),
        0.0
    );
    assert_eq!(dy, Tensor::zeros());
    dy.fill(7.0);
    let rows = tensor([false, false]);
    let l =
        SoftmaxCrossEntropy.loss_and_grad(&y, &Masked::new(&tensor([0usize, 5]), &rows), &mut dy);
    assert_eq!((l, dy), (0.0, Tensor::zeros()));
}

#[test]
fn nan_propagates_unless_masked() {
    let y = tensor([[1.0, f64::NAN], [3.0, 4.0]]);
    let t = tensor([[0.0, 1.0], [2.0, 0.0]]);
    let mut dy = Tensor2::<f64, U2, U2>::zeros();
    assert!(Mse.loss_and_grad(&y, &t, &mut dy).is_nan());
    assert!(dy[[0, 1]].is_nan() && dy[[1, 0]].is_finite());
    // The masked-out NaN is ignored: loss over the other three entries.
    let mask = tensor([[true, false], [true, true]]);
    let l = Mse.loss_and_grad(&y, &Masked::new(&t, &mask), &mut dy);
    assert!(close(l, (1.0 + 1.0 + 16.0) / 3.0, 1e-15));
    assert_eq!(dy[[0, 1]], 0.0);
    // A NaN logit poisons its own sample only.
    let l = SoftmaxCrossEntropy.loss_and_grad(&y, &tensor([0usize, 1]), &mut dy);
    assert!(l.is_nan() && dy[[0, 0]].is_nan() && dy[[1, 0]].is_finite());
}

#[test]
fn out_of_range_class_is_nan_for_that_sample_only() {
    let y = tensor([[0.5, 1.0, -1.0], [2.0, 0.0, 0.0]]);
    let mut dy = Tensor2::<f64, U2, U3>::zeros();
    let l = SoftmaxCrossEntropy.loss_and_grad(&y, &tensor([1usize, 3]), &mut dy);
    assert!(l.is_nan());
    assert!(dy.outer(1).iter().all(|v| v.is_nan()));
    assert!(dy.outer(0).iter().all(|v| v.is_finite()));
    let l = CrossEntropy::default().loss_and_grad(&y, &tensor([usize::MAX, 0]), &mut dy);
    assert!(l.is_nan() && dy.outer(0).iter().all(|v| v.is_nan()));
    // Masking the bad sample out is fine (its label is never read).
    let mask = tensor([true, false]);
    let l = SoftmaxCrossEntropy.loss(&y, &Masked::new(&tensor([1usize, 99]), &mask));
    assert!(l.is_finite());
    // check_classes finds it with a readable message.
    let err = check_classes(&tensor([1usize, 3]), 3).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sample 1 has class index 3, but there are only 3 classes (0..3)"
    );
}

// Targets may be declared with their own dims (here U2 spelled as op!(U1 + U1)).
#[test]
fn targets_accept_equal_dims_spelled_differently() {
    let y = tensor([[0.0, 1.0], [1.0, 0.0]]);
    let t: Tensor2<f64, op!(U1 + U1), U2> = tensor([[0.0, 1.0], [1.0, 0.0]]);
    assert_eq!(Mse.loss(&y, &t), 0.0);
}
