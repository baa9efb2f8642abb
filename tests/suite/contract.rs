//! The layer contract: inference apart from training, memory constants against the real buffers,
//! frozen layers (no gradients, no optimizer state, dX passed through), modes and per-layer
//! random streams, named parameters.

use shaped::init::Scheme;
use shaped::mem;
use shaped::nn::{
    BatchNorm2d, Ctx, Dropout, Grads, Kind, Loss, Module, Name, SoftmaxCrossEntropy, Values,
};
use shaped::optim::{Adam, Optimizer};
use shaped::prelude::*;
use shaped::rand::Rng;

type Features = (
    Conv2d<f32, U1, U6, U5, U1, U2>,
    ReLU,
    MaxPool2d<U2>,
    Conv2d<f32, U6, U16, U5>,
    ReLU,
    MaxPool2d<U2>,
    Flatten,
);
type Head = (
    Linear<f32, U400, U120>,
    ReLU,
    Linear<f32, U120, U84>,
    ReLU,
    Linear<f32, U84, U10>,
);
type LeNet = (Features, Head);
type X1 = Tensor4<f32, U1, U1, U28, U28>;

/// Bytes of a `(1, ..)` f32 activation with `n` values per sample.
const fn act(n: usize) -> usize {
    4 * n
}

#[test]
fn lenet_batch1_inference_scratch_is_the_largest_pair_plus_layer_scratch() {
    // LeNet-5's activations at batch 1 (values): conv1 4704, relu 4704, pool 1176, conv2 1600,
    // relu 1600, pool 400, flatten 400 | linear 120, relu 120, linear 84, relu 84, (logits 10).
    let features_pair = act(4704 + 4704); // conv1 and its ReLU
    // The largest layer scratch: conv1's column matrix (25 × 784) and padded sample (32 × 32).
    let conv1_scratch = act(25 * 784 + 32 * 32);
    let conv2_scratch = act(150 * 100 + 6 * 14 * 14);
    assert!(conv1_scratch > conv2_scratch);
    let features = size_of::<<Features as Infer<X1>>::Scratch>();
    assert_eq!(features, features_pair + conv1_scratch);
    // The whole model: the features' scratch, the features' output and the head's first
    // activation are alive together at most; the head's own scratch is one pair (120 + 120).
    let head_x = act(400);
    let lenet = size_of::<<LeNet as Infer<X1>>::Scratch>();
    let bound = head_x + act(120 + 120) + features.max(act(120 + 120));
    assert!(lenet <= bound, "{lenet} > {bound}");
    // Training at batch 1 keeps every activation and a gradient buffer: much more.
    let train = size_of::<<LeNet as Train<X1>>::Cache>();
    println!(
        "LeNet-5 b1: inference scratch {lenet} B, training cache {train} B, features pair {features_pair} B"
    );
    assert!(train > 2 * lenet - conv1_scratch);
}

/// LeNet-5 as one flat chain of 12 layers.
type LeNetFlat = (
    Conv2d<f32, U1, U6, U5, U1, U2>,
    ReLU,
    MaxPool2d<U2>,
    Conv2d<f32, U6, U16, U5>,
    ReLU,
    MaxPool2d<U2>,
    Flatten,
    Linear<f32, U400, U120>,
    ReLU,
    Linear<f32, U120, U84>,
    ReLU,
    Linear<f32, U84, U10>,
);

