//! Dropout (see [`Dropout`]).

use crate::nn::{Ctx, Infer, Train};
use crate::rand::Rng;
use crate::scalar::{Real, Scalar, Zeroable};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// Inverted dropout with drop probability `p` in `[0, 1)`, on tensors of any shape.
///
/// [`Dropout`] with PyTorch's conventions: in training mode each value is zeroed with probability
/// `p` and the kept ones are scaled by `1/(1 − p)` ("inverted" dropout, so the expectation is
/// unchanged and evaluation needs no rescaling); in evaluation ([`Infer`], [`Mode::Eval`](crate::nn::Mode::Eval)) it is
/// the identity.
///
/// The mask comes from the layer's own random stream ([`Ctx::rng`]): in a chain each layer gets
/// [`Ctx::child`], so two Dropout layers draw different masks, and every step
/// ([`Ctx::next_step`]) draws a new one. The same context gives the same mask, which is what lets
/// [`gradcheck`](crate::gradcheck) check it.
///
/// `p` is a runtime value checked by [`Dropout::new`] (an error, not a panic, outside `[0, 1)`). A
/// zeroed `Dropout` has `p = 0`, the identity: set the layers of a zeroed model explicitly.
///
/// ```
/// use shaped::nn::{Ctx, Dropout, Infer, Linear, Train};
/// use shaped::prelude::*;
/// type Model = (Linear<f64, U4, U4>, Dropout);
/// let mut model = Model::zeroed();
/// model.0.weight = Tensor::from_fn(|[i, j]: [usize; 2]| if i == j { 1.0 } else { 0.0 });
/// model.1 = Dropout::new(0.5).expect("0.5 is in [0, 1)");
/// let x = Tensor2::<f64, U2, U4>::ones();
///
/// // Training: about half the values dropped, the others doubled.
/// let (mut cache, mut y) = (Zeroable::zeroed(), Tensor2::zeros());
/// model.forward(&x, Ctx::train(42), &mut cache, &mut y);
/// assert!(y.iter().all(|&v| v == 0.0 || v == 2.0));
/// assert!(y.iter().any(|&v| v == 0.0) && y.iter().any(|&v| v == 2.0));
///
/// // Evaluation: the identity.
/// assert_eq!(model.apply(&x), x);
/// assert!(Dropout::new(1.0).is_err());
/// ```
///
/// NaN propagates: a dropped value is multiplied by 0, so NaN stays NaN (as in PyTorch).
#[derive(Clone, Copy, Debug, Default, PartialEq, crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct Dropout {
    /// The drop probability: configuration, not a parameter (zero: the identity).
    #[skip]
    p: f64,
}

/// A dropout probability outside `[0, 1)` (or NaN).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DropoutError {
    /// The rejected probability.
    pub p: f64,
}

impl core::fmt::Display for DropoutError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "dropout probability {} is outside [0, 1)", self.p)
    }
}

impl core::error::Error for DropoutError {}

impl Dropout {
    /// Dropout with probability `p`; `p = 1` (drop everything, scale `1/0`) and anything outside
    /// `[0, 1)`, NaN included, is an error.
    pub const fn new(p: f64) -> Result<Self, DropoutError> {
        if p >= 0.0 && p < 1.0 {
            Ok(Dropout { p })
        } else {
            Err(DropoutError { p })
        }
    }

    /// The drop probability.
    pub const fn p(&self) -> f64 {
        self.p
    }

    /// Writes `y = x ⊙ mask · 1/(1 − p)` with the mask drawn from a stream seeded by `seed`
    /// (one draw per value, in order), or `y = x` when `p` is 0.
    fn masked<T: Real>(p: f64, seed: u64, x: &[T], y: &mut [T]) {
        if p == 0.0 {
            y.copy_from_slice(x);
            return;
        }
        let scale = T::from_f64(1.0 / (1.0 - p));
        let mut rng = Rng::new(seed);
        for (o, &v) in y.iter_mut().zip(x) {
            let factor = if rng.next_f64() < p { T::zero() } else { scale };
            *o = v * factor;
        }
    }
}

/// What a Dropout forward pass keeps for backward: the probability it used (0 in evaluation) and
/// the seed of its mask stream. Backward redraws the same mask, so the cache is 16 bytes whatever
/// the activation size.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DropoutCache {
    p: f64,
    seed: u64,
}

// SAFETY: an `f64` and a `u64` (zero is the identity).
unsafe impl Zeroable for DropoutCache {}

impl<T: Scalar, S: Shape> Infer<Tensor<T, S>> for Dropout {
    type Output = Tensor<T, S>;
    type Scratch = ();

    /// The identity (evaluation mode).
    fn infer(&self, x: &Tensor<T, S>, _: &mut (), y: &mut Tensor<T, S>) {
        y.copy_from(x);
    }
}

impl<T: Real, S: Shape> Train<Tensor<T, S>> for Dropout {
    type Cache = DropoutCache;

    fn forward(
        &mut self,
        x: &Tensor<T, S>,
        ctx: Ctx,
        cache: &mut DropoutCache,
        y: &mut Tensor<T, S>,
    ) {
        let p = if ctx.is_train() { self.p } else { 0.0 };
        *cache = DropoutCache {
            p,
            seed: ctx.rng().next_u64(),
        };
        Self::masked(p, cache.seed, x.as_slice(), y.as_mut_slice());
    }

