//! Max and average pooling over NCHW batches, per channel, with per-axis window, stride and
//! padding.

use core::marker::PhantomData;

use typenum::{U0, Unsigned};

use crate::nn::{Ctx, Infer, Train};
use crate::scalar::{Real, Scalar};
use crate::shape::{Dim, Pair, PoolDim, PoolOut};
use crate::tensor::Tensor;

/// Max pooling with a `KH × KW` window, stride `S` (default `K`: non-overlapping windows) and
/// padding `P` (default none): `(B, C, H, W) -> (B, C, OH, OW)` with
/// `OH = ⌊(H + 2PH − KH)/SH⌋ + 1` ([`PoolOut`]), likewise `OW`.
///
/// `K`, `S` and `P` are each a [`Pair`]: one dim for both axes or an `(H, W)` pair, as PyTorch's
/// `kernel_size=(2, 3)`. Padding counts as `−∞` (it never wins), and may be at most half the
/// window (`2P <= K`, a compile-time check), so every window holds an input value.
///
/// Forward keeps the position of each window's maximum (its cache, one `u32` per output);
/// backward sends each output gradient to that position. On ties the first maximum in row-major
/// order wins. NaN propagates, as in PyTorch: a window holding a NaN outputs NaN, and its first
/// NaN receives the gradient.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Infer, MaxPool2d};
/// let x: Tensor4<f32, U1, U1, U2, U4> = tensor([[[[1., 5., 2., 0.], [3., 4., 7., 7.]]]]);
/// assert_eq!(MaxPool2d::<U2>::new().apply(&x), tensor([[[[5., 7.]]]]));
/// // A 1×3 window at stride (1, 2), one column of padding each side: in the first row the
/// // windows are (−∞, 1, 5) and (5, 2, 0).
/// let y = MaxPool2d::<(U1, U3), (U1, U2), (U0, U1)>::new().apply(&x);
/// assert_eq!(y, tensor([[[[5., 5.], [4., 7.]]]]));
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct MaxPool2d<K, S = K, P = U0>(#[skip] PhantomData<(K, S, P)>);

/// Average pooling with a `KH × KW` window, stride `S` (default `K`) and padding `P` (default
/// none), per channel: `(B, C, H, W) -> (B, C, OH, OW)`, sizes as [`MaxPool2d`].
///
/// Padding counts as zeros and every window is divided by `KH·KW` (PyTorch's default,
/// `count_include_pad=True`), so a border output is the window's sum over `KH·KW`, not the mean
/// of the input values it covers. Backward spreads each output gradient, over `KH·KW`, onto the
/// input values of its window.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{AvgPool2d, Infer};
/// let x: Tensor4<f32, U1, U1, U2, U4> = tensor([[[[1., 5., 2., 0.], [3., 3., 7., 7.]]]]);
/// assert_eq!(AvgPool2d::<U2>::new().apply(&x), tensor([[[[3., 4.]]]]));
/// // One column of zero padding each side, 2×2 windows at stride 2, each divided by 4:
/// // (0 + 1 + 0 + 3)/4, (5 + 2 + 3 + 7)/4, (0 + 0 + 7 + 0)/4.
/// let y = AvgPool2d::<U2, U2, (U0, U1)>::new().apply(&x);
/// assert_eq!(y, tensor([[[[1., 4.25, 1.75]]]]));
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
pub struct AvgPool2d<K, S = K, P = U0>(#[skip] PhantomData<(K, S, P)>);

/// `n` alone when the two axes agree, else `(h, w)`.
struct Axes(usize, usize);

impl core::fmt::Display for Axes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.0 == self.1 {
            write!(f, "{}", self.0)
        } else {
            write!(f, "({}, {})", self.0, self.1)
        }
    }
}

macro_rules! marker_layer {
    ($($name:ident),*) => {$(
        impl<K, S, P> $name<K, S, P> {
            /// The layer (it has no parameters).
            pub const fn new() -> Self {
                $name(PhantomData)
            }
        }
        impl<K, S, P> Default for $name<K, S, P> {
            fn default() -> Self {
                Self::new()
            }
        }
        impl<K, S, P> Clone for $name<K, S, P> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<K, S, P> Copy for $name<K, S, P> {}
        impl<K: Pair, S: Pair, P: Pair> core::fmt::Debug for $name<K, S, P> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let k = Axes(K::H::USIZE, K::W::USIZE);
                let s = Axes(S::H::USIZE, S::W::USIZE);
                write!(f, "{}(k={k}, s={s}", stringify!($name))?;
                if P::H::USIZE + P::W::USIZE > 0 {
                    write!(f, ", p={}", Axes(P::H::USIZE, P::W::USIZE))?;
                }
                f.write_str(")")
            }
        }
    )*};
}
marker_layer!(MaxPool2d, AvgPool2d);

