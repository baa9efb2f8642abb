//! [`State`]: the initial and final states of a recurrent layer's cache, for carried state
//! (truncated BPTT) and for reading `dh0`, `dc0` and the per-step gradient norms.

use crate::scalar::Real;

/// The recurrent state kept in a layer's training cache (see the
/// [guide](crate::guide::recurrent#truncated-bptt)). `State` values are the hidden state, then (LSTM) the cell
/// state, each `(N, H)` row-major.
pub trait State<T: Real> {
    /// `h0` (and `c0`), used by the next forward pass. Zero in a fresh (zeroed) cache.
    fn initial(&self) -> [&[T]; 2];
    /// Sets `h0` (and `c0`; ignored by layers without a cell state).
    fn set_initial(&mut self, h0: &[T], c0: &[T]);
    /// The final states `h_S` (and `c_S`) of the latest forward pass.
    fn last(&self) -> [&[T]; 2];
    /// Makes the final states the initial states of the next forward pass (truncated BPTT:
    /// backward stops there, so gradients do not cross the boundary).
    fn carry(&mut self);
    /// Sets the initial states to zero (a new, unrelated sequence).
    fn reset(&mut self);
    /// `∂L/∂h0` (and `∂L/∂c0`) from the latest backward pass.
    fn initial_grads(&self) -> [&[T]; 2];
    /// `‖∂L/∂h_t‖` over the batch for each step `t`, from the latest backward pass: the gradient
    /// arriving at `h_t` from the output at `t` and from the steps after it.
    fn step_norms(&self) -> &[T];
}

/// Implements [`State`] for a cache with fields `h0`, `hs` (time-major `(S, N, H)`), `dh0`,
/// `norms`, and optionally `c0`, `cs`, `dc0`.
macro_rules! impl_state {
    ($cache:ident, h) => {
        $crate::nn::rnn::state::impl_state!(@ $cache, [h0, hs, dh0], [h0, hs, dh0]);
    };
    ($cache:ident, hc) => {
        $crate::nn::rnn::state::impl_state!(@ $cache, [h0, hs, dh0], [c0, cs, dc0]);
    };
    (@ $cache:ident, [$h0:ident, $hs:ident, $dh0:ident], [$c0:ident, $cs:ident, $dc0:ident]) => {
        impl<T: Real, N: Dim, S: Dim, D: Dim, H: Dim> $crate::nn::rnn::State<T>
            for $cache<T, N, S, D, H>
        {
            fn initial(&self) -> [&[T]; 2] {
                [self.$h0.as_slice(), self.$c0.as_slice()]
            }
            fn set_initial(&mut self, h0: &[T], c0: &[T]) {
                self.$h0.as_mut_slice().copy_from_slice(h0);
                let same = core::ptr::eq(self.$h0.as_slice(), self.$c0.as_slice());
                if !same {
                    self.$c0.as_mut_slice().copy_from_slice(c0);
                }
            }
            fn last(&self) -> [&[T]; 2] {
                // Zero steps: the final states are the initial ones.
                let Some(t) = S::USIZE.checked_sub(1) else {
                    return self.initial();
                };
                let from = t * N::USIZE * H::USIZE;
                [&self.$hs.as_slice()[from..], &self.$cs.as_slice()[from..]]
            }
            fn carry(&mut self) {
                let Some(t) = S::USIZE.checked_sub(1) else {
                    return;
                };
                let from = t * N::USIZE * H::USIZE;
                self.$h0.as_mut_slice().copy_from_slice(&self.$hs.as_slice()[from..]);
                self.$c0.as_mut_slice().copy_from_slice(&self.$cs.as_slice()[from..]);
            }
            fn reset(&mut self) {
                self.$h0.fill(T::zero());
                self.$c0.fill(T::zero());
            }
            fn initial_grads(&self) -> [&[T]; 2] {
                [self.$dh0.as_slice(), self.$dc0.as_slice()]
            }
            fn step_norms(&self) -> &[T] {
                self.norms.as_slice()
            }
        }
    };
}
pub(super) use impl_state;
