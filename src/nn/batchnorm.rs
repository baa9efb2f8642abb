//! Batch normalisation (see [`BatchNorm1d`]).

use crate::nn::{Ctx, Infer, Module, Train};
use crate::scalar::{Real, Scalar, Zeroable};
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

/// Momentum of the running statistics: `running = (1 − m) · running + m · batch` (PyTorch's
/// default).
const MOMENTUM: f64 = 0.1;

/// Added to the variance before the square root (PyTorch's default).
const EPS: f64 = 1e-5;

/// Batch normalisation of `F` features on batches `(B, F)`, with PyTorch's conventions;
/// [`BatchNorm2d`] is the same over channels `(B, C, H, W)` (statistics per channel over `B·H·W`
/// values).
///
/// # Conventions (both layers)
/// `y = γ · (x − μ) / √(σ² + ε) + β`, per feature or channel, with
/// - **training mode** ([`Mode::Train`](crate::nn::Mode::Train)): `μ`, `σ²` of the batch, the variance *biased* (divided by
///   `n`); each pass also updates the running statistics, `running = (1 − m) · running + m · batch`
///   with momentum `m = 0.1`, the running variance from the *unbiased* batch
///   variance (divided by `n − 1`), and increments `num_batches_tracked`;
/// - **evaluation** ([`Infer`], [`Mode::Eval`](crate::nn::Mode::Eval)): `μ`, `σ²` are the running statistics, unchanged.
///
/// `ε = 1e-5`. Both are PyTorch's defaults and fixed: a zeroed layer keeps them. The
/// stored tensors have PyTorch's names and kinds: `weight` (γ) and `bias` (β) are trainable;
/// `running_mean`, `running_var` and the `i64` counter `num_batches_tracked` are state, saved and
/// loaded but never touched by an optimizer. A PyTorch `state_dict` maps onto them one to one.
///
/// # Initialisation
/// Create layers with `new()` or initialise a zeroed model with [`Params::init`](crate::nn::Params::init): both set γ = 1,
/// β = 0, running mean 0, running variance 1, count 0. A *zeroed* layer (γ = 0, running
/// variance 0) is kept as the bytes say, so that loading weights into a zeroed model needs no
/// special case; it is finite but not useful: it outputs β = 0 and passes no input gradient until
/// γ moves, and in evaluation divides by `√ε`.
///
/// # Edge cases
/// - NaN in a channel's batch makes that channel's batch statistics, outputs and running
///   statistics NaN (as in PyTorch); other channels are unaffected.
/// - One value per channel in training (`B·H·W = 1`): the output is β (the value is its own mean)
///   and the unbiased variance does not exist, so `running_var` is left unchanged (the mean and
///   the count are updated). PyTorch raises an error instead.
///
/// Backward in training mode goes through the batch statistics:
/// `dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂))`; in evaluation mode the statistics are
/// constants and `dx = γ/σ · dy`. Both add `dγ += Σ dy · x̂`, `dβ += Σ dy`.
///
/// ```
/// use shaped::nn::{BatchNorm1d, Ctx, Infer, Train};
/// use shaped::prelude::*;
/// let mut bn = BatchNorm1d::<f64, U2>::new();
/// let x = tensor([[1.0, 10.0], [3.0, 30.0]]);
///
/// // Training: batch statistics (column means 2 and 20, biased variances 1 and 100).
/// let (mut cache, mut y) = (Zeroable::zeroed(), Tensor2::<f64, U2, U2>::zeros());
/// bn.forward(&x, Ctx::train(0), &mut cache, &mut y);
/// assert!((y[[0, 0]] + 1.0).abs() < 1e-5 && (y[[1, 1]] - 1.0).abs() < 1e-5);
/// // Running statistics: 0.9 · 0 + 0.1 · mean, and 0.9 · 1 + 0.1 · unbiased variance (2 and 200).
/// assert!((bn.running_mean[[0]] - 0.2).abs() < 1e-12 && (bn.running_mean[[1]] - 2.0).abs() < 1e-12);
/// assert!((bn.running_var[[0]] - 1.1).abs() < 1e-12 && (bn.running_var[[1]] - 20.9).abs() < 1e-12);
/// assert_eq!(bn.num_batches_tracked, 1);
///
/// // Evaluation: the running statistics.
/// let y = bn.apply(&x);
/// assert!((y[[0, 0]] - (1.0 - 0.2) / (1.1f64 + 1e-5).sqrt()).abs() < 1e-12);
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
#[params(init = Self::init_stats)]
pub struct BatchNorm1d<T, F: Dim> {
    /// γ, the scale per feature (trainable, initially 1).
    #[param]
    pub weight: Tensor<T, (F,)>,
    /// β, the shift per feature (trainable, initially 0).
    #[param]
    pub bias: Tensor<T, (F,)>,
    /// Running mean (state, initially 0).
    #[state]
    pub running_mean: Tensor<T, (F,)>,
    /// Running unbiased variance (state, initially 1).
    #[state]
    pub running_var: Tensor<T, (F,)>,
    /// Training forward passes so far (state).
    #[state]
    pub num_batches_tracked: i64,
}

