//! Helpers shared by the conv test files: seeded data, a central-difference gradient check, and a
//! naive reference convolution written straight from the definition.
#![allow(dead_code)]

use shaped::nn::{Ctx, Grads, Params, Tensors, Train};
use shaped::rand::Rng;
use shaped::shape::Shape;
use shaped::{Tensor, Zeroable};

/// Fills a slice with uniform values in [-1, 1).
pub fn fill(rng: &mut Rng, xs: &mut [f64]) {
    xs.iter_mut().for_each(|v| *v = rng.uniform(-1.0, 1.0));
}

/// Relative error of an analytic against a numeric derivative.
pub fn rel_err(a: f64, n: f64) -> f64 {
    let scale = a.abs().max(n.abs());
    if scale < 1e-7 {
        (a - n).abs()
    } else {
        (a - n).abs() / scale
    }
}

/// Maximum relative errors (input gradient, parameter gradient) of `layer` at `x` against central
/// differences of the loss `L = Σ r·y` with fixed random `r`.
pub fn gradcheck<L, SX: Shape, SY: Shape>(
    layer: &mut L,
    x: &Tensor<f64, SX>,
    seed: u64,
) -> (f64, f64)
where
    L: Train<Tensor<f64, SX>, Output = Tensor<f64, SY>> + Params<f64> + Zeroable,
{
    let mut rng = Rng::new(seed);
    let mut r = shaped::boxed_zeroed::<Tensor<f64, SY>>();
    fill(&mut rng, r.as_mut_slice());
    let mut cache = shaped::boxed_zeroed::<L::Cache>();
    let mut y = shaped::boxed_zeroed::<Tensor<f64, SY>>();
    let mut dx = shaped::boxed_zeroed::<Tensor<f64, SX>>();
    let mut grads = shaped::boxed_zeroed::<Grads<L>>();
    layer.forward(x, Ctx::train(0), &mut cache, &mut y);
    layer.backward(x, &mut cache, &r, Some(&mut dx), Some(&mut grads));

    let loss = |layer: &L, x: &Tensor<f64, SX>| -> f64 {
        let mut scratch = shaped::boxed_zeroed::<L::Scratch>();
        let mut y = shaped::boxed_zeroed::<Tensor<f64, SY>>();
        layer.infer(x, &mut scratch, &mut y);
        y.iter().zip(r.iter()).map(|(a, b)| a * b).sum()
    };
    let h = 1e-5;
    let mut xp = x.boxed_clone();
    let mut err_x: f64 = 0.0;
    for i in 0..SX::NUMEL {
        let v = xp.as_slice()[i];
        xp.as_mut_slice()[i] = v + h;
        let lp = loss(layer, &xp);
        xp.as_mut_slice()[i] = v - h;
        let lm = loss(layer, &xp);
        xp.as_mut_slice()[i] = v;
        err_x = err_x.max(rel_err(dx.as_slice()[i], (lp - lm) / (2.0 * h)));
    }
    let mut analytic = Vec::new();
    grads.visit(&mut |g| analytic.extend_from_slice(g));
    assert_eq!(analytic.len(), L::PARAMS);
    let mut err_p: f64 = 0.0;
    for (i, &a) in analytic.iter().enumerate() {
        let v = param(layer, i, None);
        param(layer, i, Some(v + h));
        let lp = loss(layer, x);
        param(layer, i, Some(v - h));
        let lm = loss(layer, x);
        param(layer, i, Some(v));
        err_p = err_p.max(rel_err(a, (lp - lm) / (2.0 * h)));
    }
    (err_x, err_p)
}

/// Reads (and with `Some`, sets) the `i`-th parameter in `params` order.
pub fn param<L: Params<f64>>(layer: &mut L, i: usize, set: Option<f64>) -> f64 {
    let (mut at, mut old) = (0, f64::NAN);
    layer.params_mut(&mut |p| {
        if i >= at && i < at + p.len() {
            old = p[i - at];
            if let Some(v) = set {
                p[i - at] = v;
            }
        }
        at += p.len();
    });
    old
}

/// Sizes of a convolution for the reference implementation.
#[derive(Clone, Copy, Debug)]
pub struct ConvSizes {
    pub b: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub f: usize,
    pub k: usize,
    pub s: usize,
    pub p: usize,
}

impl ConvSizes {
    pub fn out(&self) -> (usize, usize) {
        (
            (self.h + 2 * self.p - self.k) / self.s + 1,
            (self.w + 2 * self.p - self.k) / self.s + 1,
        )
    }
}

/// The convolution by its definition: seven nested loops, padding by bounds checks.
pub fn naive_conv(z: ConvSizes, x: &[f64], weight: &[f64], bias: &[f64]) -> Vec<f64> {
    let (oh, ow) = z.out();
    let mut y = vec![0.0; z.b * z.f * oh * ow];
    for b in 0..z.b {
        for f in 0..z.f {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut s = bias[f];
                    for c in 0..z.c {
                        for ky in 0..z.k {
                            for kx in 0..z.k {
                                let iy = (oy * z.s + ky) as isize - z.p as isize;
                                let ix = (ox * z.s + kx) as isize - z.p as isize;
                                if iy < 0 || ix < 0 || iy >= z.h as isize || ix >= z.w as isize {
                                    continue;
                                }
                                let xi = ((b * z.c + c) * z.h + iy as usize) * z.w + ix as usize;
                                let wi = ((f * z.c + c) * z.k + ky) * z.k + kx;
                                s += weight[wi] * x[xi];
                            }
                        }
                    }
                    y[((b * z.f + f) * oh + oy) * ow + ox] = s;
                }
            }
        }
    }
    y
}
