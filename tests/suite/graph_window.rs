//! The window classifier of seed 004 written with layers and as an expression
//! (`examples/window_ner/model.rs`): the same loss and the same gradients, and the expression's
//! gradients against central differences.

#[path = "../../examples/window_ner/model.rs"]
#[allow(dead_code)]
mod model;

use model::{Batch, Leaves, Window, Windows, expression_loss, layer_loss};
use shaped::nn::{Params, Train};
use shaped::prelude::*;

fn setup(seed: u64) -> (Window, Windows) {
    let mut net = Window::zeroed();
    net.init(Scheme::XavierUniform, &mut Rng::new(seed));
    let mut rng = Rng::new(seed + 1);
    net.params_mut(&mut |p| p.iter_mut().for_each(|v| *v += rng.uniform(-0.1, 0.1)));
    // Ids repeat within and across windows (fan-out into the table).
    let ids = Tensor::from_flat_fn(|_| rng.below(20));
    let labels = Tensor::from_flat_fn(|_| rng.below(3).min(1) as f64);
    (net, Windows { ids, labels })
}

#[test]
fn layers_and_expression_give_equal_gradients() {
    let (mut net, batch) = setup(1);
    let mut grads = Grads::<Window>::zeroed();
    let mut cache = <Window as Train<Tensor<usize, (Batch, model::Win)>>>::Cache::zeroed();
    let layer = layer_loss(&mut net, &batch, &mut cache, &mut grads);
    let leaves = Leaves::of(&net);
    let expr = expression_loss(&leaves, &batch).unwrap();
    assert!((layer - expr).abs() < 1e-14, "{layer} vs {expr}");
    let (t, w, b, u, c) = (
        leaves.table.grad(),
        leaves.w.grad(),
        leaves.b.grad(),
        leaves.u.grad(),
        leaves.c.grad(),
    );
    let pairs: [(&[f64], &[f64]); 5] = [
        (grads.0.weight.as_slice(), t.as_slice()),
        (grads.2.weight.as_slice(), w.as_slice()),
        (grads.2.bias.as_slice(), b.as_slice()),
        (grads.4.weight.as_slice(), u.as_slice()),
        (grads.4.bias.as_slice(), c.as_slice()),
    ];
    for (k, (a, b)) in pairs.iter().enumerate() {
        assert!(a.iter().any(|&v| v != 0.0), "parameter {k} got no gradient");
        for (x, y) in a.iter().zip(b.iter()) {
            assert!((x - y).abs() < 1e-14, "parameter {k}: {x} vs {y}");
        }
    }
}

/// The worst relative error of `grad` against central differences of `loss` in `value`.
fn worst(value: &mut dyn FnMut(usize, f64) -> f64, grad: &[f64]) -> f64 {
    let eps = 1e-5;
    let mut worst: f64 = 0.0;
    for (i, &g) in grad.iter().enumerate() {
        let numeric = (value(i, eps) - value(i, -eps)) / (2.0 * eps);
        worst = worst.max((g - numeric).abs() / (g.abs() + numeric.abs()).max(1e-7));
    }
    worst
}

#[test]
fn expression_gradients_match_central_differences() {
    let (net, batch) = setup(2);
    let mut p = Leaves::of(&net);
    expression_loss(&p, &batch).unwrap();
    let (dw, dtable) = (p.w.grad().clone(), p.table.grad().clone());
    assert!(dtable.iter().filter(|&&g| g != 0.0).count() >= 20 * 8);
    let rel = worst(
        &mut |i, d| {
            p.w.value_mut().as_mut_slice()[i] += d;
            let loss = expression_loss(&p, &batch).unwrap();
            p.w.value_mut().as_mut_slice()[i] -= d;
            loss
        },
        dw.as_slice(),
    );
    assert!(rel < 1e-6, "W: {rel:e}");
    let rel = worst(
        &mut |i, d| {
            p.table.value_mut().as_mut_slice()[i] += d;
            let loss = expression_loss(&p, &batch).unwrap();
            p.table.value_mut().as_mut_slice()[i] -= d;
            loss
        },
        dtable.as_slice(),
    );
    assert!(rel < 1e-6, "table: {rel:e}");
}

#[test]
fn an_id_outside_the_vocabulary_is_an_error() {
    let (net, mut batch) = setup(3);
    batch.ids[[4, 2]] = 500;
    let err = expression_loss(&Leaves::of(&net), &batch).err().unwrap();
    assert_eq!((err.position, err.index, err.rows), (4 * 5 + 2, 500, 128));
}
