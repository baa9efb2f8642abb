//! Max/avg pooling and flatten: hand-computed outputs, gradients against central differences (f64),
//! the tie rule of max pooling.

use crate::conv_common::{fill, gradcheck};
use shaped::nn::{AvgPool2d, Ctx, Flatten, MaxPool2d};
use shaped::prelude::*;
use shaped::rand::Rng;

/// Distinct values at least 0.01 apart (shuffled), so a perturbation of 1e-5 never moves a maximum.
fn distinct<S: Shape>(seed: u64) -> Box<Tensor<f64, S>> {
    let mut order: Vec<usize> = (0..S::NUMEL).collect();
    Rng::new(seed).shuffle(&mut order);
    Tensor::boxed_from_flat_fn(|i| order[i] as f64 * 0.01 - 0.3)
}

#[test]
fn max_pool_forward_by_hand() {
    let x: Tensor4<f64, U1, U2, U3, U4> = tensor([[
        [[1., 9., 2., 3.], [4., 5., 8., 7.], [0., 0., 0., 0.]],
        [[-1., -2., -3., -4.], [-5., -6., -7., -8.], [1., 1., 1., 1.]],
    ]]);
    let (mut work, mut y) = Default::default();
    MaxPool2d::<U2>::new().infer(&x, &mut work, &mut y);
    let y: Tensor4<f64, U1, U2, U1, U2> = y;
    assert_eq!(y, tensor([[[[9., 8.]], [[-1., -3.]]]]));
    // Overlapping windows: 3×3, stride 1 on 3×4 gives 1×2.
    let (mut work, mut y) = Default::default();
    MaxPool2d::<U3, U1>::new().infer(&x, &mut work, &mut y);
    let y: Tensor4<f64, U1, U2, U1, U2> = y;
    assert_eq!(y, tensor([[[[9., 9.]], [[1., 1.]]]]));
}

#[test]
fn max_pool_ties_go_to_the_first_maximum() {
    let x: Tensor4<f64, U1, U1, U2, U4> = tensor([[[[1., 3., 2., 2.], [3., 3., 2., 2.]]]]);
    let mut work = Default::default();
    let mut y = Tensor4::<f64, U1, U1, U1, U2>::zeros();
    let mut pool = MaxPool2d::<U2>::new();
    pool.forward(&x, Ctx::train(0), &mut work, &mut y);
    let mut dx = Tensor4::<f64, U1, U1, U2, U4>::zeros();
    pool.backward(
        &x,
        &mut work,
        &tensor([[[[10., 20.]]]]),
        Some(&mut dx),
        None,
    );
    // First window: maxima at (0,1), (1,0), (1,1) -> (0,1). Second: all 2 -> (0,2).
    assert_eq!(dx, tensor([[[[0., 10., 20., 0.], [0., 0., 0., 0.]]]]));
}

#[test]
fn max_pool_gradients() {
    let x = distinct::<(U2, U3, U6, U5)>(1);
    let (ex, ep) = gradcheck(&mut MaxPool2d::<U2>::new(), &x, 2);
    println!("gradcheck max-pool 2×2 s2 on 6×5: dX {ex:.2e}");
    assert!(ex <= 1e-6 && ep == 0.0);
    let (ex, _) = gradcheck(&mut MaxPool2d::<U3, U2>::new(), &x, 3);
    println!("gradcheck max-pool 3×3 s2 (overlapping) on 6×5: dX {ex:.2e}");
    assert!(ex <= 1e-6);
}

#[test]
fn avg_pool_forward_and_gradients() {
    let x: Tensor4<f64, U1, U1, U2, U4> = tensor([[[[1., 9., 2., 3.], [4., 6., 8., 7.]]]]);
    let (mut work, mut y) = Default::default();
    AvgPool2d::<U2>::new().infer(&x, &mut work, &mut y);
    let y: Tensor4<f64, U1, U1, U1, U2> = y;
    assert_eq!(y, tensor([[[[5., 5.]]]]));

    let mut x = shaped::boxed_zeroed::<Tensor4<f64, U2, U2, U7, U6>>();
    fill(&mut Rng::new(4), x.as_mut_slice());
    let (ex, _) = gradcheck(&mut AvgPool2d::<U2>::new(), &x, 5);
    println!("gradcheck avg-pool 2×2 on 7×6: dX {ex:.2e}");
    assert!(ex <= 1e-6);
    let (ex, _) = gradcheck(&mut AvgPool2d::<U3, U2>::new(), &x, 6);
    println!("gradcheck avg-pool 3×3 s2 on 7×6: dX {ex:.2e}");
    assert!(ex <= 1e-6);
}

