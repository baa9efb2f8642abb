//! 2-D convolution over NCHW batches.

mod direct;
mod im2col;

pub use direct::Direct;

use core::marker::PhantomData;

use typenum::{U0, U1, Unsigned};

use self::im2col::{Geom, col2im, im2col, im2row, pad, unpad};
use crate::kernel::Gemm;
use crate::nn::{Ctx, Infer, Module, Train};
use crate::scalar::{Scalar, Zeroable};
use crate::shape::{ConvDim, ConvOut, Dim, DimEq, Pair, SamePads, Shape, rules};
use crate::tensor::Tensor;

/// 2-D convolution (cross-correlation, as in every deep-learning library): `C` input channels,
/// `F` filters of `KH × KW`, stride `(SH, SW)`, zero padding `PH` above and below, `PW` left and
/// right.
///
/// Kernel `K`, stride `S` and padding `P` are each a [`Pair`]: one dim for both axes
/// (`Conv2d<T, C, F, U5>` is 5×5, stride 1, no padding) or an `(H, W)` pair, as PyTorch's
/// `kernel_size=(3, 5)`: `Conv2d<T, C, F, (U3, U5), (U2, U1), (U1, U2)>`.
///
/// Maps batches `(B, C, H, W)` to `(B, F, OH, OW)` with `OH = ⌊(H + 2PH − KH)/SH⌋ + 1`
/// ([`ConvOut`]), likewise `OW`. Each output `y[b][f][oy][ox] = bias[f] +
/// Σ_{c,ky,kx} weight[f][c][ky][kx] · x[b][c][oy·SH+ky−PH][ox·SW+kx−PW]`.
///
/// Weights are `(F, C, KH, KW)` (PyTorch's layout, so exported weights load as is), bias `(F,)`.
/// Parameters: `F·C·KH·KW + F`, a compile-time constant.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Conv2d, Infer, Params};
/// // 3 channels, 6 filters of 5×5: 6·3·5·5 + 6 = 456 parameters.
/// type Conv = Conv2d<f32, U3, U6, U5>;
/// assert_eq!(<Conv as Params<f32>>::PARAMS, 456);
/// let conv = shaped::boxed_zeroed::<Conv>();
/// let x = shaped::boxed_zeroed::<Tensor4<f32, U2, U3, U32, U32>>();
/// let y: Box<Tensor4<f32, U2, U6, U28, U28>> = conv.infer_boxed(&x); // 32 − 5 + 1 = 28
/// assert!(y.iter().all(|&v| v == 0.0));
///
/// // 3×5 filters, stride (2, 1), padding (1, 2): a 7×9 input gives (7+2−3)/2+1 × (9+4−5)/1+1.
/// type Rect = Conv2d<f32, U3, U6, (U3, U5), (U2, U1), (U1, U2)>;
/// assert_eq!(<Rect as Params<f32>>::PARAMS, 6 * 3 * 3 * 5 + 6);
/// let x = shaped::boxed_zeroed::<Tensor4<f32, U1, U3, U7, U9>>();
/// let y: Box<Tensor4<f32, U1, U6, U4, U9>> = shaped::boxed_zeroed::<Rect>().infer_boxed(&x);
/// # let _ = y;
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
#[params(init = Self::init_weights, grads = ConvGrads)]
pub struct Conv2d<T, C: Dim, F: Dim, K: Pair, S: Pair = U1, P: Pair = U0> {
    /// Filters, `(F, C, KH, KW)`: `weight[f][c][ky][kx]`.
    #[param]
    pub weight: Tensor<T, (F, C, K::H, K::W)>,
    /// One bias per filter.
    #[param]
    pub bias: Tensor<T, (F,)>,
    #[skip]
    _geometry: PhantomData<(S, P)>,
}

/// A stride-1 convolution that keeps `H × W` (PyTorch's `padding='same'`): padded by
/// `(KH − 1)/2` above and below and `(KW − 1)/2` left and right ([`SamePads`]), so
/// `Conv2dSame<T, C, F, (U3, U5)>` is `Conv2d<T, C, F, (U3, U5), U1, (U1, U2)>`.
///
/// The kernel must be odd along both axes: an even one has no centre, and keeping the size would
/// need more padding on one side than the other (as PyTorch does), which `Conv2d` does not do.
/// An even kernel is a compile error where the alias is named, e.g.
/// `shape error (same padding): a kernel of 4 rows has no centre row; ...`.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Conv2dSame, Infer};
/// let conv = shaped::boxed_zeroed::<Conv2dSame<f32, U3, U8, (U3, U5)>>();
/// let x = shaped::boxed_zeroed::<Tensor4<f32, U1, U3, U7, U9>>();
/// let y: Box<Tensor4<f32, U1, U8, U7, U9>> = conv.infer_boxed(&x);
/// assert!(y.iter().all(|&v| v == 0.0));
/// ```
pub type Conv2dSame<T, C, F, K> = Conv2d<T, C, F, K, U1, SamePads<K>>;

