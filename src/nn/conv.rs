//! 2-D convolution over NCHW batches.

mod im2col;

use core::marker::PhantomData;

use typenum::{U0, U1, Unsigned};

use self::im2col::{Geom, col2im, im2col, im2row, pad, unpad};
use crate::kernel::Gemm;
use crate::nn::{Ctx, Infer, Module, Train};
use crate::scalar::{Scalar, Zeroable};
use crate::shape::{ConvDim, ConvOut, Dim, DimEq, SamePad, Shape, rules};
use crate::tensor::Tensor;

/// 2-D convolution (cross-correlation, as in every deep-learning library): `C` input channels,
/// `F` filters of `K × K`, stride `S`, zero padding `P` on every side.
///
/// Maps batches `(B, C, H, W)` to `(B, F, OH, OW)` with `OH = ⌊(H + 2P − K)/S⌋ + 1`
/// ([`ConvOut`]), likewise `OW`; `H` and `W` may differ. Each output
/// `y[b][f][oy][ox] = bias[f] + Σ_{c,ky,kx} weight[f][c][ky][kx] · x[b][c][oy·S+ky−P][ox·S+kx−P]`.
///
/// Weights are `(F, C, K, K)` (PyTorch's layout, so exported weights load as is), bias `(F,)`.
/// Parameters: `F·C·K·K + F`, a compile-time constant.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Conv2d, Layer, Params};
/// // 3 channels, 6 filters of 5×5: 6·3·5·5 + 6 = 456 parameters.
/// type Conv = Conv2d<f32, U3, U6, U5>;
/// assert_eq!(<Conv as Params<f32>>::PARAMS, 456);
/// let conv = shaped::boxed_zeroed::<Conv>();
/// let x = shaped::boxed_zeroed::<Tensor4<f32, U2, U3, U32, U32>>();
/// let mut work = shaped::boxed_zeroed::<<Conv as Layer<Tensor4<f32, U2, U3, U32, U32>>>::Work>();
/// let mut y = shaped::boxed_zeroed::<Tensor4<f32, U2, U6, U28, U28>>(); // 32 − 5 + 1 = 28
/// conv.forward(&x, &mut work, &mut y);
/// ```
pub struct Conv2d<T, C: Dim, F: Dim, K: Dim, S: Dim = U1, P: Dim = U0> {
    /// Filters, `(F, C, K, K)`: `weight[f][c][ky][kx]`.
    pub weight: Tensor<T, (F, C, K, K)>,
    /// One bias per filter.
    pub bias: Tensor<T, (F,)>,
    _geometry: PhantomData<(S, P)>,
}

/// A stride-1 convolution that keeps `H × W` (odd `K`): padding `(K − 1)/2`.
pub type Conv2dSame<T, C, F, K> = Conv2d<T, C, F, K, U1, SamePad<K>>;

// SAFETY: two zeroable tensors and a zero-sized marker.
unsafe impl<T: Zeroable, C: Dim, F: Dim, K: Dim, S: Dim, P: Dim> Zeroable
    for Conv2d<T, C, F, K, S, P>
{
}

impl<T: Scalar, C: Dim, F: Dim, K: Dim, S: Dim, P: Dim> Conv2d<T, C, F, K, S, P> {
    /// A layer with all parameters zero (initialise with
    /// [`Params::init`](crate::nn::Params::init) before training).
    pub fn zeros() -> Self {
        Zeroable::zeroed()
    }
}

impl<T: Scalar, C: Dim, F: Dim, K: Dim, S: Dim, P: Dim> Clone for Conv2d<T, C, F, K, S, P> {
    fn clone(&self) -> Self {
        Conv2d {
            weight: self.weight.clone(),
            bias: self.bias.clone(),
            _geometry: PhantomData,
        }
    }
}

impl<T: Scalar, C: Dim, F: Dim, K: Dim, S: Dim, P: Dim> core::fmt::Debug
    for Conv2d<T, C, F, K, S, P>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Conv2d")
            .field("stride", &S::USIZE)
            .field("padding", &P::USIZE)
            .field("weight", &self.weight)
            .field("bias", &self.bias)
            .finish()
    }
}

/// The workspace of a [`Conv2d`]: the column matrix of one sample, `(C·K·K, OH·OW)` (see the
/// `im2col` notes), reused for every sample and for `dX` in backward, and a zero-padded copy of one
/// sample, `(C, HP, WP)`. Its size follows from the types, so it lives in static memory or one
/// zeroed allocation.
pub struct ConvWork<T, C: Dim, K: Dim, OH: Dim, OW: Dim, HP: Dim, WP: Dim> {
    cols: Cols<T, C, K, OH, OW>,
    padded: Tensor<T, (C, HP, WP)>,
}

