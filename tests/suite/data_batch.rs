//! Batching (contents, shuffling, last-batch policy, no allocation per batch) and splits.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use shaped::data::{Batcher, DataError, Dataset, Digits, LastBatch, Mnist, Split};
use shaped::prelude::*;

/// Counts allocations made by the current thread (tests run on parallel threads).
struct Counting;
thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> usize {
    ALLOCS.with(|c| c.get())
}

/// `n` samples of 3 features; sample `i` is `[i, i + 0.25, i + 0.5]`, label `i % 4`.
fn numbered(n: usize) -> Dataset<f64> {
    let x = (0..n)
        .flat_map(|i| [0.0, 0.25, 0.5].map(|d| i as f64 + d))
        .collect();
    Dataset::new(x, (0..n).map(|i| i % 4).collect(), [1, 1, 3], 4).unwrap()
}

/// Runs one epoch, checks each valid row against the sample it claims to be, and returns the
/// sample indices seen (decoded from the features) and the valid-row counts.
fn epoch<B: Dim>(b: &mut Batcher, data: &Dataset<f64>) -> (Vec<usize>, Vec<usize>) {
    let mut x = Tensor::<f64, (B, U3)>::full(-1.0);
    let mut y = Tensor::<usize, (B,)>::full(99);
    let (mut seen, mut valid) = (vec![], vec![]);
    while let Some(n) = b.next_batch(data, &mut x, &mut y).unwrap() {
        for r in 0..B::USIZE {
            let row = x.outer(r);
            if r < n {
                let i = row[0] as usize;
                assert_eq!(row, data.sample(i));
                assert_eq!(y[[r]], i % 4);
                seen.push(i);
            } else {
                assert_eq!((row, y[[r]]), (&[0.0; 3][..], 0), "padding must be zero");
            }
        }
        valid.push(n);
    }
    (seen, valid)
}

#[test]
fn sequential_partial_and_drop() {
    let data = numbered(10);
    let mut b = Batcher::new(10, LastBatch::Partial);
    let (seen, valid) = epoch::<U4>(&mut b, &data);
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
    assert_eq!(valid, [4, 4, 2]);
    assert_eq!(b.batches_per_epoch(4), 3);
    // The epoch is over until restarted.
    assert_eq!(epoch::<U4>(&mut b, &data).1, []);
    b.start_epoch(1);
    assert_eq!(epoch::<U4>(&mut b, &data).0, (0..10).collect::<Vec<_>>());

    let mut b = Batcher::new(10, LastBatch::Drop);
    let (seen, valid) = epoch::<U4>(&mut b, &data);
    assert_eq!((seen, valid), ((0..8).collect(), vec![4, 4]));
    assert_eq!(b.batches_per_epoch(4), 2);
    // A batch bigger than the dataset: nothing under Drop, one partial batch under Partial.
    let mut b = Batcher::new(10, LastBatch::Drop);
    assert_eq!(epoch::<U16>(&mut b, &data).1, []);
    let mut b = Batcher::new(10, LastBatch::Partial);
    assert_eq!(epoch::<U16>(&mut b, &data).1, [10]);
}

#[test]
fn shuffled_epochs_are_permutations_reproducible_from_seed_and_epoch() {
    let data = numbered(23);
    let mut b = Batcher::shuffled(23, 7, LastBatch::Partial);
    let (e0, valid) = epoch::<U5>(&mut b, &data);
    assert_eq!(valid, [5, 5, 5, 5, 3]);
    let mut sorted = e0.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        (0..23).collect::<Vec<_>>(),
        "each sample exactly once"
    );
    assert_ne!(e0, sorted, "shuffled");

    b.start_epoch(1);
    let e1 = epoch::<U5>(&mut b, &data).0;
    assert_ne!(e0, e1, "a new order each epoch");
    b.start_epoch(0);
    assert_eq!(epoch::<U5>(&mut b, &data).0, e0, "epoch 0 again");

    // Only (seed, epoch) matter, not history.
    let mut fresh = Batcher::shuffled(23, 7, LastBatch::Partial);
    fresh.start_epoch(1);
    assert_eq!(epoch::<U5>(&mut fresh, &data).0, e1);
    let mut other = Batcher::shuffled(23, 8, LastBatch::Partial);
    assert_ne!(epoch::<U5>(&mut other, &data).0, e0);

    // Drop: 4 full batches of distinct samples, 3 left out.
    let mut d = Batcher::shuffled(23, 7, LastBatch::Drop);
    let (seen, valid) = epoch::<U5>(&mut d, &data);
    assert_eq!(valid, [5; 4]);
    assert_eq!(seen, e0[..20]);
}

