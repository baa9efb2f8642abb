//! [`Unreduced`]: the per-entry losses of a batch, and the gradient of any weighted sum of them.

use crate::scalar::Real;

/// A loss's per-entry values, not reduced (PyTorch's `reduction='none'`), and the backward pass
/// of a weighted sum of them.
///
/// The entries are what a [`Reduction`](super::Reduction) would combine: the samples of a
/// per-sample loss (the cross-entropies, [`Nll`](struct@super::Nll)), `Entries = Tensor<T, (B,)>`,
/// or the elements of an elementwise loss ([`Mse`](struct@super::Mse),
/// [`BceWithLogits`](struct@super::BceWithLogits)), `Entries = Tensor<T, (B, C)>`: the shapes
/// PyTorch returns. [`backward`](Unreduced::backward) takes an upstream gradient `g` of that shape
/// and writes `dy = Σ_i g_i · ∂l_i/∂y` (PyTorch's `loss.backward(g)`), so per-sample weights,
/// hard-example mining or a reduction of your own need no new loss.
///
/// - The loss's `reduction` field is ignored: nothing is averaged. The entries sum to the
///   `.sum()` loss, and `backward` with `g` all ones writes the `.sum()` loss's gradient.
/// - Masked entries have loss `0` and add no gradient, whatever `g_i` (their `dy` is `0`, even if
///   their prediction or target is NaN). For a per-sample loss that zeroes the whole row.
/// - NaN data and out-of-range class indices make that entry's loss and gradient NaN, as in
///   [`Loss`](super::Loss).
/// - `out` and `upstream` have the entry shape by type: another shape does not compile.
///
/// Implemented, like [`Loss`](super::Loss), for every loss and target kind of this module and
/// their [`Masked`](super::Masked) forms. Needs no heap.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Masked, Unreduced};
/// let (y, t) = (tensor([[1.0, 2.0], [3.0, 3.0]]), tensor([[0.0, 4.0], [1.0, 3.0]]));
/// let mut l = Tensor2::<f64, U2, U2>::zeros();
/// Mse.losses(&y, &t, &mut l);
/// assert_eq!(l, tensor([[1.0, 4.0], [4.0, 0.0]]));
///
/// // Per-sample weights: the first sample counts twice, the second (masked out) not at all.
/// let logits = tensor([[0.0, 0.0], [5.0, -1.0]]);
/// let (labels, mask) = (tensor([1usize, 0]), tensor([true, false]));
/// let target = Masked::new(&labels, &mask);
/// let mut l = Tensor1::<f64, U2>::zeros();
/// SoftmaxCrossEntropy.losses(&logits, &target, &mut l);
/// assert_eq!(l, tensor([f64::ln(2.0), 0.0]));
/// let mut dy = Tensor2::zeros();
/// SoftmaxCrossEntropy.backward(&logits, &target, &tensor([2.0, 1.0]), &mut dy);
/// assert_eq!(dy, tensor([[1.0, -1.0], [0.0, 0.0]])); // 2 · (softmax − one-hot)
/// ```
pub trait Unreduced<T, Y, Tgt> {
    /// One loss per entry: `(B,)` for a per-sample loss, `(B, C)` for an elementwise one.
    type Entries;

    /// Writes the loss of every entry into `out` (`0` for masked entries).
    fn losses(&self, y: &Y, target: &Tgt, out: &mut Self::Entries);

    /// Writes (overwrites) `dy = Σ_i upstream_i · ∂l_i/∂y`; masked entries add nothing.
    fn backward(&self, y: &Y, target: &Tgt, upstream: &Self::Entries, dy: &mut Y);
}

/// `out[i]`: the loss of unit `i` if it is kept, else `0`.
pub(super) fn losses<T: Real>(
    out: &mut [T],
    kept: impl Fn(usize) -> bool,
    mut unit: impl FnMut(usize) -> T,
) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = if kept(i) { unit(i) } else { T::zero() };
    }
}

/// The gradient of `Σ g_i l_i` over units of `width` values: `unit(i, dy_i)` writes the gradient
/// of unit `i`, scaled here by `g_i`; units that are not kept get `0`.
pub(super) fn backward<T: Real>(
    upstream: &[T],
    width: usize,
    kept: impl Fn(usize) -> bool,
    dy: &mut [T],
    mut unit: impl FnMut(usize, &mut [T]),
) {
    for (i, &g) in upstream.iter().enumerate() {
        let d = &mut dy[i * width..(i + 1) * width];
        if kept(i) {
            unit(i, d);
            d.iter_mut().for_each(|d| *d *= g);
        } else {
            d.fill(T::zero());
        }
    }
}
