//! Recurrent layers: a hand-computed 2-step RNN, and every gradient of `Rnn`, `Lstm` and `Gru`
//! (inputs, all parameters, `h0`, `c0`) against central differences in f64, from zero and from
//! given initial states. Run with `--nocapture` to see the worst relative errors.

use shaped::gradcheck::{self, Config, Projection};
use shaped::init::Scheme;
use shaped::nn::{
    Ctx, Gru, Infer, LastStep, Linear, Loss, Lstm, Module, Params, Rnn, State, Tensors, Train,
};
use shaped::prelude::*;
use shaped::rand::Rng;

const TOL: f64 = 1e-6;

pub fn uniform<S: Shape>(seed: u64, lo: f64, hi: f64) -> Tensor<f64, S> {
    let mut rng = Rng::new(seed);
    Tensor::from_flat_fn(|_| rng.uniform(lo, hi))
}

pub fn flat<G: Tensors<f64>>(g: &G) -> Vec<f64> {
    let mut v = Vec::new();
    g.visit(&mut |s| v.extend_from_slice(s));
    v
}

/// Adds `delta` to trainable parameter number `p` (in visit order).
pub fn nudge<M: Params<f64>>(model: &mut M, p: usize, delta: f64) {
    let mut start = 0;
    model.params_mut(&mut |s| {
        if (start..start + s.len()).contains(&p) {
            s[p - start] += delta;
        }
        start += s.len();
    });
}

fn rel(a: f64, n: f64) -> f64 {
    (a - n).abs() / (a.abs() + n.abs()).max(1e-7)
}

/// Worst relative errors of `[dx, dθ, dh0, dc0]` for the objective `⟨r, y⟩`, running from the
/// initial states `h0`, `c0` (`c0` only with `cell`: the layer has a cell state).
pub fn check_recurrent<M, X, Y>(
    model: &mut M,
    x: &mut X,
    [h0, c0]: [&[f64]; 2],
    cell: bool,
    seed: u64,
) -> [f64; 4]
where
    M: Train<X, Output = Y> + Params<f64>,
    M::Cache: State<f64>,
    X: Tensors<f64> + Zeroable,
    Y: Tensors<f64> + Zeroable,
    Projection: Loss<f64, Y, Y>,
{
    let mut rng = Rng::new(seed);
    let mut r = Y::zeroed();
    r.visit_mut(&mut |s| s.iter_mut().for_each(|v| *v = rng.uniform(-1.0, 1.0)));
    let mut cache = M::Cache::zeroed();
    let (mut y, mut dy, mut dx) = (Y::zeroed(), Y::zeroed(), X::zeroed());
    let mut grads = <M as Module>::Grads::zeroed();
    cache.set_initial(h0, c0);
    model.forward(x, Ctx::train(0), &mut cache, &mut y);
    Projection.loss_and_grad(&y, &r, &mut dy);
    model.backward(x, &mut cache, &dy, Some(&mut dx), Some(&mut grads));
    let [dh0, dc0] = cache.initial_grads().map(<[f64]>::to_vec);
    // Layers without a cell state hand out `dh0` twice; `c0` is not theirs to check.
    let grads0: &[&Vec<f64>] = if cell { &[&dh0, &dc0] } else { &[&dh0] };

    let eps = 1e-5;
    let objective = |m: &mut M, x: &X, h0: &[f64], c0: &[f64]| {
        let mut cache = M::Cache::zeroed();
        cache.set_initial(h0, c0);
        let mut y = Y::zeroed();
        m.forward(x, Ctx::train(0), &mut cache, &mut y);
        Projection.loss(&y, &r)
    };
    let mut worst = [0.0f64; 4];
    let dxv = flat(&dx);
    for i in 0..dxv.len() {
        let at = |delta: f64, x: &mut X| {
            let mut k = 0;
            x.visit_mut(&mut |s| {
                if i >= k && i < k + s.len() {
                    s[i - k] += delta;
                }
                k += s.len();
            });
        };
        at(eps, x);
        let plus = objective(model, x, h0, c0);
        at(-2.0 * eps, x);
        let minus = objective(model, x, h0, c0);
        at(eps, x);
        worst[0] = worst[0].max(rel(dxv[i], (plus - minus) / (2.0 * eps)));
    }
    let g = flat(&grads);
    assert_eq!(g.len(), M::PARAMS);
    for (p, &a) in g.iter().enumerate() {
        nudge(model, p, eps);
        let plus = objective(model, x, h0, c0);
        nudge(model, p, -2.0 * eps);
        let minus = objective(model, x, h0, c0);
        nudge(model, p, eps);
        worst[1] = worst[1].max(rel(a, (plus - minus) / (2.0 * eps)));
    }
    for (which, &grad) in grads0.iter().enumerate() {
        let mut s = [h0.to_vec(), c0.to_vec()];
        for (i, &a) in grad.iter().enumerate() {
            s[which][i] += eps;
            let plus = objective(model, x, &s[0], &s[1]);
            s[which][i] -= 2.0 * eps;
            let minus = objective(model, x, &s[0], &s[1]);
            s[which][i] += eps;
            worst[2 + which] = worst[2 + which].max(rel(a, (plus - minus) / (2.0 * eps)));
        }
    }
    worst
}