/// Output height: [`PoolOut`] with the height values of the pairs.
type OutH<H, K, S, P> = PoolOut<H, <K as Pair>::H, <S as Pair>::H, <P as Pair>::H>;
/// Output width: [`PoolOut`] with the width values of the pairs.
type OutW<W, K, S, P> = PoolOut<W, <K as Pair>::W, <S as Pair>::W, <P as Pair>::W>;

/// Pooled output of a `(B, C, H, W)` input.
type Pooled<T, B, C, H, W, K, S, P> = Tensor<T, (B, C, OutH<H, K, S, P>, OutW<W, K, S, P>)>;

/// The sizes of one pooling, known after inlining.
#[derive(Clone, Copy)]
struct Geom {
    planes: usize,
    h: usize,
    w: usize,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    ph: usize,
    pw: usize,
    oh: usize,
    ow: usize,
}

impl Geom {
    /// The input rows `[start, end)` of output row `oy`'s window, padding left out.
    #[inline(always)]
    fn rows(&self, oy: usize) -> (usize, usize) {
        span(oy * self.sh, self.kh, self.ph, self.h)
    }
    /// The input columns `[start, end)` of output column `ox`'s window, padding left out.
    #[inline(always)]
    fn cols(&self, ox: usize) -> (usize, usize) {
        span(ox * self.sw, self.kw, self.pw, self.w)
    }
    /// `1 / (KH·KW)`: the average's divisor counts the padding (`count_include_pad`).
    #[inline(always)]
    fn scale<T: Real>(&self) -> T {
        T::one() / T::from_usize(self.kh * self.kw)
    }
}

/// The input range of a window starting at `start` in padded coordinates. Without padding it is
/// the whole window (a constant length after inlining, so the inner loops unroll). Never empty:
/// `2p <= k` is checked at compile time, so `start + k − p > start − p` and the end never
/// undercuts `p`.
#[inline(always)]
fn span(start: usize, k: usize, p: usize, n: usize) -> (usize, usize) {
    if p == 0 {
        (start, start + k)
    } else {
        (start.saturating_sub(p), (start + k - p).min(n))
    }
}

#[inline(always)]
fn geom<B, C, H, W, K, S, P>() -> Geom
where
    B: Dim,
    C: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    H: PoolDim<K::H, S::H, P::H>,
    W: PoolDim<K::W, S::W, P::W>,
{
    Geom {
        planes: B::USIZE * C::USIZE,
        h: H::USIZE,
        w: W::USIZE,
        kh: K::H::USIZE,
        kw: K::W::USIZE,
        sh: S::H::USIZE,
        sw: S::W::USIZE,
        ph: P::H::USIZE,
        pw: P::W::USIZE,
        oh: OutH::<H, K, S, P>::USIZE,
        ow: OutW::<W, K, S, P>::USIZE,
    }
}

/// Whether `v` is a number (not NaN); always true for integers.
#[inline(always)]
#[allow(clippy::eq_op)] // `v == v` is the NaN test that works for every `Scalar`.
fn is_number<T: Scalar>(v: T) -> bool {
    v == v
}

/// Max pooling of every plane; with `args`, also the flat index of each maximum.
///
/// A plane holding a NaN goes through the NaN-aware kernel ([`max_plane`]). Testing the plane
/// first (one pass the compiler vectorises, and a branch that is always predicted) keeps the
/// common kernel's comparison a single `>`: a max instruction and an index select. The NaN-aware
/// comparison needs two tests, and the compiler then branches on the value select, which made
/// LeNet-5's two poolings 3–4× slower on random activations.
#[inline(always)] // the geometry is constant after inlining: the window loops unroll
fn max_pool<T: Scalar>(g: Geom, x: &[T], y: &mut [T], mut args: Option<&mut [u32]>) {
    let (plane, oplane) = (g.h * g.w, g.oh * g.ow);
    let planes = x.chunks_exact(plane);
    let outs = y.chunks_exact_mut(oplane);
    for (p, (xp, yp)) in planes.zip(outs).take(g.planes).enumerate() {
        let mut args = args
            .as_deref_mut()
            .map(|a| &mut a[p * oplane..(p + 1) * oplane]);
        if xp.iter().fold(false, |nan, &v| nan | !is_number(v)) {
            max_plane::<T, true>(g, xp, yp, args);
        } else if (g.kh, g.kw, g.sh, g.sw, g.ph, g.pw) != (2, 2, 2, 2, 0, 0)
            || !T::max_pool_2x2(xp, g.h, g.w, yp, args.as_deref_mut())
        {
            max_plane::<T, false>(g, xp, yp, args);
        }
    }
}

