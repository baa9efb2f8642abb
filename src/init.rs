//! Weight initialisation schemes, reproducible from a seed, `no_std`.
//! (The optimizer/init helper completes this file.)

use crate::rand::Rng;
use crate::scalar::Real;

/// How to draw initial weights from a layer's fan-in and fan-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Glorot/Xavier uniform: `U(-a, a)`, `a = sqrt(6 / (fan_in + fan_out))`.
    XavierUniform,
    /// Glorot/Xavier normal: `N(0, 2 / (fan_in + fan_out))`.
    XavierNormal,
    /// He/Kaiming uniform (for ReLU): `U(-a, a)`, `a = sqrt(6 / fan_in)`.
    HeUniform,
    /// He/Kaiming normal (for ReLU): `N(0, 2 / fan_in)`.
    HeNormal,
}

/// Fills `weights` by `scheme` for a layer with the given fan-in and fan-out.
pub fn fill_weights<T: Real>(
    weights: &mut [T],
    fan_in: usize,
    fan_out: usize,
    scheme: Scheme,
    rng: &mut Rng,
) {
    let two = T::from_f64(2.0);
    let six = T::from_f64(6.0);
    let (fi, fo) = (T::from_usize(fan_in.max(1)), T::from_usize(fan_out.max(1)));
    match scheme {
        Scheme::XavierUniform | Scheme::HeUniform => {
            let a = if scheme == Scheme::XavierUniform {
                (six / (fi + fo)).sqrt()
            } else {
                (six / fi).sqrt()
            };
            weights.iter_mut().for_each(|w| *w = rng.uniform(-a, a));
        }
        Scheme::XavierNormal | Scheme::HeNormal => {
            let std = if scheme == Scheme::XavierNormal {
                (two / (fi + fo)).sqrt()
            } else {
                (two / fi).sqrt()
            };
            weights
                .iter_mut()
                .for_each(|w| *w = rng.normal::<T>() * std);
        }
    }
}