/// Batch normalisation of `C` channels on image batches `(B, C, H, W)`, statistics per channel
/// over `B·H·W` values; the conventions are [`BatchNorm1d`]'s.
///
/// ```
/// use shaped::nn::{BatchNorm2d, Ctx, Infer, Train};
/// use shaped::prelude::*;
/// let mut bn = BatchNorm2d::<f64, U1>::new();
/// // One channel, values 0, 2, 4, 6 over batch and space: mean 3, unbiased variance 20/3.
/// let x = Tensor4::<f64, U2, U1, U1, U2>::from_flat_fn(|i| 2.0 * i as f64);
/// let (mut cache, mut y) = (Zeroable::zeroed(), Tensor4::zeros());
/// bn.forward(&x, Ctx::train(0), &mut cache, &mut y);
/// assert!(y.iter().sum::<f64>().abs() < 1e-12); // normalised: mean 0
/// assert!((bn.running_mean[[0]] - 0.3).abs() < 1e-12);
/// assert!((bn.running_var[[0]] - (0.9 + 0.1 * 20.0 / 3.0)).abs() < 1e-12);
///
/// let y = bn.apply(&x); // evaluation: running statistics
/// assert!((y[[0, 0, 0, 0]] + 0.3 / (bn.running_var[[0]] + 1e-5).sqrt()).abs() < 1e-12);
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
#[params(init = Self::init_stats)]
pub struct BatchNorm2d<T, C: Dim> {
    /// γ, the scale per channel (trainable, initially 1).
    #[param]
    pub weight: Tensor<T, (C,)>,
    /// β, the shift per channel (trainable, initially 0).
    #[param]
    pub bias: Tensor<T, (C,)>,
    /// Running mean (state, initially 0).
    #[state]
    pub running_mean: Tensor<T, (C,)>,
    /// Running unbiased variance (state, initially 1).
    #[state]
    pub running_var: Tensor<T, (C,)>,
    /// Training forward passes so far (state).
    #[state]
    pub num_batches_tracked: i64,
}

/// What a BatchNorm forward pass keeps for backward: the mean and `1/√(σ² + ε)` it normalised
/// with, per channel, and whether they were batch statistics. `x̂` is recomputed from the input,
/// so the cache is `2·C` values whatever the batch size.
pub struct BatchNormCache<T, C: Dim> {
    mean: Tensor<T, (C,)>,
    inv_std: Tensor<T, (C,)>,
    train: bool,
}

// SAFETY: two zeroable tensors and a `bool` (zero is `false`).
unsafe impl<T: Zeroable, C: Dim> Zeroable for BatchNormCache<T, C> {}

