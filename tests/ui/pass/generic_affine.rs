// Generic code over dims needs no where-clauses: the checks hold for any dim against itself.
use shaped::nn::{Ctx, Infer, Linear, Train};
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
    Infer::infer(model, x, &mut work, y);
    model.infer(x, &mut work, y);
}

fn two_layers_train<B: Dim, I: Dim, H: Dim, O: Dim>(
    model: &mut (Linear<f32, I, H>, Linear<f32, H, O>),
    x: &Tensor2<f32, B, I>,
    y: &mut Tensor2<f32, B, O>,
) {
    let mut cache = shaped::Zeroable::zeroed();
    model.forward(x, Ctx::train(0), &mut cache, y);
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
    // A boxed input through the method-call form: rustc still infers the input from the first
    // layer and derefs the box.
    let xb = shaped::boxed_zeroed::<Tensor2<f32, U5, U4>>();
    out.fill(1.0);
    model.infer(&xb, &mut shaped::Zeroable::zeroed(), &mut out);
    assert_eq!(out, Tensor::zeros());
    assert_eq!(model.apply(&xb), Tensor::zeros());
    let mut model = model;
    out.fill(1.0);
    two_layers_train::<U5, U4, U8, U3>(&mut model, &Tensor::ones(), &mut out);
    assert_eq!(out, Tensor::zeros());
}
