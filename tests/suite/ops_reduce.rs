//! Reductions against hand values and naive loops; NaN and tie behaviour.

use shaped::prelude::*;

#[test]
fn sum_mean_min_max_of_all() {
    let x = tensor([[1., -2., 3.], [4., 5., -6.]]);
    assert_eq!(x.sum(), 5.0);
    assert_eq!(x.mean(), 5.0 / 6.0);
    assert_eq!(x.min(), -6.0);
    assert_eq!(x.max(), 5.0);
    let i = tensor([[3u8, 9], [1, 4]]);
    assert_eq!(i.sum(), 17);
    assert_eq!(i.min(), 1);
    assert_eq!(i.max(), 9);
    assert_eq!(tensor([-5i64]).max(), -5);
}

#[test]
fn sum_and_mean_of_empty_tensor() {
    let e = Tensor1::<f32, U0>::zeros();
    assert_eq!(e.sum(), 0.0);
    assert!(e.mean().is_nan());
}

#[test]
fn l2_norm() {
    assert_eq!(tensor([3.0f32, 4.0]).l2_norm(), 5.0);
    let x = tensor([[1., 2.], [2., 4.]]); // 1 + 4 + 4 + 16 = 25
    assert_eq!(x.l2_norm(), 5.0);
}

#[test]
fn sum_rows_is_the_bias_gradient() {
    let dy = tensor([[1., 2., 3.], [10., 20., 30.], [100., 200., 300.]]);
    assert_eq!(dy.sum_rows(), tensor([111., 222., 333.]));
    let mut db = tensor([1., 1., 1.]);
    dy.sum_rows_acc(&mut db);
    dy.sum_rows_acc(&mut db);
    assert_eq!(db, tensor([223., 445., 667.]));
}

#[test]
fn sum_rows_and_cols_against_naive_loops() {
    let x = Tensor2::<i32, U6, U4>::from_fn(|[i, j]| (i as i32 - 2) * (j as i32 + 1));
    let (rows, cols) = (x.sum_rows(), x.sum_cols());
    for j in 0..4 {
        assert_eq!(rows[[j]], (0..6).map(|i| x[[i, j]]).sum::<i32>());
    }
    for i in 0..6 {
        assert_eq!(cols[[i]], (0..4).map(|j| x[[i, j]]).sum::<i32>());
    }
    assert_eq!(tensor([[1, 2, 3], [4, 5, 6]]).sum_cols(), tensor([6, 15]));
}

#[test]
fn max_and_argmax_rows() {
    let logits = tensor([[0.1, 0.7, 0.2], [3.0, -1.0, 2.0], [-5.0, -4.0, -4.5]]);
    assert_eq!(logits.max_rows(), tensor([0.7, 3.0, -4.0]));
    assert_eq!(logits.argmax_rows(), tensor([1usize, 0, 1]));
    let mut out = Tensor1::<usize, U3>::zeros();
    logits.argmax_rows_into(&mut out);
    assert_eq!(out, tensor([1, 0, 1]));
    let mut m = Tensor1::<f64, U3>::zeros();
    logits.max_rows_into(&mut m);
    assert_eq!(m, tensor([0.7, 3.0, -4.0]));
}

#[test]
fn argmax_ties_go_to_the_first_index() {
    let x = tensor([[2, 5, 5, 1], [7, 7, 7, 7], [0, 0, 0, 9]]);
    assert_eq!(x.argmax_rows(), tensor([1, 0, 3]));
    assert_eq!(x.max_rows(), tensor([5, 7, 9]));
}

#[test]
fn nan_is_the_extreme_value() {
    let nan = f64::NAN;
    let x = tensor([
        [1.0, nan, 3.0, nan],
        [nan, 1.0, 2.0, 0.0],
        [1.0, 2.0, 3.0, 4.0],
    ]);
    assert_eq!(x.argmax_rows(), tensor([1, 0, 3]));
    let m = x.max_rows();
    assert!(m[[0]].is_nan() && m[[1]].is_nan());
    assert_eq!(m[[2]], 4.0);
    assert!(x.max().is_nan());
    assert!(x.min().is_nan());
    // NaN in the last position is still seen.
    assert!(tensor([1.0f32, 2.0, f32::NAN]).max().is_nan());
    assert!(tensor([1.0f32, 2.0, f32::NAN]).min().is_nan());
}

/// Reductions in generic code need no bounds beyond the dims.
fn db_and_classes<B: Dim, N: Dim>(dy: &Tensor2<f32, B, N>) -> (Tensor1<f32, N>, Tensor1<usize, B>) {
    (dy.sum_rows(), dy.argmax_rows())
}

#[test]
fn generic_reductions() {
    let (db, classes) = db_and_classes(&tensor([[1.0f32, 3.0], [4.0, 2.0]]));
    assert_eq!(db, tensor([5.0, 5.0]));
    assert_eq!(classes, tensor([1, 0]));
}