/// The boilerplate both layers share: construction, `Zeroable`, `Clone`, `Debug`, `Module`,
/// `Params` and initialisation.
macro_rules! batchnorm_common {
    ($ty:ident, $name:literal) => {
        impl<T: Scalar, C: Dim> $ty<T, C> {
            /// A layer in PyTorch's initial state: γ = 1, β = 0, running mean 0, running
            /// variance 1, count 0.
            pub fn new() -> Self {
                let mut layer = Self::zeroed();
                layer.reset();
                layer
            }

            /// Back to the initial state of [`new`](Self::new) (what [`Params::init`] does).
            ///
            /// [`Params::init`]: crate::nn::Params::init
            pub fn reset(&mut self) {
                self.weight.fill(T::one());
                self.bias.fill(T::zero());
                self.running_mean.fill(T::zero());
                self.running_var.fill(T::one());
                self.num_batches_tracked = 0;
            }

            fn init_stats(&mut self, _: crate::init::Scheme, _: &mut crate::rand::Rng)
            where
                T: Real,
            {
                self.reset();
            }
        }

        impl<T: Scalar, C: Dim> Default for $ty<T, C> {
            /// [`new`](Self::new).
            fn default() -> Self {
                Self::new()
            }
        }

        impl<T: Scalar, C: Dim> Clone for $ty<T, C> {
            fn clone(&self) -> Self {
                $ty {
                    weight: self.weight.clone(),
                    bias: self.bias.clone(),
                    running_mean: self.running_mean.clone(),
                    running_var: self.running_var.clone(),
                    num_batches_tracked: self.num_batches_tracked,
                }
            }
        }

        impl<T: Scalar, C: Dim> core::fmt::Debug for $ty<T, C> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct($name)
                    .field("weight", &self.weight)
                    .field("bias", &self.bias)
                    .field("running_mean", &self.running_mean)
                    .field("running_var", &self.running_var)
                    .field("num_batches_tracked", &self.num_batches_tracked)
                    .finish()
            }
        }

        impl<T: Real, C: Dim> $ty<T, C> {
            /// The stored tensors as the shared kernels take them.
            fn stats(&mut self) -> Stats<'_, T> {
                Stats {
                    weight: self.weight.as_slice(),
                    bias: self.bias.as_slice(),
                    running_mean: self.running_mean.as_mut_slice(),
                    running_var: self.running_var.as_mut_slice(),
                    count: &mut self.num_batches_tracked,
                }
            }

            /// Training-mode forward or evaluation-mode forward with a cache.
            fn forward_slices(
                &mut self,
                l: Layout,
                x: &[T],
                ctx: Ctx,
                cache: &mut BatchNormCache<T, C>,
                y: &mut [T],
            ) {
                let (mean, inv_std) = (cache.mean.as_mut_slice(), cache.inv_std.as_mut_slice());
                cache.train = ctx.is_train();
                if cache.train {
                    forward_train(l, x, self.stats(), mean, inv_std, y);
                } else {
                    for c in 0..l.channels {
                        mean[c] = self.running_mean.as_slice()[c];
                        inv_std[c] = inv_std_of(self.running_var.as_slice()[c]);
                    }
                    normalise(
                        l,
                        x,
                        self.weight.as_slice(),
                        self.bias.as_slice(),
                        mean,
                        inv_std,
                        y,
                    );
                }
            }

            /// Evaluation-mode forward without a cache.
            fn infer_slices(&self, l: Layout, x: &[T], y: &mut [T]) {
                let (g, b) = (self.weight.as_slice(), self.bias.as_slice());
                let (rm, rv) = (self.running_mean.as_slice(), self.running_var.as_slice());
                for c in 0..l.channels {
                    let (mu, inv) = (rm[c], inv_std_of(rv[c]));
                    l.each(c, |i| y[i] = g[c] * ((x[i] - mu) * inv) + b[c]);
                }
            }

            /// Backward through either mode, from the cache.
            fn backward_slices(
                &self,
                l: Layout,
                x: &[T],
                cache: &BatchNormCache<T, C>,
                dy: &[T],
                dx: Option<&mut [T]>,
                grads: Option<&mut <Self as Module>::Grads>,
            ) {
                let grads = grads.map(|g| (g.weight.as_mut_slice(), g.bias.as_mut_slice()));
                backward(
                    l,
                    x,
                    self.weight.as_slice(),
                    cache.mean.as_slice(),
                    cache.inv_std.as_slice(),
                    cache.train,
                    dy,
                    dx,
                    grads,
                );
            }
        }
    };
}

batchnorm_common!(BatchNorm1d, "BatchNorm1d");
batchnorm_common!(BatchNorm2d, "BatchNorm2d");

impl<T: Real, B: Dim, F: Dim, F2> Infer<Tensor<T, (B, F2)>> for BatchNorm1d<T, F>
where
    F2: Dim + DimEq<F, rules::BatchNormFeatures>,
{
    type Output = Tensor<T, (B, F)>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, F2)>, _: &mut (), y: &mut Tensor<T, (B, F)>) {
        self.infer_slices(Layout::new::<B, F>(1), x.as_slice(), y.as_mut_slice());
    }
}