fn pass(name: &str, worst: [f64; 4]) {
    println!(
        "{name:<36} dx {:.2e} dθ {:.2e} dh0 {:.2e} dc0 {:.2e}",
        worst[0], worst[1], worst[2], worst[3]
    );
    assert!(worst.iter().all(|&w| w <= TOL), "{name}: {worst:?}");
}

type N = U2;
type S = U4;
type D = U3;
type H = U3;

fn model<M: Params<f64> + Zeroable>(seed: u64) -> M {
    let mut m = M::zeroed();
    m.init(Scheme::XavierUniform, &mut Rng::new(seed));
    // Non-zero biases everywhere, so every bias term is exercised.
    let mut rng = Rng::new(seed + 100);
    m.params_mut(&mut |s| {
        if s.iter().all(|&v| v == 0.0 || v == 1.0) {
            s.iter_mut().for_each(|v| *v += rng.uniform(-0.5, 0.5));
        }
    });
    m
}

#[test]
fn rnn_two_steps_by_hand() {
    // D = 1, H = 2, one sequence: x = [1, -2].
    let mut rnn = Rnn::<f64, U1, U2>::zeros();
    rnn.weight_x = tensor([[0.5, -1.0]]);
    rnn.weight_h = tensor([[1.0, 0.5], [-0.5, 2.0]]);
    rnn.bias = tensor([0.1, 0.2]);
    let x: Tensor3<f64, U1, U2, U1> = tensor([[[1.0], [-2.0]]]);
    // h1 = tanh(x1·Wx + b) = tanh([0.6, -0.8])
    let h1 = [0.6f64.tanh(), (-0.8f64).tanh()];
    // h2 = tanh(x2·Wx + h1·Wh + b)
    let a2 = [
        -1.0 + h1[0] * 1.0 + h1[1] * -0.5 + 0.1,
        2.0 + h1[0] * 0.5 + h1[1] * 2.0 + 0.2,
    ];
    let h2 = [a2[0].tanh(), a2[1].tanh()];
    let mut cache = Zeroable::zeroed();
    let mut y = Tensor::zeros();
    rnn.forward(&x, Ctx::train(0), &mut cache, &mut y);
    let expect = [h1[0], h1[1], h2[0], h2[1]];
    for (a, e) in y.iter().zip(expect) {
        assert!((a - e).abs() < 1e-15, "{y:?} vs {expect:?}");
    }
    assert_eq!(rnn.apply(&x), y);

    // L = h2[0] + 3·h1[1]: dy = [[0, 3], [1, 0]].
    let dy = tensor([[[0.0, 3.0], [1.0, 0.0]]]);
    let da2 = [1.0 - h2[0] * h2[0], 0.0];
    // dh1 = dy1 + da2·Whᵀ; da1 = dh1 ⊙ (1 − h1²)
    let dh1 = [
        da2[0] * 1.0 + da2[1] * 0.5,
        3.0 + da2[0] * -0.5 + da2[1] * 2.0,
    ];
    let da1 = [
        dh1[0] * (1.0 - h1[0] * h1[0]),
        dh1[1] * (1.0 - h1[1] * h1[1]),
    ];
    let mut g = Zeroable::zeroed();
    let mut dx = Tensor::zeros();
    rnn.backward(&x, &mut cache, &dy, Some(&mut dx), Some(&mut g));
    let g: shaped::nn::RnnGrads<f64, U1, U2> = g;
    let close = |a: &[f64], e: &[f64]| {
        assert_eq!(a.len(), e.len());
        a.iter().zip(e).all(|(a, e)| (a - e).abs() < 1e-14)
    };
    // dWx = Σ_t x_tᵀ·da_t; dWh = h1ᵀ·da2 (h0 = 0); db = da1 + da2
    let dwx = [da1[0] - 2.0 * da2[0], da1[1] - 2.0 * da2[1]];
    assert!(close(g.weight_x.as_slice(), &dwx), "{:?}", g.weight_x);
    let dwh = [
        h1[0] * da2[0],
        h1[0] * da2[1],
        h1[1] * da2[0],
        h1[1] * da2[1],
    ];
    assert!(close(g.weight_h.as_slice(), &dwh), "{:?}", g.weight_h);
    assert!(close(
        g.bias.as_slice(),
        &[da1[0] + da2[0], da1[1] + da2[1]]
    ));
    // dx_t = da_t·Wxᵀ
    let dxe = [da1[0] * 0.5 - da1[1], da2[0] * 0.5 - da2[1]];
    assert!(close(dx.as_slice(), &dxe), "{dx:?}");
    // dh0 = da1·Whᵀ; per-step norms ‖dh_t‖
    let dh0 = [da1[0] * 1.0 + da1[1] * 0.5, da1[0] * -0.5 + da1[1] * 2.0];
    assert!(close(cache.initial_grads()[0], &dh0));
    let n1 = (dh1[0] * dh1[0] + dh1[1] * dh1[1]).sqrt();
    assert!(close(cache.step_norms(), &[n1, 1.0]));
}