/// Max pooling of one plane `xp` into `yp` (and the maxima's indices into `args`). With `NAN`,
/// a NaN anywhere in a window wins it (the first one); without, the plane must hold no NaN.
#[inline(always)]
fn max_plane<T: Scalar, const NAN: bool>(
    g: Geom,
    xp: &[T],
    yp: &mut [T],
    mut args: Option<&mut [u32]>,
) {
    for oy in 0..g.oh {
        let (y0, y1) = g.rows(oy);
        for ox in 0..g.ow {
            let (x0, x1) = g.cols(ox);
            let mut best = y0 * g.w + x0;
            let mut max = xp[best];
            for yy in y0..y1 {
                let row = yy * g.w;
                for (i, &v) in xp[row + x0..row + x1].iter().enumerate() {
                    // Strictly greater: the first maximum wins ties. With NaNs, take `v` if it
                    // is greater or NaN, unless the maximum is NaN already: the first NaN wins.
                    // Written as two selects, not a branch: on real activations the comparison
                    // is a coin flip and mispredictions cost more than the pooling itself.
                    let take = if NAN {
                        ((v > max) | !is_number(v)) & is_number(max)
                    } else {
                        v > max
                    };
                    max = if take { v } else { max };
                    best = if take { row + x0 + i } else { best };
                }
            }
            yp[oy * g.ow + ox] = max;
            if let Some(a) = args.as_deref_mut() {
                a[oy * g.ow + ox] = best as u32;
            }
        }
    }
}

/// Average pooling of every plane (padding counts as zeros, divisor `KH·KW`).
#[inline(always)] // the geometry is constant after inlining: the window loops unroll
fn avg_pool<T: Real>(g: Geom, x: &[T], y: &mut [T]) {
    let (plane, oplane) = (g.h * g.w, g.oh * g.ow);
    let scale = g.scale::<T>();
    let planes = x.chunks_exact(plane);
    for (xp, yp) in planes.zip(y.chunks_exact_mut(oplane)).take(g.planes) {
        for oy in 0..g.oh {
            let (y0, y1) = g.rows(oy);
            for ox in 0..g.ow {
                let (x0, x1) = g.cols(ox);
                let mut sum = T::zero();
                for yy in y0..y1 {
                    let row = yy * g.w;
                    sum = xp[row + x0..row + x1].iter().fold(sum, |s, &v| s + v);
                }
                yp[oy * g.ow + ox] = sum * scale;
            }
        }
    }
}

/// The adjoint of [`avg_pool`]: adds each output gradient, scaled, onto its window.
#[inline(always)] // the geometry is constant after inlining: the window loops unroll
fn avg_pool_backward<T: Real>(g: Geom, dy: &[T], dx: &mut [T]) {
    let (plane, oplane) = (g.h * g.w, g.oh * g.ow);
    let scale = g.scale::<T>();
    dx.fill(T::zero());
    let planes = dx.chunks_exact_mut(plane);
    for (dp, gp) in planes.zip(dy.chunks_exact(oplane)).take(g.planes) {
        for oy in 0..g.oh {
            let (y0, y1) = g.rows(oy);
            for ox in 0..g.ow {
                let (x0, x1) = g.cols(ox);
                let d = gp[oy * g.ow + ox] * scale;
                for yy in y0..y1 {
                    let row = yy * g.w;
                    dp[row + x0..row + x1].iter_mut().for_each(|v| *v += d);
                }
            }
        }
    }
}

impl<T, B, C, H, W, K, S, P> Infer<Tensor<T, (B, C, H, W)>> for MaxPool2d<K, S, P>
where
    T: Scalar,
    B: Dim,
    C: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    H: PoolDim<K::H, S::H, P::H>,
    W: PoolDim<K::W, S::W, P::W>,
{
    type Output = Pooled<T, B, C, H, W, K, S, P>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, C, H, W)>, _: &mut (), y: &mut Self::Output) {
        let g = geom::<B, C, H, W, K, S, P>();
        max_pool(g, x.as_slice(), y.as_mut_slice(), None);
    }
}