#[test]
fn flat_lenet_inference_scratch_is_exactly_the_largest_pair_plus_the_largest_layer_scratch() {
    let largest_pair = act(4704 + 4704);
    let largest_layer_scratch = act(25 * 784 + 32 * 32);
    let scratch = size_of::<<LeNetFlat as Infer<X1>>::Scratch>();
    assert_eq!(scratch, largest_pair + largest_layer_scratch);
    // Nesting (features, head) keeps the activation between the two sub-chains as well.
    let nested = size_of::<<LeNet as Infer<X1>>::Scratch>();
    assert_eq!(nested, scratch + act(400));
    // Both compute the same function.
    let mut flat = LeNetFlat::zeroed();
    flat.init(Scheme::HeUniform, &mut Rng::new(4));
    let mut nested_model = LeNet::zeroed();
    let mut values = Vec::new();
    flat.params(&mut |p| values.extend_from_slice(p));
    let mut at = 0;
    nested_model.params_mut(&mut |p| {
        p.copy_from_slice(&values[at..at + p.len()]);
        at += p.len();
    });
    let x = X1::from_flat_fn(|i| ((i * 37) % 101) as f32 / 101.0);
    assert_eq!(*flat.infer_boxed(&x), *nested_model.infer_boxed(&x));
    println!("LeNet-5 b1 inference scratch: flat {scratch} B, nested {nested} B");
}

#[test]
fn memory_constants_are_the_sizes_of_the_real_buffers() {
    type Mlp = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
    type X = Tensor2<f32, U2, U4>;
    type Opt = Adam<f32, Grads<Mlp>>;
    let model = Mlp::zeroed();
    let (x, y) = (X::zeroed(), Tensor2::<f32, U2, U3>::zeroed());
    let scratch = <Mlp as Infer<X>>::Scratch::zeroed();
    assert_eq!(
        mem::infer_bytes::<Mlp, X>(),
        size_of_val(&x) + size_of_val(&scratch) + size_of_val(&y)
    );
    let (grads, cache) = (Grads::<Mlp>::zeroed(), <Mlp as Train<X>>::Cache::zeroed());
    let opt: Opt = Adam::zeroed();
    let (m, v) = opt.moments();
    assert_eq!(
        mem::train_bytes::<f32, Mlp, X, Opt>(),
        size_of_val(&model)
            + size_of_val(&grads)
            + size_of_val(m)
            + size_of_val(v)
            + size_of_val(&cache)
            + size_of_val(&x)
            + 2 * size_of_val(&y)
    );
}

#[test]
fn freezing_the_features_shrinks_gradients_and_adam_state_to_the_head() {
    type Tuned = (Frozen<Features>, Head);
    type X = Tensor4<f32, U32, U1, U28, U28>;
    assert_eq!(size_of::<Grads<Tuned>>(), size_of::<Grads<Head>>());
    assert_eq!(
        <Tuned as Params<f32>>::PARAMS,
        <Head as Params<f32>>::PARAMS
    );
    assert_eq!(
        <Tuned as Params<f32>>::STORED,
        <LeNet as Params<f32>>::STORED
    );
    let full = mem::train_bytes::<f32, LeNet, X, Adam<f32, Grads<LeNet>>>();
    let tuned = mem::train_bytes::<f32, Tuned, X, Adam<f32, Grads<Tuned>>>();
    // Gradients plus two Adam moments: three copies of the features' parameters saved.
    let features = 4 * <Features as Params<f32>>::PARAMS;
    assert_eq!(full - tuned, 3 * features);
    println!(
        "train bytes at batch 32 with Adam: full {full}, frozen features {tuned}; gradient + Adam state {} -> {} B",
        3 * size_of::<Grads<LeNet>>(),
        3 * size_of::<Grads<Tuned>>()
    );
}

#[test]
fn a_model_is_trainable_when_any_part_is() {
    fn trainable<M: Module>() -> bool {
        M::TRAINABLE
    }
    assert!(trainable::<Head>());
    assert!(!trainable::<Frozen<Head>>());
    assert!(!trainable::<(ReLU, Flatten)>(), "no parameters at all");
    assert!(trainable::<(Frozen<Features>, Head)>());
    assert!(trainable::<(Head, Frozen<Features>)>());
    assert!(!trainable::<(Frozen<Features>, Frozen<Head>)>());
    assert!(
        trainable::<((ReLU, Frozen<Head>), (Flatten, Head))>(),
        "nested"
    );
    // Structs: by their `#[param]` fields, else by their sub-models.
    assert!(trainable::<Tuned>());
    assert!(!trainable::<AllFrozen>());
    assert!(!trainable::<Stateless>());
}

