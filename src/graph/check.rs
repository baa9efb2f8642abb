//! Numerical checks of expressions: leaf gradients against central differences.

use super::Leaf;
use crate::gradcheck::{Config, Worst};
use crate::scalar::Real;
use crate::shape::Shape;

/// Compares the gradient of a scalar function of `x` with central differences.
///
/// `f` builds the expression from `x`, calls `backward` on its scalar output and returns the
/// output's value. `x`'s elements are perturbed one at a time and restored exactly; its
/// gradient is cleared before and after. The result reads as [`crate::gradcheck`]'s (tensor `0`).
///
/// ```
/// use shaped::gradcheck::Config;
/// use shaped::graph::{check, leaf};
/// use shaped::prelude::*;
/// let mut x = leaf(tensor([[0.5, -1.0], [2.0, 0.25]]));
/// let worst = check(&mut x, |x| {
///     let (t, e) = (x.tanh(), x.exp());
///     let p = &t * &e; // every node is a `let`: it borrows its inputs
///     let f = p.sum();
///     f.backward();
///     f.item()
/// }, Config::default());
/// assert!(worst.rel < 1e-6, "{worst}");
/// ```
pub fn check<T: Real, S: Shape>(
    x: &mut Leaf<T, S>,
    mut f: impl FnMut(&Leaf<T, S>) -> T,
    cfg: Config,
) -> Worst {
    let mut worst = Worst::default();
    compare(x, 0, &mut |x| f(x), cfg, &mut worst);
    x.zero_grad();
    worst
}

/// [`check`] for a function of two leaves: tensor `0` is `a`, tensor `1` is `b`.
pub fn check2<T: Real, SA: Shape, SB: Shape>(
    a: &mut Leaf<T, SA>,
    b: &mut Leaf<T, SB>,
    mut f: impl FnMut(&Leaf<T, SA>, &Leaf<T, SB>) -> T,
    cfg: Config,
) -> Worst {
    let mut worst = Worst::default();
    compare(a, 0, &mut |a| f(a, b), cfg, &mut worst);
    a.zero_grad();
    b.zero_grad();
    compare(b, 1, &mut |b| f(a, b), cfg, &mut worst);
    a.zero_grad();
    b.zero_grad();
    worst
}

/// Records `x`'s analytic gradient against central differences of `f`.
fn compare<T: Real, S: Shape>(
    x: &mut Leaf<T, S>,
    tensor: usize,
    f: &mut dyn FnMut(&Leaf<T, S>) -> T,
    cfg: Config,
    worst: &mut Worst,
) {
    x.zero_grad();
    f(x);
    let analytic = x.grad().clone();
    let eps = T::from_f64(cfg.eps);
    let two_eps = (eps + eps).to_f64();
    for i in 0..S::NUMEL {
        let old = x.value().as_slice()[i];
        x.value_mut().as_mut_slice()[i] = old + eps;
        let plus = f(x);
        x.value_mut().as_mut_slice()[i] = old - eps;
        let minus = f(x);
        x.value_mut().as_mut_slice()[i] = old;
        let numeric = (plus - minus).to_f64() / two_eps;
        worst.record(tensor, i, analytic.as_slice()[i].to_f64(), numeric, cfg);
    }
}