impl<T, B, C, H, W, K, S, P> Train<Tensor<T, (B, C, H, W)>> for MaxPool2d<K, S, P>
where
    T: Scalar,
    B: Dim,
    C: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    H: PoolDim<K::H, S::H, P::H>,
    W: PoolDim<K::W, S::W, P::W>,
{
    /// Flat index (within its `H × W` plane) of each output's maximum.
    type Cache = Tensor<u32, (B, C, OutH<H, K, S, P>, OutW<W, K, S, P>)>;

    fn forward(
        &mut self,
        x: &Tensor<T, (B, C, H, W)>,
        _: Ctx,
        cache: &mut Self::Cache,
        y: &mut Self::Output,
    ) {
        let g = geom::<B, C, H, W, K, S, P>();
        max_pool(
            g,
            x.as_slice(),
            y.as_mut_slice(),
            Some(cache.as_mut_slice()),
        );
    }

    fn backward(
        &self,
        _: &Tensor<T, (B, C, H, W)>,
        cache: &mut Self::Cache,
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (B, C, H, W)>>,
        _: Option<&mut ()>,
    ) {
        let Some(dx) = dx else { return };
        let g = geom::<B, C, H, W, K, S, P>();
        let (plane, oplane) = (g.h * g.w, g.oh * g.ow);
        dx.fill(T::zero());
        let planes = dx.as_mut_slice().chunks_exact_mut(plane);
        let grads = dy.as_slice().chunks_exact(oplane);
        let args = cache.as_slice().chunks_exact(oplane);
        for ((dp, gp), ap) in planes.zip(grads).zip(args) {
            for (&a, &d) in ap.iter().zip(gp) {
                dp[a as usize] += d;
            }
        }
    }
}

impl<T, B, C, H, W, K, S, P> Infer<Tensor<T, (B, C, H, W)>> for AvgPool2d<K, S, P>
where
    T: Real,
    B: Dim,
    C: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    H: PoolDim<K::H, S::H, P::H>,
    W: PoolDim<K::W, S::W, P::W>,
{
    type Output = Pooled<T, B, C, H, W, K, S, P>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, C, H, W)>, _: &mut (), y: &mut Self::Output) {
        let g = geom::<B, C, H, W, K, S, P>();
        avg_pool(g, x.as_slice(), y.as_mut_slice());
    }
}

impl<T, B, C, H, W, K, S, P> Train<Tensor<T, (B, C, H, W)>> for AvgPool2d<K, S, P>
where
    T: Real,
    B: Dim,
    C: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    H: PoolDim<K::H, S::H, P::H>,
    W: PoolDim<K::W, S::W, P::W>,
{
    type Cache = ();

    fn forward(&mut self, x: &Tensor<T, (B, C, H, W)>, _: Ctx, _: &mut (), y: &mut Self::Output) {
        self.infer(x, &mut (), y);
    }

    fn backward(
        &self,
        _: &Tensor<T, (B, C, H, W)>,
        _: &mut (),
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (B, C, H, W)>>,
        _: Option<&mut ()>,
    ) {
        let Some(dx) = dx else { return };
        let g = geom::<B, C, H, W, K, S, P>();
        avg_pool_backward(g, dy.as_slice(), dx.as_mut_slice());
    }
}

#[cfg(test)]
mod tests {
    use typenum::{U0, U1, U2, U3, U4, U5, U6, U7, U8, U14, U28, Unsigned};

    use super::{AvgPool2d, MaxPool2d, OutH, OutW};
    use crate::gradcheck::{self, Config};
    use crate::nn::{Ctx, Infer, Train};
    use crate::scalar::Zeroable;
    use crate::shape::{Dim, Pair, PoolDim, PoolOut};
    use crate::tensor::Tensor;

    type Out<B, C, H, W, K, S, P> = Tensor<f64, (B, C, OutH<H, K, S, P>, OutW<W, K, S, P>)>;

