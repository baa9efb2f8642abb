//! Matrix products and their transposed forms: the forward and backward of an affine layer.
//!
//! For `Y = X·W` with `X: (B, I)`, `W: (I, O)`:
//! `dX = dY·Wᵀ` is [`matmul_t`](Tensor::matmul_t) and `dW = Xᵀ·dY` is
//! [`t_matmul`](Tensor::t_matmul), which comes out `(I, O)`, exactly `W`'s shape. The `_acc` forms
//! add into an existing gradient and check that its shape matches.
//!
//! Every form accepts any right-hand dims and checks them, so a mismatch reads
//! `shape error (matmul inner dimension): left has 3 columns, right has 4 rows`.

use crate::kernel::Gemm;
use crate::scalar::Scalar;
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

impl<T: Scalar, M: Dim, K: Dim> Tensor<T, (M, K)> {
    /// `self · rhs`: `(M, K) · (K, N) -> (M, N)`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let a = tensor([[1, 2], [3, 4]]);
    /// let b = tensor([[5, 6], [7, 8]]);
    /// assert_eq!(a.matmul(&b), tensor([[19, 22], [43, 50]]));
    /// ```
    pub fn matmul<K2: Dim + DimEq<K, rules::MatmulInner>, N: Dim>(
        &self,
        rhs: &Tensor<T, (K2, N)>,
    ) -> Tensor<T, (M, N)> {
        let mut out = Tensor::zeros();
        T::gemm(
            Gemm::nn(M::USIZE, K::USIZE, N::USIZE),
            self.as_slice(),
            rhs.as_slice(),
            out.as_mut_slice(),
        );
        out
    }

    /// `out = self · rhs`, written into `out` (its shape is checked).
    pub fn matmul_into<K2, N, M2, N2>(
        &self,
        rhs: &Tensor<T, (K2, N)>,
        out: &mut Tensor<T, (M2, N2)>,
    ) where
        K2: Dim + DimEq<K, rules::MatmulInner>,
        N: Dim,
        M2: Dim + DimEq<M, rules::GradientShape>,
        N2: Dim + DimEq<N, rules::GradientShape>,
    {
        T::gemm(
            Gemm::nn(M::USIZE, K::USIZE, N::USIZE),
            self.as_slice(),
            rhs.as_slice(),
            out.as_mut_slice(),
        );
    }

    /// `out += self · rhs` (its shape is checked).
    pub fn matmul_acc<K2, N, M2, N2>(&self, rhs: &Tensor<T, (K2, N)>, out: &mut Tensor<T, (M2, N2)>)
    where
        K2: Dim + DimEq<K, rules::MatmulInner>,
        N: Dim,
        M2: Dim + DimEq<M, rules::GradientShape>,
        N2: Dim + DimEq<N, rules::GradientShape>,
    {
        let g = Gemm::nn(M::USIZE, K::USIZE, N::USIZE).acc();
        T::gemm(g, self.as_slice(), rhs.as_slice(), out.as_mut_slice());
    }

    /// `selfᵀ · rhs`: `(M, K)ᵀ · (M, N) -> (K, N)`; with `self = X`, `rhs = dY` this is `dW`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let x = tensor([[2., 4.], [2., 1.], [4., 3.]]);      // (B=3, I=2)
    /// let dy = Tensor2::<f64, U3, U3>::ones();             // (B=3, O=3)
    /// let dw: Tensor2<f64, U2, U3> = x.t_matmul(&dy);      // (I, O): W's shape
    /// assert_eq!(dw, tensor([[8., 8., 8.], [8., 8., 8.]]));
    /// ```
    pub fn t_matmul<M2: Dim + DimEq<M, rules::TransposedProduct>, N: Dim>(
        &self,
        rhs: &Tensor<T, (M2, N)>,
    ) -> Tensor<T, (K, N)> {
        let mut out = Tensor::zeros();
        let g = Gemm::nn(K::USIZE, M::USIZE, N::USIZE).ta();
        T::gemm(g, self.as_slice(), rhs.as_slice(), out.as_mut_slice());
        out
    }

