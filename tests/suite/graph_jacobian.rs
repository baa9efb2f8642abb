//! Jacobians by reverse mode reproduce the matrix-calculus facts of the lecture.

use shaped::graph::{jacobian, leaf};
use shaped::prelude::*;
use shaped::shape::Shape;

fn random<S: Shape>(seed: u64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0))
}

#[test]
fn elementwise_functions_have_diagonal_jacobians() {
    let x = leaf(random::<(U5,)>(1));
    let y = x.tanh();
    let j: Tensor2<f64, U5, U5> = jacobian(&y, &x);
    for r in 0..5 {
        for c in 0..5 {
            let xi: f64 = x.value()[[r]];
            let expected = if r == c { 1.0 - xi.tanh().powi(2) } else { 0.0 };
            assert!((j[[r, c]] - expected).abs() < 1e-15, "({r}, {c})");
        }
    }
}

#[test]
fn jacobian_of_wx_is_w() {
    // x a column vector (n, 1), W (m, n): ∂(Wx)/∂x = W.
    let w = leaf(random::<(U3, U4)>(2));
    let x = leaf(random::<(U4, U1)>(3));
    let y = w.matmul(&x);
    let j: Tensor2<f64, U3, U4> = jacobian(&y, &x);
    assert_eq!(&j, w.value());
}

#[test]
fn jacobian_of_xw_is_w_transposed() {
    // x a row vector (1, n), W (n, m): ∂(xW)/∂x = Wᵀ.
    let w = leaf(random::<(U4, U3)>(4));
    let x = leaf(random::<(U1, U4)>(5));
    let y = x.matmul(&w);
    let j: Tensor2<f64, U3, U4> = jacobian(&y, &x);
    assert_eq!(j, w.value().t());
}

#[test]
fn jacobian_of_wx_plus_b_in_b_is_identity_and_in_w_is_x_spread() {
    // z = xW + b for a row vector x: ∂z/∂b = I; ∂zⱼ/∂W[i][k] = xᵢ·[j = k].
    let w = leaf(random::<(U4, U3)>(6));
    let x = leaf(random::<(U1, U4)>(7));
    let b = leaf(random::<(U3,)>(8));
    let xw = x.matmul(&w);
    let z = xw.add_row(&b);
    let jb: Tensor2<f64, U3, U3> = jacobian(&z, &b);
    assert_eq!(
        jb,
        Tensor2::<f64, U3, U3>::from_fn(|[r, c]| if r == c { 1.0 } else { 0.0 })
    );
    let jw: Tensor2<f64, U3, U12> = jacobian(&z, &w);
    for j in 0..3 {
        for i in 0..4 {
            for k in 0..3 {
                let expected = if j == k { x.value()[[0, i]] } else { 0.0 };
                assert_eq!(jw[[j, i * 3 + k]], expected);
            }
        }
    }
}

#[test]
fn jacobian_of_a_composition_is_the_product() {
    // h = f(z), z = Wx + b: ∂h/∂x = diag(f'(z)) · W (the lecture's chain rule).
    let w = leaf(random::<(U3, U4)>(9));
    let x = leaf(random::<(U4, U1)>(10));
    let wx = w.matmul(&x);
    let h = wx.sigmoid();
    let j: Tensor2<f64, U3, U4> = jacobian(&h, &x);
    let y = wx.value();
    let diag = Tensor2::<f64, U3, U3>::from_fn(|[r, c]| {
        let s: f64 = 1.0 / (1.0 + (-y[[r, 0]]).exp());
        if r == c { s * (1.0 - s) } else { 0.0 }
    });
    let product = diag.matmul(w.value());
    for (a, b) in j.iter().zip(product.iter()) {
        assert!((a - b).abs() < 1e-15);
    }
    // x's gradient was left as it was by the Jacobian.
    assert_eq!(x.grad().as_slice(), &[0.0; 4]);
    // Score s = uᵀh: ∂s/∂h = uᵀ.
    let u = leaf(random::<(U3, U1)>(11));
    let s = u.t_matmul(&h);
    let ju: Tensor2<f64, U1, U3> = jacobian(&s, &u);
    assert_eq!(ju.as_slice(), h.value().as_slice());
}
