//! The vectorised `f32` sigmoid and tanh (`kernel::math`) against `f64` std over a dense grid, and
//! their edges.

use shaped::kernel::Isa;
use shaped::kernel::math::{
    exp, sigmoid, sigmoid_in_place, sigmoid_in_place_on, tanh, tanh_in_place, tanh_in_place_on,
};

/// Every 1/1024 from -100 to 100, plus values near 0 at many scales.
fn grid() -> Vec<f32> {
    let dense = (-102_400..=102_400).map(|i| i as f32 / 1024.0);
    let tiny = (1..40).flat_map(|e| {
        let v = 2f32.powi(-e);
        [v, -v, 1.7 * v, -1.3 * v]
    });
    dense.chain(tiny).collect()
}

#[test]
fn exp_within_two_ulp_in_the_normal_range() {
    let mut worst = 0.0f64;
    for x in grid().into_iter().filter(|x| (-87.3..88.3).contains(x)) {
        let want = (x as f64).exp();
        let ulp = (want as f32).abs() as f64 * f32::EPSILON as f64;
        worst = worst.max((exp(x) as f64 - want).abs() / ulp);
    }
    assert!(worst <= 2.0, "exp: worst error {worst} ulp");
}

#[test]
fn sigmoid_and_tanh_close_to_f64() {
    let x = grid();
    let (mut s, mut t) = (x.clone(), x.clone());
    sigmoid_in_place(&mut s);
    tanh_in_place(&mut t);
    let (mut ws, mut wt) = (0.0f64, 0.0f64);
    for ((&x, &s), &t) in x.iter().zip(&s).zip(&t) {
        let (ws64, wt64) = (1.0 / (1.0 + (-(x as f64)).exp()), (x as f64).tanh());
        let (es, et) = ((s as f64 - ws64).abs(), (t as f64 - wt64).abs());
        assert!(es <= 2e-7, "sigmoid({x}) = {s}, want {ws64}");
        assert!(
            et <= 2e-7 && et <= 1e-6 * wt64.abs(),
            "tanh({x}) = {t}, want {wt64}"
        );
        if ws64 > 1e-30 {
            ws = ws.max(es / ws64); // below, e^-x overflows and the result is 0 (documented)
        }
        if wt64 != 0.0 {
            wt = wt.max(et / wt64.abs());
        }
    }
    assert!(ws < 1e-6 && wt < 1e-6, "relative: sigmoid {ws}, tanh {wt}");
}

#[test]
fn edges() {
    let mut x = [
        f32::NAN,
        f32::NEG_INFINITY,
        -200.0,
        0.0,
        200.0,
        f32::INFINITY,
    ];
    let mut y = x;
    sigmoid_in_place(&mut x);
    tanh_in_place(&mut y);
    assert!(x[0].is_nan() && y[0].is_nan());
    assert_eq!(&x[1..], &[0.0, 0.0, 0.5, 1.0, 1.0]);
    assert_eq!(&y[1..], &[-1.0, -1.0, 0.0, 1.0, 1.0]);
    assert_eq!(
        (exp(f32::INFINITY), exp(100.0), exp(0.0)),
        (f32::INFINITY, f32::INFINITY, 1.0)
    );
}

/// Every instruction set this CPU has gives the scalar function's bits, over the whole grid.
#[test]
fn every_instruction_set_gives_the_same_bits() {
    let x = grid();
    let isas = [Isa::Portable, Isa::Avx2, Isa::Avx512];
    for isa in isas.into_iter().filter(|i| i.available()) {
        let (mut s, mut t) = (x.clone(), x.clone());
        sigmoid_in_place_on(isa, &mut s);
        tanh_in_place_on(isa, &mut t);
        for ((&x, &s), &t) in x.iter().zip(&s).zip(&t) {
            assert_eq!(s.to_bits(), sigmoid(x).to_bits(), "{isa:?}: sigmoid({x})");
            assert_eq!(t.to_bits(), tanh(x).to_bits(), "{isa:?}: tanh({x})");
        }
    }
}

/// Slices of every length up to 40 (vector bodies and tails) give the same values as one element
/// at a time.
#[test]
fn slices_of_any_length_agree_elementwise() {
    for len in 0..40 {
        let x: Vec<f32> = (0..len).map(|i| i as f32 * 0.37 - 7.0).collect();
        let mut s = x.clone();
        sigmoid_in_place(&mut s);
        for (i, &xi) in x.iter().enumerate() {
            let mut one = [xi];
            sigmoid_in_place(&mut one);
            assert_eq!(s[i].to_bits(), one[0].to_bits(), "len {len}, i {i}");
        }
    }
}