#[test]
fn rnn_gradients() {
    const CELL: bool = false;
    let mut m: Rnn<f64, D, H> = model(1);
    let mut x: Tensor3<f64, N, S, D> = uniform(2, -2.0, 2.0);
    pass(
        "Rnn, h0 = 0",
        check_recurrent(&mut m, &mut x, [&[0.0; 6]; 2], CELL, 3),
    );
    let h0: Tensor2<f64, N, H> = uniform(4, -0.9, 0.9);
    pass(
        "Rnn, given h0",
        check_recurrent(&mut m, &mut x, [h0.as_slice(); 2], CELL, 5),
    );
    let r = gradcheck::check_projected(&mut m, &mut x, 6, Config::default());
    assert_eq!(r.params.checked, 3 * 3 + 3 * 3 + 3);
    assert!(r.max_rel() < TOL, "{r}");
}

#[test]
fn lstm_gradients() {
    const CELL: bool = true;
    let mut m: Lstm<f64, D, H> = model(11);
    let mut x: Tensor3<f64, N, S, D> = uniform(12, -2.0, 2.0);
    pass(
        "Lstm, h0 = c0 = 0",
        check_recurrent(&mut m, &mut x, [&[0.0; 6]; 2], CELL, 13),
    );
    let h0: Tensor2<f64, N, H> = uniform(14, -0.9, 0.9);
    let c0: Tensor2<f64, N, H> = uniform(15, -2.0, 2.0);
    pass(
        "Lstm, given h0 and c0",
        check_recurrent(&mut m, &mut x, [h0.as_slice(), c0.as_slice()], CELL, 16),
    );
    let r = gradcheck::check_projected(&mut m, &mut x, 17, Config::default());
    assert_eq!(r.params.checked, 4 * (3 * 3 + 3 * 3 + 3));
    assert!(r.max_rel() < TOL, "{r}");
}

