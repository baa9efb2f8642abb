//! The loops every recurrent layer shares: batch-major ↔ time-major copies, bias rows, column
//! sums, norms, and the products over all steps at once.
//!
//! Internally a layer works time-major (`(S, N, ..)`): each step's rows are contiguous, so the
//! recurrent product `h_{t−1}·W_h` of a step is one matrix product, and the input products of all
//! steps (`x·W_x` forward, `dG·W_xᵀ`, `xᵀ·dG` and `h_{t−1}ᵀ·dG` backward) are one product each.

use crate::kernel::Gemm;
use crate::scalar::Real;

/// Copies `(N, S, W)` into `(S, N, W)`.
pub(super) fn to_time_major<T: Copy>(src: &[T], dst: &mut [T], n: usize, s: usize, w: usize) {
    for b in 0..n {
        for t in 0..s {
            let from = (b * s + t) * w;
            let to = (t * n + b) * w;
            dst[to..to + w].copy_from_slice(&src[from..from + w]);
        }
    }
}

/// Copies `(S, N, W)` into `(N, S, W)`.
pub(super) fn to_batch_major<T: Copy>(src: &[T], dst: &mut [T], n: usize, s: usize, w: usize) {
    for t in 0..s {
        for b in 0..n {
            let from = (t * n + b) * w;
            let to = (b * s + t) * w;
            dst[to..to + w].copy_from_slice(&src[from..from + w]);
        }
    }
}

/// Adds step `t` of batch-major `(N, S, W)` to the time-major step buffer `(N, W)`.
pub(super) fn add_step<T: Real>(dst: &mut [T], src: &[T], t: usize, s: usize, w: usize) {
    for (b, row) in dst.chunks_exact_mut(w).enumerate() {
        let from = (b * s + t) * w;
        row.iter_mut()
            .zip(&src[from..from + w])
            .for_each(|(d, &v)| *d += v);
    }
}

/// Adds `bias` to every row of `rows`.
pub(super) fn add_bias<T: Real>(rows: &mut [T], bias: &[T]) {
    for row in rows.chunks_exact_mut(bias.len()) {
        row.iter_mut().zip(bias).for_each(|(v, &b)| *v += b);
    }
}

/// Adds the column sums of `rows` to `acc`.
pub(super) fn add_col_sums<T: Real>(acc: &mut [T], rows: &[T]) {
    for row in rows.chunks_exact(acc.len()) {
        acc.iter_mut().zip(row).for_each(|(a, &v)| *a += v);
    }
}

/// `√(Σ v²)`.
pub(super) fn norm<T: Real>(v: &[T]) -> T {
    v.iter().map(|&x| x * x).sum::<T>().sqrt()
}

/// `c = a·b` (or `c += a·b` with `acc`) for row-major `a: m × k`, `b: k × n`.
#[inline(always)]
pub(super) fn mul<T: Real>(a: &[T], b: &[T], c: &mut [T], m: usize, k: usize, n: usize, acc: bool) {
    let g = Gemm::nn(m, k, n);
    T::gemm(if acc { g.acc() } else { g }, a, b, c);
}

/// `c = a·bᵀ` for `a: m × k`, `b: n × k`.
#[inline(always)]
pub(super) fn mul_bt<T: Real>(
    a: &[T],
    b: &[T],
    c: &mut [T],
    m: usize,
    k: usize,
    n: usize,
    acc: bool,
) {
    let g = Gemm::nn(m, k, n).tb();
    T::gemm(if acc { g.acc() } else { g }, a, b, c);
}

/// `c += aᵀ·b` for `a: k × m`, `b: k × n` (a weight gradient summed over `k` rows).
#[inline(always)]
pub(super) fn add_at_b<T: Real>(a: &[T], b: &[T], c: &mut [T], m: usize, k: usize, n: usize) {
    T::gemm(Gemm::nn(m, k, n).ta().acc(), a, b, c);
}

/// `dW_h += Σ_t h_{t−1}ᵀ·dG_t` with `h_{−1} = h0`: one product for step 0 and one for the rest,
/// since `hs` holds `h_0 .. h_{S−1}` and step `t` needs `h_{t−1}`.
pub(super) fn add_recurrent_grad<T: Real>(
    h0: &[T],
    hs: &[T],
    dg: &[T],
    dwh: &mut [T],
    (n, s, h, g): (usize, usize, usize, usize),
) {
    if s == 0 {
        return;
    }
    add_at_b(h0, &dg[..n * g], dwh, h, n, g);
    if s > 1 {
        add_at_b(&hs[..(s - 1) * n * h], &dg[n * g..], dwh, h, (s - 1) * n, g);
    }
}
