//! Metrics against hand-computed values and a naive reference; the 0/0 conventions; Display.

use shaped::data::metrics::{ConfusionMatrix, MetricsError, accuracy};
use shaped::ops::reduce::argmax;
use shaped::prelude::*;
use shaped::rand::Rng;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

/// truth [0,0,0,1,1,2,2,2,2], pred [0,1,0,1,2,2,2,0,1]. By hand:
/// rows (true) 0: [2,1,0], 1: [0,1,1], 2: [1,1,2]; columns sum to 3 each; 5 of 9 correct.
fn example() -> ConfusionMatrix<U3> {
    let mut cm = ConfusionMatrix::new();
    cm.add_all(&[0, 0, 0, 1, 1, 2, 2, 2, 2], &[0, 1, 0, 1, 2, 2, 2, 0, 1])
        .unwrap();
    cm
}

#[test]
fn hand_computed_three_classes() {
    let cm = example();
    assert_eq!(cm.counts().as_slice(), &[2, 1, 0, 0, 1, 1, 1, 1, 2]);
    assert_eq!((cm.total(), cm.correct()), (9, 5));
    close(cm.accuracy(), 5.0 / 9.0);
    // precision = diagonal / column sum (3 each); recall = diagonal / row sum (3, 2, 4).
    close(cm.precision(0), 2.0 / 3.0);
    close(cm.precision(1), 1.0 / 3.0);
    close(cm.precision(2), 2.0 / 3.0);
    close(cm.recall(0), 2.0 / 3.0);
    close(cm.recall(1), 1.0 / 2.0);
    close(cm.recall(2), 2.0 / 4.0);
    // F1 = 2PR / (P + R): 2/3, 2/5, 4/7; macro = (2/3 + 2/5 + 4/7) / 3 = 172/315.
    close(cm.f1(0), 2.0 / 3.0);
    close(cm.f1(1), 2.0 / 5.0);
    close(cm.f1(2), 4.0 / 7.0);
    close(cm.macro_f1(), 172.0 / 315.0);
    assert_eq!((cm.support(2), cm.predicted(2)), (4, 3));
}

#[test]
fn zero_over_zero_is_zero() {
    // 4 classes: 3 never occurs; 2 is predicted once but never true.
    let mut cm = ConfusionMatrix::<U4>::new();
    cm.add_all(&[0, 0, 1], &[0, 2, 1]).unwrap();
    assert_eq!((cm.precision(3), cm.recall(3), cm.f1(3)), (0.0, 0.0, 0.0));
    assert_eq!((cm.precision(2), cm.recall(2), cm.f1(2)), (0.0, 0.0, 0.0));
    close(cm.f1(0), 2.0 / 3.0); // P = 1, R = 1/2
    assert_eq!(cm.f1(1), 1.0);
    // Macro over classes 0, 1, 2 (class 3 seen nowhere is left out).
    close(cm.macro_f1(), (2.0 / 3.0 + 1.0 + 0.0) / 3.0);

    // A class present but never predicted: precision 0/0 = 0, recall 0/1 = 0.
    let mut cm = ConfusionMatrix::<U2>::new();
    cm.add_all(&[0, 1], &[0, 0]).unwrap();
    assert_eq!((cm.precision(1), cm.recall(1)), (0.0, 0.0));
    close(cm.macro_f1(), (2.0 / 3.0 + 0.0) / 2.0);

    // Nothing counted at all; a class index beyond C reads as an absent class.
    let cm = ConfusionMatrix::<U10>::new();
    assert_eq!((cm.accuracy(), cm.macro_f1()), (0.0, 0.0));
    assert_eq!((example().precision(7), example().recall(99)), (0.0, 0.0));
    assert_eq!(accuracy(&[], &[]), Ok(0.0));
}

#[test]
fn errors_count_nothing() {
    let mut cm = example();
    assert_eq!(
        cm.add_all(&[0, 1], &[0]),
        Err(MetricsError::LengthMismatch { truth: 2, pred: 1 })
    );
    assert_eq!(
        cm.add_all(&[0, 1, 2], &[0, 1, 3]),
        Err(MetricsError::ClassOutOfRange {
            index: 2,
            class: 3,
            classes: 3
        })
    );
    assert!(cm.add(5, 0).is_err());
    assert_eq!(cm, example(), "a failed call leaves the counts alone");
    let e = accuracy(&[0], &[0, 1]).unwrap_err();
    assert_eq!(e.to_string(), "1 true labels but 2 predictions");
}

