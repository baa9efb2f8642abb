//! Reshape and flatten: zero-copy views keep the row-major order; counts are checked by types.

use shaped::prelude::*;

#[test]
fn reshape_ref_is_row_major_and_zero_copy() {
    let x = tensor([[1, 2, 3], [4, 5, 6]]);
    let y: &Tensor2<i32, U3, U2> = x.reshape_ref();
    assert_eq!(y, &tensor([[1, 2], [3, 4], [5, 6]]));
    assert_eq!(y.as_slice().as_ptr(), x.as_slice().as_ptr());
    let v: &Tensor1<i32, U6> = x.reshape_ref();
    assert_eq!(v.as_slice(), &[1, 2, 3, 4, 5, 6]);
    let c: &Tensor3<i32, U1, U2, U3> = v.reshape_ref();
    assert_eq!(c[[0, 1, 2]], 6);
}

#[test]
fn reshape_mut_writes_through() {
    let mut x = Tensor2::<f32, U2, U6>::zeros();
    let r = x.reshape_mut::<(U3, U2, U2)>();
    r[[2, 1, 0]] = 7.0; // flat index 2*4 + 1*2 + 0 = 10 -> row 1, column 4
    assert_eq!(x[[1, 4]], 7.0);
}

#[test]
fn reshape_by_value_copies() {
    let x = tensor([1u8, 2, 3, 4]);
    let mut y = x.reshape::<(U2, U2)>();
    y[[0, 0]] = 9;
    assert_eq!(x, tensor([1, 2, 3, 4]));
    assert_eq!(y, tensor([[9, 2], [3, 4]]));
}

#[test]
fn reshape_boxed_keeps_the_allocation() {
    let b = Tensor2::<f64, U4, U8>::boxed_from_flat_fn(|i| i as f64);
    let p = b.as_slice().as_ptr();
    let r = b.reshape_boxed::<(U2, U4, U4)>();
    assert_eq!(r.as_slice().as_ptr(), p);
    assert_eq!(r[[1, 3, 2]], 30.0);
}

#[test]
fn flatten_rank_three_and_four() {
    let x = tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    let f: &Tensor2<i32, U2, U6> = x.flatten();
    assert_eq!(f.outer(0), &[1, 2, 3, 4, 5, 6]);
    assert_eq!(f.outer(1), &[7, 8, 9, 10, 11, 12]);

    let mut img = Tensor4::<f32, U2, U3, U4, U5>::from_fn(|[n, c, h, w]| {
        (n * 1000 + c * 100 + h * 10 + w) as f32
    });
    let flat: &Tensor2<f32, U2, U60> = img.flatten();
    // Row n, column c·20 + h·5 + w.
    assert_eq!(flat[[1, 2 * 20 + 3 * 5 + 4]], 1234.0);
    img.flatten_mut()[[0, 25]] = -1.0; // c = 1, h = 1, w = 0
    assert_eq!(img[[0, 1, 1, 0]], -1.0);
}

#[test]
fn flatten_dims_beyond_the_typenum_names() {
    // LeNet: 16·5·5 = 400; a 6·14·14 = 1176 volume has no typenum name.
    let x = Tensor4::<f32, U1, U6, U14, U14>::zeros();
    let f: &Tensor<f32, (U1, Prod3<U6, U14, U14>)> = x.flatten();
    assert_eq!(f.as_slice().len(), 1176);
}

/// Generic flatten: one bound, `C: Volume<H, W>`, and the result names `Prod3<C, H, W>`.
fn flatten_then_sum_rows<B: Dim, C, H: Dim, W: Dim>(
    x: &Tensor4<f64, B, C, H, W>,
) -> Tensor1<f64, Prod3<C, H, W>>
where
    C: shaped::ops::reshape::Volume<H, W>,
{
    x.flatten().sum_rows()
}

#[test]
fn generic_flatten() {
    let x = Tensor4::<f64, U2, U1, U2, U2>::from_flat_fn(|i| i as f64);
    assert_eq!(flatten_then_sum_rows(&x), tensor([4., 6., 8., 10.]));
}