impl<T: Scalar, C: Dim, F: Dim, K: Pair, S: Pair, P: Pair> Conv2d<T, C, F, K, S, P> {
    /// A layer with all parameters zero (initialise with
    /// [`Params::init`](crate::nn::Params::init) before training).
    pub fn zeros() -> Self {
        Zeroable::zeroed()
    }
}

impl<T: Scalar, C: Dim, F: Dim, K: Pair, S: Pair, P: Pair> Clone for Conv2d<T, C, F, K, S, P> {
    fn clone(&self) -> Self {
        Conv2d {
            weight: self.weight.clone(),
            bias: self.bias.clone(),
            _geometry: PhantomData,
        }
    }
}

impl<T: Scalar, C: Dim, F: Dim, K: Pair, S: Pair, P: Pair> core::fmt::Debug
    for Conv2d<T, C, F, K, S, P>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Conv2d")
            .field("kernel", &(K::H::USIZE, K::W::USIZE))
            .field("stride", &(S::H::USIZE, S::W::USIZE))
            .field("padding", &(P::H::USIZE, P::W::USIZE))
            .field("weight", &self.weight)
            .field("bias", &self.bias)
            .finish()
    }
}

/// The workspace of a [`Conv2d`]: the column matrix of one sample, `(C·KH·KW, OH·OW)` (see the
/// `im2col` notes), reused for every sample and for `dX` in backward, and a zero-padded copy of one
/// sample, `(C, HP, WP)`. Its size follows from the types, so it lives in static memory or one
/// zeroed allocation.
pub struct ConvWork<T, C: Dim, KH: Dim, KW: Dim, OH: Dim, OW: Dim, HP: Dim, WP: Dim> {
    cols: Cols<T, C, KH, KW, OH, OW>,
    padded: Tensor<T, (C, HP, WP)>,
}

/// `C` blocks of `(KH, KW, OH, OW)`: the rows of the column matrix, grouped by input channel.
type Cols<T, C, KH, KW, OH, OW> = generic_array::GenericArray<Tensor<T, (KH, KW, OH, OW)>, C>;

// SAFETY: zeroable tensors.
unsafe impl<T: Zeroable, C: Dim, KH: Dim, KW: Dim, OH: Dim, OW: Dim, HP: Dim, WP: Dim> Zeroable
    for ConvWork<T, C, KH, KW, OH, OW, HP, WP>
{
}
// SAFETY: tensors of one `Pod` element type: no padding, every bit pattern valid.
unsafe impl<T: crate::scalar::Pod, C: Dim, KH: Dim, KW: Dim, OH: Dim, OW: Dim, HP: Dim, WP: Dim>
    crate::scalar::Pod for ConvWork<T, C, KH, KW, OH, OW, HP, WP>
{
}

