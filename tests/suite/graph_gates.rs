//! The gates of the lecture's example graph `f = (x + y) · max(y, z)`: at the lecture's point,
//! on random 3×4 tensors against central differences and the closed form, and at ties.

use shaped::gradcheck::Config;
use shaped::graph::{Leaf, check, leaf, scalar};
use shaped::prelude::*;

type M = (U3, U4);

fn random(seed: u64) -> Tensor<f64, M> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(-2.0, 2.0))
}

/// `Σ (x + y) ⊙ max(y, z)` with `backward` run; returns the value.
fn f(x: &Leaf<f64, M>, y: &Leaf<f64, M>, z: &Leaf<f64, M>) -> f64 {
    let a = x + y;
    let b = y.max(z);
    let p = &a * &b;
    let f = p.sum();
    f.backward();
    f.item()
}

#[test]
fn lecture_point() {
    let (x, y, z) = (scalar(1.0), scalar(2.0), scalar(0.0));
    let a = &x + &y;
    let b = y.max(&z);
    let f = &a * &b;
    assert_eq!((a.item(), b.item(), f.item()), (3.0, 2.0, 6.0));
    f.backward();
    assert_eq!(x.grad()[[0]], 2.0);
    assert_eq!(y.grad()[[0]], 5.0);
    assert_eq!(z.grad()[[0]], 0.0);
    // The intermediate nodes hold their upstream gradients: ∂f/∂a = b, ∂f/∂b = a.
    assert_eq!((a.grad()[[0]], b.grad()[[0]]), (2.0, 3.0));
}

#[test]
fn leaves_add_up_successive_backward_calls() {
    let (mut x, y) = (scalar(1.0), scalar(2.0));
    {
        let f = &x * &y;
        f.backward();
        f.backward();
    }
    assert_eq!(x.grad()[[0]], 4.0);
    x.zero_grad();
    let f = &x * &y;
    f.backward();
    assert_eq!((x.grad()[[0]], y.grad()[[0]]), (2.0, 3.0));
}

#[test]
fn random_tensors_match_closed_form_and_central_differences() {
    let (mut x, mut y, mut z) = (leaf(random(1)), leaf(random(2)), leaf(random(3)));
    f(&x, &y, &z);
    let (xv, yv, zv) = (x.value(), y.value(), z.value());
    for i in 0..12 {
        let (xi, yi, zi) = (xv.as_slice()[i], yv.as_slice()[i], zv.as_slice()[i]);
        let m = yi.max(zi);
        let (dy, dz) = if yi > zi {
            (m + xi + yi, 0.0)
        } else {
            (m, xi + yi)
        };
        assert_eq!(x.grad().as_slice()[i], m, "∂f/∂x at {i}");
        assert!((y.grad().as_slice()[i] - dy).abs() < 1e-12, "∂f/∂y at {i}");
        assert!((z.grad().as_slice()[i] - dz).abs() < 1e-12, "∂f/∂z at {i}");
    }
    // At least one element routes to each side of max, so both branches are exercised.
    let y_wins = yv.gt_tensor(zv).count_true();
    assert!(y_wins > 0 && y_wins < 12, "{y_wins}");
    let cfg = Config::default();
    let (yc, zc) = (leaf(y.value().clone()), leaf(z.value().clone()));
    let wx = check(&mut x, |x| f(x, &yc, &zc), cfg);
    let xc = leaf(x.value().clone());
    let wy = check(&mut y, |y| f(&xc, y, &zc), cfg);
    let yc = leaf(y.value().clone());
    let wz = check(&mut z, |z| f(&xc, &yc, z), cfg);
    for w in [wx, wy, wz] {
        assert_eq!(w.checked, 12);
        assert!(w.rel < 1e-8, "{w}");
    }
}

