//! Activation layers: elementwise [`ReLU`], [`LeakyReLU`], [`Sigmoid`], [`Tanh`], and [`Softmax`]
//! over the last axis. Each works on tensors of any shape and returns the same tensor type.
//!
//! What each layer keeps for backward (its [`Train::Cache`], grenade's per-layer tape):
//! - `ReLU`, `LeakyReLU`: nothing. Backward receives the input `x`, and the derivative is a
//!   function of its sign.
//! - `Sigmoid`, `Tanh`, `Softmax`: a copy of the output `y`, because their derivatives are cheap
//!   functions of `y` (`y(1 − y)`, `1 − y²`, `y ⊙ (dy − ⟨y, dy⟩)`) and recomputing `exp` would cost
//!   more than the memory.
//!
//! NaN and infinities propagate (see each layer); nothing is clamped or hidden.

use crate::nn::{Ctx, Infer, Train};
use crate::scalar::{Real, Scalar};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// Rectified linear unit, `y = max(x, 0)`, elementwise.
///
/// NaN inputs give NaN outputs. The derivative at exactly `0` is taken as `0` (as in PyTorch).
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Infer, ReLU};
/// let x = tensor([[-1.0, 2.0], [3.0, -4.0]]);
/// let mut y = Tensor2::<f64, U2, U2>::zeros();
/// ReLU.infer(&x, &mut (), &mut y);
/// assert_eq!(y, tensor([[0.0, 2.0], [3.0, 0.0]]));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct ReLU;

/// Leaky ReLU, `y = x` for `x > 0`, else `slope · x`, with `slope = PERMILLE / 1000`
/// (default 10, i.e. 0.01). The slope is part of the type, so a zeroed model keeps it.
///
/// NaN inputs give NaN outputs; the derivative at `0` is taken as `slope`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct LeakyReLU<const PERMILLE: u32 = 10>;

/// Logistic sigmoid, `y = 1 / (1 + e^(−x))`, elementwise, computed without overflow for any `x`.
///
/// Backward uses the cached output: `dx = dy · y(1 − y)`. NaN propagates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct Sigmoid;

/// Hyperbolic tangent, elementwise. Backward uses the cached output: `dx = dy · (1 − y²)`.
/// NaN propagates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct Tanh;

/// Softmax over the last axis (`(B, N)`: each row sums to 1), numerically stable (the row's
/// maximum is subtracted before `exp`).
///
/// Backward is the full Jacobian-vector product per row: `dx = y ⊙ (dy − ⟨y, dy⟩)`.
///
/// A row containing NaN or `+∞` becomes all NaN; `−∞` entries get probability 0 (usable for
/// masking logits) unless the whole row is `−∞`, which gives NaN.
///
/// For training with cross-entropy, prefer
/// [`SoftmaxCrossEntropy`](struct@crate::nn::SoftmaxCrossEntropy) on the logits: it is fused,
/// cheaper and stabler than `Softmax` followed by a log.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Infer, Softmax};
/// let x = tensor([[1000.0, 1000.0], [0.0, f64::ln(3.0)]]);
/// let mut y = Tensor2::<f64, U2, U2>::zeros();
/// Softmax.infer(&x, &mut (), &mut y);
/// assert_eq!(y[[0, 0]], 0.5);
/// assert!((y[[1, 1]] - 0.75).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct Softmax;

/// `dx = dy ⊙ f'(v)` for a derivative given as a function of `v` (the input or the cached output).
fn chain_rule<T: Copy, S: Shape>(
    v: &Tensor<T, S>,
    dy: &Tensor<T, S>,
    dx: Option<&mut Tensor<T, S>>,
    mut f: impl FnMut(T, T) -> T,
) {
    if let Some(dx) = dx {
        let (v, dy) = (v.as_slice(), dy.as_slice());
        for ((d, &vi), &g) in dx.iter_mut().zip(v).zip(dy) {
            *d = f(vi, g);
        }
    }
}

/// `y = f(x)` elementwise, into an existing tensor.
fn map_into<T: Copy, S: Shape>(x: &Tensor<T, S>, y: &mut Tensor<T, S>, mut f: impl FnMut(T) -> T) {
    for (o, &i) in y.iter_mut().zip(x.as_slice()) {
        *o = f(i);
    }
}