#[test]
fn from_logits_with_padding_and_nan() {
    let logits = tensor([
        [0.1, 0.7, 0.2], // -> 1
        [0.3, 0.0, 0.5], // -> 2
        [2.0, 2.0, 1.0], // tie -> 0
        [9.0, 0.0, 0.0], // padding row, ignored
        [f64::NAN; 3],   // padding row, ignored even though it is NaN
    ]);
    let labels = tensor([1usize, 1, 0, 99, 7]);
    assert_eq!(logits.argmax_rows().as_slice()[..3], [1, 2, 0]);

    let mut cm = ConfusionMatrix::<U3>::new();
    cm.add_logits(&logits, &labels, 3).unwrap();
    // (1,1) (1,2) (0,0)
    assert_eq!(cm.counts().as_slice(), &[1, 0, 0, 0, 1, 1, 0, 0, 0]);
    assert_eq!(
        cm.add_logits(&logits, &labels, 6),
        Err(MetricsError::ValidRows { valid: 6, batch: 5 })
    );
    assert_eq!(
        cm.add_logits(&logits, &labels, 4),
        Err(MetricsError::ClassOutOfRange {
            index: 3,
            class: 99,
            classes: 3
        })
    );
    assert_eq!(cm.total(), 3);
    assert_eq!(argmax::<f32>(&[]), 0);
    assert_eq!(argmax(&[-3, -1, -2]), 1);
}

#[test]
fn nan_logits_are_an_error_not_class_0() {
    let logits = tensor([[0.1, 0.7], [f32::NAN, f32::NAN], [0.2, f32::NAN]]);
    let labels = tensor([1usize, 0, 1]);
    let mut cm = ConfusionMatrix::<U2>::new();
    let err = cm.add_logits(&logits, &labels, 3).unwrap_err();
    assert_eq!(err, MetricsError::NanLogits { index: 1 });
    assert!(err.to_string().contains("sample 1 contain NaN"), "{err}");
    assert_eq!(cm.total(), 0, "nothing of the batch is counted");
    // The one argmax rule: NaN wins (PyTorch's), so it never hides behind a valid class.
    assert_eq!(argmax(&[0.2, f32::NAN, 0.9]), 1);
}

#[test]
fn agrees_with_naive_counting() {
    let mut rng = Rng::new(9);
    let truth: Vec<usize> = (0..500).map(|_| rng.below(6)).collect();
    // Predictions right about half the time.
    let pred: Vec<usize> = truth
        .iter()
        .map(|&t| if rng.below(2) == 0 { t } else { rng.below(6) })
        .collect();
    let mut cm = ConfusionMatrix::<U6>::new();
    cm.add_all(&truth, &pred).unwrap();
    close(cm.accuracy(), accuracy(&truth, &pred).unwrap());
    let pairs = || truth.iter().zip(&pred);
    let mut f1s = vec![];
    for c in 0..6 {
        let tp = pairs().filter(|&(&t, &p)| t == c && p == c).count() as f64;
        let fp = pairs().filter(|&(&t, &p)| t != c && p == c).count() as f64;
        let fn_ = pairs().filter(|&(&t, &p)| t == c && p != c).count() as f64;
        close(cm.precision(c), tp / (tp + fp));
        close(cm.recall(c), tp / (tp + fn_));
        let f1 = 2.0 * tp / (2.0 * tp + fp + fn_); // the same F1, written without P and R
        close(cm.f1(c), f1);
        f1s.push(f1);
    }
    close(cm.macro_f1(), f1s.iter().sum::<f64>() / 6.0);
}

#[test]
fn display_is_a_readable_table() {
    let text = example().to_string();
    assert_eq!(
        text,
        "true\\pred  0  1  2\n\
         \x20       0  2  1  0\n\
         \x20       1  0  1  1\n\
         \x20       2  1  1  2\n"
    );
    // Columns widen for big counts and two-digit class numbers.
    let mut cm = ConfusionMatrix::<U12>::new();
    for _ in 0..1234 {
        cm.add(11, 3).unwrap();
    }
    let text = cm.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 13);
    assert!(
        lines[0].starts_with("true\\pred     0     1"),
        "{}",
        lines[0]
    );
    assert!(
        lines[12].starts_with("       11     0     0     0  1234"),
        "{}",
        lines[12]
    );
    assert!(lines.iter().all(|l| l.len() == lines[0].len()));

    let report = example().report().to_string();
    assert!(
        report.contains("    1     0.3333  0.5000  0.4000        2"),
        "{report}"
    );
    assert!(
        report.contains("accuracy 0.5556, macro F1 0.5460"),
        "{report}"
    );
}
