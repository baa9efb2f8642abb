//! Max and average pooling over NCHW batches, per channel, without padding.

use core::marker::PhantomData;

use typenum::Unsigned;

use crate::nn::{Ctx, Infer, Train};
use crate::scalar::{Real, Scalar, Zeroable};
use crate::shape::{Dim, PoolDim, PoolOut};
use crate::tensor::Tensor;

/// Max pooling with a `K × K` window and stride `S` (default `K`: non-overlapping windows):
/// `(B, C, H, W) -> (B, C, OH, OW)` with `OH = ⌊(H − K)/S⌋ + 1` ([`PoolOut`]).
///
/// Forward keeps the position of each window's maximum (its `Work`, one `u32` per output);
/// backward sends each output gradient to that position. On ties the first maximum in row-major
/// order wins. (A NaN is passed on only when it is the first element of its window.)
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Layer, MaxPool2d};
/// let x: Tensor4<f32, U1, U1, U2, U4> = tensor([[[[1., 5., 2., 0.], [3., 4., 7., 7.]]]]);
/// let (mut work, mut y) = Default::default();
/// MaxPool2d::<U2>::new().forward(&x, &mut work, &mut y);
/// assert_eq!(y, tensor([[[[5., 7.]]]]));
/// ```
pub struct MaxPool2d<K, S = K>(PhantomData<(K, S)>);

/// Average pooling with a `K × K` window and stride `S` (default `K`), per channel:
/// `(B, C, H, W) -> (B, C, OH, OW)`; backward spreads each output gradient evenly over its window.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{AvgPool2d, Layer};
/// let x: Tensor4<f32, U1, U1, U2, U4> = tensor([[[[1., 5., 2., 0.], [3., 3., 7., 7.]]]]);
/// let (mut work, mut y) = Default::default();
/// AvgPool2d::<U2>::new().forward(&x, &mut work, &mut y);
/// assert_eq!(y, tensor([[[[3., 4.]]]]));
/// ```
pub struct AvgPool2d<K, S = K>(PhantomData<(K, S)>);

macro_rules! marker_layer {
    ($($name:ident),*) => {$(
        impl<K, S> $name<K, S> {
            /// The layer (it has no parameters).
            pub const fn new() -> Self {
                $name(PhantomData)
            }
        }
        impl<K, S> Default for $name<K, S> {
            fn default() -> Self {
                Self::new()
            }
        }
        impl<K, S> Clone for $name<K, S> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<K, S> Copy for $name<K, S> {}
        impl<K: Unsigned, S: Unsigned> core::fmt::Debug for $name<K, S> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{}(k={}, s={})", stringify!($name), K::USIZE, S::USIZE)
            }
        }
        // SAFETY: zero-sized.
        unsafe impl<K, S> Zeroable for $name<K, S> {}
        crate::nn::params::stateless!(impl[K, S] $name<K, S>);
    )*};
}
marker_layer!(MaxPool2d, AvgPool2d);

/// Pooled output of a `(B, C, H, W)` input.
type Pooled<T, B, C, H, W, K, S> = Tensor<T, (B, C, PoolOut<H, K, S>, PoolOut<W, K, S>)>;

/// The sizes of one pooling, known after inlining.
#[derive(Clone, Copy)]
struct Geom {
    planes: usize,
    h: usize,
    w: usize,
    k: usize,
    s: usize,
    oh: usize,
    ow: usize,
}

#[inline(always)]
fn geom<B: Dim, C: Dim, H: PoolDim<K, S>, W: PoolDim<K, S>, K: Unsigned, S: Unsigned>() -> Geom {
    Geom {
        planes: B::USIZE * C::USIZE,
        h: H::USIZE,
        w: W::USIZE,
        k: K::USIZE,
        s: S::USIZE,
        oh: PoolOut::<H, K, S>::USIZE,
        ow: PoolOut::<W, K, S>::USIZE,
    }
}