    /// Distinct values in `[−1.5, 1.5)`, scrambled so that maxima fall anywhere in their windows
    /// and many windows are all negative; spaced far more than a central-difference step.
    fn distinct<S: crate::shape::Shape>() -> Tensor<f64, S> {
        let n = S::NUMEL;
        Tensor::from_flat_fn(|i| ((i * 7919 + 13) % n) as f64 * 3.0 / n as f64 - 1.5)
    }

    /// The input positions of output `(oy, ox)`'s window, row-major, padding left out.
    fn window<H, W, K, S, P>(oy: usize, ox: usize) -> impl Iterator<Item = (usize, usize)>
    where
        K: Pair,
        S: Pair,
        P: Pair,
        H: Unsigned,
        W: Unsigned,
    {
        let y0 = (oy * S::H::USIZE) as isize - P::H::USIZE as isize;
        let x0 = (ox * S::W::USIZE) as isize - P::W::USIZE as isize;
        let ys = (y0..y0 + K::H::USIZE as isize).filter(|&y| y >= 0 && y < H::USIZE as isize);
        ys.flat_map(move |y| {
            let xs = x0..x0 + K::W::USIZE as isize;
            xs.filter(|&x| x >= 0 && x < W::USIZE as isize)
                .map(move |x| (y as usize, x as usize))
        })
    }

    /// Max pooling from the definition: `(value, flat index in the plane)` of output `i`, with a
    /// branchy NaN rule (the first NaN wins) and padding skipped (as `−∞`).
    fn direct_max<B, C, H, W, K, S, P>(x: &Tensor<f64, (B, C, H, W)>, i: usize) -> (f64, usize)
    where
        B: Dim,
        C: Dim,
        K: Pair,
        S: Pair,
        P: Pair,
        H: PoolDim<K::H, S::H, P::H>,
        W: PoolDim<K::W, S::W, P::W>,
    {
        let (oh, ow) = (OutH::<H, K, S, P>::USIZE, OutW::<W, K, S, P>::USIZE);
        let (plane, ox, oy) = (i / (oh * ow), i % ow, (i / ow) % oh);
        let xp = &x.as_slice()[plane * H::USIZE * W::USIZE..];
        let mut best: Option<(f64, usize)> = None;
        for (y, x) in window::<H, W, K, S, P>(oy, ox) {
            let (v, at) = (xp[y * W::USIZE + x], y * W::USIZE + x);
            best = match best {
                None => Some((v, at)),
                Some((m, _)) if m.is_nan() => best,
                Some((m, _)) if v.is_nan() || v > m => Some((v, at)),
                keep => keep,
            };
        }
        best.expect("every window holds an input value")
    }

    /// Average pooling from the definition, `count_include_pad`: the window's sum over `KH·KW`.
    fn direct_avg<B, C, H, W, K, S, P>(x: &Tensor<f64, (B, C, H, W)>, i: usize) -> f64
    where
        B: Dim,
        C: Dim,
        K: Pair,
        S: Pair,
        P: Pair,
        H: PoolDim<K::H, S::H, P::H>,
        W: PoolDim<K::W, S::W, P::W>,
    {
        let (oh, ow) = (OutH::<H, K, S, P>::USIZE, OutW::<W, K, S, P>::USIZE);
        let (plane, ox, oy) = (i / (oh * ow), i % ow, (i / ow) % oh);
        let xp = &x.as_slice()[plane * H::USIZE * W::USIZE..];
        let sum: f64 = window::<H, W, K, S, P>(oy, ox)
            .map(|(y, x)| xp[y * W::USIZE + x])
            .sum();
        sum / (K::H::USIZE * K::W::USIZE) as f64
    }

