//! Sequence training pieces: the masked per-step softmax cross-entropy (against central
//! differences, and equal to the loss with the masked steps removed), and truncated BPTT with
//! carried state (the state crosses the block boundary, the gradient does not).

use shaped::gradcheck::{self, Config};
use shaped::init::Scheme;
use shaped::nn::{Ctx, Grads, Loss, Lstm, Masked, Params, SoftmaxCrossEntropy, State, Train};
use shaped::prelude::*;
use shaped::rand::Rng;

use super::rnn::{check_recurrent, flat, uniform};

#[test]
fn masked_step_loss_matches_central_differences() {
    let mut y: Tensor3<f64, U2, U3, U4> = uniform(1, -3.0, 3.0);
    let targets = tensor([[0usize, 3, 1], [2, 2, 0]]);
    let mask = tensor([[true, false, true], [true, true, false]]);
    let w = gradcheck::check_loss(&SoftmaxCrossEntropy, &mut y, &targets, Config::default());
    assert!(w.rel < 1e-6, "{w}");
    let masked = Masked::new(&targets, &mask);
    let w = gradcheck::check_loss(&SoftmaxCrossEntropy, &mut y, &masked, Config::default());
    assert!(w.rel < 1e-6, "{w}");
    let w = gradcheck::check_loss(
        &SoftmaxCrossEntropy.sum(),
        &mut y,
        &masked,
        Config::default(),
    );
    assert!(w.rel < 1e-6, "{w}");
}

#[test]
fn masked_steps_count_for_nothing() {
    let mut y: Tensor3<f64, U2, U3, U4> = uniform(2, -3.0, 3.0);
    let targets = tensor([[0usize, 3, 1], [2, 2, 0]]);
    let mask = tensor([[true, false, true], [false, true, false]]);
    // Garbage in the masked steps changes nothing.
    for (p, &keep) in mask.iter().enumerate() {
        if !keep {
            y.as_mut_slice()[p * 4] = f64::NAN;
        }
    }
    let mut dy = Tensor::zeros();
    let loss = SoftmaxCrossEntropy.loss_and_grad(&y, &Masked::new(&targets, &mask), &mut dy);
    // The same loss on a batch of the 3 kept steps, with the batch loss.
    let kept: Vec<usize> = (0..6).filter(|&p| mask.as_slice()[p]).collect();
    let rows: Tensor2<f64, U3, U4> =
        Tensor::from_fn(|[r, c]: [usize; 2]| y.as_slice()[kept[r] * 4 + c]);
    let labels: Tensor1<usize, U3> = Tensor::from_fn(|[r]: [usize; 1]| targets.as_slice()[kept[r]]);
    let mut drows = Tensor::zeros();
    let expect = SoftmaxCrossEntropy.loss_and_grad(&rows, &labels, &mut drows);
    assert!((loss - expect).abs() < 1e-15, "{loss} vs {expect}");
    for p in 0..6 {
        let d = &dy.as_slice()[p * 4..p * 4 + 4];
        match kept.iter().position(|&k| k == p) {
            Some(r) => assert_eq!(d, drows.outer(r)),
            None => assert!(d.iter().all(|&v| v == 0.0), "masked step {p}: {d:?}"),
        }
    }
    // All masked: zero loss, zero gradient.
    let none = Tensor2::<bool, U2, U3>::full(false);
    assert_eq!(
        SoftmaxCrossEntropy.loss_and_grad(&y, &Masked::new(&targets, &none), &mut dy),
        0.0
    );
    assert!(dy.iter().all(|&v| v == 0.0));
    // A class out of range: NaN, visible.
    let bad = tensor([[0usize, 9, 1], [2, 2, 0]]);
    let all = Tensor2::<bool, U2, U3>::full(true);
    assert!(
        SoftmaxCrossEntropy
            .loss(&y, &Masked::new(&bad, &all))
            .is_nan()
    );
}

type Cell = Lstm<f64, U2, U3>;

fn lstm() -> Cell {
    let mut m = Cell::zeros();
    m.init(Scheme::XavierUniform, &mut Rng::new(7));
    m
}

