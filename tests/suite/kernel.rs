//! The matrix-product kernels against a naive triple loop: every transposition and accumulate
//! combination, every instruction set this CPU has, sizes around every block boundary.

use shaped::kernel::{Gemm, Isa, gemm_f32, gemm_f32_on, gemm_f64, gemm_f64_on, gemm_portable};
use shaped::rand::Rng;

/// The eight forms of one shape.
fn forms(m: usize, k: usize, n: usize) -> impl Iterator<Item = Gemm> {
    (0..8).map(move |f| Gemm {
        m,
        k,
        n,
        a_t: f & 1 != 0,
        b_t: f & 2 != 0,
        accumulate: f & 4 != 0,
    })
}

/// `op(a)(i, p)` and `op(b)(p, j)` read straight from the layout description.
fn at(g: &Gemm, a: &[f64], i: usize, p: usize) -> f64 {
    if g.a_t {
        a[p * g.m + i]
    } else {
        a[i * g.k + p]
    }
}
fn bt(g: &Gemm, b: &[f64], p: usize, j: usize) -> f64 {
    if g.b_t {
        b[j * g.k + p]
    } else {
        b[p * g.n + j]
    }
}

/// Naive reference in f64: the exact-ish value and the scale Σ|a·b| + |c0| for the tolerance.
fn reference(g: &Gemm, a: &[f64], b: &[f64], c0: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (mut c, mut scale) = (vec![0.0; g.m * g.n], vec![0.0; g.m * g.n]);
    for i in 0..g.m {
        for j in 0..g.n {
            let (mut s, mut t) = if g.accumulate {
                (c0[i * g.n + j], c0[i * g.n + j].abs())
            } else {
                (0.0, 0.0)
            };
            for p in 0..g.k {
                let x = at(g, a, i, p) * bt(g, b, p, j);
                s += x;
                t += x.abs();
            }
            c[i * g.n + j] = s;
            scale[i * g.n + j] = t;
        }
    }
    (c, scale)
}

/// Random operands with some slack at the end of every slice; c starts as NaN when it is to be
/// overwritten (a kernel that reads it fails), and a sentinel guards c's slack.
struct Case {
    a: Vec<f64>,
    b: Vec<f64>,
    c0: Vec<f64>,
}

const SLACK: usize = 37;
const SENTINEL: f64 = 12345.0;

fn case(rng: &mut Rng, g: &Gemm) -> Case {
    let mut v = |len: usize| {
        (0..len)
            .map(|_| rng.uniform(-1.0, 1.0))
            .collect::<Vec<f64>>()
    };
    let a = v(g.m * g.k + SLACK);
    let b = v(g.k * g.n + SLACK);
    let mut c0 = if g.accumulate {
        v(g.m * g.n)
    } else {
        vec![f64::NAN; g.m * g.n]
    };
    c0.extend(std::iter::repeat_n(SENTINEL, SLACK));
    Case { a, b, c0 }
}

/// Compares `got` (first m·n elements) with the reference; the slack must be untouched.
fn verify(what: &str, g: &Gemm, got: &[f64], want: &[f64], scale: &[f64], eps: f64) {
    let mn = g.m * g.n;
    for idx in 0..mn {
        let tol = eps * (g.k as f64 + 2.0) * (scale[idx] + 1e-30);
        let err = (got[idx] - want[idx]).abs();
        assert!(
            err <= tol,
            "{what} {g:?}: c[{}][{}] = {}, want {} (err {err:e}, tol {tol:e})",
            idx / g.n,
            idx % g.n,
            got[idx],
            want[idx]
        );
    }
    assert!(
        got[mn..].iter().all(|&x| x == SENTINEL),
        "{what} {g:?}: wrote past m·n"
    );
}

fn isas() -> Vec<Isa> {
    [Isa::Portable, Isa::Avx2, Isa::Avx512]
        .into_iter()
        .filter(|i| i.available())
        .collect()
}