    /// Forward passes (values and max positions) against the definitions; then the gradients of
    /// both layers against central differences.
    fn check<B, C, H, W, K, S, P>()
    where
        B: Dim,
        C: Dim,
        K: Pair,
        S: Pair,
        P: Pair,
        H: PoolDim<K::H, S::H, P::H>,
        W: PoolDim<K::W, S::W, P::W>,
    {
        let mut x = distinct::<(B, C, H, W)>();
        let mut max = MaxPool2d::<K, S, P>::new();
        let mut args = Tensor::<u32, (B, C, OutH<H, K, S, P>, OutW<W, K, S, P>)>::zeroed();
        let mut y = Out::<B, C, H, W, K, S, P>::zeroed();
        max.forward(&x, Ctx::eval(), &mut args, &mut y);
        assert_eq!(y, max.apply(&x));
        for i in 0..y.as_slice().len() {
            let (v, at) = direct_max::<B, C, H, W, K, S, P>(&x, i);
            assert_eq!(
                (y.as_slice()[i], args.as_slice()[i] as usize),
                (v, at),
                "max output {i}"
            );
        }
        let want =
            Out::<B, C, H, W, K, S, P>::from_flat_fn(|i| direct_avg::<B, C, H, W, K, S, P>(&x, i));
        let mut avg = AvgPool2d::<K, S, P>::new();
        for (i, (a, e)) in avg.apply(&x).iter().zip(want.iter()).enumerate() {
            assert!(
                (a - e).abs() < 1e-12,
                "avg output {i}: got {a}, expected {e}"
            );
        }
        // One NaN: its window outputs it, every other window of its plane is unchanged.
        let mut with_nan = x.clone();
        with_nan.as_mut_slice()[H::USIZE * W::USIZE + W::USIZE + 1] = f64::NAN;
        max.forward(&with_nan, Ctx::eval(), &mut args, &mut y);
        for i in 0..y.as_slice().len() {
            let (v, at) = direct_max::<B, C, H, W, K, S, P>(&with_nan, i);
            let got = y.as_slice()[i];
            assert!(
                got == v || got.is_nan() && v.is_nan(),
                "max output {i}: {got} vs {v}"
            );
            assert_eq!(args.as_slice()[i] as usize, at, "max position {i}");
        }
        assert!(y.iter().any(|v| v.is_nan()) && !y.iter().all(|v| v.is_nan()));
        let n = <(B, C, H, W) as crate::shape::Shape>::NUMEL;
        for report in [
            gradcheck::check_projected(&mut max, &mut x, 5, Config::default()),
            gradcheck::check_projected(&mut avg, &mut x, 6, Config::default()),
        ] {
            assert_eq!(report.input.checked, n);
            assert!(report.max_rel() < 1e-6, "{report}");
        }
    }

    #[test]
    fn forward_and_gradients_per_axis() {
        // The default: square, non-overlapping, unpadded.
        check::<U2, U2, U4, U6, U2, U2, U0>();
        // Non-square window, stride and padding; overlapping windows.
        check::<U1, U2, U5, U7, (U2, U3), (U1, U2), (U1, U1)>();
        // Padding on the width only, 3×3 windows at stride (2, 3).
        check::<U2, U1, U7, U6, U3, (U2, U3), (U0, U1)>();
        // Padding on the height only: a 4×1 window (one column allows no padding: 2p <= k).
        check::<U1, U2, U6, U5, (U4, U1), (U2, U1), (U2, U0)>();
    }

    #[test]
    fn output_sizes_per_axis() {
        assert_eq!(<PoolOut<U28, U2, U2>>::USIZE, 14);
        assert_eq!(<PoolOut<U5, U3, U2, U1>>::USIZE, 3);
        assert_eq!(<PoolOut<U7, U3, U2, U1>>::USIZE, 4); // PyTorch: (7 + 2 − 3)/2 + 1
        assert_eq!(<PoolOut<U6, U4, U2, U2>>::USIZE, 4);
        type Y = <MaxPool2d<(U2, U3), (U1, U2), (U1, U1)> as Infer<
            Tensor<f32, (U1, U2, U5, U7)>,
        >>::Output;
        assert_eq!(
            core::any::TypeId::of::<Y>(),
            core::any::TypeId::of::<Tensor<f32, (U1, U2, U6, U4)>>()
        );
        type Z = <AvgPool2d<U2> as Infer<Tensor<f32, (U1, U6, U28, U28)>>>::Output;
        assert_eq!(
            core::any::TypeId::of::<Z>(),
            core::any::TypeId::of::<Tensor<f32, (U1, U6, U14, U14)>>()
        );
    }