impl<T: Real, B: Dim, F: Dim, F2> Train<Tensor<T, (B, F2)>> for BatchNorm1d<T, F>
where
    F2: Dim + DimEq<F, rules::BatchNormFeatures>,
{
    type Cache = BatchNormCache<T, F>;

    fn forward(
        &mut self,
        x: &Tensor<T, (B, F2)>,
        ctx: Ctx,
        cache: &mut Self::Cache,
        y: &mut Tensor<T, (B, F)>,
    ) {
        let l = Layout::new::<B, F>(1);
        self.forward_slices(l, x.as_slice(), ctx, cache, y.as_mut_slice());
    }

    fn backward(
        &self,
        x: &Tensor<T, (B, F2)>,
        cache: &mut Self::Cache,
        dy: &Tensor<T, (B, F)>,
        dx: Option<&mut Tensor<T, (B, F2)>>,
        grads: Option<&mut Self::Grads>,
    ) {
        let l = Layout::new::<B, F>(1);
        let dx = dx.map(|d| d.as_mut_slice());
        self.backward_slices(l, x.as_slice(), cache, dy.as_slice(), dx, grads);
    }
}

impl<T: Real, B: Dim, C: Dim, C2, H: Dim, W: Dim> Infer<Tensor<T, (B, C2, H, W)>>
    for BatchNorm2d<T, C>
where
    C2: Dim + DimEq<C, rules::BatchNormFeatures>,
{
    type Output = Tensor<T, (B, C, H, W)>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, C2, H, W)>, _: &mut (), y: &mut Tensor<T, (B, C, H, W)>) {
        let l = Layout::new::<B, C>(H::USIZE * W::USIZE);
        self.infer_slices(l, x.as_slice(), y.as_mut_slice());
    }
}

impl<T: Real, B: Dim, C: Dim, C2, H: Dim, W: Dim> Train<Tensor<T, (B, C2, H, W)>>
    for BatchNorm2d<T, C>
where
    C2: Dim + DimEq<C, rules::BatchNormFeatures>,
{
    type Cache = BatchNormCache<T, C>;

    fn forward(
        &mut self,
        x: &Tensor<T, (B, C2, H, W)>,
        ctx: Ctx,
        cache: &mut Self::Cache,
        y: &mut Tensor<T, (B, C, H, W)>,
    ) {
        let l = Layout::new::<B, C>(H::USIZE * W::USIZE);
        self.forward_slices(l, x.as_slice(), ctx, cache, y.as_mut_slice());
    }

    fn backward(
        &self,
        x: &Tensor<T, (B, C2, H, W)>,
        cache: &mut Self::Cache,
        dy: &Tensor<T, (B, C, H, W)>,
        dx: Option<&mut Tensor<T, (B, C2, H, W)>>,
        grads: Option<&mut Self::Grads>,
    ) {
        let l = Layout::new::<B, C>(H::USIZE * W::USIZE);
        let dx = dx.map(|d| d.as_mut_slice());
        self.backward_slices(l, x.as_slice(), cache, dy.as_slice(), dx, grads);
    }
}

/// A row-major `(outer, channels, inner)` view: `(B, F, 1)` for 1d, `(B, C, H·W)` for 2d.
#[derive(Clone, Copy)]
struct Layout {
    outer: usize,
    channels: usize,
    inner: usize,
}

impl Layout {
    fn new<B: Dim, C: Dim>(inner: usize) -> Self {
        Layout {
            outer: B::USIZE,
            channels: C::USIZE,
            inner,
        }
    }

    /// Values per channel.
    fn count(self) -> usize {
        self.outer * self.inner
    }

    /// Calls `f` with the index of every value of channel `c`.
    #[inline(always)]
    fn each(self, c: usize, mut f: impl FnMut(usize)) {
        for b in 0..self.outer {
            let start = (b * self.channels + c) * self.inner;
            (start..start + self.inner).for_each(&mut f);
        }
    }

    /// `Σ f(i)` over channel `c`.
    #[inline(always)]
    fn sum<T: Real>(self, c: usize, mut f: impl FnMut(usize) -> T) -> T {
        let mut s = T::zero();
        self.each(c, |i| s += f(i));
        s
    }
}

/// The stored tensors a training pass reads and updates.
struct Stats<'a, T> {
    weight: &'a [T],
    bias: &'a [T],
    running_mean: &'a mut [T],
    running_var: &'a mut [T],
    count: &'a mut i64,
}

