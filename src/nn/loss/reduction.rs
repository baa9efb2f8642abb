//! [`Reduction`] and the one batch driver every loss runs on.

use crate::scalar::Real;

/// How the per-entry losses of a batch become one number (PyTorch's `reduction=`).
///
/// The entries are the samples of a per-sample loss, the elements of an elementwise loss; masked
/// entries are left out of both the total and the count.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::{Loss, Mse, Reduction};
/// let (y, t) = (tensor([[1.0, 2.0]]), tensor([[0.0, 4.0]]));
/// let mean: f64 = Mse.loss(&y, &t);
/// let sum: f64 = Mse.sum().loss(&y, &t);
/// assert_eq!((mean, sum), ((1.0 + 4.0) / 2.0, 1.0 + 4.0));
/// assert_eq!(Mse.sum().reduction, Reduction::Sum);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// The mean over the unmasked entries (`0` when there are none).
    #[default]
    Mean,
    /// The sum over the unmasked entries.
    Sum,
}

/// Runs `unit(i, dy_i)` (the loss of unit `i`, writing its gradient into `dy_i` when given) over
/// `units` units of `width` values each, and reduces: kept units summed, the mean scaling applied
/// to the total and the gradient, units that are not `kept` given a zero gradient.
pub(super) fn reduce<T: Real>(
    reduction: Reduction,
    units: usize,
    width: usize,
    kept: impl Fn(usize) -> bool,
    mut dy: Option<&mut [T]>,
    mut unit: impl FnMut(usize, Option<&mut [T]>) -> T,
) -> T {
    let (mut total, mut count) = (T::zero(), 0usize);
    for i in 0..units {
        let d = dy
            .as_deref_mut()
            .map(|d| &mut d[i * width..(i + 1) * width]);
        if kept(i) {
            total += unit(i, d);
            count += 1;
        } else if let Some(d) = d {
            d.fill(T::zero());
        }
    }
    match reduction {
        Reduction::Sum => total,
        Reduction::Mean if count == 0 => T::zero(),
        Reduction::Mean => {
            let scale = T::one() / T::from_usize(count);
            if let Some(dy) = dy {
                dy.iter_mut().for_each(|d| *d *= scale);
            }
            total * scale
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Reduction, reduce};

    /// Units of width 2 with losses 1, 2, 3, 4 and gradients `[i, −i]`; unit 2 dropped.
    fn run(reduction: Reduction, kept: impl Fn(usize) -> bool) -> (f64, [f64; 8]) {
        let mut dy = [9.0; 8];
        let total = reduce(reduction, 4, 2, kept, Some(&mut dy[..]), |i, d| {
            d.unwrap().copy_from_slice(&[i as f64, -(i as f64)]);
            (i + 1) as f64
        });
        (total, dy)
    }

    #[test]
    fn sum_mean_and_dropped_units() {
        let not2 = |i| i != 2;
        let (s, ds) = run(Reduction::Sum, not2);
        assert_eq!((s, ds), (7.0, [0.0, 0.0, 1.0, -1.0, 0.0, 0.0, 3.0, -3.0]));
        let (m, dm) = run(Reduction::Mean, not2);
        let third = 1.0 / 3.0; // the mean multiplies by the reciprocal of the count
        assert_eq!(m, 7.0 * third);
        assert_eq!(dm, ds.map(|d| d * third));
        for r in [Reduction::Sum, Reduction::Mean] {
            assert_eq!(run(r, |_| false), (0.0, [0.0; 8]));
        }
        let none: Option<&mut [f64]> = None;
        assert_eq!(
            reduce(Reduction::Mean, 3, 1, |_| true, none, |i, _| i as f64),
            1.0
        );
    }
}