#[test]
fn flatten_forward_and_gradients() {
    let mut x = shaped::boxed_zeroed::<Tensor4<f64, U2, U3, U2, U4>>();
    fill(&mut Rng::new(8), x.as_mut_slice());
    let mut y = Tensor2::<f64, U2, U24>::zeros();
    Flatten.infer(&x, &mut (), &mut y);
    assert_eq!(y[[1, 13]], x[[1, 1, 1, 1]]); // 13 = 1·8 + 1·4 + 1
    let (ex, ep) = gradcheck(&mut Flatten, &x, 9);
    println!("gradcheck flatten: dX {ex:.2e}");
    assert!(ex <= 1e-6 && ep == 0.0);
}

/// The first maximum (row-major) of every 2×2 window at stride 2 of each `h × w` plane, straight
/// from the definition: the values and their flat indices within the plane.
fn max_2x2_by_definition(x: &[f32], h: usize, w: usize) -> (Vec<f32>, Vec<u32>) {
    let (mut values, mut indices) = (vec![], vec![]);
    for plane in x.chunks_exact(h * w) {
        for oy in 0..h / 2 {
            for ox in 0..w / 2 {
                let mut best = (2 * oy) * w + 2 * ox;
                for i in [best + 1, best + w, best + w + 1] {
                    if plane[i] > plane[best] {
                        best = i;
                    }
                }
                values.push(plane[best]);
                indices.push(best as u32);
            }
        }
    }
    (values, indices)
}

/// 2×2 max pooling of `f32` (a vector kernel where the CPU has one) against the definition, on
/// values from {-1, 0, 1, 2} so that most windows hold ties; inference and training forward.
macro_rules! f32_max_2x2_matches_definition {
    ($seed:expr, ($b:ty, $c:ty, $h:ty, $w:ty) -> ($oh:ty, $ow:ty)) => {{
        let mut rng = Rng::new($seed);
        let x = Tensor::<f32, ($b, $c, $h, $w)>::boxed_from_flat_fn(|_| rng.below(4) as f32 - 1.0);
        let (h, w) = (<$h>::USIZE, <$w>::USIZE);
        let (values, indices) = max_2x2_by_definition(x.as_slice(), h, w);
        let mut pool = MaxPool2d::<U2>::new();
        let mut y = shaped::boxed_zeroed::<Tensor<f32, ($b, $c, $oh, $ow)>>();
        pool.infer(&x, &mut (), &mut y);
        assert_eq!(y.as_slice(), &values[..], "{h}×{w}: inference");
        let mut cache = shaped::boxed_zeroed::<Tensor<u32, ($b, $c, $oh, $ow)>>();
        pool.forward(&x, Ctx::train(0), &mut cache, &mut y);
        assert_eq!(y.as_slice(), &values[..], "{h}×{w}: training forward");
        assert_eq!(
            cache.as_slice(),
            &indices[..],
            "{h}×{w}: the maxima's indices"
        );
    }};
}

#[test]
fn f32_max_pool_2x2_ties_and_edges() {
    f32_max_2x2_matches_definition!(1, (U1, U1, U2, U2) -> (U1, U1));
    // Odd sizes: the last row and column drop.
    f32_max_2x2_matches_definition!(2, (U2, U3, U5, U7) -> (U2, U3));
    // LeNet's first pooling.
    f32_max_2x2_matches_definition!(3, (U2, U2, U28, U28) -> (U14, U14));
    // 33 outputs per row: two steps of 16 and one lane; 17: one step and one lane.
    f32_max_2x2_matches_definition!(4, (U1, U1, U3, U66) -> (U1, U33));
    f32_max_2x2_matches_definition!(5, (U1, U2, U4, U34) -> (U2, U17));
}
