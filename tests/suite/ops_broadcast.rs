//! Row-vector broadcast over a batch, against hand values and a naive loop.

use shaped::prelude::*;

#[test]
fn add_sub_mul_row_in_place() {
    let mut y = tensor([[1., 2., 3.], [4., 5., 6.]]);
    let row = tensor([10., 20., 30.]);
    y.add_row(&row);
    assert_eq!(y, tensor([[11., 22., 33.], [14., 25., 36.]]));
    y.sub_row(&row);
    assert_eq!(y, tensor([[1., 2., 3.], [4., 5., 6.]]));
    y.mul_row(&tensor([2., 0., -1.]));
    assert_eq!(y, tensor([[2., 0., -3.], [8., 0., -6.]]));
}

#[test]
fn by_value_forms() {
    let y = tensor([[1, 2], [3, 4], [5, 6]]);
    assert_eq!(
        y.clone().plus_row(&tensor([1, -1])),
        tensor([[2, 1], [4, 3], [6, 5]])
    );
    assert_eq!(
        y.clone().minus_row(&tensor([1, -1])),
        tensor([[0, 3], [2, 5], [4, 7]])
    );
    assert_eq!(
        y.times_row(&tensor([0, 3])),
        tensor([[0, 6], [0, 12], [0, 18]])
    );
}

#[test]
fn unsigned_integers() {
    let mut y = tensor([[1u32, 2], [3, 4]]);
    y.add_row(&tensor([100u32, 200]));
    assert_eq!(y, tensor([[101, 202], [103, 204]]));
}

#[test]
fn matches_naive_loop() {
    let mut y = Tensor2::<f32, U7, U5>::from_fn(|[i, j]| (i * 5 + j) as f32 * 0.5);
    let orig = y.clone();
    let row = Tensor1::<f32, U5>::from_fn(|[j]| 1.0 - j as f32);
    y.add_row(&row);
    for i in 0..7 {
        for j in 0..5 {
            assert_eq!(y[[i, j]], orig[[i, j]] + row[[j]]);
        }
    }
}

#[test]
fn zero_width_rows_are_a_no_op() {
    let mut y = Tensor2::<f32, U3, U0>::zeros();
    y.add_row(&Tensor1::<f32, U0>::zeros());
    assert_eq!(y.as_slice().len(), 0);
}

/// Bias add in generic code: no where-clause beyond the dims.
fn add_bias<B: Dim, N: Dim>(y: &mut Tensor2<f64, B, N>, b: &Tensor1<f64, N>) {
    y.add_row(b);
}

#[test]
fn generic_bias_add() {
    let mut y = tensor([[0., 1.], [2., 3.]]);
    add_bias(&mut y, &tensor([1., 1.]));
    assert_eq!(y, tensor([[1., 2.], [3., 4.]]));
}
