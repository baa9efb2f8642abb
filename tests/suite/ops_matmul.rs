//! The matmul family and the affine map `Y = X·W + b` with its backward, on the seed-002 numbers
//! (checked by hand) and against central differences in f64.

use shaped::prelude::*;
use shaped::rand::Rng;

type X = Tensor2<f64, U3, U2>;
type W = Tensor2<f64, U2, U3>;

/// Seed-002 numbers: X (B=3, I=2), W (I=2, O=3), b = 2.
fn seed() -> (X, W, Tensor1<f64, U3>) {
    let x = tensor([[2., 4.], [2., 1.], [4., 3.]]);
    let w = tensor([[1., 2., 3.], [1., 4., 6.]]);
    (x, w, Tensor::full(2.0))
}

#[test]
fn seed_002_forward() {
    let (x, w, b) = seed();
    let y = x.matmul(&w).plus_row(&b);
    assert_eq!(y, tensor([[8., 22., 32.], [5., 10., 14.], [9., 22., 32.]]));
    // The in-place path gives the same.
    let mut y2 = Tensor2::<f64, U3, U3>::zeros();
    x.matmul_into(&w, &mut y2);
    y2.add_row(&b);
    assert_eq!(y2, y);
}

#[test]
fn seed_002_backward_by_hand() {
    let (x, w, _) = seed();
    let dy = tensor([[1., 0., -1.], [2., 1., 0.], [0., 1., 1.]]);
    // dW = Xᵀ·dY, typed as W's shape (2, 3):
    //   row 0 = 2·[1,0,-1] + 2·[2,1,0] + 4·[0,1,1] = [6, 6, 2]
    //   row 1 = 4·[1,0,-1] + 1·[2,1,0] + 3·[0,1,1] = [6, 4, -1]
    let dw: Tensor2<f64, U2, U3> = x.t_matmul(&dy);
    assert_eq!(dw, tensor([[6., 6., 2.], [6., 4., -1.]]));
    // dX = dY·Wᵀ, X's shape (3, 2): dX[i][k] = Σⱼ dY[i][j]·W[k][j]
    //   [1·1 − 3, 1·1 − 6] = [-2, -5]; [2 + 2, 2 + 4] = [4, 6]; [2 + 3, 4 + 6] = [5, 10]
    let dx: Tensor2<f64, U3, U2> = dy.matmul_t(&w);
    assert_eq!(dx, tensor([[-2., -5.], [4., 6.], [5., 10.]]));
    // db = Σ rows of dY
    let db: Tensor1<f64, U3> = dy.sum_rows();
    assert_eq!(db, tensor([3., 2., 0.]));
}

/// The forward and backward of an affine map for any dims, with no where-clause beyond the dims:
/// returns `(Y, dW, dX, db)`; the gradients are accumulated into zeroed buffers as a layer would.
#[allow(clippy::type_complexity)]
fn affine<B: Dim, I: Dim, O: Dim>(
    x: &Tensor2<f64, B, I>,
    w: &Tensor2<f64, I, O>,
    b: &Tensor1<f64, O>,
    dy: &Tensor2<f64, B, O>,
) -> (
    Tensor2<f64, B, O>,
    Tensor2<f64, I, O>,
    Tensor2<f64, B, I>,
    Tensor1<f64, O>,
) {
    let mut y = x.matmul(w);
    y.add_row(b);
    let (mut dw, mut dx, mut db) = (Tensor::zeros(), Tensor::zeros(), Tensor::zeros());
    x.t_matmul_acc(dy, &mut dw);
    dy.matmul_t_into(w, &mut dx);
    dy.sum_rows_acc(&mut db);
    (y, dw, dx, db)
}

#[test]
fn generic_affine_on_seed_002() {
    let (x, w, b) = seed();
    let dy = tensor([[1., 0., -1.], [2., 1., 0.], [0., 1., 1.]]);
    let (y, dw, dx, db) = affine(&x, &w, &b, &dy);
    assert_eq!(y, tensor([[8., 22., 32.], [5., 10., 14.], [9., 22., 32.]]));
    assert_eq!(dw, tensor([[6., 6., 2.], [6., 4., -1.]]));
    assert_eq!(dx, tensor([[-2., -5.], [4., 6.], [5., 10.]]));
    assert_eq!(db, tensor([3., 2., 0.]));
}

/// `L = Σ dY ⊙ affine(x, w, b)`, whose gradients are exactly the backward products.
fn loss<B: Dim, I: Dim, O: Dim>(
    x: &Tensor2<f64, B, I>,
    w: &Tensor2<f64, I, O>,
    b: &Tensor1<f64, O>,
    dy: &Tensor2<f64, B, O>,
) -> f64 {
    x.matmul(w).plus_row(b).hadamard(dy).sum()
}

