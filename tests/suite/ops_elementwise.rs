//! Elementwise arithmetic: every operator form and named method against hand-computed values,
//! and a naive index loop for a rank-3 case.

use shaped::prelude::*;

fn a() -> Tensor2<f64, U2, U3> {
    tensor([[1., 2., 3.], [4., 5., 6.]])
}
fn b() -> Tensor2<f64, U2, U3> {
    tensor([[0.5, -1., 2.], [8., 0.25, -3.]])
}

#[test]
fn tensor_operators_on_references() {
    assert_eq!(&a() + &b(), tensor([[1.5, 1., 5.], [12., 5.25, 3.]]));
    assert_eq!(&a() - &b(), tensor([[0.5, 3., 1.], [-4., 4.75, 9.]]));
    assert_eq!(&a() * &b(), tensor([[0.5, -2., 6.], [32., 1.25, -18.]]));
    assert_eq!(&a() / &b(), tensor([[2., -2., 1.5], [0.5, 20., -2.]]));
}

#[test]
fn owned_left_operand_gives_the_same_values() {
    assert_eq!(a() + &b(), &a() + &b());
    assert_eq!(a() - &b(), &a() - &b());
    assert_eq!(a() * &b(), &a() * &b());
    assert_eq!(a() / &b(), &a() / &b());
}

#[test]
fn compound_assignment_with_tensors() {
    let mut x = a();
    x += &b();
    assert_eq!(x, tensor([[1.5, 1., 5.], [12., 5.25, 3.]]));
    x -= &b();
    assert_eq!(x, a());
    x *= &b();
    assert_eq!(x, tensor([[0.5, -2., 6.], [32., 1.25, -18.]]));
    x /= &b();
    assert_eq!(x, a());
}

#[test]
fn scalar_operators() {
    assert_eq!(&a() + 1.0, tensor([[2., 3., 4.], [5., 6., 7.]]));
    assert_eq!(&a() - 1.0, tensor([[0., 1., 2.], [3., 4., 5.]]));
    assert_eq!(&a() * 2.0, tensor([[2., 4., 6.], [8., 10., 12.]]));
    assert_eq!(&a() / 4.0, tensor([[0.25, 0.5, 0.75], [1., 1.25, 1.5]]));
    assert_eq!(a() * 2.0, &a() * 2.0);
    let mut x = a();
    x *= 0.5;
    x += 1.0;
    x -= 0.5;
    x /= 2.0;
    // ((v / 2) + 0.5) / 2 = v/4 + 0.25
    assert_eq!(x, tensor([[0.5, 0.75, 1.], [1.25, 1.5, 1.75]]));
}

#[test]
fn negation() {
    assert_eq!(-&a(), tensor([[-1., -2., -3.], [-4., -5., -6.]]));
    assert_eq!(-tensor([1i32, -2]), tensor([-1, 2]));
}

#[test]
fn named_methods_match_hand_values() {
    assert_eq!(
        a().add_tensor(&b()),
        tensor([[1.5, 1., 5.], [12., 5.25, 3.]])
    );
    assert_eq!(
        a().sub_tensor(&b()),
        tensor([[0.5, 3., 1.], [-4., 4.75, 9.]])
    );
    assert_eq!(
        a().hadamard(&b()),
        tensor([[0.5, -2., 6.], [32., 1.25, -18.]])
    );
    assert_eq!(
        a().div_tensor(&b()),
        tensor([[2., -2., 1.5], [0.5, 20., -2.]])
    );

    let mut x = a();
    x.hadamard_assign(&b());
    assert_eq!(x, tensor([[0.5, -2., 6.], [32., 1.25, -18.]]));
    x.div_tensor_assign(&b());
    assert_eq!(x, a());
    x.add_tensor_assign(&a());
    assert_eq!(x, tensor([[2., 4., 6.], [8., 10., 12.]]));
    x.sub_tensor_assign(&a());
    assert_eq!(x, a());
}

#[test]
fn axpy_and_axpby() {
    let mut w = a();
    w.axpy(-2.0, &b());
    assert_eq!(w, tensor([[0., 4., -1.], [-12., 4.5, 12.]]));
    let mut v = a();
    v.axpby(0.5, 2.0, &b());
    assert_eq!(v, tensor([[1.5, -1., 5.5], [18., 3., -3.]]));
}

#[test]
fn integers() {
    let x = tensor([[7i32, -3], [10, 0]]);
    let y = tensor([[2i32, 2], [-3, 5]]);
    assert_eq!(&x + &y, tensor([[9, -1], [7, 5]]));
    assert_eq!(&x - &y, tensor([[5, -5], [13, -5]]));
    assert_eq!(&x * &y, tensor([[14, -6], [-30, 0]]));
    // Integer division truncates toward zero.
    assert_eq!(&x / &y, tensor([[3, -1], [-3, 0]]));
    assert_eq!(&x * 3, tensor([[21, -9], [30, 0]]));
    let mut u = tensor([1u8, 2, 3]);
    u *= 2;
    u += &tensor([1u8, 1, 1]);
    assert_eq!(u, tensor([3, 5, 7]));
}

#[test]
#[should_panic]
fn integer_division_by_zero_panics_as_documented() {
    let _ = &tensor([1i32, 2]) / &tensor([1i32, 0]);
}

#[test]
fn rank_three_against_naive_loop() {
    let x = Tensor3::<f32, U2, U3, U4>::from_fn(|[i, j, k]| (i * 12 + j * 4 + k) as f32 - 7.5);
    let y = Tensor3::<f32, U2, U3, U4>::from_fn(|[i, j, k]| 1.0 + (i + 2 * j + 3 * k) as f32);
    let sum = &x + &y;
    let prod = &x * &y;
    let mut acc = x.clone();
    acc.axpy(3.0, &y);
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..4 {
                let (xv, yv) = (x[[i, j, k]], y[[i, j, k]]);
                assert_eq!(sum[[i, j, k]], xv + yv);
                assert_eq!(prod[[i, j, k]], xv * yv);
                assert_eq!(acc[[i, j, k]], xv + 3.0 * yv);
            }
        }
    }
}

/// Generic code over any shape uses operators and named forms with no where-clause beyond `Shape`.
fn sgd_step<S: Shape>(w: &mut Tensor<f64, S>, g: &Tensor<f64, S>, lr: f64) -> Tensor<f64, S> {
    w.axpy(-lr, g);
    let mut v = &*w * g;
    v += g;
    v.hadamard(w)
}

#[test]
fn generic_shape_code_needs_no_bounds() {
    let mut w = tensor([1.0, 2.0]);
    let v = sgd_step(&mut w, &tensor([2.0, -2.0]), 0.5);
    assert_eq!(w, tensor([0.0, 3.0]));
    // (w*g + g) ⊙ w = [0*2+2, 3*-2-2] ⊙ [0, 3] = [0, -24]
    assert_eq!(v, tensor([0.0, -24.0]));
}