/// `C` blocks of `(K, K, OH, OW)`: the rows of the column matrix, grouped by input channel.
type Cols<T, C, K, OH, OW> = generic_array::GenericArray<Tensor<T, (K, K, OH, OW)>, C>;

// SAFETY: zeroable tensors.
unsafe impl<T: Zeroable, C: Dim, K: Dim, OH: Dim, OW: Dim, HP: Dim, WP: Dim> Zeroable
    for ConvWork<T, C, K, OH, OW, HP, WP>
{
}
// SAFETY: tensors of one `Pod` element type: no padding, every bit pattern valid.
unsafe impl<T: crate::scalar::Pod, C: Dim, K: Dim, OH: Dim, OW: Dim, HP: Dim, WP: Dim>
    crate::scalar::Pod for ConvWork<T, C, K, OH, OW, HP, WP>
{
}

impl<T, C: Dim, K: Dim, OH: Dim, OW: Dim, HP: Dim, WP: Dim> ConvWork<T, C, K, OH, OW, HP, WP> {
    /// The padded sample and the column matrix (one row-major slice of `C·K·K·OH·OW` values).
    #[inline(always)]
    fn parts(&mut self) -> (&mut [T], &mut [T]) {
        let len = C::USIZE * <(K, K, OH, OW)>::NUMEL;
        const {
            assert!(
                size_of::<Cols<T, C, K, OH, OW>>()
                    == C::USIZE * <(K, K, OH, OW)>::NUMEL * size_of::<T>()
            )
        };
        // SAFETY: `C` tensors of `K·K·OH·OW` values each, contiguous (generic arrays and tensors
        // have the layout of plain arrays), so the field is `len` contiguous `T`s.
        let cols =
            unsafe { core::slice::from_raw_parts_mut(self.cols.as_mut_ptr().cast::<T>(), len) };
        (self.padded.as_mut_slice(), cols)
    }
}

/// The work type of a convolution on inputs of height `H` and width `W`.
type WorkOf<T, C, K, S, P, H, W> = ConvWork<
    T,
    C,
    K,
    ConvOut<H, K, S, P>,
    ConvOut<W, K, S, P>,
    <H as ConvDim<K, S, P>>::Padded,
    <W as ConvDim<K, S, P>>::Padded,
>;

impl<T, B, C, C2, F, K, S, P, H, W> Infer<Tensor<T, (B, C2, H, W)>> for Conv2d<T, C, F, K, S, P>
where
    T: Scalar,
    B: Dim,
    C: Dim,
    F: Dim,
    K: Dim,
    S: Dim,
    P: Dim,
    C2: Dim + DimEq<C, rules::ConvInputChannels>,
    H: ConvDim<K, S, P>,
    W: ConvDim<K, S, P>,
{
    type Output = Tensor<T, (B, F, ConvOut<H, K, S, P>, ConvOut<W, K, S, P>)>;
    type Scratch = WorkOf<T, C, K, S, P, H, W>;

    fn infer(&self, x: &Tensor<T, (B, C2, H, W)>, work: &mut Self::Scratch, y: &mut Self::Output) {
        let g = geom::<C, K, S, P, H, W>();
        let (f, q, n) = (F::USIZE, g.rows(), g.pixels());
        let (padded, cols) = work.parts();
        for b in 0..B::USIZE {
            im2col(g, padded_sample(g, x.outer(b), padded), cols);
            let yb = y.outer_mut(b);
            for (row, &bias) in yb.chunks_exact_mut(n).zip(self.bias.as_slice()) {
                row.fill(bias);
            }
            T::gemm(Gemm::nn(f, q, n).acc(), self.weight.as_slice(), cols, yb);
        }
    }
}