/// `1 / √(σ² + ε)`.
#[inline(always)]
fn inv_std_of<T: Real>(var: T) -> T {
    T::one() / (var + T::from_f64(EPS)).sqrt()
}

/// `y = γ · (x − μ) · inv + β` per channel.
fn normalise<T: Real>(l: Layout, x: &[T], g: &[T], b: &[T], mean: &[T], inv: &[T], y: &mut [T]) {
    for c in 0..l.channels {
        l.each(c, |i| y[i] = g[c] * ((x[i] - mean[c]) * inv[c]) + b[c]);
    }
}

/// Batch statistics (two passes: mean, then squared deviations), the running-statistic update,
/// and the normalised output.
fn forward_train<T: Real>(
    l: Layout,
    x: &[T],
    s: Stats<'_, T>,
    mean: &mut [T],
    inv_std: &mut [T],
    y: &mut [T],
) {
    let n = l.count();
    let m = T::from_f64(MOMENTUM);
    let keep = T::one() - m;
    for c in 0..l.channels {
        let mu = l.sum(c, |i| x[i]) / T::from_usize(n);
        let squares = l.sum(c, |i| (x[i] - mu) * (x[i] - mu));
        mean[c] = mu;
        inv_std[c] = inv_std_of(squares / T::from_usize(n));
        s.running_mean[c] = keep * s.running_mean[c] + m * mu;
        if n > 1 {
            let unbiased = squares / T::from_usize(n - 1);
            s.running_var[c] = keep * s.running_var[c] + m * unbiased;
        }
    }
    *s.count = s.count.saturating_add(1);
    normalise(l, x, s.weight, s.bias, mean, inv_std, y);
}

