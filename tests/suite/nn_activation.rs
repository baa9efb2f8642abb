//! Activation and Linear forward values against naive formulas, extreme inputs, NaN behaviour.

use shaped::nn::{Ctx, Infer, LeakyReLU, Linear, Params, ReLU, Sigmoid, Softmax, Tanh, Train};
use shaped::prelude::*;

// (b) Seed 002 affine numbers.
#[test]
fn linear_seed_affine_numbers() {
    let mut l = Linear::<f64, U2, U3>::zeros();
    l.weight = tensor([[1., 2., 3.], [1., 4., 6.]]);
    l.bias.fill(2.0);
    let x = tensor([[2., 4.], [2., 1.], [4., 3.]]);
    let mut y = Tensor2::<f64, U3, U3>::zeros();
    l.infer(&x, &mut (), &mut y);
    assert_eq!(y, tensor([[8., 22., 32.], [5., 10., 14.], [9., 22., 32.]]));
    assert_eq!(<Linear<f64, U2, U3> as Params<f64>>::PARAMS, 9);
}

#[test]
fn relu_and_leaky_relu() {
    let x = tensor([[-2.0, -0.0, 0.0, 3.0, f64::NAN]]);
    let mut y = Tensor2::<f64, U1, U5>::zeros();
    ReLU.infer(&x, &mut (), &mut y);
    assert_eq!(&y.as_slice()[..4], &[0.0, 0.0, 0.0, 3.0]);
    assert!(y.as_slice()[4].is_nan(), "NaN propagates");
    let mut dx = Tensor2::<f64, U1, U5>::zeros();
    ReLU.backward(&x, &mut (), &Tensor::full(5.0), Some(&mut dx), None);
    assert_eq!(
        &dx.as_slice()[..4],
        &[0.0, 0.0, 0.0, 5.0],
        "derivative 0 at 0"
    );

    LeakyReLU::<100>.infer(&x, &mut (), &mut y);
    assert_eq!(&y.as_slice()[..4], &[-0.2, 0.0, 0.0, 3.0]);
    assert!(y.as_slice()[4].is_nan());
    // The default slope is 0.01 and survives zeroing (it is part of the type).
    let zeroed: LeakyReLU = Zeroable::zeroed();
    zeroed.infer(&x, &mut (), &mut y);
    assert_eq!(y.as_slice()[0], -0.02);
    // Integer tensors work with ReLU.
    let xi = tensor([-3i32, 4]);
    let mut yi = Tensor1::<i32, U2>::zeros();
    ReLU.infer(&xi, &mut (), &mut yi);
    assert_eq!(yi, tensor([0, 4]));
}

#[test]
fn sigmoid_matches_formula_and_saturates_cleanly() {
    let x = tensor([-3.0, -0.5, 0.0, 0.5, 3.0]);
    let (mut y, mut w) = (Tensor1::<f64, U5>::zeros(), Tensor1::<f64, U5>::zeros());
    Sigmoid.forward(&x, Ctx::train(0), &mut w, &mut y);
    for (&xi, &yi) in x.iter().zip(y.iter()) {
        assert!((yi - 1.0 / (1.0 + (-xi).exp())).abs() < 1e-15);
    }
    let x = tensor([-1000.0f32, 1000.0, -90.0]);
    let (mut y, mut w) = (Tensor1::<f32, U3>::zeros(), Tensor1::<f32, U3>::zeros());
    Sigmoid.forward(&x, Ctx::train(0), &mut w, &mut y);
    assert_eq!(&y.as_slice()[..2], &[0.0, 1.0]);
    assert!(
        y.as_slice()[2] > 0.0 && y.as_slice()[2] < 1e-38,
        "no overflow in e^90 (f32)"
    );
}

#[test]
fn tanh_matches_std() {
    let x = tensor([[-20.0, -0.7], [0.0, 1.3]]);
    let (mut y, mut w) = (
        Tensor2::<f64, U2, U2>::zeros(),
        Tensor2::<f64, U2, U2>::zeros(),
    );
    Tanh.forward(&x, Ctx::train(0), &mut w, &mut y);
    assert_eq!(y, x.map(f64::tanh));
}

#[test]
fn softmax_rows_and_extremes() {
    let x = tensor([
        [1.0, 2.0, 3.0],
        [1000.0, 0.0, -1000.0],
        [f64::NEG_INFINITY, 0.0, 0.0],
    ]);
    let (mut y, mut w) = (
        Tensor2::<f64, U3, U3>::zeros(),
        Tensor2::<f64, U3, U3>::zeros(),
    );
    Softmax.forward(&x, Ctx::train(0), &mut w, &mut y);
    let e: Vec<f64> = [1.0f64, 2.0, 3.0].iter().map(|v| v.exp()).collect();
    let s: f64 = e.iter().sum();
    for c in 0..3 {
        assert!((y[[0, c]] - e[c] / s).abs() < 1e-15);
    }
    assert_eq!(y.outer(1), &[1.0, 0.0, 0.0]);
    assert_eq!(y.outer(2), &[0.0, 0.5, 0.5], "−∞ gets probability 0");
    // NaN makes its row NaN, and only its row.
    let x = tensor([[1.0, f64::NAN], [0.0, 0.0]]);
    let (mut y, mut w) = (
        Tensor2::<f64, U2, U2>::zeros(),
        Tensor2::<f64, U2, U2>::zeros(),
    );
    Softmax.forward(&x, Ctx::train(0), &mut w, &mut y);
    assert!(y.outer(0).iter().all(|v| v.is_nan()));
    assert_eq!(y.outer(1), &[0.5, 0.5]);
}

#[test]
fn softmax_backward_matches_explicit_jacobian() {
    let x = tensor([[0.2, -1.0, 0.7, 1.5]]);
    let dy = tensor([[1.0, -2.0, 0.5, 0.25]]);
    let (mut y, mut w, mut dx) = (
        Tensor2::<f64, U1, U4>::zeros(),
        Tensor2::<f64, U1, U4>::zeros(),
        Tensor2::<f64, U1, U4>::zeros(),
    );
    Softmax.forward(&x, Ctx::train(0), &mut w, &mut y);
    Softmax.backward(&x, &mut w, &dy, Some(&mut dx), None);
    // J[i][j] = y_i (δ_ij − y_j); dx_j = Σ_i dy_i J[i][j].
    for j in 0..4 {
        let expected: f64 = (0..4)
            .map(|i| dy[[0, i]] * y[[0, i]] * ((i == j) as u8 as f64 - y[[0, j]]))
            .sum();
        assert!((dx[[0, j]] - expected).abs() < 1e-15, "{j}");
    }
}
