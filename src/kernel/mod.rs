//! Matrix-product kernels on plain row-major slices.
//!
//! Everything shaped ends up here with its dims as `usize` constants that inlining makes known, so
//! the loops can be unrolled and vectorised. [`Scalar::gemm`](crate::Scalar::gemm) picks the kernel:
//! the portable i-p-j (axpy) loops for any number type, tuned paths for `f32` and `f64`.
//!
//! How `f32`/`f64` products run ([`gemm_f32`], [`gemm_f64`]):
//! - on x86-64, a blocked, register-tiled kernel with AVX-512F (16 × 1 vector tiles for `f32`,
//!   8 × 2 for `f64`) or AVX2+FMA (6 × 2), chosen at run time (feature `std`, detected once
//!   and cached) or at compile time (`-C target-feature`/`target-cpu`, e.g. without `std`); see
//!   [`Isa`];
//! - when the crate is compiled with those features, small products inline the vector kernel at
//!   the call site, where their dims are constants (except tiny ones, at most 64 (4×4×4)
//!   multiply-adds, which stay on the portable loops);
//! - otherwise small products (at most 512 multiply-adds) use the inlined portable loops,
//!   which avoid a call and run-time loop bounds;
//! - other architectures use the portable loops.
//!
//! Large products are cache-blocked BLIS-style (a plan per product decides): `k` in blocks that
//! fill the B buffer (256 for `f32` with AVX-512 or AVX2), B in strips of one register tile's
//! width packed into a 16 KB stack buffer that stays in L1, and A, when it is larger than twice its buffer, in blocks of rows packed into
//! micro-panels in a 128 KB stack buffer (8 KB without `std`) that stays in L2. The A buffer is
//! only in the stack frame of the products that use it. Smaller operands are read in place, where
//! packing would cost more than it saves. No heap: the stack bound of one product is 16 KB plus,
//! for large A, 128 KB (8 KB without `std`).
//!
//! The transposed forms cost about the same as the plain one: a transposed `a` is read in place
//! (or packed), a transposed `b` is transposed strip by strip into the B buffer.
//!
//! [`conv`] holds direct kernels for stride-1 convolutions (forward, input and weight gradients)
//! that read the tensors in place where the column matrix would be mostly data movement; `Conv2d`
//! uses them where they pay and the matrix products elsewhere. 2×2 max pooling at stride 2 has an
//! AVX-512 kernel for `f32`, which `MaxPool2d` uses on planes without NaN.

pub mod conv;
mod dispatch;
pub mod math;
pub(crate) mod pool;
#[cfg(target_arch = "x86_64")]
mod simd;
#[cfg(target_arch = "x86_64")]
mod x86;

pub use dispatch::Isa;

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

impl Gemm {
    /// Panics unless the slices hold the operands `g` describes (`a`: `m·k`, `b`: `k·n`,
    /// `c`: `m·n` elements at least).
    #[inline(always)]
    fn check(&self, a: usize, b: usize, c: usize) {
        let need = |x: usize, y: usize| x.checked_mul(y).expect("gemm: dims overflow usize");
        assert!(
            a >= need(self.m, self.k) && b >= need(self.k, self.n) && c >= need(self.m, self.n),
            "gemm: slice too short for {self:?} (a: {a}, b: {b}, c: {c})"
        );
    }

    /// Multiply-adds in the product.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn volume(&self) -> usize {
        self.m.saturating_mul(self.k).saturating_mul(self.n)
    }
}

/// Products with at most this many multiply-adds (`m·k·n`) stay on the inlined portable loops
/// when the vector kernels would need a run-time dispatched call (a call costs about as much as
/// an 8×8×8 product).
#[cfg(target_arch = "x86_64")]
pub(crate) const SMALL: usize = 512;

/// Products with at most this many multiply-adds (4×4×4) always use the inlined portable loops:
/// with vectors wider than a row, the tiled kernel wastes most lanes.
#[cfg(target_arch = "x86_64")]
pub(crate) const TINY: usize = 64;

/// Portable kernel for any [`Scalar`](crate::Scalar). Loops run in i-p-j order so the innermost
/// loop is an axpy over contiguous rows, which compilers vectorise.
///
/// Panics if a slice is shorter than the operand `g` describes.
#[inline(always)]
pub fn gemm_portable<T: crate::Scalar>(g: Gemm, a: &[T], b: &[T], c: &mut [T]) {
    g.check(a.len(), b.len(), c.len());
    portable(g, a, b, c)
}