#[test]
fn gru_gradients() {
    const CELL: bool = false;
    let mut m: Gru<f64, D, H> = model(21);
    let mut x: Tensor3<f64, N, S, D> = uniform(22, -2.0, 2.0);
    pass(
        "Gru, h0 = 0",
        check_recurrent(&mut m, &mut x, [&[0.0; 6]; 2], CELL, 23),
    );
    let h0: Tensor2<f64, N, H> = uniform(24, -0.9, 0.9);
    pass(
        "Gru, given h0",
        check_recurrent(&mut m, &mut x, [h0.as_slice(); 2], CELL, 25),
    );
    let r = gradcheck::check_projected(&mut m, &mut x, 26, Config::default());
    assert_eq!(r.params.checked, 3 * (3 * 3 + 3 * 3 + 3) + 3);
    assert!(r.max_rel() < TOL, "{r}");
}

#[test]
fn stacked_lstms_with_last_step_and_head() {
    type Model = (
        Lstm<f64, U3, U4>,
        Lstm<f64, U4, U3>,
        LastStep,
        Linear<f64, U3, U2>,
    );
    let mut m: Model = model(31);
    let mut x: Tensor3<f64, U2, U3, U3> = uniform(32, -2.0, 2.0);
    // Some weight gradients of the first layer are ~1e-8, where the difference quotient's
    // rounding noise (~1e-12 on an objective of order 1) is relatively large: compare those
    // absolutely (floor 1e-5).
    let cfg = Config {
        floor: 1e-5,
        ..Config::default()
    };
    let r = gradcheck::check_projected(&mut m, &mut x, 33, cfg);
    assert_eq!(r.params.checked, <Model as Params<f64>>::PARAMS);
    println!("(Lstm, Lstm, LastStep, Linear)      {r}");
    assert!(r.max_rel() < TOL, "{r}");
    // The chain computes the layers in turn.
    let h = m.1.apply(&m.0.apply(&x));
    assert_eq!(m.apply(&x), m.3.apply(&LastStep.apply(&h)));
}

#[test]
fn time_distributed_linear() {
    let mut l: Linear<f64, U3, U2> = model(41);
    let mut x: Tensor3<f64, U2, U4, U3> = uniform(42, -2.0, 2.0);
    let r = gradcheck::check_projected(&mut l, &mut x, 43, Config::default());
    assert!(r.max_rel() < TOL, "{r}");
    // Each step is the plain batch Linear on that step's rows.
    let y = l.apply(&x);
    for t in 0..4 {
        let xt: Tensor2<f64, U2, U3> = Tensor::from_fn(|[b, i]: [usize; 2]| x[[b, t, i]]);
        let yt = l.apply(&xt);
        for b in 0..2 {
            assert_eq!([y[[b, t, 0]], y[[b, t, 1]]], [yt[[b, 0]], yt[[b, 1]]]);
        }
    }
}

#[test]
fn infer_equals_forward_from_zero_state() {
    let mut m: Lstm<f64, D, H> = model(51);
    let x: Tensor3<f64, N, S, D> = uniform(52, -2.0, 2.0);
    let mut cache = Zeroable::zeroed();
    let mut y = Tensor::zeros();
    m.forward(&x, Ctx::train(0), &mut cache, &mut y);
    assert_eq!(m.apply(&x), y);
    // A scratch left with a state from a training cache still starts inference from zero.
    let mut scratch: shaped::nn::LstmCache<f64, N, S, D, H> = Zeroable::zeroed();
    scratch.set_initial(&[1.0; 6], &[1.0; 6]);
    let mut y2 = Tensor::zeros();
    m.infer(&x, &mut scratch, &mut y2);
    assert_eq!(y2, y);
}
