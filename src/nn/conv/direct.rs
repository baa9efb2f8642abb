//! [`Direct`]: the low-RAM inference path of a convolution, with no column matrix.
//!
//! The im2col path ([`Conv2d`]'s own [`Infer`]) copies every receptive field of a sample into a
//! `(C·KH·KW, OH·OW)` matrix and multiplies: fast on a PC, but for LeNet-5's first layer that
//! matrix is 25 × 784 floats, 78 KB, more RAM than many microcontrollers have. `Direct` computes
//! each output straight from the input window instead: scratch `()`, the same result up to the
//! order of the float sums.

use crate::nn::{Conv2d, Ctx, Entry, EntryMut, Infer, Module, Name, Params, Train};
use crate::scalar::{Scalar, Zeroable};
use crate::shape::{ConvDim, Dim, DimEq, Pair, rules};
use crate::tensor::Tensor;

use super::{OutH, OutW, geom};

/// A convolution whose inference runs directly on the input, with no scratch (for batch-1
/// inference on a microcontroller). Training ([`Train`]) and the parameters are the wrapped
/// layer's, under the same names, so `Direct<Conv2d<..>>` loads the weight files of
/// `Conv2d<..>` and trains as fast; only [`Infer`] changes.
///
/// Choose it per layer, in the model type:
///
/// ```
/// use shaped::nn::{Conv2d, Direct, Infer, MaxPool2d};
/// use shaped::prelude::*;
/// type Host = (Conv2d<f32, U1, U6, U5, U1, U2>, MaxPool2d<U2>);
/// type Device = (Direct<Conv2d<f32, U1, U6, U5, U1, U2>>, MaxPool2d<U2>);
/// type X = Tensor4<f32, U1, U1, U28, U28>;
/// // The im2col matrix of 25 × 784 floats and the padded input are gone:
/// assert_eq!(size_of::<<Host as Infer<X>>::Scratch>(), 4 * (4704 + 25 * 784 + 32 * 32));
/// assert_eq!(size_of::<<Device as Infer<X>>::Scratch>(), 4 * 4704); // conv1's output only
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[repr(transparent)]
pub struct Direct<L>(pub L);

// SAFETY: a transparent wrapper of a zeroable value.
unsafe impl<L: Zeroable> Zeroable for Direct<L> {}
// SAFETY: a transparent wrapper of a `Pod` value.
unsafe impl<L: crate::scalar::Pod> crate::scalar::Pod for Direct<L> {}

impl<L: Module> Module for Direct<L> {
    type Grads = L::Grads;
    type Trainable = L::Trainable;
}

impl<T, L: Params<T>> Params<T> for Direct<L> {
    const PARAMS: usize = L::PARAMS;
    const STORED: usize = L::STORED;

    fn visit(&self, name: &Name<'_>, f: &mut impl FnMut(Entry<'_, T>)) {
        self.0.visit(name, f);
    }

    fn visit_mut(&mut self, name: &Name<'_>, f: &mut impl FnMut(EntryMut<'_, T>)) {
        self.0.visit_mut(name, f);
    }

    fn zip_params<const N: usize>(
        &mut self,
        grads: &Self::Grads,
        state: [&mut Self::Grads; N],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; N]),
    ) {
        self.0.zip_params(grads, state, f);
    }

    fn init(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
    where
        T: crate::Real,
    {
        self.0.init(scheme, rng);
    }
}

impl<T, B, C, C2, F, K, S, P, H, W> Infer<Tensor<T, (B, C2, H, W)>>
    for Direct<Conv2d<T, C, F, K, S, P>>
where
    T: Scalar,
    B: Dim,
    C: Dim,
    F: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    C2: Dim + DimEq<C, rules::ConvInputChannels>,
    H: ConvDim<K::H, S::H, P::H>,
    W: ConvDim<K::W, S::W, P::W>,
{
    type Output = Tensor<T, (B, F, OutH<H, K, S, P>, OutW<W, K, S, P>)>;
    type Scratch = ();

    fn infer(&self, x: &Tensor<T, (B, C2, H, W)>, _: &mut (), y: &mut Self::Output) {
        let g = geom::<C, K, S, P, H, W>();
        let (weight, bias) = (self.0.weight.as_slice(), self.0.bias.as_slice());
        for b in 0..B::USIZE {
            let (xb, yb) = (x.outer(b), y.outer_mut(b));
            let planes = yb.chunks_exact_mut(g.pixels());
            let filters = weight.chunks_exact(g.rows());
            for ((plane, filter), &bf) in planes.zip(filters).zip(bias) {
                direct_plane(g, xb, filter, bf, plane);
            }
        }
    }
}

/// One output plane: `plane[oy][ox] = bias + Σ filter · window`, skipping the padding. The
/// window's valid columns are found once per output column, so the inner loop is a dot product of
/// two contiguous runs.
#[inline(always)]
fn direct_plane<T: Scalar>(g: super::Geom, x: &[T], filter: &[T], bias: T, plane: &mut [T]) {
    let (h, w) = (g.h as isize, g.w as isize);
    for (oy, row) in plane.chunks_exact_mut(g.ow).enumerate() {
        let iy0 = (oy * g.sh) as isize - g.ph as isize;
        let (ky0, ky1) = (0.max(-iy0) as usize, g.kh.min((h - iy0).max(0) as usize));
        for (ox, out) in row.iter_mut().enumerate() {
            let ix0 = (ox * g.sw) as isize - g.pw as isize;
            let (kx0, kx1) = (0.max(-ix0) as usize, g.kw.min((w - ix0).max(0) as usize));
            let mut acc = bias;
            for (xc, fc) in x
                .chunks_exact(g.h * g.w)
                .zip(filter.chunks_exact(g.kh * g.kw))
            {
                for ky in ky0..ky1 {
                    let at = (iy0 + ky as isize) as usize * g.w + (ix0 + kx0 as isize) as usize;
                    let xs = &xc[at..at + (kx1 - kx0)];
                    let ws = &fc[ky * g.kw + kx0..ky * g.kw + kx1];
                    for (&a, &b) in xs.iter().zip(ws) {
                        acc += a * b;
                    }
                }
            }
            *out = acc;
        }
    }
}

impl<T, B, C, C2, F, K, S, P, H, W> Train<Tensor<T, (B, C2, H, W)>>
    for Direct<Conv2d<T, C, F, K, S, P>>
where
    T: Scalar,
    B: Dim,
    C: Dim,
    F: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    C2: Dim + DimEq<C, rules::ConvInputChannels>,
    H: ConvDim<K::H, S::H, P::H>,
    W: ConvDim<K::W, S::W, P::W>,
{
    /// The wrapped layer's (im2col) cache: training runs the fast path.
    type Cache = <Conv2d<T, C, F, K, S, P> as Train<Tensor<T, (B, C2, H, W)>>>::Cache;

    fn forward(
        &mut self,
        x: &Tensor<T, (B, C2, H, W)>,
        ctx: Ctx,
        c: &mut Self::Cache,
        y: &mut Self::Output,
    ) {
        self.0.forward(x, ctx, c, y);
    }

    fn backward(
        &self,
        x: &Tensor<T, (B, C2, H, W)>,
        cache: &mut Self::Cache,
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (B, C2, H, W)>>,
        grads: Option<&mut Self::Grads>,
    ) {
        self.0.backward(x, cache, dy, dx, grads);
    }
}