/// Backward of either mode (`train`: through the batch statistics).
#[allow(clippy::too_many_arguments)]
fn backward<T: Real>(
    l: Layout,
    x: &[T],
    g: &[T],
    mean: &[T],
    inv_std: &[T],
    train: bool,
    dy: &[T],
    dx: Option<&mut [T]>,
    mut grads: Option<(&mut [T], &mut [T])>,
) {
    let mut dx = dx;
    let n = T::from_usize(l.count());
    for c in 0..l.channels {
        let (mu, inv) = (mean[c], inv_std[c]);
        let xhat = |i: usize| (x[i] - mu) * inv;
        let need_sums = (train && dx.is_some()) || grads.is_some();
        let (sum_dy, sum_dy_xhat) = if need_sums {
            (l.sum(c, |i| dy[i]), l.sum(c, |i| dy[i] * xhat(i)))
        } else {
            (T::zero(), T::zero())
        };
        if let Some((dg, db)) = grads.as_mut() {
            dg[c] += sum_dy_xhat;
            db[c] += sum_dy;
        }
        if let Some(dx) = dx.as_deref_mut() {
            let scale = g[c] * inv;
            if train {
                let (mean_dy, mean_dy_xhat) = (sum_dy / n, sum_dy_xhat / n);
                l.each(c, |i| {
                    dx[i] = scale * (dy[i] - mean_dy - xhat(i) * mean_dy_xhat)
                });
            } else {
                l.each(c, |i| dx[i] = scale * dy[i]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{Config, check_projected};
    use crate::nn::{Entry, Kind, Name, Params};
    use crate::rand::Rng;
    use typenum::{U1, U2, U3, U4};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    /// A layer with random γ, β and running statistics (so eval-mode checks are not trivial).
    fn randomise<L: Params<f64>>(layer: &mut L, seed: u64) {
        let mut rng = Rng::new(seed);
        layer.visit_mut(&Name::ROOT, &mut |e| {
            if let crate::nn::ValuesMut::Elem(v) = e.values {
                // Positive values for the variance; any sign for the others.
                let var = e.name.matches("running_var");
                v.iter_mut().for_each(|v| {
                    *v = if var {
                        rng.uniform(0.5, 2.0)
                    } else {
                        rng.uniform(-1.5, 1.5)
                    }
                });
            }
        });
    }

    #[test]
    fn batchnorm1d_gradcheck_train_and_eval() {
        for cfg in [Config::default(), Config::default().eval()] {
            let mut bn = BatchNorm1d::<f64, U3>::new();
            randomise(&mut bn, 1);
            let mut rng = Rng::new(2);
            let mut x = Tensor::<f64, (U4, U3)>::from_flat_fn(|_| rng.uniform(-2.0, 2.0));
            let report = check_projected(&mut bn, &mut x, 3, cfg);
            assert!(report.max_rel() < 1e-6, "{:?}: {report}", cfg.ctx.mode());
            assert_eq!((report.input.checked, report.params.checked), (12, 6));
        }
    }

    #[test]
    fn batchnorm2d_gradcheck_train_and_eval() {
        for cfg in [Config::default(), Config::default().eval()] {
            let mut bn = BatchNorm2d::<f64, U2>::new();
            randomise(&mut bn, 4);
            let mut rng = Rng::new(5);
            let mut x = Tensor::<f64, (U2, U2, U3, U2)>::from_flat_fn(|_| rng.uniform(-2.0, 2.0));
            let report = check_projected(&mut bn, &mut x, 6, cfg);
            assert!(report.max_rel() < 1e-6, "{:?}: {report}", cfg.ctx.mode());
            assert_eq!((report.input.checked, report.params.checked), (24, 4));
        }
    }

    /// PyTorch's update from one batch, computed here from the definitions.
    fn expected_running(values: &[f64], old_mean: f64, old_var: f64) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let unbiased = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
        (0.9 * old_mean + 0.1 * mean, 0.9 * old_var + 0.1 * unbiased)
    }

    #[test]
    fn batchnorm1d_running_statistics_follow_pytorch() {
        let mut bn = BatchNorm1d::<f64, U2>::new();
        bn.running_mean = crate::tensor([0.5, -1.0]);
        bn.running_var = crate::tensor([2.0, 0.25]);
        let x = crate::tensor([[1.0, -3.0], [2.0, 5.0], [4.0, 0.5], [-0.5, 2.0]]);
        let cols: [[f64; 4]; 2] = core::array::from_fn(|j| core::array::from_fn(|b| x[[b, j]]));
        let (mut cache, mut y) = (Zeroable::zeroed(), Tensor::<f64, (U4, U2)>::zeros());
        bn.forward(&x, Ctx::train(0), &mut cache, &mut y);
        assert_eq!(bn.num_batches_tracked, 1);
        for j in 0..2 {
            let (rm, rv) = expected_running(&cols[j], [0.5, -1.0][j], [2.0, 0.25][j]);
            assert!(
                close(bn.running_mean[[j]], rm),
                "{} vs {rm}",
                bn.running_mean[[j]]
            );
            assert!(
                close(bn.running_var[[j]], rv),
                "{} vs {rv}",
                bn.running_var[[j]]
            );
            // The training output used the biased batch variance.
            let mean = cols[j].iter().sum::<f64>() / 4.0;
            let var = cols[j].iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 4.0;
            for b in 0..4 {
                assert!(close(y[[b, j]], (x[[b, j]] - mean) / (var + 1e-5).sqrt()));
            }
        }
        // Evaluation uses the updated running statistics, and changes nothing.
        let before = bn.clone();
        let mut y_eval = Tensor::<f64, (U4, U2)>::zeros();
        bn.forward(&x, Ctx::eval(), &mut cache, &mut y_eval);
        assert_eq!(y_eval, bn.apply(&x));
        assert_eq!(bn.num_batches_tracked, 1);
        assert_eq!(bn.running_mean, before.running_mean);
        assert_eq!(bn.running_var, before.running_var);
        for j in 0..2 {
            let (rm, rv) = (bn.running_mean[[j]], bn.running_var[[j]]);
            for b in 0..4 {
                assert!(close(y_eval[[b, j]], (x[[b, j]] - rm) / (rv + 1e-5).sqrt()));
            }
        }
    }

    #[test]
    fn batchnorm2d_statistics_per_channel_over_batch_and_space() {
        let mut bn = BatchNorm2d::<f64, U2>::new();
        let mut rng = Rng::new(9);
        let x = Tensor::<f64, (U3, U2, U2, U2)>::from_flat_fn(|_| rng.uniform(-3.0, 3.0));
        let (mut cache, mut y) = (Zeroable::zeroed(), Tensor::<f64, (U3, U2, U2, U2)>::zeros());
        bn.forward(&x, Ctx::train(0), &mut cache, &mut y);
        for c in 0..2 {
            let mut values = [0.0; 12];
            let mut k = 0;
            for b in 0..3 {
                for h in 0..2 {
                    for w in 0..2 {
                        values[k] = x[[b, c, h, w]];
                        k += 1;
                    }
                }
            }
            let (rm, rv) = expected_running(&values, 0.0, 1.0);
            assert!(close(bn.running_mean[[c]], rm) && close(bn.running_var[[c]], rv));
        }
        // A second pass keeps averaging.
        bn.forward(&x, Ctx::train(0), &mut cache, &mut y);
        assert_eq!(bn.num_batches_tracked, 2);
        let eval = bn.apply(&x);
        let (rm, rv) = (bn.running_mean[[1]], bn.running_var[[1]]);
        assert!(close(
            eval[[2, 1, 1, 0]],
            (x[[2, 1, 1, 0]] - rm) / (rv + 1e-5).sqrt()
        ));
    }

    #[test]
    fn one_value_per_channel_keeps_running_var() {
        let mut bn = BatchNorm1d::<f64, U2>::new();
        bn.bias = crate::tensor([0.25, -0.5]);
        let x = crate::tensor([[3.0, 4.0]]);
        let (mut cache, mut y) = (Zeroable::zeroed(), Tensor::<f64, (U1, U2)>::zeros());
        bn.forward(&x, Ctx::train(0), &mut cache, &mut y);
        assert_eq!(y, crate::tensor([[0.25, -0.5]]));
        assert_eq!(bn.running_var, crate::tensor([1.0, 1.0]));
        assert!(close(bn.running_mean[[1]], 0.4));
    }

    #[test]
    fn nan_stays_in_its_channel() {
        let mut bn = BatchNorm1d::<f64, U2>::new();
        let x = crate::tensor([[f64::NAN, 1.0], [2.0, 3.0]]);
        let (mut cache, mut y) = (Zeroable::zeroed(), Tensor::<f64, (U2, U2)>::zeros());
        bn.forward(&x, Ctx::train(0), &mut cache, &mut y);
        assert!(y[[0, 0]].is_nan() && y[[1, 0]].is_nan() && bn.running_mean[[0]].is_nan());
        assert!(!y[[0, 1]].is_nan() && !bn.running_var[[1]].is_nan());
        assert!(bn.apply(&x)[[0, 0]].is_nan());
    }

    #[test]
    fn stored_tensors_have_pytorch_names_and_kinds() {
        type Bn = BatchNorm2d<f32, U3>;
        assert_eq!(<Bn as Params<f32>>::PARAMS, 6);
        assert_eq!(<Bn as Params<f32>>::STORED, 4 * 3 + 1);
        let bn = Bn::new();
        let mut seen = [("", Kind::Frozen, 0); 5];
        let names = [
            "weight",
            "bias",
            "running_mean",
            "running_var",
            "num_batches_tracked",
        ];
        let mut k = 0;
        bn.visit(&Name::ROOT, &mut |e: Entry<'_, f32>| {
            let name = names
                .iter()
                .find(|n| e.name.matches(n))
                .copied()
                .unwrap_or("?");
            seen[k] = (name, e.kind, e.values.len());
            k += 1;
        });
        let (t, s) = (Kind::Trainable, Kind::State);
        let expected = [
            ("weight", t, 3),
            ("bias", t, 3),
            ("running_mean", s, 3),
            ("running_var", s, 3),
            ("num_batches_tracked", s, 1),
        ];
        assert_eq!(seen, expected);
    }

    #[test]
    fn init_sets_pytorch_initial_state() {
        let mut bn = BatchNorm1d::<f32, U3>::zeroed();
        bn.running_mean.fill(2.0);
        bn.num_batches_tracked = 7;
        bn.init(crate::init::Scheme::HeUniform, &mut Rng::new(0));
        assert_eq!(bn.weight, Tensor::full(1.0));
        assert_eq!(bn.bias, Tensor::full(0.0));
        assert_eq!(bn.running_mean, Tensor::full(0.0));
        assert_eq!(bn.running_var, Tensor::full(1.0));
        assert_eq!(bn.num_batches_tracked, 0);
        let fresh = BatchNorm1d::<f32, U3>::new();
        assert_eq!(
            (fresh.weight, fresh.running_var),
            (bn.weight, bn.running_var)
        );
    }

    #[test]
    fn zeroed_layer_is_finite() {
        let bn = BatchNorm2d::<f32, U2>::zeroed();
        let x = Tensor::<f32, (U1, U2, U2, U1)>::from_flat_fn(|i| i as f32);
        assert!(bn.apply(&x).iter().all(|v| *v == 0.0));
    }
}