#[test]
fn no_allocation_per_batch() {
    let m = Mnist::bundled::<f32>().unwrap();
    let mut b = Batcher::shuffled(m.train.len(), 1, LastBatch::Partial);
    let mut x = shaped::boxed_zeroed::<Tensor2<f32, U64, U784>>();
    let mut y = Tensor1::<usize, U64>::zeros();
    let before = allocs();
    drop(std::hint::black_box(vec![1u8]));
    assert_eq!(allocs(), before + 1, "the counter sees allocations");
    for e in 0..2 {
        let before = allocs();
        b.start_epoch(e);
        let mut batches = 0;
        while b.next_batch(&m.train, &mut x, &mut y).unwrap().is_some() {
            batches += 1;
        }
        assert_eq!(batches, 63); // 4000 = 62 · 64 + 32
        assert_eq!(allocs() - before, 0, "allocations during an epoch");
    }
}

#[test]
fn image_batches_for_cnns() {
    let d = Digits::bundled::<f32>().unwrap();
    let mut b = Batcher::new(d.test.len(), LastBatch::Partial);
    let mut x = Tensor4::<f32, U32, U1, U8, U8>::zeros();
    let mut y = Tensor1::<usize, U32>::zeros();
    assert_eq!(
        b.next_batch_images(&d.test, &mut x, &mut y).unwrap(),
        Some(32)
    );
    assert_eq!(x.outer(3), d.test.sample(3));
    assert_eq!(x[[3, 0, 2, 5]], d.test.sample(3)[2 * 8 + 5]);
    assert_eq!(y.as_slice(), &d.test.labels()[..32]);
    let mut total = 32;
    while let Some(n) = b.next_batch_images(&d.test, &mut x, &mut y).unwrap() {
        total += n;
    }
    assert_eq!(total, 297);
}

#[test]
fn batch_shape_and_length_errors() {
    let d = Digits::bundled::<f32>().unwrap();
    let mut b = Batcher::new(d.test.len(), LastBatch::Drop);
    let mut y = Tensor1::<usize, U4>::zeros();
    let mut wrong = Tensor4::<f32, U4, U1, U28, U28>::zeros();
    let e = b
        .next_batch_images(&d.test, &mut wrong, &mut y)
        .unwrap_err();
    assert_eq!(
        e,
        DataError::BatchShape {
            data: [1, 8, 8],
            tensor: &[1, 28, 28]
        }
    );
    assert!(e.to_string().contains("[1, 28, 28]"), "{e}");
    let mut flat = Tensor2::<f32, U4, U63>::zeros();
    assert!(matches!(
        b.next_batch(&d.test, &mut flat, &mut y),
        Err(DataError::BatchShape { .. })
    ));
    let mut ok = Tensor2::<f32, U4, U64>::zeros();
    let e = b.next_batch(&d.train, &mut ok, &mut y).unwrap_err();
    assert_eq!(
        e,
        DataError::BatcherLength {
            batcher: 297,
            data: 1500
        }
    );
    assert_eq!(b.next_batch(&d.test, &mut ok, &mut y), Ok(Some(4)));
}

#[test]
fn nan_features_pass_through_unchanged() {
    let d = Dataset::new(vec![f32::NAN, 1.0, 2.0, f32::NAN], vec![1, 0], [1, 1, 2], 2).unwrap();
    let mut b = Batcher::new(2, LastBatch::Drop);
    let (mut x, mut y) = (
        Tensor2::<f32, U2, U2>::zeros(),
        Tensor1::<usize, U2>::zeros(),
    );
    b.next_batch(&d, &mut x, &mut y).unwrap();
    let s = x.as_slice();
    assert!(s[0].is_nan() && s[1] == 1.0 && s[2] == 2.0 && s[3].is_nan());
}