/// Max pooling of every plane; with `args`, also the flat index of each maximum.
fn max_pool<T: Scalar>(g: Geom, x: &[T], y: &mut [T], mut args: Option<&mut [u32]>) {
    let (plane, oplane) = (g.h * g.w, g.oh * g.ow);
    let planes = x.chunks_exact(plane);
    let outs = y.chunks_exact_mut(oplane);
    for (p, (xp, yp)) in planes.zip(outs).take(g.planes).enumerate() {
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let (y0, x0) = (oy * g.s, ox * g.s);
                let mut best = y0 * g.w + x0;
                let mut max = xp[best];
                for ky in 0..g.k {
                    let row = (y0 + ky) * g.w + x0;
                    for (i, &v) in xp[row..row + g.k].iter().enumerate() {
                        // Strictly greater: the first maximum wins ties. Written as two
                        // selects, not a branch: on real activations the comparison is a
                        // coin flip and mispredictions cost more than the pooling itself.
                        let gt = v > max;
                        max = if gt { v } else { max };
                        best = if gt { row + i } else { best };
                    }
                }
                yp[oy * g.ow + ox] = max;
                if let Some(a) = args.as_deref_mut() {
                    a[p * oplane + oy * g.ow + ox] = best as u32;
                }
            }
        }
    }
}

impl<T, B, C, H, W, K, S> Infer<Tensor<T, (B, C, H, W)>> for MaxPool2d<K, S>
where
    T: Scalar,
    B: Dim,
    C: Dim,
    H: PoolDim<K, S>,
    W: PoolDim<K, S>,
    K: Unsigned,
    S: Unsigned,
{
    type Output = Pooled<T, B, C, H, W, K, S>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, C, H, W)>, _: &mut (), y: &mut Self::Output) {
        let g = geom::<B, C, H, W, K, S>();
        max_pool(g, x.as_slice(), y.as_mut_slice(), None);
    }
}

impl<T, B, C, H, W, K, S> Train<Tensor<T, (B, C, H, W)>> for MaxPool2d<K, S>
where
    T: Scalar,
    B: Dim,
    C: Dim,
    H: PoolDim<K, S>,
    W: PoolDim<K, S>,
    K: Unsigned,
    S: Unsigned,
{
    /// Flat index (within its `H × W` plane) of each output's maximum.
    type Cache = Tensor<u32, (B, C, PoolOut<H, K, S>, PoolOut<W, K, S>)>;

    fn forward(
        &mut self,
        x: &Tensor<T, (B, C, H, W)>,
        _: Ctx,
        cache: &mut Self::Cache,
        y: &mut Self::Output,
    ) {
        let g = geom::<B, C, H, W, K, S>();
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
        let g = geom::<B, C, H, W, K, S>();
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

impl<T, B, C, H, W, K, S> Infer<Tensor<T, (B, C, H, W)>> for AvgPool2d<K, S>
where
    T: Real,
    B: Dim,
    C: Dim,
    H: PoolDim<K, S>,
    W: PoolDim<K, S>,
    K: Unsigned,
    S: Unsigned,
{
    type Output = Pooled<T, B, C, H, W, K, S>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, C, H, W)>, _: &mut (), y: &mut Self::Output) {
        let g = geom::<B, C, H, W, K, S>();
        let (plane, oplane) = (g.h * g.w, g.oh * g.ow);
        let scale = T::one() / T::from_usize(g.k * g.k);
        let planes = x.as_slice().chunks_exact(plane);
        for (xp, yp) in planes.zip(y.as_mut_slice().chunks_exact_mut(oplane)) {
            for oy in 0..g.oh {
                for ox in 0..g.ow {
                    let mut sum = T::zero();
                    for ky in 0..g.k {
                        let row = (oy * g.s + ky) * g.w + ox * g.s;
                        sum = xp[row..row + g.k].iter().fold(sum, |s, &v| s + v);
                    }
                    yp[oy * g.ow + ox] = sum * scale;
                }
            }
        }
    }
}

impl<T, B, C, H, W, K, S> Train<Tensor<T, (B, C, H, W)>> for AvgPool2d<K, S>
where
    T: Real,
    B: Dim,
    C: Dim,
    H: PoolDim<K, S>,
    W: PoolDim<K, S>,
    K: Unsigned,
    S: Unsigned,
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
        let g = geom::<B, C, H, W, K, S>();
        let (plane, oplane) = (g.h * g.w, g.oh * g.ow);
        let scale = T::one() / T::from_usize(g.k * g.k);
        dx.fill(T::zero());
        let planes = dx.as_mut_slice().chunks_exact_mut(plane);
        for (dp, gp) in planes.zip(dy.as_slice().chunks_exact(oplane)) {
            for oy in 0..g.oh {
                for ox in 0..g.ow {
                    let d = gp[oy * g.ow + ox] * scale;
                    for ky in 0..g.k {
                        let row = (oy * g.s + ky) * g.w + ox * g.s;
                        dp[row..row + g.k].iter_mut().for_each(|v| *v += d);
                    }
                }
            }
        }
    }
}
