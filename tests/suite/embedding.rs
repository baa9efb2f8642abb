//! `Embedding`: lookups, out-of-range indices, accumulated gradients for repeated indices, and
//! the table gradient against central differences in f64.

use shaped::gradcheck::Projection;
use shaped::init::Scheme;
use shaped::nn::{Ctx, Embedding, Grads, IndexError, Infer, Loss, Params, Train};
use shaped::prelude::*;
use shaped::rand::Rng;

type Emb = Embedding<f64, U5, U3>;

fn table() -> Emb {
    let mut e = Emb::zeros();
    e.weight = Tensor::from_flat_fn(|i| i as f64 * 0.5 - 3.0);
    e
}

#[test]
fn lookup_copies_rows() {
    let e = table();
    let ids = tensor([[4usize, 0, 2], [1, 1, 3]]);
    let y: Tensor3<f64, U2, U3, U3> = e.apply(&ids);
    for (p, &k) in ids.iter().enumerate() {
        assert_eq!(
            &y.as_slice()[p * 3..p * 3 + 3],
            e.weight.outer(k),
            "position {p}"
        );
    }
    assert_eq!(e.lookup(&ids).unwrap(), y);
}

#[test]
fn index_out_of_range_is_an_error_or_a_nan_row() {
    let e = table();
    let ids = tensor([[0usize, 1], [5, usize::MAX]]);
    assert_eq!(
        e.check(&ids),
        Err(IndexError {
            index: 5,
            at: (1, 0),
            rows: 5
        })
    );
    assert!(e.lookup(&ids).is_err());
    let y: Tensor3<f64, U2, U2, U3> = e.apply(&ids);
    assert_eq!(y.outer(0), [-3.0, -2.5, -2.0, -1.5, -1.0, -0.5]);
    assert!(y.outer(1).iter().all(|v| v.is_nan()));

    // Backward skips the bad rows and touches nothing else.
    let mut g = Grads::<Emb>::zeroed();
    let mut e = e;
    e.forward(&ids, Ctx::train(0), &mut (), &mut Tensor::zeros());
    e.backward(&ids, &mut (), &Tensor::ones(), None, Some(&mut g));
    let expect: Tensor2<f64, U5, U3> =
        Tensor::from_fn(|[k, _]: [usize; 2]| if k < 2 { 1.0 } else { 0.0 });
    assert_eq!(g.weight, expect);
}

#[test]
fn repeated_indices_accumulate() {
    let mut e = table();
    let ids = tensor([[2usize, 2], [0, 2]]);
    let dy: Tensor3<f64, U2, U2, U3> = Tensor::from_flat_fn(|i| (i + 1) as f64);
    let mut g = Grads::<Emb>::zeroed();
    let mut y = Tensor::zeros();
    e.forward(&ids, Ctx::train(0), &mut (), &mut y);
    e.backward(&ids, &mut (), &dy, None, Some(&mut g));
    // Row 2 is used at positions 0, 1 and 3: dy rows [1,2,3] + [4,5,6] + [10,11,12].
    assert_eq!(g.weight.outer(2), [15.0, 18.0, 21.0]);
    assert_eq!(g.weight.outer(0), [7.0, 8.0, 9.0]);
    assert!(g.weight.outer(1).iter().all(|&v| v == 0.0));
    // Gradients add to what is there.
    e.backward(&ids, &mut (), &dy, None, Some(&mut g));
    assert_eq!(g.weight.outer(2), [30.0, 36.0, 42.0]);
}

#[test]
fn table_gradient_matches_central_differences() {
    let mut e = Emb::zeros();
    e.init(Scheme::XavierNormal, &mut Rng::new(3));
    assert!(e.weight.iter().all(|&w| w != 0.0));
    let ids = tensor([[1usize, 4, 1, 0], [3, 1, 4, 4]]);
    let mut rng = Rng::new(4);
    let r: Tensor3<f64, U2, U4, U3> = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));

    let (mut y, mut dy) = (Tensor::zeros(), Tensor::zeros());
    let mut g = Grads::<Emb>::zeroed();
    e.forward(&ids, Ctx::train(0), &mut (), &mut y);
    Projection.loss_and_grad(&y, &r, &mut dy);
    e.backward(&ids, &mut (), &dy, None, Some(&mut g));

    let eps = 1e-5;
    let mut worst = 0.0f64;
    for i in 0..15 {
        let old = e.weight.as_slice()[i];
        let at = |v: f64, e: &mut Emb| {
            e.weight.as_mut_slice()[i] = v;
            Projection.loss(&e.apply(&ids), &r)
        };
        let numeric = (at(old + eps, &mut e) - at(old - eps, &mut e)) / (2.0 * eps);
        e.weight.as_mut_slice()[i] = old;
        let analytic = g.weight.as_slice()[i];
        let rel = (analytic - numeric).abs() / (analytic.abs() + numeric.abs()).max(1e-7);
        worst = worst.max(rel);
    }
    println!("Embedding 5x3, (2, 4) ids: worst rel {worst:.3e}");
    assert!(worst < 1e-6, "{worst}");
    // Row 2 is never used: its gradient is exactly zero.
    assert!(g.weight.outer(2).iter().all(|&v| v == 0.0));
}

#[test]
fn init_is_standard_normal() {
    let mut e = Embedding::<f64, U100, U10>::zeros();
    e.init(Scheme::HeUniform, &mut Rng::new(9));
    let n = e.weight.as_slice().len() as f64;
    let mean = e.weight.iter().sum::<f64>() / n;
    let var = e
        .weight
        .iter()
        .map(|w| (w - mean) * (w - mean))
        .sum::<f64>()
        / n;
    assert!(mean.abs() < 0.1 && (var - 1.0).abs() < 0.1, "{mean} {var}");
}
