//! A first program with nothing but the prelude imported: build, initialise, evaluate, train one
//! step. A name missing from the prelude fails to compile here.

use shaped::prelude::*;

type Mlp = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
type X = Tensor2<f32, U2, U4>;

fn input() -> X {
    tensor([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -1.0, 0.5]])
}

#[test]
fn init_and_infer() {
    let mut model = Mlp::zeroed();
    model.init(Scheme::HeUniform, &mut Rng::new(1));
    let x = input();
    let mut scratch = <Mlp as Infer<X>>::Scratch::zeroed();
    let mut y = Tensor2::<f32, U2, U3>::zeros();
    model.infer(&x, &mut scratch, &mut y);
    assert!(y.iter().all(|v| v.is_finite()));
    assert_ne!(y, Tensor2::zeros(), "an initialised model is not all zero");
    assert_eq!(model.apply(&x), y);
}

#[test]
fn one_training_step_lowers_the_loss() {
    let mut model = Mlp::zeroed();
    model.init(Scheme::HeUniform, &mut Rng::new(2));
    let (x, labels) = (input(), tensor([2usize, 0]));
    let mut grads = Grads::<Mlp>::zeroed();
    let mut cache = <Mlp as Train<X>>::Cache::zeroed();
    let mut opt = Sgd::new().lr(0.1);
    let (mut logits, mut dlogits) = (Tensor2::zeros(), Tensor2::zeros());
    let ctx = Ctx::train(3);
    assert_eq!(ctx.mode(), Mode::Train);
    model.forward(&x, ctx, &mut cache, &mut logits);
    let before = SoftmaxCrossEntropy.loss_and_grad(&logits, &labels, &mut dlogits);
    grads.zero();
    model.backward(&x, &mut cache, &dlogits, None, Some(&mut grads));
    opt.step(&mut model, &grads);
    let after = SoftmaxCrossEntropy.loss(&model.apply(&x), &labels);
    assert!(after < before, "{after} >= {before}");
    let _: Adam<f32, Grads<Mlp>> = Adam::zeroed();
    let _ = Mse::default();
}