#[derive(shaped::Params, shaped::Zeroable)]
struct Tuned {
    features: Frozen<Features>,
    head: Head,
}

#[derive(shaped::Params, shaped::Zeroable)]
struct AllFrozen {
    features: Frozen<Features>,
    head: Frozen<Head>,
}

#[derive(shaped::Params, shaped::Zeroable)]
struct Stateless {
    act: ReLU,
}

type Small = (Linear<f64, U3, U4>, Tanh, Linear<f64, U4, U2>);
type SmallX = Tensor2<f64, U5, U3>;

fn small() -> Small {
    let mut m = Small::zeroed();
    m.init(Scheme::XavierUniform, &mut Rng::new(11));
    m
}

fn backward_of<M: Train<SmallX, Output = Tensor2<f64, U5, U2>> + Params<f64>>(
    model: &mut M,
    x: &SmallX,
) -> (Grads<M>, SmallX) {
    let (mut cache, mut y) = (M::Cache::zeroed(), Tensor2::<f64, U5, U2>::zeroed());
    let (mut grads, mut dx) = (Grads::<M>::zeroed(), SmallX::zeroed());
    model.forward(x, Ctx::train(0), &mut cache, &mut y);
    let dy = Tensor2::from_flat_fn(|i| (i as f64 * 0.37).sin());
    model.backward(x, &mut cache, &dy, Some(&mut dx), Some(&mut grads));
    (grads, dx)
}

#[test]
fn a_frozen_layer_passes_dx_to_the_trainable_layer_below() {
    let x = SmallX::from_flat_fn(|i| (i as f64 * 0.21).cos());
    let mut plain = small();
    let (g_plain, dx_plain) = backward_of(&mut plain, &x);
    let m = small();
    let mut frozen_top = (m.0, m.1, Frozen(m.2));
    let (g_frozen, dx_frozen) = backward_of(&mut frozen_top, &x);
    assert_eq!(
        g_frozen.0.weight, g_plain.0.weight,
        "the layer below still learns"
    );
    assert_eq!(g_frozen.0.bias, g_plain.0.bias);
    assert_eq!(
        size_of_val(&g_frozen.2),
        0,
        "no gradient storage for the frozen layer"
    );
    assert_eq!(dx_frozen, dx_plain);
    // An optimizer step leaves the frozen layer exactly as it was.
    let before = frozen_top.2.0.weight.clone();
    let mut adam =
        Adam::<f64, Grads<(Linear<f64, U3, U4>, Tanh, Frozen<Linear<f64, U4, U2>>)>>::zeroed();
    adam.step(&mut frozen_top, &g_frozen);
    assert_eq!(frozen_top.2.0.weight, before);
    assert_ne!(frozen_top.0.weight, small().0.weight);
}

#[test]
fn frozen_parameters_keep_their_names_with_kind_frozen() {
    let m = (
        Frozen(Linear::<f32, U2, U3>::zeros()),
        Linear::<f32, U3, U1>::zeros(),
    );
    let mut seen = Vec::new();
    m.visit(&Name::ROOT, &mut |e| {
        seen.push((e.name.to_string(), e.kind, e.dims.to_vec()))
    });
    assert_eq!(
        seen,
        [
            ("0.weight".to_string(), Kind::Frozen, vec![2, 3]),
            ("0.bias".to_string(), Kind::Frozen, vec![3]),
            ("1.weight".to_string(), Kind::Trainable, vec![3, 1]),
            ("1.bias".to_string(), Kind::Trainable, vec![1]),
        ]
    );
}

