//! Matrix products and the bias broadcast: `a·b`, `a·bᵀ`, `aᵀ·b`, `x + b` with a row vector `b`
//! added to every row.
//!
//! Shapes are checked as for tensors (`shape error (matmul inner dimension): left has 3 columns,
//! right has 4 rows`). Backward is the matrix calculus of the lecture: for `C = A·B`,
//! `dA = dC·Bᵀ` and `dB = Aᵀ·dC`; for a bias broadcast over rows, `db = Σ rows of dC`.

use super::{Node, Op, Var};
use crate::kernel::Gemm;
use crate::scalar::Real;
use crate::shape::{Dim, DimEq, rules};
use crate::tensor::Tensor;

/// Which product: `a·b`, `a·bᵀ` or `aᵀ·b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    /// `a · b`.
    Plain,
    /// `a · bᵀ`.
    RightTransposed,
    /// `aᵀ · b`.
    LeftTransposed,
}

/// A matrix product of `a: (M, K)` and `b: (R, C)` giving `(P, Q)`.
pub struct MatMul<'a, T, M: Dim, K: Dim, R: Dim, C: Dim> {
    a: &'a dyn Node<T, (M, K)>,
    b: &'a dyn Node<T, (R, C)>,
    kind: Product,
}

impl<T: Real, M: Dim, K: Dim, R: Dim, C: Dim, P: Dim, Q: Dim> Op<T, (P, Q)>
    for MatMul<'_, T, M, K, R, C>
{
    fn count_inputs(&self) {
        self.a.count();
        self.b.count();
    }

    fn backward(&self, _: &Tensor<T, (P, Q)>, grad: &Tensor<T, (P, Q)>) {
        let (a, b, g) = (
            self.a.value().as_slice(),
            self.b.value().as_slice(),
            grad.as_slice(),
        );
        let (m, k, c) = (M::USIZE, K::USIZE, C::USIZE);
        let (ga, gb) = match self.kind {
            // C(M,N) = A(M,K)·B(K,N): dA = G·Bᵀ, dB = Aᵀ·G.
            Product::Plain => (Gemm::nn(m, c, k).tb(), Gemm::nn(k, m, c).ta()),
            // C(M,N) = A(M,K)·B(N,K)ᵀ: dA = G·B, dB = Gᵀ·A.
            Product::RightTransposed => (Gemm::nn(m, R::USIZE, k), Gemm::nn(R::USIZE, m, k).ta()),
            // C(K,N) = A(M,K)ᵀ·B(M,N): dA = B·Gᵀ, dB = A·G.
            Product::LeftTransposed => (Gemm::nn(m, c, k).tb(), Gemm::nn(m, k, c)),
        };
        self.a.receive(&mut |da| match self.kind {
            Product::LeftTransposed => T::gemm(ga.acc(), b, g, da.as_mut_slice()),
            _ => T::gemm(ga.acc(), g, b, da.as_mut_slice()),
        });
        self.b.receive(&mut |db| match self.kind {
            Product::RightTransposed => T::gemm(gb.acc(), g, a, db.as_mut_slice()),
            _ => T::gemm(gb.acc(), a, g, db.as_mut_slice()),
        });
    }
}

/// The node of a product `(P, Q)` of `(M, K)` and `(R, C)`.
pub type ProductVar<'a, T, P, Q, M, K, R, C> = Var<T, (P, Q), MatMul<'a, T, M, K, R, C>>;

/// `x + b`, the row vector `b: (N,)` added to every row of `x: (B, N)`.
pub struct AddRow<'a, T, B: Dim, N: Dim, N2: Dim> {
    x: &'a dyn Node<T, (B, N)>,
    b: &'a dyn Node<T, (N2,)>,
}

impl<T: Real, B: Dim, N: Dim, N2: Dim> Op<T, (B, N)> for AddRow<'_, T, B, N, N2> {
    fn count_inputs(&self) {
        self.x.count();
        self.b.count();
    }
    fn backward(&self, _: &Tensor<T, (B, N)>, grad: &Tensor<T, (B, N)>) {
        self.x.receive(&mut |gx| gx.add_tensor_assign(grad));
        self.b.receive(&mut |gb| {
            let gb = gb.as_mut_slice();
            for row in grad.as_slice().chunks_exact(N::USIZE.max(1)) {
                gb.iter_mut().zip(row).for_each(|(d, &r)| *d += r);
            }
        });
    }
}

impl<T: Real, M: Dim, K: Dim, O: Op<T, (M, K)>> Var<T, (M, K), O> {
    /// `self · b`: `(M, K) · (K, N) -> (M, N)`.
    pub fn matmul<'a, K2, N, OB>(
        &'a self,
        b: &'a Var<T, (K2, N), OB>,
    ) -> ProductVar<'a, T, M, N, M, K, K2, N>
    where
        K2: Dim + DimEq<K, rules::MatmulInner>,
        N: Dim,
        OB: Op<T, (K2, N)>,
    {
        let value = self.value().matmul(b.value());
        Var::from_op(value, self.product(b, Product::Plain))
    }

    /// `self · bᵀ`: `(M, K) · (N, K)ᵀ -> (M, N)`.
    pub fn matmul_t<'a, N, K2, OB>(
        &'a self,
        b: &'a Var<T, (N, K2), OB>,
    ) -> ProductVar<'a, T, M, N, M, K, N, K2>
    where
        N: Dim,
        K2: Dim + DimEq<K, rules::ProductTransposed>,
        OB: Op<T, (N, K2)>,
    {
        let value = self.value().matmul_t(b.value());
        Var::from_op(value, self.product(b, Product::RightTransposed))
    }

    /// `selfᵀ · b`: `(M, K)ᵀ · (M, N) -> (K, N)`.
    pub fn t_matmul<'a, M2, N, OB>(
        &'a self,
        b: &'a Var<T, (M2, N), OB>,
    ) -> ProductVar<'a, T, K, N, M, K, M2, N>
    where
        M2: Dim + DimEq<M, rules::TransposedProduct>,
        N: Dim,
        OB: Op<T, (M2, N)>,
    {
        let value = self.value().t_matmul(b.value());
        Var::from_op(value, self.product(b, Product::LeftTransposed))
    }

    fn product<'a, R: Dim, C: Dim, OB: Op<T, (R, C)>>(
        &'a self,
        b: &'a Var<T, (R, C), OB>,
        kind: Product,
    ) -> MatMul<'a, T, M, K, R, C> {
        MatMul { a: self, b, kind }
    }

    /// `self + b` with `b: (K,)` added to every row (a bias).
    pub fn add_row<'a, K2, OB>(
        &'a self,
        b: &'a Var<T, (K2,), OB>,
    ) -> Var<T, (M, K), AddRow<'a, T, M, K, K2>>
    where
        K2: Dim + DimEq<K, rules::BroadcastLength>,
        OB: Op<T, (K2,)>,
    {
        let value = self.value().clone().plus_row(b.value());
        Var::from_op(value, AddRow { x: self, b })
    }
}
