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
