//! Gradient clipping by global L2 norm (PyTorch's `clip_grad_norm_`).

use crate::Real;
use crate::nn::Tensors;

/// The global L2 norm of all tensors of `grads`, `√(Σ g²)` over every tensor.
///
/// Computed with scaling by the largest magnitude, so finite gradients do not overflow to
/// infinity on the way (an `f32` gradient of `1e20` has norm `1e20`, not `inf`). Returns NaN if
/// any element is NaN, infinity if any is infinite (and none is NaN).
///
/// ```
/// use shaped::nn::{Grads, Linear};
/// use shaped::prelude::*;
/// let mut g = Grads::<Linear<f64, U1, U2>>::zeroed();
/// g.weight = tensor([[3.0, 0.0]]);
/// g.bias = tensor([0.0, 4.0]);
/// assert_eq!(shaped::optim::grad_norm(&g), 5.0);
/// ```
pub fn grad_norm<T: Real, G: Tensors<T>>(grads: &G) -> T {
    let mut largest = T::zero();
    let mut nan = false;
    grads.visit(&mut |g| {
        for &x in g {
            nan |= x.is_nan();
            largest = largest.max(x.abs());
        }
    });
    if nan {
        return T::nan();
    }
    if largest == T::zero() || largest.is_infinite() {
        return largest;
    }
    let mut sum = T::zero();
    grads.visit(&mut |g| {
        for &x in g {
            let s = x / largest;
            sum += s * s;
        }
    });
    largest * sum.sqrt()
}

/// Rescales `grads` in place so that their global L2 norm is at most `max_norm`, and returns the
/// norm *before* clipping (PyTorch's `clip_grad_norm_`).
///
/// With `norm` the global L2 norm over all parameters ([`grad_norm`]), the factor is
/// `rate = max_norm / (norm + 1e-6)`; the gradients are multiplied by it only when `rate < 1`,
/// so gradients under the limit are left exactly as they are.
///
/// A NaN or infinite norm leaves `grads` untouched and is returned as is, so the caller can
/// detect it (`!norm.is_finite()`) and skip the step rather than apply garbage. A negative
/// `max_norm` counts as 0 (the gradients are zeroed); a NaN `max_norm` clips nothing.
///
/// ```
/// use shaped::nn::{Grads, Linear};
/// use shaped::prelude::*;
/// let mut g = Grads::<Linear<f64, U1, U2>>::zeroed();
/// g.weight = tensor([[3.0, 0.0]]);
/// g.bias = tensor([0.0, 4.0]);
/// let norm = shaped::optim::clip_grad_norm(&mut g, 1.0);
/// assert_eq!(norm, 5.0);
/// assert!((shaped::optim::grad_norm(&g) - 1.0).abs() < 1e-6);
/// ```
pub fn clip_grad_norm<T: Real, G: Tensors<T>>(grads: &mut G, max_norm: T) -> T {
    let norm = grad_norm(grads);
    if !norm.is_finite() {
        return norm;
    }
    let max_norm = if max_norm < T::zero() {
        T::zero()
    } else {
        max_norm
    };
    let rate = max_norm / (norm + T::from_f64(1e-6));
    if rate < T::one() {
        grads.visit_mut(&mut |g| g.iter_mut().for_each(|x| *x *= rate));
    }
    norm
}
