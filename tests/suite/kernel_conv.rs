//! `kernel::conv`: the direct stride-1 convolution and its gradients against their definitions in f64,
//! on every available instruction set, in f32 and f64, over geometries with partial vectors,
//! padding, odd filter counts and every supported kernel width.

use shaped::kernel::Isa;
use shaped::kernel::conv::{Conv, ConvElem, forward, input_grad, weight_grad};
use shaped::rand::Rng;

fn vector_isas() -> Vec<Isa> {
    [Isa::Avx2, Isa::Avx512]
        .into_iter()
        .filter(|i| i.available())
        .collect()
}

fn random(rng: &mut Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

/// `dx[c][i][j] = Σ w[f][c][ky][kx] · dy[f][i + ph − ky][j + pw − kx]` (terms outside `dy`
/// skipped).
fn input_grad_ref(g: Conv, w: &[f64], dy: &[f64]) -> Vec<f64> {
    let (oh, ow) = (g.oh() as isize, g.ow() as isize);
    let mut dx = vec![0.0; g.c * g.h * g.w];
    for c in 0..g.c {
        for i in 0..g.h {
            for j in 0..g.w {
                let mut s = 0.0;
                for f in 0..g.f {
                    for ky in 0..g.kh {
                        for kx in 0..g.kw {
                            let oy = (i + g.ph) as isize - ky as isize;
                            let ox = (j + g.pw) as isize - kx as isize;
                            if oy < 0 || ox < 0 || oy >= oh || ox >= ow {
                                continue;
                            }
                            let wv = w[((f * g.c + c) * g.kh + ky) * g.kw + kx];
                            s += wv
                                * dy[((f * oh as usize) + oy as usize) * ow as usize + ox as usize];
                        }
                    }
                }
                dx[(c * g.h + i) * g.w + j] = s;
            }
        }
    }
    dx
}

/// `dw[f][c][ky][kx] = Σ dy[f][i][j] · xp[c][i + ky][j + kx]` on the padded input.
fn weight_grad_ref(g: Conv, xp: &[f64], dy: &[f64]) -> Vec<f64> {
    let (oh, ow) = (g.oh(), g.ow());
    let (hp, wp) = (g.h + 2 * g.ph, g.w + 2 * g.pw);
    let mut dw = vec![0.0; g.f * g.c * g.kh * g.kw];
    for f in 0..g.f {
        for c in 0..g.c {
            for ky in 0..g.kh {
                for kx in 0..g.kw {
                    let mut s = 0.0;
                    for i in 0..oh {
                        for j in 0..ow {
                            s += dy[(f * oh + i) * ow + j] * xp[(c * hp + i + ky) * wp + j + kx];
                        }
                    }
                    dw[((f * g.c + c) * g.kh + ky) * g.kw + kx] = s;
                }
            }
        }
    }
    dw
}

/// `y[f][i][j] = bias[f] + Σ w[f][c][ky][kx] · xp[c][i + ky][j + kx]` on the padded input.
fn forward_ref(g: Conv, w: &[f64], bias: &[f64], xp: &[f64]) -> Vec<f64> {
    let (oh, ow) = (g.oh(), g.ow());
    let (hp, wp) = (g.h + 2 * g.ph, g.w + 2 * g.pw);
    let mut y = vec![0.0; g.f * oh * ow];
    for f in 0..g.f {
        for i in 0..oh {
            for j in 0..ow {
                let mut s = bias[f];
                for c in 0..g.c {
                    for ky in 0..g.kh {
                        for kx in 0..g.kw {
                            s += w[((f * g.c + c) * g.kh + ky) * g.kw + kx]
                                * xp[(c * hp + i + ky) * wp + j + kx];
                        }
                    }
                }
                y[(f * oh + i) * ow + j] = s;
            }
        }
    }
    y
}

const SENTINEL: f64 = 12345.0;

fn close(got: f64, want: f64, scale: f64, eps: f64) -> bool {
    (got - want).abs() <= eps * 64.0 * (1.0 + scale)
}

/// Runs the three kernels for element type `T` on one geometry; whether each ran.
fn check<T: ConvElem + Default + PartialEq + core::fmt::Debug>(
    isa: Isa,
    g: Conv,
    rng: &mut Rng,
    to: fn(f64) -> T,
    from: fn(T) -> f64,
    eps: f64,
) -> (bool, bool, bool) {
    let (oh, ow) = (g.oh(), g.ow());
    let (hp, wp) = (g.h + 2 * g.ph, g.w + 2 * g.pw);
    let w = random(rng, g.f * g.c * g.kh * g.kw);
    let dy = random(rng, g.f * oh * ow);
    let mut xp = random(rng, g.c * hp * wp);
    // Zero padding, as the layer gives it.
    for c in 0..g.c {
        for y in 0..hp {
            for x in 0..wp {
                if y < g.ph || y >= g.ph + g.h || x < g.pw || x >= g.pw + g.w {
                    xp[(c * hp + y) * wp + x] = 0.0;
                }
            }
        }
    }
    let cast = |v: &[f64]| v.iter().map(|&x| to(x)).collect::<Vec<T>>();
    let (wt, dyt, xpt) = (cast(&w), cast(&dy), cast(&xp));
    let bias = random(rng, g.f);
    let x: Vec<f64> = (0..g.c * g.h * g.w)
        .map(|i| {
            let (c, y, x) = (i / (g.h * g.w), (i / g.w) % g.h, i % g.w);
            xp[(c * hp + y + g.ph) * wp + x + g.pw]
        })
        .collect();

    // Forward, with sentinels after y.
    let ny = g.f * oh * ow;
    let mut y = vec![to(SENTINEL); ny + 40];
    let mut work = vec![T::default(); g.c * hp * (wp + 64)];
    let ran_y = forward(isa, g, &wt, &cast(&bias), &cast(&x), &mut work, &mut y);
    if ran_y {
        let want = forward_ref(g, &w, &bias, &xp);
        let scale = (g.c * g.kh * g.kw) as f64;
        for (i, (&got, &want)) in y[..ny].iter().zip(&want).enumerate() {
            assert!(
                close(from(got), want, scale, eps),
                "y {isa:?} {g:?} [{i}]: {got:?} vs {want}"
            );
        }
    } else {
        assert!(
            y.iter().all(|&v| v == to(SENTINEL)),
            "declined but wrote y {g:?}"
        );
    }
    assert!(
        y[ny..].iter().all(|&v| v == to(SENTINEL)),
        "wrote past y {isa:?} {g:?}"
    );

    // Input gradient, with sentinels after dx.
    let n = g.c * g.h * g.w;
    let mut dx = vec![to(SENTINEL); n + 40];
    // Room for either kernel: the bordered output gradient, or the column matrix.
    let border = g.f * (oh + 2 * g.kh) * (ow + 2 * g.kw + 64);
    let mut work = vec![T::default(); border.max(g.c * g.kh * g.kw * oh * ow)];
    let ran_dx = input_grad(isa, g, &wt, &dyt, &mut work, &mut dx);
    if ran_dx {
        let want = input_grad_ref(g, &w, &dy);
        let scale = (g.f * g.kh * g.kw) as f64;
        for (i, (&got, &want)) in dx[..n].iter().zip(&want).enumerate() {
            assert!(
                close(from(got), want, scale, eps),
                "dx {isa:?} {g:?} [{i}]: {got:?} vs {want}"
            );
        }
    } else {
        assert!(
            dx.iter().all(|&v| v == to(SENTINEL)),
            "declined but wrote dx {g:?}"
        );
    }
    assert!(
        dx[n..].iter().all(|&v| v == to(SENTINEL)),
        "wrote past dx {isa:?} {g:?}"
    );

    // Weight gradient: added to what is there.
    let nw = g.f * g.c * g.kh * g.kw;
    let mut dw = vec![to(1.0); nw + 40];
    dw[nw..].fill(to(SENTINEL));
    let mut work = vec![T::default(); g.f * oh * ow];
    let ran_dw = weight_grad(isa, g, &xpt, &dyt, &mut work, &mut dw);
    if ran_dw {
        let want = weight_grad_ref(g, &xp, &dy);
        let scale = (oh * ow) as f64;
        for (i, (&got, &want)) in dw[..nw].iter().zip(&want).enumerate() {
            assert!(
                close(from(got), 1.0 + want, scale, eps),
                "dw {isa:?} {g:?} [{i}]: {got:?} vs 1 + {want}"
            );
        }
    } else {
        assert!(
            dw[..nw].iter().all(|&v| v == to(1.0)),
            "declined but changed dw {g:?}"
        );
    }
    assert!(
        dw[nw..].iter().all(|&v| v == to(SENTINEL)),
        "wrote past dw {isa:?} {g:?}"
    );
    (ran_y, ran_dx, ran_dw)
}

fn geometries() -> Vec<Conv> {
    let conv = |c, f, h, w, kh, kw, ph, pw| Conv {
        c,
        f,
        h,
        w,
        kh,
        kw,
        ph,
        pw,
    };
    vec![
        conv(1, 6, 28, 28, 5, 5, 2, 2),  // LeNet conv1
        conv(6, 16, 14, 14, 5, 5, 0, 0), // LeNet conv2
        conv(2, 3, 19, 30, 3, 3, 1, 1),  // rows of 30: a partial last vector
        conv(3, 5, 9, 24, 3, 5, 1, 2),   // non-square kernel and padding, odd filters
        conv(1, 1, 7, 16, 1, 1, 0, 0),   // 1 × 1
        conv(2, 2, 11, 33, 7, 7, 3, 3),  // the widest kernel handled
        conv(1, 3, 17, 12, 2, 4, 0, 1),  // even kernel, padding on one axis: dw declined
        conv(2, 4, 8, 40, 3, 6, 0, 0),   // rows of 35 outputs
        conv(1, 2, 3, 8, 3, 8, 1, 0),    // kernel as wide as the input
        conv(1, 2, 10, 20, 3, 9, 1, 4),  // kernel width 9: dw declined
        conv(2, 2, 6, 5, 3, 3, 1, 1),    // rows too short for the vectors: declined
        // Short rows but many filters: the weight gradient with the filters in the lanes (one
        // vector, two, and more than one group of two; partial row tiles).
        conv(3, 16, 7, 9, 3, 4, 1, 0), // even kernel width: the lanes weight gradient
        conv(2, 24, 6, 6, 3, 3, 1, 1), // 24 filters: a masked second vector (f32, AVX-512)
        conv(2, 40, 5, 7, 3, 2, 1, 1), // 40 filters: two groups
        conv(1, 32, 3, 3, 3, 3, 0, 0), // a single output pixel
    ]
}

#[test]
fn direct_gradients_match_their_definitions() {
    let mut rng = Rng::new(31);
    let mut ran = [0usize; 3];
    for isa in vector_isas() {
        for g in geometries() {
            let r64 = check::<f64>(isa, g, &mut rng, |x| x, |x| x, f64::EPSILON);
            let r32 = check::<f32>(
                isa,
                g,
                &mut rng,
                |x| x as f32,
                |x| x as f64,
                f32::EPSILON as f64,
            );
            let bytes = if isa == Isa::Avx512 { 64 } else { 32 };
            for (r, size) in [(r64, 8), (r32, 4)] {
                ran[0] += r.0 as usize;
                ran[1] += r.1 as usize;
                ran[2] += r.2 as usize;
                // Whether the filters fill 3/4 of the lanes of their vectors at least.
                let v = bytes / size;
                let lanes = 4 * g.f >= 3 * g.f.div_ceil(v) * v;
                if (g.kw % 2 == 0 || g.kw > 7) && !lanes {
                    assert!(!r.2, "kernel width {} has no weight kernel", g.kw);
                }
                if lanes {
                    assert!(r.2, "{g:?}: the filters fill the lanes on {isa:?}");
                }
                // The input gradient always runs: by correlation, or as product and scatter.
                assert!(r.1, "{g:?}: the input gradient runs on {isa:?}");
                if g.w == 5 {
                    assert_eq!(r, (false, true, false), "rows of 5 are declined");
                }
                if g.w == 28 {
                    assert_eq!(
                        r,
                        (true, true, true),
                        "LeNet conv1 runs the direct kernels on {isa:?}"
                    );
                }
            }
        }
    }
    if !vector_isas().is_empty() {
        assert!(ran.iter().all(|&n| n >= 10), "kernels ran: {ran:?}");
    }
}

#[test]
fn the_portable_isa_declines() {
    let g = Conv {
        c: 1,
        f: 2,
        h: 8,
        w: 32,
        kh: 3,
        kw: 3,
        ph: 1,
        pw: 1,
    };
    let mut rng = Rng::new(1);
    assert_eq!(
        check::<f64>(Isa::Portable, g, &mut rng, |x| x, |x| x, f64::EPSILON),
        (false, false, false)
    );
}

#[test]
fn an_infinity_reaches_only_the_weights_it_multiplies() {
    // The last input column meets only the last kernel column (kx = KW − 1) in the weight
    // gradient: the masked tail loads must not turn it into a NaN elsewhere.
    let g = Conv {
        c: 1,
        f: 2,
        h: 6,
        w: 28,
        kh: 3,
        kw: 3,
        ph: 0,
        pw: 0,
    };
    for isa in vector_isas() {
        let mut xp = vec![0.5f32; g.c * g.h * g.w];
        xp[2 * g.w + g.w - 1] = f32::INFINITY;
        let dy = vec![1.0f32; g.f * g.oh() * g.ow()];
        let mut dw = vec![0.0f32; g.f * g.c * g.kh * g.kw];
        let mut work = vec![0.0f32; g.f * g.oh() * g.ow()];
        assert!(weight_grad(isa, g, &xp, &dy, &mut work, &mut dw));
        for (i, &v) in dw.iter().enumerate() {
            let kx = i % g.kw;
            if kx == g.kw - 1 {
                assert_eq!(v, f32::INFINITY, "{isa:?} dw[{i}]");
            } else {
                assert!(v.is_finite(), "{isa:?} dw[{i}] = {v}");
            }
        }
    }
}
