//! Properties every loss must have, checked for every loss × reduction × (masked or not) ×
//! target kind: gradients against central differences, `sum = mean · count`, masked entries with
//! exactly zero gradient, and "masking rows = removing them".

use super::*;
use crate::gradcheck::{Config, check_loss};
use crate::prelude::*;
use crate::rand::Rng;

type Y = Tensor2<f64, U4, U5>;

fn uniform<S: Shape>(seed: u64, lo: f64, hi: f64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(lo, hi))
}

/// Rows of positive values summing to 1.
fn distributions<B: Dim, C: Dim>(seed: u64) -> Tensor<f64, (B, C)> {
    let mut t = uniform::<(B, C)>(seed, 0.05, 1.0);
    for b in 0..B::USIZE {
        let row = t.outer_mut(b);
        let s: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= s);
    }
    t
}

fn labels() -> Tensor1<usize, U4> {
    tensor([3usize, 0, 4, 1])
}

fn row_mask() -> Tensor1<bool, U4> {
    tensor([true, false, true, true])
}

fn element_mask() -> Tensor2<bool, U4, U5> {
    Tensor::from_flat_fn(|i| i % 3 != 1)
}

const REDUCTIONS: [Reduction; 2] = [Reduction::Mean, Reduction::Sum];

/// The gradient of `loss` at `y` passes a strict f64 central-difference check.
fn gradcheck<L: Loss<f64, Y, Tgt>, Tgt>(name: &str, r: Reduction, loss: &L, y: &Y, target: &Tgt) {
    let mut y = y.clone();
    let worst = check_loss(loss, &mut y, target, Config::default());
    assert_eq!(worst.checked, 20, "{name} {r:?}");
    assert!(worst.rel < 1e-6, "{name} {r:?}: {worst}");
}

/// Predictions suited to each loss (logits, probabilities, log-probabilities).
fn logits() -> Y {
    uniform(1, -3.0, 3.0)
}
fn probabilities() -> Y {
    distributions(2)
}
fn log_probabilities() -> Y {
    distributions::<U4, U5>(3).map(f64::ln)
}

#[test]
fn gradients_of_per_sample_losses() {
    let (classes, probs, mask) = (labels(), distributions::<U4, U5>(9), row_mask());
    macro_rules! all_targets {
        ($name:expr, $r:expr, $loss:expr, $y:expr) => {{
            let (loss, y) = ($loss, $y);
            gradcheck($name, $r, &loss, &y, &classes);
            gradcheck($name, $r, &loss, &y, &probs);
            gradcheck($name, $r, &loss, &y, &Masked::new(&classes, &mask));
            gradcheck($name, $r, &loss, &y, &Masked::new(&probs, &mask));
        }};
    }
    for r in REDUCTIONS {
        all_targets!("sce", r, SoftmaxCrossEntropy.with_reduction(r), logits());
        all_targets!(
            "ce",
            r,
            CrossEntropy::default().with_reduction(r),
            probabilities()
        );
        all_targets!("nll", r, Nll.with_reduction(r), log_probabilities());
    }
}

#[test]
fn gradients_of_elementwise_losses() {
    let (values, unit, mask) = (
        uniform::<(U4, U5)>(4, -2.0, 2.0),
        distributions::<U4, U5>(5),
        element_mask(),
    );
    for r in REDUCTIONS {
        let (mse, y) = (Mse.with_reduction(r), uniform(6, -2.0, 2.0));
        gradcheck("mse", r, &mse, &y, &values);
        gradcheck("mse masked", r, &mse, &y, &Masked::new(&values, &mask));
        let (bce, x) = (BceWithLogits.with_reduction(r), logits());
        gradcheck("bce", r, &bce, &x, &unit);
        gradcheck("bce masked", r, &bce, &x, &Masked::new(&unit, &mask));
    }
}

