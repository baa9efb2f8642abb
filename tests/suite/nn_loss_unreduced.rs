//! Unreduced losses (`reduction='none'`): the per-entry losses against the reduced ones, the
//! backward of a weighted sum against `loss_and_grad` and against central differences, and masked
//! entries (loss 0, no gradient), for every loss and target kind.

use shaped::gradcheck::{self, Config};
use shaped::nn::{
    BceWithLogits, CrossEntropy, Loss, Masked, Mse, Nll, SoftmaxCrossEntropy, Unreduced,
};
use shaped::prelude::*;
use shaped::rand::Rng;

type Y = Tensor2<f64, U4, U5>;

fn uniform<S: Shape>(seed: u64, lo: f64, hi: f64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(lo, hi))
}

/// Rows of positive values summing to 1.
fn distributions(seed: u64) -> Y {
    let mut t: Y = uniform(seed, 0.05, 1.0);
    for b in 0..4 {
        let s: f64 = t.outer(b).iter().sum();
        t.outer_mut(b).iter_mut().for_each(|v| *v /= s);
    }
    t
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-13 * (1.0 + b.abs())
}

/// `Σ g_i · l_i` as a [`Loss`] whose gradient is [`Unreduced::backward`] with upstream `g`, so
/// `gradcheck::check_loss` compares that backward with central differences of the weighted sum.
struct Weighted<'a, L, E> {
    loss: &'a L,
    g: &'a E,
}

impl<L, Tgt, S: Shape> Loss<f64, Y, Tgt> for Weighted<'_, L, Tensor<f64, S>>
where
    L: Unreduced<f64, Y, Tgt, Entries = Tensor<f64, S>>,
{
    fn loss(&self, y: &Y, target: &Tgt) -> f64 {
        let mut l = Tensor::<f64, S>::zeros();
        self.loss.losses(y, target, &mut l);
        l.iter().zip(self.g.iter()).map(|(l, g)| l * g).sum()
    }

    fn loss_and_grad(&self, y: &Y, target: &Tgt, dy: &mut Y) -> f64 {
        self.loss.backward(y, target, self.g, dy);
        self.loss(y, target)
    }
}

/// Every property for one loss, given as its `.sum()` and `.mean()` forms, on one target;
/// `kept[i]` says whether entry `i` counts (an entry is a row of `dy` or one element).
fn check<L, Tgt, S: Shape>(name: &str, (sum, mean): &(L, L), y: &Y, target: &Tgt, kept: &[bool])
where
    L: Loss<f64, Y, Tgt> + Unreduced<f64, Y, Tgt, Entries = Tensor<f64, S>>,
{
    assert_eq!(kept.len(), S::NUMEL, "{name}");
    let width = Y::NUMEL / S::NUMEL;
    let mut l = Tensor::<f64, S>::full(7.0);
    sum.losses(y, target, &mut l);
    let mut from_mean = Tensor::<f64, S>::zeros();
    mean.losses(y, target, &mut from_mean);
    assert_eq!(l, from_mean, "{name}: the reduction field is ignored");

    // The entries reduce to the reduced losses; masked entries are 0.
    for (i, (&li, &k)) in l.iter().zip(kept).enumerate() {
        assert!(li.is_finite() && (li != 0.0) == k, "{name}: entry {i} {li}");
    }
    let total: f64 = l.iter().sum();
    let count = kept.iter().filter(|&&k| k).count();
    assert!(count > 0 && total != 0.0, "{name}: a test that can fail");
    assert!(close(total, sum.loss(y, target)), "{name}: {total}");
    let m = mean.loss(y, target);
    assert!(
        close(total / count as f64, m),
        "{name}: {total}/{count} vs {m}"
    );

    // Upstream all ones: exactly the gradient of the sum.
    let (mut dy, mut ds) = (Y::full(7.0), Y::zeros());
    sum.backward(y, target, &Tensor::full(1.0), &mut dy);
    sum.loss_and_grad(y, target, &mut ds);
    assert_eq!(dy, ds, "{name}: backward(1) is the .sum() gradient");

    // Weights of either sign: central differences of Σ g·l; masked entries add no gradient.
    let g = uniform::<S>(21, -2.0, 2.0);
    let mut y = y.clone();
    let worst = gradcheck::check_loss(
        &Weighted { loss: sum, g: &g },
        &mut y,
        target,
        Config::default(),
    );
    assert_eq!(worst.checked, 20, "{name}");
    assert!(worst.rel < 1e-6, "{name}: {worst}");
    let mut dy = Y::full(7.0);
    sum.backward(&y, target, &g, &mut dy);
    for (i, &k) in kept.iter().enumerate() {
        let d = &dy.as_slice()[i * width..(i + 1) * width];
        assert_eq!(d.iter().all(|&d| d == 0.0), !k, "{name}: entry {i} {d:?}");
    }
}

const ROWS: [bool; 4] = [true, false, true, true];

fn element_mask() -> Tensor2<bool, U4, U5> {
    Tensor::from_flat_fn(|i| i % 3 != 1)
}