impl<T, C: Dim, KH: Dim, KW: Dim, OH: Dim, OW: Dim, HP: Dim, WP: Dim>
    ConvWork<T, C, KH, KW, OH, OW, HP, WP>
{
    /// The padded sample and the column matrix (one row-major slice of `C·KH·KW·OH·OW` values).
    #[inline(always)]
    fn parts(&mut self) -> (&mut [T], &mut [T]) {
        let len = C::USIZE * <(KH, KW, OH, OW)>::NUMEL;
        const {
            assert!(
                size_of::<Cols<T, C, KH, KW, OH, OW>>()
                    == C::USIZE * <(KH, KW, OH, OW)>::NUMEL * size_of::<T>()
            )
        };
        // SAFETY: `C` tensors of `KH·KW·OH·OW` values each, contiguous (generic arrays and tensors
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
    <K as Pair>::H,
    <K as Pair>::W,
    OutH<H, K, S, P>,
    OutW<W, K, S, P>,
    <H as ConvDim<<K as Pair>::H, <S as Pair>::H, <P as Pair>::H>>::Padded,
    <W as ConvDim<<K as Pair>::W, <S as Pair>::W, <P as Pair>::W>>::Padded,
>;

/// The output height: [`ConvOut`] with the height values of the pairs.
type OutH<H, K, S, P> = ConvOut<H, <K as Pair>::H, <S as Pair>::H, <P as Pair>::H>;
/// The output width: [`ConvOut`] with the width values of the pairs.
type OutW<W, K, S, P> = ConvOut<W, <K as Pair>::W, <S as Pair>::W, <P as Pair>::W>;

impl<T, B, C, C2, F, K, S, P, H, W> Infer<Tensor<T, (B, C2, H, W)>> for Conv2d<T, C, F, K, S, P>
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
    type Scratch = WorkOf<T, C, K, S, P, H, W>;

    fn infer(&self, x: &Tensor<T, (B, C2, H, W)>, work: &mut Self::Scratch, y: &mut Self::Output) {
        let g = geom::<C, K, S, P, H, W>();
        let (f, q, n) = (F::USIZE, g.rows(), g.pixels());
        let direct = g.direct(f);
        let (padded, cols) = work.parts();
        let (weight, bias) = (self.weight.as_slice(), self.bias.as_slice());
        for b in 0..B::USIZE {
            let yb = y.outer_mut(b);
            if direct.is_some_and(|d| T::conv_forward(d, weight, bias, x.outer(b), cols, yb)) {
                continue;
            }
            im2col(g, padded_sample(g, x.outer(b), padded), cols);
            for (row, &bias) in yb.chunks_exact_mut(n).zip(bias) {
                row.fill(bias);
            }
            T::gemm(Gemm::nn(f, q, n).acc(), weight, cols, yb);
        }
    }
}

impl<T, B, C, C2, F, K, S, P, H, W> Train<Tensor<T, (B, C2, H, W)>> for Conv2d<T, C, F, K, S, P>
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
        mut grads: Option<&mut <Self as Module>::Grads>,
    ) {
        let g = geom::<C, K, S, P, H, W>();
        let (f, q, n) = (F::USIZE, g.rows(), g.pixels());
        let direct = g.direct(f);
        let (padded, cols) = work.parts();
        for b in 0..B::USIZE {
            let dyb = dy.outer(b);
            if let Some(grads) = grads.as_deref_mut() {
                for (d, row) in grads.bias.iter_mut().zip(dyb.chunks_exact(n)) {
                    *d += crate::kernel::sum(row);
                }
                let xp = padded_sample(g, x.outer(b), padded);
                let dw = grads.weight.as_mut_slice();
                if !direct.is_some_and(|d| T::conv_weight_grad(d, xp, dyb, cols, dw)) {
                    // dW (F, Q) += dY_b (F, N) · rows (N, Q), with the receptive fields laid
                    // out as rows (`im2row`): a plain product, cheaper than dY_b · colsᵀ with
                    // its packed transpose.
                    im2row(g, xp, cols);
                    T::gemm(Gemm::nn(f, n, q).acc(), dyb, cols, dw);
                }
            }
            if let Some(dx) = dx.as_deref_mut() {
                let (w, dxb) = (self.weight.as_slice(), dx.outer_mut(b));
                if direct.is_some_and(|d| T::conv_input_grad(d, w, dyb, cols, dxb)) {
                    continue;
                }
                // dcols (Q, N) = Wᵀ · dY_b, then scattered back onto the input pixels.
                T::gemm(Gemm::nn(q, f, n).ta(), w, dyb, cols);
                if !g.is_padded() {
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
    if !g.is_padded() {
        x
    } else {
        pad(g, x, buf);
        buf
    }
}

#[inline(always)]
fn geom<C, K, S, P, H, W>() -> Geom
where
    C: Dim,
    K: Pair,
    S: Pair,
    P: Pair,
    H: ConvDim<K::H, S::H, P::H>,
    W: ConvDim<K::W, S::W, P::W>,
{
    Geom {
        c: C::USIZE,
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

impl<T: Scalar, C: Dim, F: Dim, K: Pair, S: Pair, P: Pair> Conv2d<T, C, F, K, S, P> {
    /// Weights by `scheme` with `fan_in = C·KH·KW`, `fan_out = F·KH·KW` (PyTorch's fans); biases
    /// zero.
    fn init_weights(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
    where
        T: crate::Real,
    {
        let kk = K::H::USIZE * K::W::USIZE;
        let (fan_in, fan_out) = (C::USIZE * kk, F::USIZE * kk);
        crate::init::fill_weights(self.weight.as_mut_slice(), fan_in, fan_out, scheme, rng);
        self.bias.fill(T::zero());
    }
}

#[cfg(test)]
mod tests {
    use core::any::TypeId;

    use typenum::{U0, U1, U2, U3, U4, U5, U6, U7, U8, U9, U12, U16, U28, Unsigned};

    use super::{Conv2d, OutH, OutW};
    use crate::gradcheck::{self, Config};
    use crate::nn::{Infer, Name, Params};
    use crate::rand::Rng;
    use crate::shape::{ConvDim, ConvOut, Dim, Pair};
    use crate::tensor::Tensor;

    type Out<B, F, H, W, K, S, P> = Tensor<f64, (B, F, OutH<H, K, S, P>, OutW<W, K, S, P>)>;

    /// A layer with weights and biases uniform in `[−1, 1]`.
    fn random_conv<C: Dim, F: Dim, K: Pair, S: Pair, P: Pair>(
        rng: &mut Rng,
    ) -> Conv2d<f64, C, F, K, S, P> {
        let mut conv = Conv2d::<f64, C, F, K, S, P>::zeros();
        conv.weight = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
        conv.bias = Tensor::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
        conv
    }

    /// Output element `i` of the convolution, straight from the definition: the sum over the
    /// window of weight times input, with out-of-range inputs (the padding) skipped.
    fn direct<B, C, F, H, W, K, S, P>(
        conv: &Conv2d<f64, C, F, K, S, P>,
        x: &Tensor<f64, (B, C, H, W)>,
        i: usize,
    ) -> f64
    where
        B: Dim,
        C: Dim,
        F: Dim,
        K: Pair,
        S: Pair,
        P: Pair,
        H: ConvDim<K::H, S::H, P::H>,
        W: ConvDim<K::W, S::W, P::W>,
    {
        let (c, h, w) = (C::USIZE, H::USIZE, W::USIZE);
        let (kh, kw) = (K::H::USIZE, K::W::USIZE);
        let (oh, ow) = (OutH::<H, K, S, P>::USIZE, OutW::<W, K, S, P>::USIZE);
        let (ox, oy, f, b) = (
            i % ow,
            (i / ow) % oh,
            (i / (ow * oh)) % F::USIZE,
            i / (ow * oh * F::USIZE),
        );
        let (wt, xs) = (conv.weight.as_slice(), x.as_slice());
        let mut sum = conv.bias.as_slice()[f];
        for ci in 0..c {
            for ky in 0..kh {
                for kx in 0..kw {
                    let iy = (oy * S::H::USIZE + ky) as isize - P::H::USIZE as isize;
                    let ix = (ox * S::W::USIZE + kx) as isize - P::W::USIZE as isize;
                    if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                        continue;
                    }
                    let (iy, ix) = (iy as usize, ix as usize);
                    sum += wt[((f * c + ci) * kh + ky) * kw + kx]
                        * xs[((b * c + ci) * h + iy) * w + ix];
                }
            }
        }
        sum
    }

    /// The layer's forward pass against [`direct`] on random weights and inputs.
    fn forward_matches_direct<B, C, F, H, W, K, S, P>(seed: u64)
    where
        B: Dim,
        C: Dim,
        F: Dim,
        K: Pair,
        S: Pair,
        P: Pair,
        H: ConvDim<K::H, S::H, P::H>,
        W: ConvDim<K::W, S::W, P::W>,
    {
        let mut rng = Rng::new(seed);
        let conv = random_conv::<C, F, K, S, P>(&mut rng);
        let x = Tensor::<f64, (B, C, H, W)>::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
        let y: Out<B, F, H, W, K, S, P> = conv.apply(&x);
        let want = Out::<B, F, H, W, K, S, P>::from_flat_fn(|i| direct(&conv, &x, i));
        for (i, (&a, &e)) in y.iter().zip(want.iter()).enumerate() {
            assert!((a - e).abs() < 1e-12, "output {i}: got {a}, expected {e}");
        }
    }

    #[test]
    fn forward_matches_direct_convolution() {
        // 3×5 kernel, stride (2, 1), padding (1, 2), 7×9 input: 4×9 output.
        forward_matches_direct::<U2, U2, U3, U7, U9, (U3, U5), (U2, U1), (U1, U2)>(1);
        // Square kernel, stride and padding.
        forward_matches_direct::<U1, U3, U2, U6, U5, U3, U2, U1>(2);
        // 1×3 kernel, stride (1, 2), padding (0, 1): strided im2col along the width only.
        forward_matches_direct::<U2, U1, U2, U5, U8, (U1, U3), (U1, U2), (U0, U1)>(3);
        // 4×2 kernel, stride (3, 2), padding on the height only.
        forward_matches_direct::<U1, U2, U2, U8, U6, (U4, U2), (U3, U2), (U2, U0)>(4);
        // The LeNet path: square kernel, stride 1, no padding.
        forward_matches_direct::<U2, U2, U3, U9, U9, U5, U1, U0>(5);
    }

    /// Input and parameter gradients against central differences, in `f64`.
    fn gradients_match<B, C, F, H, W, K, S, P>(seed: u64)
    where
        B: Dim,
        C: Dim,
        F: Dim,
        K: Pair,
        S: Pair,
        P: Pair,
        H: ConvDim<K::H, S::H, P::H>,
        W: ConvDim<K::W, S::W, P::W>,
    {
        let mut rng = Rng::new(seed);
        let mut conv = random_conv::<C, F, K, S, P>(&mut rng);
        let mut x = Tensor::<f64, (B, C, H, W)>::from_flat_fn(|_| rng.uniform(-1.0, 1.0));
        let report = gradcheck::check_projected(&mut conv, &mut x, seed + 100, Config::default());
        assert_eq!(
            report.input.checked,
            <(B, C, H, W) as crate::shape::Shape>::NUMEL
        );
        assert_eq!(
            report.params.checked,
            <Conv2d<f64, C, F, K, S, P> as Params<f64>>::PARAMS
        );
        assert!(report.max_rel() < 1e-6, "{report}");
    }

    #[test]
    fn gradients_match_central_differences() {
        // Non-square everything, padded (dX goes through col2im on the padded copy).
        gradients_match::<U2, U2, U2, U5, U6, (U3, U5), (U2, U1), (U1, U2)>(11);
        // Strided along the width (strided im2col, im2row and col2im), padded on one axis.
        gradients_match::<U1, U2, U3, U4, U7, (U2, U3), (U1, U2), (U0, U1)>(12);
        // No padding: dX written directly.
        gradients_match::<U2, U1, U2, U5, U4, (U3, U2), U1, U0>(13);
        // Stride 1 with rows long enough for the direct kernels (`kernel::conv`) on x86 with
        // AVX2 or AVX-512: padded, and LeNet's 5×5 "same" shape.
        gradients_match::<U2, U2, U3, U6, U16, U3, U1, U1>(14);
        gradients_match::<U2, U1, U2, U8, U12, U5, U1, U2>(15);
        // Rows of 4 and 16 filters: the weight gradient with the filters in the vector lanes.
        gradients_match::<U2, U3, U16, U6, U6, U3, U1, U0>(16);
    }

    #[test]
    fn output_sizes_per_axis() {
        assert_eq!(<ConvOut<U28, U5, U1, U2>>::USIZE, 28);
        assert_eq!(<ConvOut<U7, U3, U2, U1>>::USIZE, 4);
        assert_eq!(<ConvOut<U9, U5, U1, U2>>::USIZE, 9);
        assert_eq!(<ConvOut<U8, U4, U3, U2>>::USIZE, 3); // (8 + 4 − 4)/3 + 1
        type Rect = Conv2d<f64, U2, U3, (U3, U5), (U2, U1), (U1, U2)>;
        type X = Tensor<f64, (U1, U2, U7, U9)>;
        assert_eq!(
            TypeId::of::<<Rect as Infer<X>>::Output>(),
            TypeId::of::<Tensor<f64, (U1, U3, U4, U9)>>()
        );
        type Square = Conv2d<f64, U1, U6, U5, U1, U2>;
        type Mnist = Tensor<f64, (U2, U1, U28, U28)>;
        assert_eq!(
            TypeId::of::<<Square as Infer<Mnist>>::Output>(),
            TypeId::of::<Tensor<f64, (U2, U6, U28, U28)>>()
        );
    }

    #[test]
    fn weights_are_filters_channels_height_width() {
        type Rect = Conv2d<f32, U2, U3, (U3, U5), (U2, U1), (U1, U2)>;
        assert_eq!(<Rect as Params<f32>>::PARAMS, 3 * 2 * 3 * 5 + 3);
        let conv = Rect::zeros();
        let mut dims = [&[][..]; 2];
        let mut n = 0;
        conv.visit(&Name::ROOT, &mut |e| {
            dims[n] = e.dims;
            n += 1;
        });
        assert_eq!(n, 2);
        assert_eq!(dims, [&[3, 2, 3, 5][..], &[3][..]]);
        #[cfg(feature = "std")]
        {
            extern crate std;
            let debug = std::format!("{conv:?}");
            assert!(
                debug.contains("kernel: (3, 5), stride: (2, 1), padding: (1, 2)"),
                "{debug}"
            );
        }
    }
}