/// Values and gradients of `loss.sum()` are `count ×` those of `loss.mean()`.
fn sum_is_mean_times_count<L, Tgt>(mean: &L, sum: &L, y: &Y, target: &Tgt, count: usize)
where
    L: Loss<f64, Y, Tgt>,
{
    let (mut dm, mut ds) = (Y::zeros(), Y::zeros());
    let m = mean.loss_and_grad(y, target, &mut dm);
    let s = sum.loss_and_grad(y, target, &mut ds);
    let n = count as f64;
    assert!(
        s.is_finite() && (s - m * n).abs() <= 1e-13 * s.abs(),
        "{s} vs {m} × {n}"
    );
    assert!(ds.iter().any(|&d| d != 0.0));
    for (&a, &b) in ds.iter().zip(dm.iter()) {
        assert!(
            (a - b * n).abs() <= 1e-13 * (1.0 + a.abs()),
            "{a} vs {b} × {n}"
        );
    }
}

#[test]
fn sum_equals_mean_times_count() {
    let (classes, probs, rows) = (labels(), distributions::<U4, U5>(9), row_mask());
    let (values, elements) = (uniform::<(U4, U5)>(4, 0.0, 1.0), element_mask());
    let kept_elements = elements.iter().filter(|&&k| k).count();
    macro_rules! per_sample {
        ($loss:expr, $y:expr) => {{
            let (mean, sum, y) = ($loss.mean(), $loss.sum(), $y);
            sum_is_mean_times_count(&mean, &sum, &y, &classes, 4);
            sum_is_mean_times_count(&mean, &sum, &y, &probs, 4);
            sum_is_mean_times_count(&mean, &sum, &y, &Masked::new(&classes, &rows), 3);
            sum_is_mean_times_count(&mean, &sum, &y, &Masked::new(&probs, &rows), 3);
        }};
    }
    per_sample!(SoftmaxCrossEntropy, logits());
    per_sample!(CrossEntropy::default(), probabilities());
    per_sample!(Nll, log_probabilities());
    let (mean, sum, y) = (Mse, Mse.sum(), uniform(6, -2.0, 2.0));
    sum_is_mean_times_count(&mean, &sum, &y, &values, 20);
    let masked = Masked::new(&values, &elements);
    sum_is_mean_times_count(&mean, &sum, &y, &masked, kept_elements);
    let (mean, sum, x) = (BceWithLogits, BceWithLogits.sum(), logits());
    sum_is_mean_times_count(&mean, &sum, &x, &values, 20);
    let masked = Masked::new(&values, &elements);
    sum_is_mean_times_count(&mean, &sum, &x, &masked, kept_elements);
}

/// Masked entries get a gradient of exactly `0` and add nothing, even when their data is NaN or
/// their class index is out of range; all-masked batches give loss 0 and gradient 0.
#[test]
fn masked_entries_have_zero_gradient_even_with_nan_data() {
    let rows = row_mask();
    let none = Tensor1::<bool, U4>::full(false);
    let mut classes = labels();
    classes.as_mut_slice()[1] = 99;
    let mut probs = distributions::<U4, U5>(9);
    probs.outer_mut(1)[2] = f64::NAN;
    let poison_row = |mut y: Y| {
        y.outer_mut(1)[0] = f64::NAN;
        y
    };
    let check = |name: &str, loss: f64, dy: &Y, masked_row: Option<usize>| {
        assert!(loss.is_finite(), "{name}: {loss}");
        for b in 0..4 {
            let row = dy.outer(b);
            if Some(b) == masked_row || masked_row.is_none() {
                assert!(row.iter().all(|&d| d == 0.0), "{name}: row {b} {row:?}");
            } else {
                assert!(row.iter().all(|d| d.is_finite()), "{name}: row {b} {row:?}");
                assert!(row.iter().any(|&d| d != 0.0), "{name}: row {b} {row:?}");
            }
        }
    };
    macro_rules! per_sample {
        ($name:expr, $loss:expr, $y:expr) => {
            for r in REDUCTIONS {
                let (loss, y, mut dy) = ($loss.with_reduction(r), poison_row($y), Y::full(7.0));
                let l = loss.loss_and_grad(&y, &Masked::new(&classes, &rows), &mut dy);
                check($name, l, &dy, Some(1));
                let l = loss.loss_and_grad(&y, &Masked::new(&probs, &rows), &mut dy);
                check($name, l, &dy, Some(1));
                let l = loss.loss_and_grad(&y, &Masked::new(&classes, &none), &mut dy);
                assert_eq!(l, 0.0);
                check($name, l, &dy, None);
                let l = loss.loss_and_grad(&y, &Masked::new(&probs, &none), &mut dy);
                assert_eq!(l, 0.0);
                check($name, l, &dy, None);
            }
        };
    }
    per_sample!("sce", SoftmaxCrossEntropy, logits());
    per_sample!("ce", CrossEntropy::default(), probabilities());
    per_sample!("nll", Nll, log_probabilities());

    let mask = element_mask();
    let nowhere = Tensor2::<bool, U4, U5>::full(false);
    let mut t = uniform::<(U4, U5)>(4, 0.0, 1.0);
    let mut y = logits();
    for i in 0..20 {
        if !mask.as_slice()[i] {
            (t.as_mut_slice()[i], y.as_mut_slice()[i]) = (f64::NAN, f64::NAN);
        }
    }
    for loss in [Mse, Mse.sum()] {
        elementwise_masked(&loss, &y, &t, &mask, &nowhere);
    }
    for loss in [BceWithLogits, BceWithLogits.sum()] {
        elementwise_masked(&loss, &y, &t, &mask, &nowhere);
    }
}