    #[test]
    fn max_pool_propagates_nan_to_the_first_nan() {
        let nan = f64::NAN;
        // Four 2×2 windows, scanned row-major: {0, 1, 8, 9} has NaN at 1 and 8 (the first wins),
        // {2, 3, 10, 11} NaN last, {4, 5, 12, 13} NaN first, {6, 7, 14, 15} NaN at 7 and 15.
        let x: Tensor<f64, (U1, U1, U2, U8)> = Tensor::from_flat_fn(|i| match i {
            1 | 8 | 11 | 4 | 7 | 15 => nan,
            _ => i as f64,
        });
        let mut pool = MaxPool2d::<U2>::new();
        let (mut args, mut y) = (Tensor::<u32, (U1, U1, U1, U4)>::zeroed(), Tensor::zeroed());
        pool.forward(&x, Ctx::eval(), &mut args, &mut y);
        assert!(y.iter().all(|v| v.is_nan()), "{y:?}");
        assert_eq!(args.as_slice(), &[1, 11, 4, 7]);
        let mut dx = Tensor::<f64, (U1, U1, U2, U8)>::zeroed();
        let dy = Tensor::<f64, (U1, U1, U1, U4)>::from_flat_fn(|i| i as f64 + 1.0);
        pool.backward(&x, &mut args, &dy, Some(&mut dx), None);
        let want: [f64; 16] = core::array::from_fn(|i| match i {
            1 => 1.0,
            11 => 2.0,
            4 => 3.0,
            7 => 4.0,
            _ => 0.0,
        });
        assert_eq!(dx.as_slice(), &want);
        // With padding too, and an infinite maximum elsewhere in the window does not hide it.
        let mut x = Tensor::<f64, (U1, U1, U3, U3)>::from_flat_fn(|i| -(i as f64));
        x.as_mut_slice()[0] = f64::INFINITY;
        x.as_mut_slice()[4] = nan;
        let y = MaxPool2d::<U3, U1, U1>::new().apply(&x);
        assert!(y.iter().all(|v| v.is_nan()), "{y:?}");
    }

    #[test]
    fn padding_never_wins_a_max_and_counts_in_the_average() {
        // All inputs negative: a zero-padded maximum would be 0.
        let x = Tensor::<f64, (U1, U1, U2, U2)>::from_flat_fn(|i| -1.0 - i as f64);
        let y = MaxPool2d::<U2, U1, U1>::new().apply(&x);
        assert_eq!(
            y.as_slice(),
            &[-1.0, -1.0, -2.0, -1.0, -1.0, -2.0, -3.0, -3.0, -4.0]
        );
        let y = AvgPool2d::<U2, U1, U1>::new().apply(&x);
        assert_eq!(y.as_slice()[0], -1.0 / 4.0);
        assert_eq!(y.as_slice()[4], -10.0 / 4.0);
    }

    #[test]
    #[cfg(feature = "std")]
    fn debug_prints_geometry() {
        extern crate std;
        assert_eq!(
            std::format!("{:?}", MaxPool2d::<U2>::new()),
            "MaxPool2d(k=2, s=2)"
        );
        let p = AvgPool2d::<(U2, U3), U1, (U1, U0)>::new();
        assert_eq!(std::format!("{p:?}"), "AvgPool2d(k=(2, 3), s=1, p=(1, 0))");
    }

    /// LeNet-5's two poolings, forward and backward, timed: `cargo test --release --lib
    /// pool_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    #[cfg(feature = "std")]
    fn pool_timing() {
        extern crate std;
        type X1 = Tensor<f32, (U32, U6, U28, U28)>;
        type X2 = Tensor<f32, (U32, U16, U10, U10)>;
        use typenum::{U10, U16, U32};
        let mut rng = crate::rand::Rng::new(1);
        let x1 = crate::boxed_zeroed::<X1>();
        let mut x1 = x1;
        x1.iter_mut().for_each(|v| *v = rng.uniform(-1.0, 1.0));
        let mut x2 = crate::boxed_zeroed::<X2>();
        x2.iter_mut().for_each(|v| *v = rng.uniform(-1.0, 1.0));
        let mut pool = MaxPool2d::<U2>::new();
        let mut a1 = crate::boxed_zeroed::<<MaxPool2d<U2> as Train<X1>>::Cache>();
        let mut y1 = crate::boxed_zeroed::<<MaxPool2d<U2> as Infer<X1>>::Output>();
        let mut a2 = crate::boxed_zeroed::<<MaxPool2d<U2> as Train<X2>>::Cache>();
        let mut y2 = crate::boxed_zeroed::<<MaxPool2d<U2> as Infer<X2>>::Output>();
        let start = std::time::Instant::now();
        let reps = 2000;
        for _ in 0..reps {
            pool.forward(&x1, Ctx::eval(), &mut a1, &mut y1);
            pool.forward(&x2, Ctx::eval(), &mut a2, &mut y2);
            core::hint::black_box((&y1, &y2));
        }
        let per = start.elapsed() / reps;
        std::println!("LeNet max pools (batch 32), forward: {per:?} per step");
    }
}
