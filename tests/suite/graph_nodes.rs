//! Every node type of `shaped::graph`, grad-checked in f64 against central differences, with a
//! random projection `⟨r, y⟩` as the objective so that every output element has its own weight.

use shaped::gradcheck::Config;
use shaped::graph::{Leaf, Op, Var, check, check2, leaf};
use shaped::prelude::*;
use shaped::shape::Shape;

fn random<S: Shape>(seed: u64, lo: f64, hi: f64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(lo, hi))
}

/// `⟨r, y⟩` for a fixed random `r`, back-propagated.
fn project<S: Shape, O: Op<f64, S>>(y: &Var<f64, S, O>) -> f64 {
    let r = random::<S>(77, -1.0, 1.0);
    y.backward_with(&r);
    y.value().iter().zip(r.iter()).map(|(a, b)| a * b).sum()
}

fn assert_checks<S: Shape>(x: Tensor<f64, S>, f: impl Fn(&Leaf<f64, S>) -> f64) {
    let mut x = leaf(x);
    let w = check(&mut x, f, Config::default());
    assert_eq!(w.checked, S::NUMEL);
    assert!(w.rel < 1e-7, "{w}");
}

fn assert_checks2<SA: Shape, SB: Shape>(
    a: Tensor<f64, SA>,
    b: Tensor<f64, SB>,
    f: impl Fn(&Leaf<f64, SA>, &Leaf<f64, SB>) -> f64,
) {
    let (mut a, mut b) = (leaf(a), leaf(b));
    let w = check2(&mut a, &mut b, f, Config::default());
    assert_eq!(w.checked, SA::NUMEL + SB::NUMEL);
    assert!(w.rel < 1e-7, "{w}");
}

type M = (U3, U4);

#[test]
fn elementwise_binary() {
    let (a, b) = (random::<M>(1, -2.0, 2.0), random::<M>(2, -2.0, 2.0));
    assert_checks2(a.clone(), b.clone(), |a, b| project(&(a + b)));
    assert_checks2(a.clone(), b.clone(), |a, b| project(&(a - b)));
    assert_checks2(a.clone(), b.clone(), |a, b| project(&(a * b)));
    assert_checks2(a.clone(), b.clone(), |a, b| project(&a.max(b)));
    assert_checks2(a.clone(), b.clone(), |a, b| project(&a.min(b)));
    // Divisors kept away from 0.
    assert_checks2(a, random::<M>(3, 0.5, 2.0), |a, b| project(&(a / b)));
}

#[test]
fn elementwise_unary() {
    let x = random::<M>(4, -3.0, 3.0);
    assert_checks(x.clone(), |x| project(&x.exp()));
    assert_checks(x.clone(), |x| project(&x.tanh()));
    assert_checks(x.clone(), |x| project(&x.sigmoid()));
    assert_checks(x.clone(), |x| project(&x.relu()));
    assert_checks(x.clone(), |x| project(&x.softplus()));
    assert_checks(random::<M>(5, 0.2, 3.0), |x| project(&x.ln()));
}

#[test]
fn scalar_operators() {
    let x = random::<M>(6, -2.0, 2.0);
    assert_checks(x.clone(), |x| project(&(x * 2.5)));
    assert_checks(x.clone(), |x| project(&(x + 1.5)));
    assert_checks(x.clone(), |x| project(&(x - 0.5)));
    assert_checks(x.clone(), |x| project(&(x / 4.0)));
    assert_checks(x.clone(), |x| project(&(-x)));
    assert_checks(x, |x| project(&x.affine(-3.0, 2.0)));
}

#[test]
fn products_and_bias() {
    type A = (U3, U4);
    assert_checks2(
        random::<A>(7, -1.0, 1.0),
        random::<(U4, U2)>(8, -1.0, 1.0),
        |a, b| project(&a.matmul(b)),
    );
    assert_checks2(
        random::<A>(9, -1.0, 1.0),
        random::<(U5, U4)>(10, -1.0, 1.0),
        |a, b| project(&a.matmul_t(b)),
    );
    assert_checks2(
        random::<A>(11, -1.0, 1.0),
        random::<(U3, U2)>(12, -1.0, 1.0),
        |a, b| project(&a.t_matmul(b)),
    );
    assert_checks2(
        random::<A>(13, -1.0, 1.0),
        random::<(U4,)>(14, -1.0, 1.0),
        |x, b| project(&x.add_row(b)),
    );
}

#[test]
fn products_agree_with_tensor_ops() {
    let (a, b) = (
        leaf(random::<M>(15, -1.0, 1.0)),
        leaf(random::<(U4, U2)>(16, -1.0, 1.0)),
    );
    let c = a.matmul(&b);
    assert_eq!(c.value(), &a.value().matmul(b.value()));
    let d = b.t_matmul(&b);
    assert_eq!(d.value(), &b.value().t_matmul(b.value()));
    let e = a.matmul_t(&a);
    assert_eq!(e.value(), &a.value().matmul_t(a.value()));
}

#[test]
fn reductions() {
    let x = random::<M>(17, -2.0, 2.0);
    assert_checks(x.clone(), |x| project(&x.sum()));
    assert_checks(x.clone(), |x| project(&x.mean()));
    assert_checks(x.clone(), |x| project(&x.row_sums()));
    assert_checks(x.clone(), |x| project(&x.row_means()));
    let x = leaf(x);
    assert!((x.mean().item() - x.value().mean()).abs() < 1e-15);
    assert_eq!(x.row_sums().value(), &x.value().sum_cols());
}

#[test]
fn reshape_select_gather() {
    let x = random::<M>(18, -2.0, 2.0);
    assert_checks(x.clone(), |x| project(&x.reshape::<(U2, U6)>()));
    let mask = x.gt(0.0);
    assert!(mask.any() && !mask.all());
    assert_checks2(x.clone(), random::<M>(19, -2.0, 2.0), |a, b| {
        project(&a.select(&mask, b))
    });
    // Rows picked twice and rows never picked.
    let index = tensor([2usize, 0, 2, 1, 2]);
    assert_checks(x, |t| project(&t.gather_rows(&index).unwrap()));
}

#[test]
fn softmax_and_log_softmax() {
    let x = random::<M>(20, -3.0, 3.0);
    assert_checks(x.clone(), |x| project(&x.softmax()));
    assert_checks(x.clone(), |x| project(&x.log_softmax()));
    let x = leaf(x);
    let s = x.softmax();
    for r in 0..3 {
        assert!((s.value().outer(r).iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }
    // Stable at large logits: log-softmax stays finite where exp overflows.
    let big = leaf(tensor([[1000.0, 0.0]]));
    let l = big.log_softmax();
    assert_eq!(l.value(), &tensor([[0.0, -1000.0]]));
}

#[test]
fn gather_rejects_an_index_out_of_range() {
    let table = leaf(random::<(U3, U2)>(21, -1.0, 1.0));
    let index = tensor([0usize, 1, 3, 7]);
    let err = table.gather_rows(&index).err().unwrap();
    assert_eq!((err.position, err.index, err.rows), (2, 3, 3));
}

#[test]
fn f32_expressions_check_too() {
    let mut x = leaf(Tensor::<f32, M>::from_flat_fn(|i| i as f32 * 0.1 - 0.5));
    let cfg = Config {
        eps: 1e-2,
        ..Config::default()
    };
    let w = check(
        &mut x,
        |x| {
            let t = x.tanh();
            let p = &t * x;
            let f = p.sum();
            f.backward();
            f.item()
        },
        cfg,
    );
    assert!(w.rel < 1e-3, "{w}");
}
