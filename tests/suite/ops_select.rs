//! Masks, comparisons and selection on floats, integers and bools.

use shaped::prelude::*;

#[test]
fn scalar_comparisons() {
    let x = tensor([[1, 2, 3], [4, 3, 2]]);
    assert_eq!(x.gt(2), tensor([[false, false, true], [true, true, false]]));
    assert_eq!(x.ge(3), tensor([[false, false, true], [true, true, false]]));
    assert_eq!(
        x.lt(2),
        tensor([[true, false, false], [false, false, false]])
    );
    assert_eq!(x.le(2), tensor([[true, true, false], [false, false, true]]));
    assert_eq!(
        x.eq(3),
        tensor([[false, false, true], [false, true, false]])
    );
}

#[test]
fn tensor_comparisons() {
    let a = tensor([1.0, 2.0, 3.0, f64::NAN]);
    let b = tensor([2.0, 2.0, 1.0, 0.0]);
    assert_eq!(a.gt_tensor(&b), tensor([false, false, true, false]));
    assert_eq!(a.ge_tensor(&b), tensor([false, true, true, false]));
    assert_eq!(a.lt_tensor(&b), tensor([true, false, false, false]));
    assert_eq!(a.le_tensor(&b), tensor([true, true, false, false]));
    assert_eq!(a.eq_tensor(&b), tensor([false, true, false, false]));
    // Comparisons with NaN are all false.
    assert!(!tensor([f64::NAN]).eq(f64::NAN).any());
}

#[test]
fn mask_logic_and_counts() {
    let a = tensor([[true, true], [false, false]]);
    let b = tensor([[true, false], [true, false]]);
    assert_eq!(a.and(&b), tensor([[true, false], [false, false]]));
    assert_eq!(a.or(&b), tensor([[true, true], [true, false]]));
    assert_eq!(a.not(), tensor([[false, false], [true, true]]));
    assert_eq!(&a & &b, a.and(&b));
    assert_eq!(&a | &b, a.or(&b));
    assert_eq!(!&a, a.not());
    assert_eq!(!a.clone(), a.not());
    assert_eq!(a.count_true(), 2);
    assert_eq!(a.and(&b).count_true(), 1);
    assert!(a.any() && !a.all());
    assert!(Tensor1::<bool, U3>::full(true).all());
    assert!(!Tensor1::<bool, U3>::full(false).any());
}

#[test]
fn select_picks_per_element() {
    let mask = tensor([[true, false, true], [false, false, true]]);
    let t = tensor([[1, 2, 3], [4, 5, 6]]);
    let f = tensor([[-1, -2, -3], [-4, -5, -6]]);
    assert_eq!(
        Tensor::select(&mask, &t, &f),
        tensor([[1, -2, 3], [-4, -5, 6]])
    );
    let mut inplace = f.clone();
    inplace.masked_copy(&mask, &t);
    assert_eq!(inplace, tensor([[1, -2, 3], [-4, -5, 6]]));
}

#[test]
fn masked_fill_and_relu_backward() {
    let z = tensor([[-1.0, 0.5], [2.0, -0.1]]);
    let mut relu = z.clone();
    relu.masked_fill(&z.lt(0.0), 0.0);
    assert_eq!(relu, tensor([[0.0, 0.5], [2.0, 0.0]]));
    // ReLU backward: dX = dY where Z > 0, else 0.
    let dy = tensor([[10.0, 20.0], [30.0, 40.0]]);
    let mut dx = dy.clone();
    dx.masked_fill(&z.gt(0.0).not(), 0.0);
    assert_eq!(dx, tensor([[0.0, 20.0], [30.0, 0.0]]));
}

#[test]
fn bool_tensors_select_too() {
    let mask = tensor([true, false]);
    let out = Tensor::select(&mask, &tensor([false, false]), &tensor([true, true]));
    assert_eq!(out, tensor([false, true]));
}

#[test]
fn accuracy_from_argmax() {
    let logits = tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    let labels = tensor([1usize, 1, 1]);
    assert_eq!(logits.argmax_rows().eq_tensor(&labels).count_true(), 2);
}

/// Masks in generic code: no bounds beyond `Shape`.
fn clamp_negative<S: Shape>(x: &mut Tensor<f32, S>) -> usize {
    let neg = x.lt(0.0);
    x.masked_fill(&neg, 0.0);
    neg.count_true()
}

#[test]
fn generic_masks() {
    let mut x = tensor([[-1.0f32, 2.0], [-3.0, 4.0]]);
    assert_eq!(clamp_negative(&mut x), 2);
    assert_eq!(x, tensor([[0.0, 2.0], [0.0, 4.0]]));
}
