//! A short tour of `shaped`: shapes as types, elementwise ops, reductions, a masked select, and
//! the forward and backward of an affine map `Y = X·W + b`. Run: `cargo run --example tour`.

use shaped::prelude::*;

fn main() {
    // Shapes are types. Array literals infer them; typenum dims name them.
    let x = tensor([[2., 4.], [2., 1.], [4., 3.]]); // (3, 2): a batch of 3 samples, 2 features
    let w: Tensor2<f64, U2, U3> = tensor([[1., 2., 3.], [1., 4., 6.]]); // (2, 3)
    let b = Tensor1::<f64, U3>::full(2.0);
    println!("x = {x:?}\nw = {w:?}\nb = {b:?}");

    // Elementwise ops: operators on references, or named methods; in place with `+=`, `axpy`.
    let twice = &x * 2.0;
    let mut z = x.hadamard(&x);
    z += &twice;
    println!("x⊙x + 2x = {z:?}");

    // Forward: (3, 2)·(2, 3) -> (3, 3), then the bias broadcast over the batch.
    let mut y = x.matmul(&w);
    y.add_row(&b);
    println!("y = x·w + b = {y:?}");
    assert_eq!(y, tensor([[8., 22., 32.], [5., 10., 14.], [9., 22., 32.]]));

    // Reductions.
    println!(
        "sum {}, mean {}, max {}, argmax per row {:?}",
        y.sum(),
        y.mean(),
        y.max(),
        y.argmax_rows()
    );

    // Masks: keep the entries above 20, clamp the others to 20.
    let big = y.gt(20.0);
    let clamped = Tensor::select(&big, &y, &Tensor2::<f64, U3, U3>::full(20.0));
    println!("y > 20: {big:?} ({} true)", big.count_true());
    println!("max(y, 20) = {clamped:?}");

    // Backward for an upstream gradient dY. The types force each result's shape:
    // dW = Xᵀ·dY comes out (2, 3), exactly W's shape.
    let dy = tensor([[1., 0., -1.], [2., 1., 0.], [0., 1., 1.]]);
    let dw: Tensor2<f64, U2, U3> = x.t_matmul(&dy);
    let dx: Tensor2<f64, U3, U2> = dy.matmul_t(&w);
    let db: Tensor1<f64, U3> = dy.sum_rows();
    println!("dW = xᵀ·dy = {dw:?}\ndX = dy·wᵀ = {dx:?}\ndb = Σ rows dy = {db:?}");
    assert_eq!(dw, tensor([[6., 6., 2.], [6., 4., -1.]]));
    assert_eq!(dx, tensor([[-2., -5.], [4., 6.], [5., 10.]]));
    assert_eq!(db, tensor([3., 2., 0.]));

    // One SGD step, in place: w -= 0.1·dW.
    let mut w = w;
    w.axpy(-0.1, &dw);
    println!("w after one step = {w:?}");

    // Reshape is checked by element count and costs nothing: (3, 3) seen as (9,).
    let flat: &Tensor1<f64, U9> = y.reshape_ref();
    println!("y flattened = {flat:?}");
    // `let bad: &Tensor1<f64, U8> = y.reshape_ref();` fails to compile with
    // "shape error (reshape element count): the new shape holds 8 elements, the tensor has 9".
}