type ElementMask = Tensor2<bool, U4, U5>;

fn elementwise_masked<L>(loss: &L, y: &Y, t: &Y, mask: &ElementMask, nowhere: &ElementMask)
where
    L: for<'a> Loss<f64, Y, Masked<'a, Y, ElementMask>>,
{
    let mut dy = Y::full(7.0);
    let l = loss.loss_and_grad(y, &Masked::new(t, mask), &mut dy);
    assert!(l.is_finite());
    for (i, &d) in dy.iter().enumerate() {
        if mask.as_slice()[i] {
            assert!(d.is_finite() && d != 0.0, "{i}: {d}");
        } else {
            assert_eq!(d, 0.0, "{i}");
        }
    }
    assert_eq!(
        loss.loss_and_grad(y, &Masked::new(t, nowhere), &mut dy),
        0.0
    );
    assert!(dy.iter().all(|&d| d == 0.0));
}

/// Seed 000: a batch of 5 with rows 1 and 3 masked gives exactly the loss and the per-row
/// gradients of the batch of 3 without them, for both reductions (the mean divides by the
/// unmasked count, 3, in both). Against the full unmasked batch of 5, the kept rows' gradients
/// are equal under `Sum` and scaled by `5/3` under `Mean`.
#[test]
fn masking_rows_equals_removing_them() {
    const KEPT: [usize; 3] = [0, 2, 4];
    let mask = tensor([true, false, true, false, true]);
    let pick =
        |full: &Tensor2<f64, U5, U5>| Tensor2::<f64, U3, U5>::from_fn(|[b, c]| full[[KEPT[b], c]]);
    let classes5 = tensor([2usize, 4, 0, 1, 3]);
    let classes3 = tensor([2usize, 0, 3]);
    let probs5 = distributions::<U5, U5>(10);
    let probs3 = pick(&probs5);
    let row_mask5 = Tensor2::<bool, U5, U5>::from_fn(|[b, _]| mask.as_slice()[b]);
    let all5 = tensor([true; 5]);

    /// Masked 5-batch vs 3-batch vs unmasked 5-batch for one loss and one target kind.
    fn compare<L, T5, T3>(
        name: &str,
        loss: &L,
        reduction: Reduction,
        y5: &Tensor2<f64, U5, U5>,
        masked: &T5,
        unmasked: &T5,
        small: &T3,
    ) where
        L: Loss<f64, Tensor2<f64, U5, U5>, T5> + Loss<f64, Tensor2<f64, U3, U5>, T3>,
    {
        let y3 = Tensor2::<f64, U3, U5>::from_fn(|[b, c]| y5[[KEPT[b], c]]);
        let (mut d5, mut d3, mut dfull) = (Tensor2::zeros(), Tensor2::zeros(), Tensor2::zeros());
        let l5 = loss.loss_and_grad(y5, masked, &mut d5);
        let l3 = loss.loss_and_grad(&y3, small, &mut d3);
        let lfull = loss.loss_and_grad(y5, unmasked, &mut dfull);
        assert_eq!(l5, l3, "{name} {reduction:?}");
        assert_ne!(l5, lfull, "{name} {reduction:?}");
        let scale = match reduction {
            Reduction::Sum => 1.0,
            Reduction::Mean => 5.0 / 3.0,
        };
        for (b, &k) in KEPT.iter().enumerate() {
            assert_eq!(d5.outer(k), d3.outer(b), "{name} {reduction:?} row {k}");
            for (&m, &f) in d5.outer(k).iter().zip(dfull.outer(k)) {
                assert!(
                    (m - f * scale).abs() <= 1e-14 * (1.0 + m.abs()),
                    "{name}: {m} {f}"
                );
            }
        }
        for k in [1, 3] {
            assert!(d5.outer(k).iter().all(|&d| d == 0.0), "{name}");
        }
    }

    for r in REDUCTIONS {
        let x = uniform::<(U5, U5)>(0, -3.0, 3.0);
        let p = distributions::<U5, U5>(11);
        let lp = p.map(f64::ln);
        macro_rules! per_sample {
            ($name:expr, $loss:expr, $y:expr) => {{
                let loss = $loss.with_reduction(r);
                let m = Masked::new(&classes5, &mask);
                compare(
                    $name,
                    &loss,
                    r,
                    $y,
                    &m,
                    &Masked::new(&classes5, &all5),
                    &classes3,
                );
                let m = Masked::new(&probs5, &mask);
                compare(
                    $name,
                    &loss,
                    r,
                    $y,
                    &m,
                    &Masked::new(&probs5, &all5),
                    &probs3,
                );
            }};
        }
        per_sample!("sce", SoftmaxCrossEntropy, &x);
        per_sample!("ce", CrossEntropy::default(), &p);
        per_sample!("nll", Nll, &lp);

        let all = Tensor2::<bool, U5, U5>::full(true);
        let t5 = uniform::<(U5, U5)>(12, 0.0, 1.0);
        let t3 = pick(&t5);
        let (m, full) = (Masked::new(&t5, &row_mask5), Masked::new(&t5, &all));
        // Mse's mean counts elements: 15 kept of 25, the same 5/3.
        compare("mse", &Mse.with_reduction(r), r, &x, &m, &full, &t3);
        compare(
            "bce",
            &BceWithLogits.with_reduction(r),
            r,
            &x,
            &m,
            &full,
            &t3,
        );
    }
}

