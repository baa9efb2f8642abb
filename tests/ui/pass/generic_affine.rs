// Generic code over dims needs no where-clauses: the checks hold for any dim against itself.
use shaped::nn::{Layer, Linear};
use shaped::prelude::*;

fn affine<B: Dim, I: Dim, O: Dim>(
    x: &Tensor2<f64, B, I>,
    w: &Tensor2<f64, I, O>,
    dy: &Tensor2<f64, B, O>,
) -> (Tensor2<f64, B, O>, Tensor2<f64, I, O>, Tensor2<f64, B, I>) {
    (x.matmul(w), x.t_matmul(dy), dy.matmul_t(w))
}

fn two_layers<B: Dim, I: Dim, H: Dim, O: Dim>(
    model: &(Linear<f32, I, H>, Linear<f32, H, O>),
    x: &Tensor2<f32, B, I>,
    y: &mut Tensor2<f32, B, O>,
) {
    let mut work = shaped::Zeroable::zeroed();
    Layer::forward(model, x, &mut work, y);
}

fn main() {
    let x = tensor([[2., 4.], [2., 1.], [4., 3.]]);
    let w = tensor([[1., 2., 3.], [1., 4., 6.]]);
    let (y, dw, dx) = affine(&x, &w, &Tensor::ones());
    assert_eq!(y, tensor([[6., 20., 30.], [3., 8., 12.], [7., 20., 30.]]));
    assert_eq!(dw, tensor([[8., 8., 8.], [8., 8., 8.]]));
    assert_eq!(dx.outer(0), &[6., 11.]);

    let model = shaped::Zeroable::zeroed();
    let mut out = Tensor2::<f32, U5, U3>::full(1.0);
    two_layers::<U5, U4, U8, U3>(&model, &Tensor::ones(), &mut out);
    assert_eq!(out, Tensor::zeros());
}
