//! Weight initialisation schemes, reproducible from a seed, `no_std`.
//!
//! Every scheme draws weights with mean 0 and a variance set by the layer's fan-in and fan-out,
//! so activations keep their scale through the layers: Xavier/Glorot for tanh/sigmoid/linear
//! layers, He/Kaiming for ReLU. Biases start at zero ([`Params::init`]).
//!
//! | scheme | distribution | variance |
//! |---|---|---|
//! | [`Scheme::XavierUniform`] | `U(−a, a)`, `a = √(6 / (fan_in + fan_out))` | `2 / (fan_in + fan_out)` |
//! | [`Scheme::XavierNormal`] | `N(0, σ²)` | `2 / (fan_in + fan_out)` |
//! | [`Scheme::HeUniform`] | `U(−a, a)`, `a = √(6 / fan_in)` | `2 / fan_in` |
//! | [`Scheme::HeNormal`] | `N(0, σ²)` | `2 / fan_in` |
//!
//! For a `Linear<T, I, O>`, `fan_in = I` and `fan_out = O`; a convolution's fans include its
//! kernel area (`C_in·k·k`, `C_out·k·k`).
//!
//! ```
//! use shaped::init::Scheme;
//! use shaped::nn::{Linear, Params};
//! use shaped::prelude::*;
//! use shaped::rand::Rng;
//! let mut model: (Linear<f32, U4, U8>, Linear<f32, U8, U3>) = Zeroable::zeroed();
//! model.init(Scheme::HeUniform, &mut Rng::new(42));
//! let a = (6.0f32 / 4.0).sqrt();
//! assert!(model.0.weight.iter().all(|w| w.abs() <= a));
//! assert!(model.1.bias.iter().all(|&b| b == 0.0));
//! ```
//!
//! [`Params::init`]: crate::nn::Params::init

use crate::rand::Rng;
use crate::scalar::Real;

/// How to draw initial weights from a layer's fan-in and fan-out (see the [module docs](self)).
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

/// Fills `weights` by `scheme` for a layer with the given fan-in and fan-out, drawing from `rng`
/// (the same seed gives the same weights on every platform). A fan of 0 counts as 1.
///
/// ```
/// use shaped::init::{Scheme, fill_weights};
/// use shaped::rand::Rng;
/// let mut w = [0.0f64; 6];
/// fill_weights(&mut w, 2, 3, Scheme::XavierUniform, &mut Rng::new(1));
/// let a = (6.0f64 / 5.0).sqrt();
/// assert!(w.iter().all(|x| x.abs() <= a && *x != 0.0));
/// ```
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