#[test]
fn per_sample_losses() {
    let classes = tensor([3usize, 0, 4, 1]);
    let probs = distributions(9);
    let rows = tensor(ROWS);
    macro_rules! all_targets {
        ($name:expr, $loss:expr, $y:expr) => {{
            let (forms, y) = (($loss.sum(), $loss.mean()), $y);
            let (mc, mp) = (Masked::new(&classes, &rows), Masked::new(&probs, &rows));
            check(concat!($name, " classes"), &forms, &y, &classes, &[true; 4]);
            check(concat!($name, " probs"), &forms, &y, &probs, &[true; 4]);
            check(concat!($name, " masked classes"), &forms, &y, &mc, &ROWS);
            check(concat!($name, " masked probs"), &forms, &y, &mp, &ROWS);
        }};
    }
    all_targets!("sce", SoftmaxCrossEntropy, uniform(1, -3.0, 3.0));
    all_targets!("ce", CrossEntropy::default(), distributions(2));
    all_targets!("nll", Nll, distributions(3).map(f64::ln));
}

#[test]
fn elementwise_losses() {
    let (values, unit, mask) = (
        uniform::<(U4, U5)>(4, -2.0, 2.0),
        distributions(5),
        element_mask(),
    );
    let kept: Vec<bool> = mask.iter().copied().collect();
    let y = uniform(6, -2.0, 2.0);
    let (mse, bce) = ((Mse.sum(), Mse), (BceWithLogits.sum(), BceWithLogits));
    check("mse", &mse, &y, &values, &[true; 20]);
    check("mse masked", &mse, &y, &Masked::new(&values, &mask), &kept);
    check("bce", &bce, &y, &unit, &[true; 20]);
    check("bce masked", &bce, &y, &Masked::new(&unit, &mask), &kept);
}

/// Masked entries give loss 0 and gradient 0 even when their data is NaN, their class index out
/// of range and their weight NaN; an all-masked batch is all zeros.
#[test]
fn masked_entries_are_zero_even_with_nan() {
    let mut y: Y = uniform(1, -3.0, 3.0);
    y.outer_mut(1)[0] = f64::NAN;
    let (classes, rows) = (tensor([3usize, 99, 4, 1]), tensor(ROWS));
    let masked = Masked::new(&classes, &rows);
    let g = tensor([1.0, f64::NAN, 0.5, 2.0]);
    let (mut l, mut dy) = (Tensor1::<f64, U4>::zeros(), Y::full(7.0));
    SoftmaxCrossEntropy.losses(&y, &masked, &mut l);
    SoftmaxCrossEntropy.backward(&y, &masked, &g, &mut dy);
    assert_eq!(l.as_slice()[1], 0.0);
    assert!(dy.outer(1).iter().all(|&d| d == 0.0), "{dy:?}");
    assert!(
        l.iter().chain(dy.iter()).all(|v| v.is_finite()),
        "{l:?} {dy:?}"
    );

    let none = Tensor1::<bool, U4>::full(false);
    let nowhere = Masked::new(&classes, &none);
    SoftmaxCrossEntropy.losses(&y, &nowhere, &mut l);
    SoftmaxCrossEntropy.backward(&y, &nowhere, &g, &mut dy);
    assert!(l.iter().chain(dy.iter()).all(|&v| v == 0.0));

    let (mut t, mask) = (uniform::<(U4, U5)>(4, 0.0, 1.0), element_mask());
    let mut y: Y = uniform(2, -3.0, 3.0);
    (y.as_mut_slice()[4], t.as_mut_slice()[4]) = (f64::NAN, f64::NAN); // element 4 is masked
    let masked = Masked::new(&t, &mask);
    let (mut l, mut dy) = (Y::full(7.0), Y::full(7.0));
    BceWithLogits.losses(&y, &masked, &mut l);
    BceWithLogits.backward(&y, &masked, &Y::full(f64::NAN), &mut dy);
    for i in 0..20 {
        let (li, di) = (l.as_slice()[i], dy.as_slice()[i]);
        if mask.as_slice()[i] {
            assert!(
                li.is_finite() && di.is_nan(),
                "{i}: a kept entry's NaN weight shows"
            );
        } else {
            assert_eq!((li, di), (0.0, 0.0), "{i}: masked");
        }
    }
}

/// An unmasked out-of-range class makes that entry's loss and gradient row NaN, not the others.
#[test]
fn out_of_range_classes_are_nan_entries() {
    let y: Y = uniform(1, -3.0, 3.0);
    let classes = tensor([3usize, 5, 4, 99]);
    let (mut l, mut dy) = (Tensor1::<f64, U4>::zeros(), Y::zeros());
    Nll.losses(&y, &classes, &mut l);
    Nll.backward(&y, &classes, &Tensor::full(1.0), &mut dy);
    for b in 0..4 {
        let bad = b % 2 == 1;
        assert_eq!(l.as_slice()[b].is_nan(), bad, "{l:?}");
        assert!(dy.outer(b).iter().all(|d| d.is_nan() == bad), "{dy:?}");
    }
}
