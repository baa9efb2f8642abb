//! The window classifier of seed 004, twice: with layers (`Embedding`, `Join`, `Linear`,
//! `Tanh`, `Linear`, `BceWithLogits`) and as a `shaped::graph` expression. Shared by the
//! `window_ner` example and the test that compares their gradients
//! (`tests/suite/graph_window.rs`).
//!
//! For a window of 5 word ids: `x = [e(w₋₂); e(w₋₁); e(w₀); e(w₊₁); e(w₊₂)]` (concatenated
//! embeddings), `h = tanh(Wx + b)`, `s = uᵀh + c`, and the logistic loss
//! `−ln σ(s)` for a centre word that is a location, `−ln(1 − σ(s))` otherwise.

use core::ops::Mul;
use shaped::graph::{IndexError, Leaf, leaf};
use shaped::nn::{BceWithLogits, Embedding, Linear, Loss, Tanh};
use shaped::prelude::*;
use shaped::shape::Dim;

/// Words per window.
pub type Win = U5;
/// Vocabulary size (the generator's vocabulary must fit).
pub type Vocab = U128;
/// Embedding width.
pub type Dm = U8;
/// Hidden units.
pub type Hidden = U16;
/// Windows per batch.
pub type Batch = U32;
/// The concatenated window, `5·D`.
pub type Cat = Prod<Win, Dm>;

/// The classifier as layers: ids `(N, 5)` → one logit per window `(N, 1)`.
pub type Window = (
    Embedding<f64, Vocab, Dm>,
    Join,
    Linear<f64, Cat, Hidden>,
    Tanh,
    Linear<f64, Hidden, U1>,
);

/// Concatenates the `S` vectors of each window: `(N, S, D)` → `(N, S·D)` (a copy, as the
/// layout is already row-major). The library's `Flatten` takes image batches `(N, C, H, W)`.
#[derive(Clone, Copy, Debug, Default, shaped::Params, shaped::Zeroable)]
pub struct Join;

impl<T: Scalar, N: Dim, S: Dim + Mul<D, Output: Dim>, D: Dim> Infer<Tensor<T, (N, S, D)>> for Join {
    type Output = Tensor<T, (N, Prod<S, D>)>;
    type Scratch = ();
    fn infer(&self, x: &Tensor<T, (N, S, D)>, _: &mut (), y: &mut Self::Output) {
        y.as_mut_slice().copy_from_slice(x.as_slice());
    }
}

impl<T: Scalar, N: Dim, S: Dim + Mul<D, Output: Dim>, D: Dim> Train<Tensor<T, (N, S, D)>> for Join {
    type Cache = ();
    fn forward(&mut self, x: &Tensor<T, (N, S, D)>, _: Ctx, _: &mut (), y: &mut Self::Output) {
        self.infer(x, &mut (), y);
    }
    fn backward(
        &self,
        _: &Tensor<T, (N, S, D)>,
        _: &mut (),
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (N, S, D)>>,
        _: Option<&mut ()>,
    ) {
        if let Some(dx) = dx {
            dx.as_mut_slice().copy_from_slice(dy.as_slice());
        }
    }
}

/// A batch of windows (ids) and their labels (1 = the centre word is a location).
pub struct Windows {
    /// Word ids, one window per row.
    pub ids: Tensor<usize, (Batch, Win)>,
    /// `1.0` or `0.0` per window.
    pub labels: Tensor<f64, (Batch, U1)>,
}

/// The layer model's loss on a batch; adds its gradients into `grads`.
pub fn layer_loss(
    model: &mut Window,
    batch: &Windows,
    cache: &mut <Window as Train<Tensor<usize, (Batch, Win)>>>::Cache,
    grads: &mut Grads<Window>,
) -> f64 {
    let (mut s, mut ds) = (Tensor2::<f64, Batch, U1>::zeros(), Tensor2::zeros());
    model.forward(&batch.ids, Ctx::train(0), cache, &mut s);
    let loss = BceWithLogits.loss_and_grad(&s, &batch.labels, &mut ds);
    model.backward(&batch.ids, cache, &ds, None, Some(grads));
    loss
}

/// The same classifier's parameters as expression leaves.
pub struct Leaves {
    /// The embedding table `(V, D)`.
    pub table: Leaf<f64, (Vocab, Dm)>,
    /// `W`, `(5D, H)` (applied as `xW`, the library's layout).
    pub w: Leaf<f64, (Cat, Hidden)>,
    /// `b`, `(H,)`.
    pub b: Leaf<f64, (Hidden,)>,
    /// `u`, `(H, 1)`.
    pub u: Leaf<f64, (Hidden, U1)>,
    /// `c`, `(1,)`.
    pub c: Leaf<f64, (U1,)>,
}

impl Leaves {
    /// Leaves holding a copy of the layer model's parameters.
    pub fn of(model: &Window) -> Self {
        Leaves {
            table: leaf(model.0.weight.clone()),
            w: leaf(model.2.weight.clone()),
            b: leaf(model.2.bias.clone()),
            u: leaf(model.4.weight.clone()),
            c: leaf(model.4.bias.clone()),
        }
    }
}

/// The expression's loss on a batch, back-propagated into the leaves' gradients; an
/// [`IndexError`] for an id outside the vocabulary.
pub fn expression_loss(p: &Leaves, batch: &Windows) -> Result<f64, IndexError> {
    let ids = batch.ids.reshape::<(Prod<Batch, Win>,)>();
    let is_location = batch.labels.gt(0.5);
    let rows = p.table.gather_rows(&ids)?; // (N·5, D): the window's embeddings
    let x = rows.reshape::<(Batch, Cat)>(); // concatenated per window
    let xw = x.matmul(&p.w);
    let z = xw.add_row(&p.b);
    let h = z.tanh();
    let hu = h.matmul(&p.u);
    let s = hu.add_row(&p.c); // the score
    let minus_s = -&s;
    let when_location = minus_s.softplus(); // −ln σ(s)
    let otherwise = s.softplus(); // −ln(1 − σ(s))
    let losses = when_location.select(&is_location, &otherwise);
    let loss = losses.mean();
    loss.backward();
    Ok(loss.item())
}