/// An elementwise activation: `Infer` by `$infer`, and `Train` whose cache is `()` (derivative
/// from the input) or the output (derivative from the output).
macro_rules! activation {
    (
        impl[$($g:tt)*] $ty:ty;
        infer($x:ident, $y:ident) $infer:block
        backward from input ($vx:ident, $dy:ident, $dx:ident) $bwd:block
    ) => {
        impl<$($g)*> Infer<Tensor<T, S>> for $ty {
            type Output = Tensor<T, S>;
            type Scratch = ();
            fn infer(&self, $x: &Tensor<T, S>, _: &mut (), $y: &mut Tensor<T, S>) $infer
        }
        impl<$($g)*> Train<Tensor<T, S>> for $ty {
            type Cache = ();
            fn forward(&mut self, x: &Tensor<T, S>, _: Ctx, _: &mut (), y: &mut Tensor<T, S>) {
                self.infer(x, &mut (), y);
            }
            fn backward(
                &self,
                $vx: &Tensor<T, S>,
                _: &mut (),
                $dy: &Tensor<T, S>,
                $dx: Option<&mut Tensor<T, S>>,
                _: Option<&mut ()>,
            ) $bwd
        }
    };
    (
        impl[$($g:tt)*] $ty:ty;
        infer($x:ident, $y:ident) $infer:block
        backward from output ($vy:ident, $dy:ident, $dx:ident) $bwd:block
    ) => {
        impl<$($g)*> Infer<Tensor<T, S>> for $ty {
            type Output = Tensor<T, S>;
            type Scratch = ();
            fn infer(&self, $x: &Tensor<T, S>, _: &mut (), $y: &mut Tensor<T, S>) $infer
        }
        impl<$($g)*> Train<Tensor<T, S>> for $ty {
            /// The output, from which the derivative is computed.
            type Cache = Tensor<T, S>;
            fn forward(&mut self, x: &Tensor<T, S>, _: Ctx, cache: &mut Tensor<T, S>, y: &mut Tensor<T, S>) {
                self.infer(x, &mut (), y);
                cache.copy_from(y);
            }
            fn backward(
                &self,
                _: &Tensor<T, S>,
                $vy: &mut Tensor<T, S>,
                $dy: &Tensor<T, S>,
                $dx: Option<&mut Tensor<T, S>>,
                _: Option<&mut ()>,
            ) $bwd
        }
    };
}

activation! {
    impl[T: Scalar, S: Shape] ReLU;
    // `x < 0` is false for NaN, so NaN passes through.
    infer(x, y) { map_into(x, y, |v| if v < T::zero() { T::zero() } else { v }) }
    backward from input (x, dy, dx) {
        chain_rule(x, dy, dx, |v, g| if v > T::zero() { g } else { T::zero() })
    }
}

activation! {
    impl[T: Real, S: Shape, const PERMILLE: u32] LeakyReLU<PERMILLE>;
    infer(x, y) {
        let slope = Self::slope::<T>();
        map_into(x, y, |v| if v > T::zero() { v } else { v * slope })
    }
    backward from input (x, dy, dx) {
        let slope = Self::slope::<T>();
        chain_rule(x, dy, dx, |v, g| if v > T::zero() { g } else { g * slope })
    }
}

impl<const PERMILLE: u32> LeakyReLU<PERMILLE> {
    /// The negative-side slope, `PERMILLE / 1000`.
    pub fn slope<T: Real>() -> T {
        T::from_f64(PERMILLE as f64 / 1000.0)
    }
}

/// The logistic function without overflow: `e^x` is only ever taken of a non-positive number.
#[inline]
pub(crate) fn sigmoid<T: Real>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

activation! {
    impl[T: Real, S: Shape] Sigmoid;
    infer(x, y) { map_into(x, y, sigmoid) }
    backward from output (y, dy, dx) { chain_rule(y, dy, dx, |y, g| g * y * (T::one() - y)) }
}

activation! {
    impl[T: Real, S: Shape] Tanh;
    infer(x, y) { map_into(x, y, T::tanh) }
    backward from output (y, dy, dx) { chain_rule(y, dy, dx, |y, g| g * (T::one() - y * y)) }
}

/// The size of a shape's last axis (the softmax axis).
fn last_dim<S: Shape>() -> usize {
    S::DIMS[S::RANK - 1]
}

/// Writes `softmax(x)` of one row into `y`, subtracting the row maximum first.
pub(crate) fn softmax_row<T: Real>(x: &[T], y: &mut [T]) {
    let max = x
        .iter()
        .fold(T::neg_infinity(), |m, &v| if v > m { v } else { m });
    let mut sum = T::zero();
    for (o, &v) in y.iter_mut().zip(x) {
        *o = (v - max).exp();
        sum += *o;
    }
    y.iter_mut().for_each(|o| *o /= sum);
}

activation! {
    impl[T: Real, S: Shape] Softmax;
    infer(x, y) {
        let n = last_dim::<S>();
        let rows = x.as_slice().chunks_exact(n);
        for (xr, yr) in rows.zip(y.as_mut_slice().chunks_exact_mut(n)) {
            softmax_row(xr, yr);
        }
    }
    backward from output (y, dy, dx) {
        let Some(dx) = dx else { return };
        let n = last_dim::<S>();
        let rows = y
            .as_slice()
            .chunks_exact(n)
            .zip(dy.as_slice().chunks_exact(n));
        for ((yr, gr), dr) in rows.zip(dx.as_mut_slice().chunks_exact_mut(n)) {
            let dot: T = yr.iter().zip(gr).map(|(&a, &b)| a * b).sum();
            for ((d, &yi), &gi) in dr.iter_mut().zip(yr).zip(gr) {
                *d = yi * (gi - dot);
            }
        }
    }
}