/// Central difference of `f` in each element of `p`, compared with `analytic`.
fn check_grad<S: Shape>(
    p: &mut Tensor<f64, S>,
    analytic: &Tensor<f64, S>,
    mut f: impl FnMut(&Tensor<f64, S>) -> f64,
) {
    let h = 1e-6;
    for i in 0..S::NUMEL {
        let orig = p.as_slice()[i];
        p.as_mut_slice()[i] = orig + h;
        let up = f(p);
        p.as_mut_slice()[i] = orig - h;
        let down = f(p);
        p.as_mut_slice()[i] = orig;
        let numeric = (up - down) / (2.0 * h);
        let a = analytic.as_slice()[i];
        assert!(
            (numeric - a).abs() <= 1e-6 * (1.0 + a.abs()),
            "element {i}: numeric {numeric}, analytic {a}"
        );
    }
}

#[test]
fn affine_backward_matches_central_differences() {
    let mut rng = Rng::new(2);
    let mut x = Tensor2::<f64, U5, U4>::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let mut w = Tensor2::<f64, U4, U3>::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let mut b = Tensor1::<f64, U3>::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let dy = Tensor2::<f64, U5, U3>::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    let (_, dw, dx, db) = affine(&x, &w, &b, &dy);
    let (x0, w0, b0) = (x.clone(), w.clone(), b.clone());
    check_grad(&mut x, &dx, |x| loss(x, &w0, &b0, &dy));
    check_grad(&mut w, &dw, |w| loss(&x0, w, &b0, &dy));
    check_grad(&mut b, &db, |b| loss(&x0, &w0, b, &dy));
}

/// `C = A·B` by the textbook triple loop.
fn naive<const M: usize, const K: usize, const N: usize>(a: &[i64], b: &[i64]) -> [[i64; N]; M] {
    let mut c = [[0; N]; M];
    for (i, row) in c.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..K).map(|p| a[i * K + p] * b[p * N + j]).sum();
        }
    }
    c
}

#[test]
fn matmul_family_against_naive_loops() {
    let a = Tensor2::<i64, U4, U5>::from_fn(|[i, j]| (i as i64 * 3 - j as i64) % 4);
    let b = Tensor2::<i64, U5, U3>::from_fn(|[i, j]| (i as i64 + 2 * j as i64) - 3);
    let expected = tensor(naive::<4, 5, 3>(a.as_slice(), b.as_slice()));
    assert_eq!(a.matmul(&b), expected);
    assert_eq!(a.t().t_matmul(&b), expected);
    assert_eq!(a.matmul_t(&b.t()), expected);

    let mut out = Tensor2::<i64, U4, U3>::full(99);
    a.matmul_into(&b, &mut out);
    assert_eq!(out, expected);
    a.matmul_acc(&b, &mut out);
    assert_eq!(out, &expected * 2);
    let mut out = Tensor2::<i64, U4, U3>::full(99);
    a.matmul_t_into(&b.t(), &mut out);
    assert_eq!(out, expected);
    a.matmul_t_acc(&b.t(), &mut out);
    assert_eq!(out, &expected * 2);
    let mut out = Tensor2::<i64, U4, U3>::full(1);
    a.t().t_matmul_acc(&b, &mut out);
    assert_eq!(out, &expected + 1);

    let mut at = Tensor2::<i64, U5, U4>::zeros();
    a.t_into(&mut at);
    assert_eq!(at, a.t());
    assert_eq!(at[[4, 2]], a[[2, 4]]);
}

#[test]
fn f32_matmul_against_naive_loop() {
    let a = Tensor2::<f32, U7, U9>::from_fn(|[i, j]| (i * 9 + j) as f32 * 0.25 - 3.0);
    let b = Tensor2::<f32, U9, U6>::from_fn(|[i, j]| 1.0 - (i + j) as f32 * 0.5);
    let c = a.matmul(&b);
    for i in 0..7 {
        for j in 0..6 {
            let r: f32 = (0..9).map(|p| a[[i, p]] * b[[p, j]]).sum();
            assert!((c[[i, j]] - r).abs() <= 1e-4 * (1.0 + r.abs()), "{i},{j}");
        }
    }
}

#[test]
fn from_slice_reports_length_errors() {
    type M = Tensor2<f32, U2, U3>;
    let ok = M::from_slice(&[1., 2., 3., 4., 5., 6.]).unwrap();
    assert_eq!(ok, tensor([[1., 2., 3.], [4., 5., 6.]]));
    let short = M::from_slice(&[1., 2.]).unwrap_err();
    assert_eq!((short.expected, short.got), (6, 2));
    assert_eq!(
        short.to_string(),
        "slice has 2 elements, the tensor needs 6"
    );
    let long = M::from_slice(&[0.; 7]).unwrap_err();
    assert_eq!((long.expected, long.got), (6, 7));
    assert!(M::from_slice(&[]).is_err());
    let boxed = M::boxed_from_slice(&[0.; 5]).unwrap_err();
    assert_eq!((boxed.expected, boxed.got), (6, 5));
}