#[test]
fn nested_models_are_named_like_pytorch_sequentials() {
    type M = (
        (Conv2d<f32, U1, U2, U3>, BatchNorm2d<f32, U2>, ReLU),
        Linear<f32, U8, U2>,
    );
    let m = M::zeroed();
    let mut names = Vec::new();
    m.visit(&Name::ROOT, &mut |e| {
        let len = match e.values {
            Values::Elem(v) => v.len(),
            Values::I64(v) => v.len(),
        };
        names.push(format!("{} {:?} {:?} {len}", e.name, e.kind, e.dims));
    });
    assert_eq!(
        names,
        [
            "0.0.weight Trainable [2, 1, 3, 3] 18",
            "0.0.bias Trainable [2] 2",
            "0.1.weight Trainable [2] 2",
            "0.1.bias Trainable [2] 2",
            "0.1.running_mean State [2] 2",
            "0.1.running_var State [2] 2",
            "0.1.num_batches_tracked State [] 1",
            "1.weight Trainable [8, 2] 16",
            "1.bias Trainable [2] 2",
        ]
    );
    assert_eq!(<M as Params<f32>>::PARAMS, 18 + 2 + 2 + 2 + 16 + 2);
    assert_eq!(<M as Params<f32>>::STORED, <M as Params<f32>>::PARAMS + 5);
}

#[test]
fn state_is_never_touched_by_optimizers_or_clipping() {
    type M = (Linear<f64, U3, U2>, shaped::nn::BatchNorm1d<f64, U2>);
    type X = Tensor2<f64, U4, U3>;
    let mut m = M::zeroed();
    m.init(Scheme::XavierUniform, &mut Rng::new(2));
    let x = X::from_flat_fn(|i| i as f64 * 0.1 - 0.5);
    let (mut cache, mut y, mut dy) = (
        <M as Train<X>>::Cache::zeroed(),
        Tensor2::<f64, U4, U2>::zeroed(),
        Tensor2::<f64, U4, U2>::zeroed(),
    );
    let mut grads = Grads::<M>::zeroed();
    m.forward(&x, Ctx::train(0), &mut cache, &mut y);
    let labels = tensor([0usize, 1, 1, 0]);
    SoftmaxCrossEntropy.loss_and_grad(&y, &labels, &mut dy);
    m.backward(&x, &mut cache, &dy, None, Some(&mut grads));
    let stats = (
        m.1.running_mean.clone(),
        m.1.running_var.clone(),
        m.1.num_batches_tracked,
    );
    assert_eq!(stats.2, 1, "one training forward counted");
    shaped::optim::clip_grad_norm(&mut grads, 1e-3);
    let mut adam = Adam::<f64, Grads<M>>::zeroed().lr(0.1).weight_decay(0.5);
    adam.step(&mut m, &grads);
    assert_eq!(m.1.running_mean, stats.0);
    assert_eq!(m.1.running_var, stats.1);
    assert_eq!(m.1.num_batches_tracked, stats.2);
    grads.zero();
    assert_eq!(shaped::optim::grad_norm(&grads), 0.0);
}

#[test]
fn the_caller_chooses_the_mode_and_each_dropout_draws_its_own_mask() {
    type M = (Dropout, Linear<f64, U6, U6>, Dropout);
    type X = Tensor2<f64, U4, U6>;
    let mut m = M::zeroed();
    m.0 = Dropout::new(0.5).unwrap();
    m.2 = Dropout::new(0.5).unwrap();
    m.1.weight = Tensor::from_fn(|[i, j]: [usize; 2]| f64::from(u8::from(i == j))); // identity
    let x = X::from_flat_fn(|i| 1.0 + i as f64);
    let mut cache = <M as Train<X>>::Cache::zeroed();
    let mut y = Tensor2::<f64, U4, U6>::zeroed();
    // Evaluation: the identity, as inference computes it.
    m.forward(&x, Ctx::eval(), &mut cache, &mut y);
    assert_eq!(y, x);
    assert_eq!(m.apply(&x), x);
    // Training: reproducible from the seed, different from step to step.
    let mut ctx = Ctx::train(9);
    m.forward(&x, ctx, &mut cache, &mut y);
    let first = y.clone();
    m.forward(&x, ctx, &mut cache, &mut y);
    assert_eq!(y, first, "same context, same masks");
    ctx.next_step();
    m.forward(&x, ctx, &mut cache, &mut y);
    assert_ne!(y, first, "a new step draws new masks");
}
