//! Matrix-product kernels on plain row-major slices.
//!
//! Everything shaped ends up here with its dims as `usize` constants that inlining makes known, so
//! the loops can be unrolled and vectorised. [`Scalar::gemm`](crate::Scalar::gemm) picks the kernel:
//! the portable i-p-j (axpy) loops for any number type, tuned paths for `f32` and `f64`.

/// The operands of one product `c (+)= op(a) · op(b)`, all row-major:
/// `c` is `m × n`; `a` is `m × k`, or `k × m` when `a_t` (then `op(a) = aᵀ`);
/// `b` is `k × n`, or `n × k` when `b_t`. With `accumulate` the product is added to `c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gemm {
    /// Rows of `c`.
    pub m: usize,
    /// The inner (summed) dimension.
    pub k: usize,
    /// Columns of `c`.
    pub n: usize,
    /// `a` is stored transposed (`k × m`).
    pub a_t: bool,
    /// `b` is stored transposed (`n × k`).
    pub b_t: bool,
    /// Add to `c` instead of overwriting it.
    pub accumulate: bool,
}

impl Gemm {
    /// `c = a · b` with `a: m × k`, `b: k × n`.
    pub const fn nn(m: usize, k: usize, n: usize) -> Self {
        Gemm {
            m,
            k,
            n,
            a_t: false,
            b_t: false,
            accumulate: false,
        }
    }
    /// The same product, added to `c`.
    pub const fn acc(self) -> Self {
        Gemm {
            accumulate: true,
            ..self
        }
    }
    /// `a` is stored `k × m` (the product uses `aᵀ`).
    pub const fn ta(self) -> Self {
        Gemm { a_t: true, ..self }
    }
    /// `b` is stored `n × k` (the product uses `bᵀ`).
    pub const fn tb(self) -> Self {
        Gemm { b_t: true, ..self }
    }
}

/// Portable kernel for any [`Scalar`](crate::Scalar). Loops run in i-p-j order so the innermost
/// loop is an axpy over contiguous rows, which compilers vectorise.
#[inline(always)]
pub fn gemm_portable<T: crate::Scalar>(g: Gemm, a: &[T], b: &[T], c: &mut [T]) {
    let Gemm {
        m,
        k,
        n,
        a_t,
        b_t,
        accumulate,
    } = g;
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm: slice too short"
    );
    if !accumulate {
        c[..m * n].fill(T::zero());
    }
    if b_t {
        // c[i][j] += Σ_p a(i,p) · b[j][p]
        for i in 0..m {
            for j in 0..n {
                let brow = &b[j * k..j * k + k];
                let mut s = T::zero();
                for p in 0..k {
                    let aip = if a_t { a[p * m + i] } else { a[i * k + p] };
                    s += aip * brow[p];
                }
                c[i * n + j] += s;
            }
        }
        return;
    }
    for i in 0..m {
        let crow = &mut c[i * n..i * n + n];
        for p in 0..k {
            let aip = if a_t { a[p * m + i] } else { a[i * k + p] };
            let brow = &b[p * n..p * n + n];
            for (cj, &bj) in crow.iter_mut().zip(brow) {
                *cj += aip * bj;
            }
        }
    }
}

/// `f32` products (tuned kernels live here).
#[inline(always)]
pub fn gemm_f32(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_portable(g, a, b, c)
}

/// `f64` products (tuned kernels live here).
#[inline(always)]
pub fn gemm_f64(g: Gemm, a: &[f64], b: &[f64], c: &mut [f64]) {
    gemm_portable(g, a, b, c)
}