/// Every form of `(m, k, n)` through every kernel, in f64 and f32.
fn check_shape(rng: &mut Rng, m: usize, k: usize, n: usize) {
    for g in forms(m, k, n) {
        let Case { a, b, c0 } = case(rng, &g);
        let (want, scale) = reference(&g, &a, &b, &c0);
        // f64
        let run64 = |f: &dyn Fn(&mut [f64])| {
            let mut c = c0.clone();
            f(&mut c);
            c
        };
        let got = run64(&|c| gemm_f64(g, &a, &b, c));
        verify("gemm_f64", &g, &got, &want, &scale, f64::EPSILON);
        for isa in isas() {
            let got = run64(&|c| gemm_f64_on(isa, g, &a, &b, c));
            verify(
                &format!("f64 {isa:?}"),
                &g,
                &got,
                &want,
                &scale,
                f64::EPSILON,
            );
        }
        // f32: the reference is computed from the same (rounded) inputs in f64.
        let (a32, b32): (Vec<f32>, Vec<f32>) = (
            a.iter().map(|&x| x as f32).collect(),
            b.iter().map(|&x| x as f32).collect(),
        );
        let c32: Vec<f32> = c0.iter().map(|&x| x as f32).collect();
        let (a64, b64, c064): (Vec<f64>, Vec<f64>, Vec<f64>) = (
            a32.iter().map(|&x| x as f64).collect(),
            b32.iter().map(|&x| x as f64).collect(),
            c32.iter().map(|&x| x as f64).collect(),
        );
        let (want, scale) = reference(&g, &a64, &b64, &c064);
        let run32 = |f: &dyn Fn(&mut [f32])| {
            let mut c = c32.clone();
            f(&mut c);
            c.iter().map(|&x| x as f64).collect::<Vec<f64>>()
        };
        let eps = f32::EPSILON as f64;
        let got = run32(&|c| gemm_f32(g, &a32, &b32, c));
        verify("gemm_f32", &g, &got, &want, &scale, eps);
        for isa in isas() {
            let got = run32(&|c| gemm_f32_on(isa, g, &a32, &b32, c));
            verify(&format!("f32 {isa:?}"), &g, &got, &want, &scale, eps);
        }
    }
}

#[test]
fn tiny_and_prime_sizes() {
    let mut rng = Rng::new(1);
    let dims = [1, 2, 3, 4, 5, 7, 11, 13];
    for &m in &dims {
        for &k in &dims {
            for &n in &dims {
                check_shape(&mut rng, m, k, n);
            }
        }
    }
}

/// Rows around the register tiles (6, 8), columns around the vector widths and strips (4, 8, 16,
/// 32 lanes), inner dims around the transpose blocks (4, 8) and the k blocks (128, 256).
#[test]
fn sizes_straddling_blocks() {
    let mut rng = Rng::new(2);
    let ms = [5, 6, 7, 8, 9, 12, 16, 17];
    let ns = [4, 8, 9, 15, 16, 17, 31, 32, 33, 48, 65];
    let ks = [8, 9, 16, 127, 128, 129, 255, 256, 257];
    for (x, &m) in ms.iter().enumerate() {
        for (y, &n) in ns.iter().enumerate() {
            // Every (m, n) pair, with k cycling through the list.
            let k = ks[(x * ns.len() + y) % ks.len()];
            check_shape(&mut rng, m, k, n);
        }
    }
    for &k in &ks {
        check_shape(&mut rng, 7, k, 33);
        check_shape(&mut rng, 16, k, 16);
    }
}

#[test]
fn random_shapes() {
    let mut rng = Rng::new(3);
    for _ in 0..60 {
        let m = 1 + rng.below(40);
        let k = 1 + rng.below(300);
        let n = 1 + rng.below(90);
        check_shape(&mut rng, m, k, n);
    }
}

/// The shapes the library runs: an MLP layer and its backward, 64³, LeNet's conv products
/// (cut down along the long axis to keep the naive reference quick).
#[test]
fn library_shapes() {
    let mut rng = Rng::new(4);
    for (m, k, n) in [
        (32, 784, 100),
        (784, 32, 100),
        (32, 100, 784),
        (64, 64, 64),
        (6, 25, 1000),
        (25, 6, 1000),
        (6, 1000, 25),
        (16, 150, 320),
        (150, 16, 320),
        (16, 320, 150),
        (1, 513, 1),
    ] {
        check_shape(&mut rng, m, k, n);
    }
}

/// The cache blocking of large products: A packed in blocks of rows (f32: more than 252 rows on
/// AVX2; f64: more than 120), B packed in strips (rows a multiple of 256 bytes apart, several row
/// tiles), both, and degenerate shapes of large products (K = 1, 1 × N, N × 1).
#[test]
fn packed_blocks_and_degenerate_large_shapes() {
    let mut rng = Rng::new(6);
    for (m, k, n) in [
        (260, 300, 70), // A packed (f32 and f64), 3 blocks of rows, k split, n not whole strips
        (130, 40, 72),  // A packed in f64 only
        (40, 300, 128), // B packed: 512-byte rows, k split
        (30, 257, 64),  // B packed in both types, a short last k block
        (300, 270, 128), // both packed
        (1, 1, 300),
        (300, 1, 1),
        (300, 300, 1),
        (1, 300, 300),
        (300, 1, 300),
    ] {
        check_shape(&mut rng, m, k, n);
    }
}

