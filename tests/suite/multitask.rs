//! Multi-task learning with missing labels (seed 003): one network predicts four yes/no tasks per
//! image; some labels are unknown. A masked binary cross-entropy over the outputs ignores the
//! unknown entries, and the parameter gradient equals the one computed from the labelled entries
//! alone — as if the missing entries had never been there.

use shaped::init::Scheme;
use shaped::nn::{BceWithLogits, Ctx, Grads, Loss, Masked};
use shaped::prelude::*;
use shaped::rand::Rng;

type Net = (Linear<f64, U5, U8>, Tanh, Linear<f64, U8, U4>);
type X = Tensor2<f64, U6, U5>;
type Y = Tensor2<f64, U6, U4>;
type Mask = Tensor2<bool, U6, U4>;

fn data() -> (Net, X, Y, Mask) {
    let mut rng = Rng::new(21);
    let mut net = Net::zeroed();
    net.init(Scheme::XavierUniform, &mut rng);
    let x = X::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let labels = Y::from_flat_fn(|_| f64::from(u8::from(rng.next_f64() < 0.5)));
    // About a third of the labels are missing; a missing label may hold anything (NaN here).
    let known = Mask::from_flat_fn(|i| i % 3 != 1);
    let labels = Y::from_fn(|[b, t]: [usize; 2]| {
        if known[[b, t]] {
            labels[[b, t]]
        } else {
            f64::NAN
        }
    });
    (net, x, labels, known)
}

/// The loss and the parameter gradients of `loss(net(x), target)`.
fn grads_of<Tgt>(
    net: &mut Net,
    x: &X,
    loss: &impl Loss<f64, Y, Tgt>,
    target: &Tgt,
) -> (f64, Vec<f64>) {
    let (mut cache, mut y, mut dy) = (<Net as Train<X>>::Cache::zeroed(), Y::zeroed(), Y::zeroed());
    let mut grads = Grads::<Net>::zeroed();
    net.forward(x, Ctx::train(0), &mut cache, &mut y);
    let value = loss.loss_and_grad(&y, target, &mut dy);
    net.backward(x, &mut cache, &dy, None, Some(&mut grads));
    let mut flat = Vec::new();
    grads.visit(&mut |g| flat.extend_from_slice(g));
    (value, flat)
}

#[test]
fn masked_entries_leave_gradients_as_if_they_were_removed() {
    let (mut net, x, labels, known) = data();
    let sum = BceWithLogits.sum();
    let (total, masked) = grads_of(&mut net, &x, &sum, &Masked::new(&labels, &known));
    assert!(
        total.is_finite() && masked.iter().all(|g| g.is_finite()),
        "NaN labels are ignored"
    );

    // The same gradient from the labelled entries alone, one at a time.
    let (mut expected_total, mut expected) = (0.0, vec![0.0; masked.len()]);
    let mut kept = 0;
    for b in 0..6 {
        for t in 0..4 {
            if !known[[b, t]] {
                continue;
            }
            kept += 1;
            let only = Mask::from_fn(|[i, j]: [usize; 2]| (i, j) == (b, t));
            let (v, g) = grads_of(&mut net, &x, &sum, &Masked::new(&labels, &only));
            expected_total += v;
            expected.iter_mut().zip(&g).for_each(|(e, g)| *e += g);
        }
    }
    assert_eq!(kept, 16);
    assert!(
        (total - expected_total).abs() < 1e-12,
        "{total} vs {expected_total}"
    );
    for (a, e) in masked.iter().zip(&expected) {
        assert!((a - e).abs() < 1e-12, "{a} vs {e}");
    }

    // With the mean, the same gradient divided by the number of labelled entries.
    let (mean_total, mean) = grads_of(&mut net, &x, &BceWithLogits, &Masked::new(&labels, &known));
    assert!((mean_total - total / kept as f64).abs() < 1e-12);
    for (a, s) in mean.iter().zip(&masked) {
        assert!((a - s / kept as f64).abs() < 1e-12);
    }
}

#[test]
fn training_with_missing_labels_fits_the_known_ones() {
    let (mut net, x, labels, known) = data();
    let target = Masked::new(&labels, &known);
    let mut adam = shaped::optim::Adam::<f64, Grads<Net>>::zeroed().lr(0.05);
    let (first, _) = grads_of(&mut net, &x, &BceWithLogits, &target);
    for step in 0..300 {
        let (mut cache, mut y, mut dy) =
            (<Net as Train<X>>::Cache::zeroed(), Y::zeroed(), Y::zeroed());
        let mut grads = Grads::<Net>::zeroed();
        net.forward(&x, Ctx::train(step), &mut cache, &mut y);
        BceWithLogits.loss_and_grad(&y, &target, &mut dy);
        net.backward(&x, &mut cache, &dy, None, Some(&mut grads));
        shaped::optim::Optimizer::step(&mut adam, &mut net, &grads);
    }
    let (last, _) = grads_of(&mut net, &x, &BceWithLogits, &target);
    assert!(last < first / 10.0, "{first} -> {last}");
    let y = net.apply(&x);
    for b in 0..6 {
        for t in 0..4 {
            if known[[b, t]] {
                assert_eq!(
                    y[[b, t]] > 0.0,
                    labels[[b, t]] == 1.0,
                    "task {t} of sample {b}"
                );
            }
        }
    }
}