    /// `dx = dy ⊙ mask · 1/(1 − p)` with the forward pass's mask.
    fn backward(
        &self,
        _: &Tensor<T, S>,
        cache: &mut DropoutCache,
        dy: &Tensor<T, S>,
        dx: Option<&mut Tensor<T, S>>,
        _: Option<&mut ()>,
    ) {
        if let Some(dx) = dx {
            Self::masked(cache.p, cache.seed, dy.as_slice(), dx.as_mut_slice());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{Config, check_projected};
    use crate::nn::{Linear, Params};
    use typenum::{U3, U4, U8, U100};

    type Big = Tensor<f64, (U100, U100)>;

    fn train(d: &mut Dropout, x: &Big, ctx: Ctx) -> Big {
        let (mut cache, mut y) = (DropoutCache::zeroed(), Big::zeros());
        d.forward(x, ctx, &mut cache, &mut y);
        y
    }

    #[test]
    fn new_rejects_probabilities_outside_unit_interval() {
        for p in [-0.1, 1.0, 1.5, f64::NAN, f64::INFINITY, -1e-300] {
            assert!(Dropout::new(p).is_err(), "{p}");
        }
        for p in [0.0, 0.3, 0.999_999] {
            assert_eq!(Dropout::new(p).map(|d| d.p()), Ok(p));
        }
        let err = Dropout::new(1.0).unwrap_err();
        assert_eq!(
            std::format!("{err}"),
            "dropout probability 1 is outside [0, 1)"
        );
        assert_eq!(Dropout::zeroed().p(), 0.0);
    }

    #[test]
    fn keeps_one_minus_p_and_preserves_the_expectation() {
        let mut d = Dropout::new(0.3).unwrap();
        let x = Big::ones();
        let y = train(&mut d, &x, Ctx::train(11));
        let scale = 1.0 / 0.7;
        assert!(y.iter().all(|&v| v == 0.0 || v == scale));
        let kept = y.iter().filter(|&&v| v != 0.0).count() as f64 / 10_000.0;
        // Binomial(10 000, 0.7): standard deviation 0.0046 of the fraction.
        assert!((kept - 0.7).abs() < 0.02, "kept {kept}");
        let mean = y.iter().sum::<f64>() / 10_000.0;
        assert!((mean - 1.0).abs() < 0.03, "mean {mean}");
    }

    #[test]
    fn masks_differ_by_step_and_repeat_by_context() {
        let mut d = Dropout::new(0.5).unwrap();
        let x = Big::ones();
        let mut ctx = Ctx::train(3);
        let a = train(&mut d, &x, ctx);
        assert_eq!(a, train(&mut d, &x, ctx));
        ctx.next_step();
        assert_ne!(a, train(&mut d, &x, ctx));
    }

    #[test]
    fn evaluation_is_the_identity() {
        let mut d = Dropout::new(0.9).unwrap();
        let x = Big::from_flat_fn(|i| i as f64 - 50.0);
        assert_eq!(train(&mut d, &x, Ctx::eval()), x);
        assert_eq!(d.apply(&x), x);
        assert_eq!(train(&mut Dropout::zeroed(), &x, Ctx::train(1)), x);
    }

    #[test]
    fn nan_is_not_dropped() {
        let mut d = Dropout::new(0.5).unwrap();
        let x = Big::full(f64::NAN);
        assert!(train(&mut d, &x, Ctx::train(0)).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn two_layers_in_a_chain_draw_different_masks() {
        type X = Tensor<f64, (U8, U8)>;
        let d = Dropout::new(0.5).unwrap();
        let mut chain = (d, d);
        let x = X::ones();
        let ctx = Ctx::train(5);
        let mut cache = <(Dropout, Dropout) as Train<X>>::Cache::zeroed();
        let mut y = X::zeros();
        chain.forward(&x, ctx, &mut cache, &mut y);
        // Each layer alone, in the stream the chain gives it.
        let mask = |i: u64| {
            let (mut c, mut m) = (DropoutCache::zeroed(), X::zeros());
            d.clone().forward(&x, ctx.child(i), &mut c, &mut m);
            m
        };
        let (m0, m1) = (mask(0), mask(1));
        assert_ne!(m0, m1);
        assert_eq!(y, m0.zip_map(&m1, |a, b| a * b));
        // Backward through the chain applies both masks.
        let mut dx = X::zeros();
        chain.backward(
            &x,
            &mut cache,
            &X::ones(),
            Some(&mut dx),
            Some(&mut ((), ())),
        );
        assert_eq!(dx, y);
    }

    #[test]
    fn gradcheck_train_and_eval() {
        for cfg in [Config::default(), Config::default().eval()] {
            let mut model = (Linear::<f64, U4, U8>::zeros(), Dropout::new(0.4).unwrap());
            model.init(crate::init::Scheme::XavierUniform, &mut Rng::new(1));
            let mut x = Tensor::<f64, (U3, U4)>::from_flat_fn(|i| i as f64 * 0.2 - 1.0);
            let report = check_projected(&mut model, &mut x, 2, cfg);
            assert!(report.max_rel() < 1e-6, "{:?}: {report}", cfg.ctx.mode());
        }
    }
}