/// Log-softmax over the last axis: `y = x − logsumexp(x)` per row (`(B, N)`: each row's `exp`
/// sums to 1), for [`Nll`](struct@crate::nn::Nll).
///
/// Computed as `(x − max) − ln Σ e^(x − max)`, finite on logits of ±1000. Backward uses the cached
/// output: `dx = dy − softmax(x) · Σdy` per row, with `softmax(x) = e^y`.
///
/// A row containing NaN or `+∞` becomes all NaN; `−∞` entries give `−∞` (probability 0) unless
/// the whole row is `−∞`, which gives NaN.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Infer, LogSoftmax};
/// let y = LogSoftmax.apply(&tensor([[1000.0, 1000.0], [0.0, f64::ln(3.0)]]));
/// assert_eq!(y[[0, 0]], -f64::ln(2.0));
/// assert!((y[[1, 1]] - f64::ln(0.75)).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct LogSoftmax;

/// Writes `log_softmax(x)` of one row into `y`, subtracting the row maximum first.
pub(crate) fn log_softmax_row<T: Real>(x: &[T], y: &mut [T]) {
    let max = x
        .iter()
        .fold(T::neg_infinity(), |m, &v| if v > m { v } else { m });
    let ln_sum = x.iter().map(|&v| (v - max).exp()).sum::<T>().ln();
    for (o, &v) in y.iter_mut().zip(x) {
        *o = (v - max) - ln_sum;
    }
}

activation! {
    impl[T: Real, S: Shape] LogSoftmax;
    infer(x, y) {
        let n = last_dim::<S>();
        let rows = x.as_slice().chunks_exact(n);
        for (xr, yr) in rows.zip(y.as_mut_slice().chunks_exact_mut(n)) {
            log_softmax_row(xr, yr);
        }
    }
    backward from output (y, dy, dx) {
        let Some(dx) = dx else { return };
        let n = last_dim::<S>();
        let rows = y
            .as_slice()
            .chunks_exact(n)
            .zip(dy.as_slice().chunks_exact(n));
        for ((yr, gr), dr) in rows.zip(dx.as_mut_slice().chunks_exact_mut(n)) {
            let total: T = gr.iter().copied().sum();
            for ((d, &yi), &gi) in dr.iter_mut().zip(yr).zip(gr) {
                *d = gi - yi.exp() * total;
            }
        }
    }
}

#[cfg(test)]
mod log_softmax_tests {
    use super::LogSoftmax;
    use crate::gradcheck::{Config, check_projected};
    use crate::nn::Infer;
    use crate::prelude::*;
    use crate::rand::Rng;

    fn uniform<S: Shape>(seed: u64, scale: f64) -> Tensor<f64, S> {
        let mut rng = Rng::new(seed);
        Tensor::from_flat_fn(|_| rng.uniform(-scale, scale))
    }

    #[test]
    fn gradcheck_rank_2_and_3() {
        for cfg in [Config::default(), Config::default().eval()] {
            let mut x = uniform::<(U3, U4)>(1, 3.0);
            let report = check_projected(&mut LogSoftmax, &mut x, 7, cfg);
            assert!(report.max_rel() < 1e-6, "{report}");
            assert_eq!(report.input.checked, 12);
            let mut x = uniform::<(U2, U3, U4)>(2, 3.0);
            let report = check_projected(&mut LogSoftmax, &mut x, 8, cfg);
            assert!(report.max_rel() < 1e-6, "{report}");
        }
    }

    #[test]
    fn is_the_log_of_softmax() {
        let x = uniform::<(U3, U5)>(3, 4.0);
        let y = LogSoftmax.apply(&x);
        for b in 0..3 {
            let row = x.outer(b);
            let total: f64 = row.iter().map(|v| v.exp()).sum();
            for (&yi, &xi) in y.outer(b).iter().zip(row) {
                assert!((yi - (xi.exp() / total).ln()).abs() < 1e-14, "{yi}");
            }
            let mass: f64 = y.outer(b).iter().map(|v| v.exp()).sum();
            assert!((mass - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn large_logits_and_special_values() {
        let y = LogSoftmax.apply(&tensor([
            [1000.0, -1000.0, 0.0],
            [f64::NEG_INFINITY, 0.0, 0.0],
            [f64::NAN, 0.0, 1.0],
            [f64::INFINITY, 0.0, 1.0],
            [f64::NEG_INFINITY; 3],
        ]));
        assert_eq!(y.outer(0), &[0.0, -2000.0, -1000.0]);
        assert_eq!(
            y.outer(1),
            &[f64::NEG_INFINITY, -f64::ln(2.0), -f64::ln(2.0)]
        );
        for b in 2..5 {
            assert!(
                y.outer(b).iter().all(|v| v.is_nan()),
                "row {b}: {:?}",
                y.outer(b)
            );
        }
    }
}