#[test]
fn empty_dims() {
    for g in forms(3, 0, 5) {
        let mut c = vec![7.0f32; 15];
        gemm_f32(g, &[], &[], &mut c);
        let want = if g.accumulate { 7.0 } else { 0.0 };
        assert!(c.iter().all(|&x| x == want), "{g:?}: {c:?}");
        let mut c = vec![7.0f64; 15];
        gemm_f64(g, &[], &[], &mut c);
        assert!(c.iter().all(|&x| x == want as f64), "{g:?}: {c:?}");
    }
    for g in forms(0, 4, 5).chain(forms(4, 4, 0)) {
        let mut c = vec![7.0f32; 3];
        gemm_f32(g, &[1.0; 16], &[1.0; 20], &mut c);
        assert_eq!(c, [7.0; 3]);
    }
}

#[test]
fn integers_through_portable() {
    let mut rng = Rng::new(5);
    for (m, k, n) in [(1, 1, 1), (3, 5, 7), (8, 9, 17), (13, 2, 31), (20, 33, 4)] {
        for g in forms(m, k, n) {
            let a: Vec<i64> = (0..m * k).map(|_| rng.below(21) as i64 - 10).collect();
            let b: Vec<i64> = (0..k * n).map(|_| rng.below(21) as i64 - 10).collect();
            let c0: Vec<i64> = (0..m * n).map(|_| rng.below(100) as i64).collect();
            let (af, bf, cf): (Vec<f64>, Vec<f64>, Vec<f64>) = (
                a.iter().map(|&x| x as f64).collect(),
                b.iter().map(|&x| x as f64).collect(),
                c0.iter().map(|&x| x as f64).collect(),
            );
            let (want, _) = reference(&g, &af, &bf, &cf);
            let want: Vec<i64> = want.iter().map(|&x| x as i64).collect();
            let mut c = c0.clone();
            gemm_portable(g, &a, &b, &mut c);
            assert_eq!(c, want, "{g:?}");
            // i32 through Scalar::gemm, which is the portable kernel for integers.
            let (a, b) = (
                a.iter().map(|&x| x as i32).collect::<Vec<_>>(),
                b.iter().map(|&x| x as i32).collect::<Vec<_>>(),
            );
            let mut c: Vec<i32> = c0.iter().map(|&x| x as i32).collect();
            <i32 as shaped::Scalar>::gemm(g, &a, &b, &mut c);
            assert_eq!(
                c,
                want.iter().map(|&x| x as i32).collect::<Vec<_>>(),
                "{g:?}"
            );
        }
    }
}

#[test]
#[should_panic(expected = "slice too short")]
fn short_b_panics() {
    let mut c = [0.0f32; 64 * 64];
    gemm_f32(
        Gemm::nn(64, 64, 64),
        &[1.0; 64 * 64],
        &[1.0; 64 * 63],
        &mut c,
    );
}

#[test]
#[should_panic(expected = "slice too short")]
fn short_c_panics() {
    let mut c = [0.0f64; 3];
    gemm_f64(Gemm::nn(2, 2, 2).ta().tb(), &[1.0; 4], &[1.0; 4], &mut c);
}

#[test]
#[should_panic(expected = "overflow")]
fn overflowing_dims_panic() {
    gemm_f32(Gemm::nn(usize::MAX, 2, 1), &[], &[], &mut []);
}

/// Exactly representable values: the f32 kernels must then agree with the reference exactly.
#[test]
fn exact_small_integers_in_f32() {
    for (m, k, n) in [(4, 4, 4), (16, 16, 16), (9, 130, 35)] {
        for g in forms(m, k, n) {
            let a: Vec<f32> = (0..m * k).map(|i| ((i * 7) % 5) as f32 - 2.0).collect();
            let b: Vec<f32> = (0..k * n).map(|i| ((i * 3) % 7) as f32 - 3.0).collect();
            let mut want = vec![1.0f32; m * n];
            gemm_portable(g, &a, &b, &mut want);
            for isa in isas() {
                let mut c = vec![1.0f32; m * n];
                gemm_f32_on(isa, g, &a, &b, &mut c);
                assert_eq!(c, want, "{isa:?} {g:?}");
            }
        }
    }
}