#[test]
fn dataset_construction_errors() {
    let e = Dataset::new(vec![0.0f32; 5], vec![0, 1], [1, 1, 3], 2).unwrap_err();
    assert_eq!(
        e,
        DataError::FeatureCount {
            samples: 2,
            dims: [1, 1, 3],
            values: 5
        }
    );
    let e = Dataset::new(vec![0.0f32; 6], vec![0, 5], [1, 1, 3], 2).unwrap_err();
    assert_eq!(
        e,
        DataError::LabelOutOfRange {
            index: 1,
            label: 5,
            classes: 2
        }
    );
    let d = numbered(4);
    assert_eq!(
        d.subset(&[0, 4]).unwrap_err(),
        DataError::IndexOutOfRange { index: 4, len: 4 }
    );
    let s = d.subset(&[3, 1, 3]).unwrap();
    assert_eq!(s.labels(), &[3, 1, 3]);
    assert_eq!(s.sample(0), d.sample(3));
}

// ---------- splits ----------

fn check_partition(s: &Split, n: usize) {
    for part in [&s.train, &s.dev, &s.test] {
        assert!(part.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
    }
    let mut all: Vec<usize> = [&s.train, &s.dev, &s.test]
        .into_iter()
        .flatten()
        .copied()
        .collect();
    all.sort();
    assert_eq!(all, (0..n).collect::<Vec<_>>(), "every index exactly once");
}

#[test]
fn random_split_sizes_and_determinism() {
    let s = Split::random(100, 0.15, 0.2, 3).unwrap();
    assert_eq!((s.train.len(), s.dev.len(), s.test.len()), (65, 15, 20));
    check_partition(&s, 100);
    assert_eq!(s, Split::random(100, 0.15, 0.2, 3).unwrap());
    assert_ne!(s, Split::random(100, 0.15, 0.2, 4).unwrap());
    // Rounding never overdraws: 3 · 0.5 rounds to 2 for test, leaving 1 for dev, 0 for train.
    let s = Split::random(3, 0.5, 0.5, 0).unwrap();
    assert_eq!((s.train.len(), s.dev.len(), s.test.len()), (0, 1, 2));
    check_partition(&s, 3);
    let s = Split::random(0, 0.1, 0.1, 0).unwrap();
    assert!(s.train.is_empty() && s.dev.is_empty() && s.test.is_empty());
}

#[test]
fn bad_fractions() {
    for (dev, test) in [
        (-0.1, 0.2),
        (0.6, 0.5),
        (f64::NAN, 0.1),
        (0.1, f64::INFINITY),
    ] {
        let e = Split::random(10, dev, test, 0).unwrap_err();
        assert!(matches!(e, DataError::Fractions { .. }));
        assert!(Split::stratified(&[0, 1], dev, test, 0).is_err());
    }
}

#[test]
fn stratified_split_keeps_class_proportions() {
    let m = Mnist::bundled::<f32>().unwrap();
    let s = Split::stratified(m.train.labels(), 0.1, 0.2, 11).unwrap();
    check_partition(&s, 4000);
    let count = |idx: &[usize], c: usize| idx.iter().filter(|&&i| m.train.label(i) == c).count();
    for c in 0..10 {
        assert_eq!(
            (count(&s.train, c), count(&s.dev, c), count(&s.test, c)),
            (280, 40, 80)
        );
    }
    assert_eq!(
        s,
        Split::stratified(m.train.labels(), 0.1, 0.2, 11).unwrap()
    );

    let sets = s.apply(&m.train).unwrap();
    assert_eq!(sets.test.class_counts(), vec![80; 10]);
    assert_eq!(sets.dev.sample(5), m.train.sample(s.dev[5]));
    assert_eq!(sets.train.label(7), m.train.label(s.train[7]));
}

#[test]
fn stratified_uneven_classes() {
    // Class 2 has 3 samples, class 7 has 5: test 0.4 takes round(1.2) = 1 and round(2.0) = 2.
    let labels = [7, 2, 7, 7, 2, 7, 2, 7];
    let s = Split::stratified(&labels, 0.0, 0.4, 5).unwrap();
    check_partition(&s, 8);
    let mut test_labels: Vec<_> = s.test.iter().map(|&i| labels[i]).collect();
    test_labels.sort();
    assert_eq!(test_labels, [2, 7, 7]);
    assert!(s.dev.is_empty());
}