/// An unmasked NaN prediction makes the loss NaN and its own gradient entries NaN; an
/// out-of-range class makes that sample's loss and gradient row NaN. Other rows stay finite.
#[test]
fn nan_and_bad_classes_propagate() {
    let mut bad = labels();
    bad.as_mut_slice()[2] = 5;
    let nan_row = |mut y: Y| {
        y.outer_mut(2)[1] = f64::NAN;
        y
    };
    let assert_row2_nan = |name: &str, l: f64, dy: &Y| {
        assert!(l.is_nan(), "{name}");
        for b in 0..4 {
            let finite = dy.outer(b).iter().all(|d| d.is_finite());
            let nan = dy.outer(b).iter().all(|d| d.is_nan());
            assert!(
                if b == 2 { nan } else { finite },
                "{name} row {b}: {:?}",
                dy.outer(b)
            );
        }
    };
    for r in REDUCTIONS {
        let mut dy = Y::zeros();
        let sce = SoftmaxCrossEntropy.with_reduction(r);
        assert_row2_nan(
            "sce class",
            sce.loss_and_grad(&logits(), &bad, &mut dy),
            &dy,
        );
        assert_row2_nan(
            "sce nan",
            sce.loss_and_grad(&nan_row(logits()), &labels(), &mut dy),
            &dy,
        );
        let nll = Nll.with_reduction(r);
        let lp = log_probabilities();
        assert_row2_nan("nll class", nll.loss_and_grad(&lp, &bad, &mut dy), &dy);
        assert_row2_nan(
            "nll nan",
            nll.loss_and_grad(&nan_row(lp), &labels(), &mut dy),
            &dy,
        );
        let ce = CrossEntropy::default().with_reduction(r);
        assert_row2_nan(
            "ce class",
            ce.loss_and_grad(&probabilities(), &bad, &mut dy),
            &dy,
        );
        assert!(Loss::<f64, Y, Tensor1<usize, U4>>::loss(&ce, &probabilities(), &bad).is_nan());

        let t = uniform::<(U4, U5)>(4, 0.0, 1.0);
        let mut y = logits();
        y.as_mut_slice()[7] = f64::NAN;
        for l in [
            Mse.with_reduction(r).loss_and_grad(&y, &t, &mut dy),
            BceWithLogits
                .with_reduction(r)
                .loss_and_grad(&y, &t, &mut dy),
        ] {
            assert!(l.is_nan());
        }
        let mut t_nan = t.clone();
        t_nan.as_mut_slice()[3] = f64::NAN;
        let l = Mse
            .with_reduction(r)
            .loss_and_grad(&logits(), &t_nan, &mut dy);
        assert!(l.is_nan());
        for (i, d) in dy.iter().enumerate() {
            assert_eq!(d.is_nan(), i == 3, "{i}: {d}");
        }
    }
}