/// [`gemm_portable`] after the length check.
#[inline(always)]
fn portable<T: crate::Scalar>(g: Gemm, a: &[T], b: &[T], c: &mut [T]) {
    let Gemm {
        m,
        k,
        n,
        a_t,
        b_t,
        accumulate,
    } = g;
    let (a, b, c) = (&a[..m * k], &b[..k * n], &mut c[..m * n]);
    if b_t {
        if !accumulate {
            c.fill(T::zero());
        }
        // c[i][j] += Σ_p a(i,p) · b[j][p]
        for i in 0..m {
            for j in 0..n {
                let brow = &b[j * k..j * k + k];
                let mut s = T::zero();
                for (p, &bjp) in brow.iter().enumerate() {
                    let aip = if a_t { a[p * m + i] } else { a[i * k + p] };
                    s += aip * bjp;
                }
                c[i * n + j] += s;
            }
        }
        return;
    }
    // Row i of c, `CHUNK` columns at a time, summed in a local array (registers once unrolled):
    // c[i][j..] (+)= Σ_p a(i,p) · b[p][j..].
    const CHUNK: usize = 8;
    for i in 0..m {
        for j0 in (0..n).step_by(CHUNK) {
            let w = CHUNK.min(n - j0);
            let mut acc = [T::zero(); CHUNK];
            for p in 0..k {
                let aip = if a_t { a[p * m + i] } else { a[i * k + p] };
                let brow = &b[p * n + j0..p * n + j0 + w];
                for (x, &bj) in acc.iter_mut().zip(brow) {
                    *x += aip * bj;
                }
            }
            let crow = &mut c[i * n + j0..i * n + j0 + w];
            for (cj, &x) in crow.iter_mut().zip(&acc) {
                *cj = if accumulate { *cj + x } else { x };
            }
        }
    }
}

/// The sum of `x` in eight interleaved partial sums, added pairwise at the end.
///
/// A plain `fold` is one chain of dependent additions (the compiler may not reorder float adds),
/// about four cycles per element; eight independent chains vectorise and run at the loads' speed.
/// The rounding differs from the sequential sum's, and is usually smaller.
#[inline(always)]
pub(crate) fn sum<T: crate::Scalar>(x: &[T]) -> T {
    let mut acc = [T::zero(); 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    for (a, &v) in acc.iter_mut().zip(rest) {
        *a += v;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

/// `f32` products: `c (+)= op(a) · op(b)` with the fastest kernel this build and CPU allow.
///
/// Panics if a slice is shorter than the operand `g` describes.
///
/// ```
/// use shaped::kernel::{Gemm, gemm_f32};
/// let a = [1.0, 2.0, 3.0, 4.0]; // 2 × 2
/// let b = [5.0, 6.0, 7.0, 8.0]; // 2 × 2
/// let mut c = [0.0; 4];
/// gemm_f32(Gemm::nn(2, 2, 2), &a, &b, &mut c);
/// assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
/// gemm_f32(Gemm::nn(2, 2, 2).tb().acc(), &a, &b, &mut c); // c += a · bᵀ
/// assert_eq!(c, [19.0 + 17.0, 22.0 + 23.0, 43.0 + 39.0, 50.0 + 53.0]);
/// ```
#[inline(always)]
pub fn gemm_f32(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    g.check(a.len(), b.len(), c.len());
    #[cfg(target_arch = "x86_64")]
    {
        if dispatch::STATIC_SIMD && g.volume() > TINY && g.volume() <= SMALL {
            // SAFETY: lengths checked above; the build enables the kernel's features.
            unsafe { dispatch::static_f32(g, a.as_ptr(), b.as_ptr(), c.as_mut_ptr()) };
            return;
        }
        if g.volume() > SMALL && dispatch::gemm_f32(g, a, b, c) {
            return;
        }
    }
    portable(g, a, b, c)
}

/// `f64` products: `c (+)= op(a) · op(b)` with the fastest kernel this build and CPU allow.
///
/// Panics if a slice is shorter than the operand `g` describes.
#[inline(always)]
pub fn gemm_f64(g: Gemm, a: &[f64], b: &[f64], c: &mut [f64]) {
    g.check(a.len(), b.len(), c.len());
    #[cfg(target_arch = "x86_64")]
    {
        if dispatch::STATIC_SIMD && g.volume() > TINY && g.volume() <= SMALL {
            // SAFETY: lengths checked above; the build enables the kernel's features.
            unsafe { dispatch::static_f64(g, a.as_ptr(), b.as_ptr(), c.as_mut_ptr()) };
            return;
        }
        if g.volume() > SMALL && dispatch::gemm_f64(g, a, b, c) {
            return;
        }
    }
    portable(g, a, b, c)
}

/// [`gemm_f32`] on a chosen instruction set (for tests and benchmarks).
///
/// Panics if the CPU lacks `isa` (see [`Isa::available`]) or a slice is too short.
pub fn gemm_f32_on(isa: Isa, g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    g.check(a.len(), b.len(), c.len());
    assert!(
        isa.available(),
        "gemm: {isa:?} is not available on this CPU"
    );
    // SAFETY: `isa` is available (asserted) and the lengths are checked.
    if !unsafe { dispatch::run_f32(isa, g, a, b, c) } {
        portable(g, a, b, c)
    }
}

/// [`gemm_f64`] on a chosen instruction set (for tests and benchmarks).
///
/// Panics if the CPU lacks `isa` (see [`Isa::available`]) or a slice is too short.
pub fn gemm_f64_on(isa: Isa, g: Gemm, a: &[f64], b: &[f64], c: &mut [f64]) {
    g.check(a.len(), b.len(), c.len());
    assert!(
        isa.available(),
        "gemm: {isa:?} is not available on this CPU"
    );
    // SAFETY: `isa` is available (asserted) and the lengths are checked.
    if !unsafe { dispatch::run_f64(isa, g, a, b, c) } {
        portable(g, a, b, c)
    }
}