    /// `out += selfᵀ · rhs`: accumulates `dW += Xᵀ·dY`; `out` must have exactly the shape `(K, N)`.
    pub fn t_matmul_acc<M2, N, K3, N3>(
        &self,
        rhs: &Tensor<T, (M2, N)>,
        out: &mut Tensor<T, (K3, N3)>,
    ) where
        M2: Dim + DimEq<M, rules::TransposedProduct>,
        N: Dim,
        K3: Dim + DimEq<K, rules::GradientShape>,
        N3: Dim + DimEq<N, rules::GradientShape>,
    {
        let g = Gemm::nn(K::USIZE, M::USIZE, N::USIZE).ta().acc();
        T::gemm(g, self.as_slice(), rhs.as_slice(), out.as_mut_slice());
    }

    /// `self · rhsᵀ`: `(M, K) · (N, K)ᵀ -> (M, N)`; with `self = dY`, `rhs = W` this is `dX`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let dy = Tensor2::<f64, U3, U3>::ones();               // (B, O)
    /// let w = tensor([[1., 2., 3.], [1., 4., 6.]]);          // (I, O)
    /// let dx: Tensor2<f64, U3, U2> = dy.matmul_t(&w);        // (B, I)
    /// assert_eq!(dx.outer(0), &[6., 11.]);
    /// ```
    pub fn matmul_t<N: Dim, K2: Dim + DimEq<K, rules::ProductTransposed>>(
        &self,
        rhs: &Tensor<T, (N, K2)>,
    ) -> Tensor<T, (M, N)> {
        let mut out = Tensor::zeros();
        let g = Gemm::nn(M::USIZE, K::USIZE, N::USIZE).tb();
        T::gemm(g, self.as_slice(), rhs.as_slice(), out.as_mut_slice());
        out
    }

    /// `out = self · rhsᵀ` (overwrites; `out` must be `(M, N)`), e.g. `dX = dY·Wᵀ`.
    pub fn matmul_t_into<N, K2, M3, N3>(
        &self,
        rhs: &Tensor<T, (N, K2)>,
        out: &mut Tensor<T, (M3, N3)>,
    ) where
        N: Dim,
        K2: Dim + DimEq<K, rules::ProductTransposed>,
        M3: Dim + DimEq<M, rules::GradientShape>,
        N3: Dim + DimEq<N, rules::GradientShape>,
    {
        let g = Gemm::nn(M::USIZE, K::USIZE, N::USIZE).tb();
        T::gemm(g, self.as_slice(), rhs.as_slice(), out.as_mut_slice());
    }

    /// `out += self · rhsᵀ`.
    pub fn matmul_t_acc<N, K2, M3, N3>(
        &self,
        rhs: &Tensor<T, (N, K2)>,
        out: &mut Tensor<T, (M3, N3)>,
    ) where
        N: Dim,
        K2: Dim + DimEq<K, rules::ProductTransposed>,
        M3: Dim + DimEq<M, rules::GradientShape>,
        N3: Dim + DimEq<N, rules::GradientShape>,
    {
        let g = Gemm::nn(M::USIZE, K::USIZE, N::USIZE).tb().acc();
        T::gemm(g, self.as_slice(), rhs.as_slice(), out.as_mut_slice());
    }
}

impl<T: Copy, M: Dim, K: Dim> Tensor<T, (M, K)> {
    /// The transpose `(K, M)`.
    pub fn t(&self) -> Tensor<T, (K, M)> {
        let s = self.as_slice();
        Tensor::from_flat_fn(|i| s[(i % M::USIZE) * K::USIZE + i / M::USIZE])
    }

    /// Writes the transpose into `out`.
    pub fn t_into(&self, out: &mut Tensor<T, (K, M)>) {
        transpose(self.as_slice(), out.as_mut_slice(), M::USIZE, K::USIZE);
    }
}

/// Writes the `cols × rows` transpose of the row-major `rows × cols` matrix `src` into `dst`.
pub(crate) fn transpose<T: Copy>(src: &[T], dst: &mut [T], rows: usize, cols: usize) {
    for (r, row) in src.chunks_exact(cols).take(rows).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            dst[c * rows + r] = v;
        }
    }
}