/// Nested masks keep what both keep.
#[test]
fn nested_masks_intersect() {
    let (y, t) = (logits(), labels());
    let a = tensor([true, true, false, true]);
    let b = tensor([true, false, true, true]);
    let both = tensor([true, false, false, true]);
    let inner = Masked::new(&t, &a);
    let (mut d1, mut d2) = (Y::zeros(), Y::zeros());
    let nested = SoftmaxCrossEntropy.loss_and_grad(&y, &Masked::new(&inner, &b), &mut d1);
    let flat = SoftmaxCrossEntropy.loss_and_grad(&y, &Masked::new(&t, &both), &mut d2);
    assert_eq!(nested, flat);
    assert_eq!(d1, d2);

    let v = uniform::<(U4, U5)>(4, 0.0, 1.0);
    let (ma, mb) = (
        element_mask(),
        Tensor2::<bool, U4, U5>::from_flat_fn(|i| i % 4 != 0),
    );
    let mab = Tensor2::<bool, U4, U5>::from_flat_fn(|i| ma.as_slice()[i] && mb.as_slice()[i]);
    let inner = Masked::new(&v, &ma);
    let nested = Mse.loss_and_grad(&y, &Masked::new(&inner, &mb), &mut d1);
    let flat = Mse.loss_and_grad(&y, &Masked::new(&v, &mab), &mut d2);
    assert_eq!(nested, flat);
    assert_eq!(d1, d2);
}

/// The builders set the field; the value-namespace constants are the mean forms.
#[test]
fn reduction_builders() {
    assert_eq!(SoftmaxCrossEntropy, SoftmaxCrossEntropy::default());
    assert_eq!(SoftmaxCrossEntropy.sum().reduction, Reduction::Sum);
    assert_eq!(SoftmaxCrossEntropy.sum().mean(), SoftmaxCrossEntropy);
    assert_eq!(Nll.with_reduction(Reduction::Sum), Nll.sum());
    assert_eq!(Mse.reduction, Reduction::Mean);
    assert_eq!(BceWithLogits.sum().reduction, Reduction::Sum);
    let ce = CrossEntropy::new(1e-3).sum();
    assert_eq!((ce.delta, ce.reduction), (1e-3, Reduction::Sum));
    assert_eq!(CrossEntropy::default(), CrossEntropy::new(1e-7));
}