impl<T, B, C, C2, F, K, S, P, H, W> Train<Tensor<T, (B, C2, H, W)>> for Conv2d<T, C, F, K, S, P>
where
    T: Scalar,
    B: Dim,
    C: Dim,
    F: Dim,
    K: Dim,
    S: Dim,
    P: Dim,
    C2: Dim + DimEq<C, rules::ConvInputChannels>,
    H: ConvDim<K, S, P>,
    W: ConvDim<K, S, P>,
{
    /// The same buffers as inference: backward recomputes the receptive fields from `x`.
    type Cache = WorkOf<T, C, K, S, P, H, W>;

    fn forward(
        &mut self,
        x: &Tensor<T, (B, C2, H, W)>,
        _: Ctx,
        work: &mut Self::Cache,
        y: &mut Self::Output,
    ) {
        self.infer(x, work, y);
    }

    fn backward(
        &self,
        x: &Tensor<T, (B, C2, H, W)>,
        work: &mut Self::Cache,
        dy: &Self::Output,
        mut dx: Option<&mut Tensor<T, (B, C2, H, W)>>,
        mut grads: Option<&mut ConvGrads<T, C, F, K>>,
    ) {
        let g = geom::<C, K, S, P, H, W>();
        let (f, q, n) = (F::USIZE, g.rows(), g.pixels());
        let (padded, cols) = work.parts();
        for b in 0..B::USIZE {
            let dyb = dy.outer(b);
            if let Some(grads) = grads.as_deref_mut() {
                for (d, row) in grads.bias.iter_mut().zip(dyb.chunks_exact(n)) {
                    *d += row.iter().fold(T::zero(), |s, &v| s + v);
                }
                // dW (F, Q) += dY_b (F, N) · rows (N, Q), with the receptive fields laid out as
                // rows (`im2row`): a plain product, cheaper than dY_b · colsᵀ with its packed
                // transpose.
                im2row(g, padded_sample(g, x.outer(b), padded), cols);
                T::gemm(
                    Gemm::nn(f, n, q).acc(),
                    dyb,
                    cols,
                    grads.weight.as_mut_slice(),
                );
            }
            if let Some(dx) = dx.as_deref_mut() {
                // dcols (Q, N) = Wᵀ · dY_b, then scattered back onto the input pixels.
                T::gemm(Gemm::nn(q, f, n).ta(), self.weight.as_slice(), dyb, cols);
                let dxb = dx.outer_mut(b);
                if g.p == 0 {
                    dxb.fill(T::zero());
                    col2im(g, cols, dxb);
                } else {
                    padded.fill(T::zero());
                    col2im(g, cols, padded);
                    unpad(g, padded, dxb);
                }
            }
        }
    }
}

/// The sample itself without padding, else its padded copy in `buf`.
#[inline(always)]
fn padded_sample<'a, T: Scalar>(g: Geom, x: &'a [T], buf: &'a mut [T]) -> &'a [T] {
    if g.p == 0 {
        x
    } else {
        pad(g, x, buf);
        buf
    }
}

#[inline(always)]
fn geom<C: Dim, K: Dim, S: Dim, P: Dim, H: ConvDim<K, S, P>, W: ConvDim<K, S, P>>() -> Geom {
    Geom {
        c: C::USIZE,
        h: H::USIZE,
        w: W::USIZE,
        k: K::USIZE,
        s: S::USIZE,
        p: P::USIZE,
        oh: ConvOut::<H, K, S, P>::USIZE,
        ow: ConvOut::<W, K, S, P>::USIZE,
    }
}

/// Gradients of a [`Conv2d`] layer: one tensor per parameter.
pub struct ConvGrads<T, C: Dim, F: Dim, K: Dim> {
    /// `∂L/∂W`, `(F, C, K, K)`.
    pub weight: Tensor<T, (F, C, K, K)>,
    /// `∂L/∂b`.
    pub bias: Tensor<T, (F,)>,
}

// SAFETY: two zeroable tensors.
unsafe impl<T: Zeroable, C: Dim, F: Dim, K: Dim> Zeroable for ConvGrads<T, C, F, K> {}

crate::nn::params::tensors!(impl[T: Zeroable, C: Dim, F: Dim, K: Dim] Tensors<T> for ConvGrads<T, C, F, K> { weight, bias });

impl<T: Zeroable, C: Dim, F: Dim, K: Dim, S: Dim, P: Dim> Module for Conv2d<T, C, F, K, S, P> {
    type Grads = ConvGrads<T, C, F, K>;
    const TRAINABLE: bool = true;
}

crate::nn::params::tensor_params! {
    impl[T: Scalar, C: Dim, F: Dim, K: Dim, S: Dim, P: Dim] Params<T> for Conv2d<T, C, F, K, S, P>;
    init = Conv2d::init_weights;
    fields { trainable weight, trainable bias }
}

impl<T: Scalar, C: Dim, F: Dim, K: Dim, S: Dim, P: Dim> Conv2d<T, C, F, K, S, P> {
    /// Weights by `scheme` with `fan_in = C·K·K`, `fan_out = F·K·K`; biases zero.
    fn init_weights(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
    where
        T: crate::Real,
    {
        let kk = K::USIZE * K::USIZE;
        let (fan_in, fan_out) = (C::USIZE * kk, F::USIZE * kk);
        crate::init::fill_weights(self.weight.as_mut_slice(), fan_in, fan_out, scheme, rng);
        self.bias.fill(T::zero());
    }
}