#[test]
fn ties_in_max_and_min_split_the_gradient_as_central_differences_do() {
    let (y, z) = (scalar(2.0), scalar(2.0));
    let m = y.max(&z);
    m.backward();
    assert_eq!((y.grad()[[0]], z.grad()[[0]]), (0.5, 0.5));
    let (a, b) = (scalar(-1.0), scalar(-1.0));
    let n = a.min(&b);
    (&n * 4.0).backward();
    assert_eq!((a.grad()[[0]], b.grad()[[0]]), (2.0, 2.0));
    // What a central difference measures at the tie.
    let mut y = scalar(2.0f64);
    let z = scalar(2.0);
    let w = check(
        &mut y,
        |y| {
            let m = y.max(&z);
            m.backward();
            m.item()
        },
        Config::default(),
    );
    assert!(w.rel < 1e-9, "{w}");
}

#[test]
fn nan_in_max_propagates() {
    let (y, z) = (scalar(f64::NAN), scalar(1.0));
    let m = y.max(&z);
    m.backward();
    assert!(m.item().is_nan() && y.grad()[[0]].is_nan() && z.grad()[[0]].is_nan());
}

#[test]
fn fan_out_sums_before_propagating() {
    // x feeds a, which feeds three consumers; then a diamond reuses b twice.
    let x = leaf(tensor([0.3, -0.7]));
    let a = x.tanh();
    let b = &a * &a; // a²
    let c = &b + &a; // a² + a
    let d = &c * &b; // (a² + a)·a² = a⁴ + a³
    let f = d.sum();
    f.backward();
    for i in 0..2 {
        let xi = x.value()[[i]];
        let ai: f64 = xi.tanh();
        let expected = (4.0 * ai.powi(3) + 3.0 * ai * ai) * (1.0 - ai * ai);
        assert!((x.grad()[[i]] - expected).abs() < 1e-14);
    }
    // Each node delivered once: a's gradient is the sum over its three uses.
    let ai: f64 = a.value()[[0]];
    let da = 4.0 * ai.powi(3) + 3.0 * ai * ai;
    assert!((a.grad()[[0]] - da).abs() < 1e-14);
}

#[test]
fn nodes_not_used_by_the_output_are_not_visited() {
    let x = scalar(3.0);
    let unused = x.exp();
    let f = &x * 2.0;
    f.backward();
    assert_eq!(x.grad()[[0]], 2.0);
    assert_eq!(unused.grad()[[0]], 0.0);
    // Back-propagating from the other node afterwards works too.
    unused.backward();
    assert!((x.grad()[[0]] - (2.0 + 3f64.exp())).abs() < 1e-12);
}

/// A 20-node expression (the one `docs/graph.md` times), and its gradient checked.
pub fn twenty_nodes(x: &Leaf<f64, (U2, U3)>, w: &Leaf<f64, (U3, U3)>) -> f64 {
    let h = x.matmul(w); // 1
    let h = h.tanh(); // 2
    let s = h.sigmoid(); // 3
    let p = &h * &s; // 4
    let q = &p + &h; // 5
    let e = q.exp(); // 6
    let r = &e - &p; // 7
    let m = r.max(&q); // 8
    let n = m.min(&e); // 9
    let d = &n / &e; // 10
    let t = &d * 3.0; // 11
    let u = t.relu(); // 12
    let v = u.softplus(); // 13
    let l = v.log_softmax(); // 14
    let sm = l.softmax(); // 15
    let k = sm.reshape::<(U3, U2)>(); // 16
    let g = x.matmul(&k); // 17
    let z = g.row_sums(); // 18
    let o = z.mean(); // 19
    let f = &o + 1.0; // 20
    f.backward();
    f.item()
}

#[test]
fn a_twenty_node_expression_checks() {
    let mut rng = Rng::new(9);
    let mut x = leaf(Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0)));
    let mut w = leaf(Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0)));
    let worst = shaped::graph::check2(&mut x, &mut w, twenty_nodes, Config::default());
    assert_eq!(worst.checked, 15);
    assert!(worst.rel < 1e-6, "{worst}");
}