#[test]
fn carried_state_continues_the_sequence() {
    let mut m = lstm();
    let x: Tensor3<f64, U2, U6, U2> = uniform(8, -2.0, 2.0);
    let block = |k: usize| -> Tensor3<f64, U2, U3, U2> {
        Tensor::from_fn(|[b, t, i]: [usize; 3]| x[[b, 3 * k + t, i]])
    };
    let mut full_cache = Zeroable::zeroed();
    let mut full = Tensor::zeros();
    m.forward(&x, Ctx::train(0), &mut full_cache, &mut full);

    let mut cache: shaped::nn::LstmCache<f64, U2, U3, U2, U3> = Zeroable::zeroed();
    let mut y = Tensor::zeros();
    m.forward(&block(0), Ctx::train(0), &mut cache, &mut y);
    cache.carry();
    m.forward(&block(1), Ctx::train(0), &mut cache, &mut y);
    let y: Tensor3<f64, U2, U3, U3> = y;
    for ([b, t, j], v) in (0..18).map(|p| ([p / 9, p / 3 % 3, p % 3], y.as_slice()[p])) {
        assert!((v - full[[b, t + 3, j]]).abs() < 1e-14, "{b} {t} {j}");
    }
    cache.reset();
    assert!(cache.initial().iter().all(|s| s.iter().all(|&v| v == 0.0)));
}

#[test]
fn gradients_stop_at_the_block_boundary() {
    let mut m = lstm();
    let x0: Tensor3<f64, U2, U3, U2> = uniform(9, -2.0, 2.0);
    let mut x1: Tensor3<f64, U2, U3, U2> = uniform(10, -2.0, 2.0);
    let mut cache: shaped::nn::LstmCache<f64, U2, U3, U2, U3> = Zeroable::zeroed();
    let mut y = Tensor::zeros();
    m.forward(&x0, Ctx::train(0), &mut cache, &mut y);
    cache.carry();
    let [h0, c0] = cache.initial().map(<[f64]>::to_vec);
    assert!(h0.iter().all(|&v| v != 0.0));

    // Backward of block 1 gives the gradient of its loss with the carried state held constant:
    // the central differences of block 1 alone, from that state.
    let worst = check_recurrent(&mut m, &mut x1, [&h0, &c0], true, 11);
    println!("truncated BPTT, block 2 of 2: {worst:?}");
    assert!(worst.iter().all(|&w| w < 1e-6), "{worst:?}");

    // ... which is not the gradient through both blocks: block 0's weights matter for the full
    // sequence, and backward did not reach them.
    let mut g = Grads::<Cell>::zeroed();
    let mut rng = Rng::new(11);
    let r: Tensor3<f64, U2, U3, U3> = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
    m.forward(&x1, Ctx::train(0), &mut cache, &mut y);
    m.backward(&x1, &mut cache, &r, None, Some(&mut g));
    let truncated = flat(&g);
    let x: Tensor3<f64, U2, U6, U2> = Tensor::from_fn(|[b, t, i]: [usize; 3]| {
        if t < 3 {
            x0[[b, t, i]]
        } else {
            x1[[b, t - 3, i]]
        }
    });
    let dy: Tensor3<f64, U2, U6, U3> =
        Tensor::from_fn(|[b, t, j]: [usize; 3]| if t < 3 { 0.0 } else { r[[b, t - 3, j]] });
    let mut full_cache = Zeroable::zeroed();
    let mut full_y = Tensor::zeros();
    let mut gf = Grads::<Cell>::zeroed();
    m.forward(&x, Ctx::train(0), &mut full_cache, &mut full_y);
    m.backward(&x, &mut full_cache, &dy, None, Some(&mut gf));
    let diff: f64 = truncated
        .iter()
        .zip(flat(&gf))
        .map(|(a, b)| (a - b).abs())
        .sum();
    assert!(diff > 1e-3, "{diff}");
    assert_eq!(<Cell as Params<f64>>::PARAMS, truncated.len());
}

#[test]
fn step_norms_shrink_backwards_through_a_contracting_rnn() {
    // Small recurrent weights: the gradient arriving at h_t from the last output shrinks
    // with every step back.
    let mut rnn = shaped::nn::Rnn::<f64, U2, U4>::zeros();
    rnn.weight_x = uniform(12, -0.5, 0.5);
    rnn.weight_h = uniform(13, -0.2, 0.2);
    let x: Tensor3<f64, U1, U8, U2> = uniform(14, -1.0, 1.0);
    let mut cache = Zeroable::zeroed();
    let mut y = Tensor::zeros();
    rnn.forward(&x, Ctx::train(0), &mut cache, &mut y);
    let dy =
        Tensor3::<f64, U1, U8, U4>::from_fn(|[_, t, _]: [usize; 3]| if t == 7 { 1.0 } else { 0.0 });
    let mut g = Zeroable::zeroed();
    rnn.backward(&x, &mut cache, &dy, None, Some(&mut g));
    let _: &shaped::nn::RnnGrads<f64, U2, U4> = &g;
    let norms = cache.step_norms();
    assert_eq!(norms[7], 2.0); // ‖(1, 1, 1, 1)‖
    assert!(norms.windows(2).all(|w| w[0] < w[1]), "{norms:?}");
}
