//! Input standardisation: shift and scale each feature to mean 0 and standard deviation 1, with
//! statistics fitted on the training set only and applied unchanged to dev and test, so that no
//! information from the held-out sets leaks into training.
//!
//! Data are rows of `F` features, flat in a slice (`&[T]`, length a multiple of `F`) or in a
//! `Tensor2<T, B, F>` batch. No heap: the statistics are two `Tensor1<f64, F>`.

use crate::Real;
use crate::shape::Dim;
use crate::tensor::{Tensor1, Tensor2};

/// Data that cannot be standardised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StandardizeError {
    /// The slice length is not a multiple of the feature count.
    Length {
        /// Values given.
        values: usize,
        /// Features per row.
        features: usize,
    },
    /// Fitting needs at least one row.
    Empty,
    /// A NaN or infinite value.
    NotFinite {
        /// Its row.
        row: usize,
        /// Its feature (column).
        feature: usize,
    },
}

impl core::fmt::Display for StandardizeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StandardizeError::Length { values, features } => {
                write!(
                    f,
                    "{values} values are not whole rows of {features} features"
                )
            }
            StandardizeError::Empty => write!(f, "cannot fit standardisation on no rows"),
            StandardizeError::NotFinite { row, feature } => {
                write!(
                    f,
                    "value at row {row}, feature {feature} is NaN or infinite"
                )
            }
        }
    }
}

impl core::error::Error for StandardizeError {}

/// Per-feature `x ↦ (x − mean) / scale`, fitted on training data.
///
/// `scale` is the population standard deviation (divide by `n`, as scikit-learn's
/// `StandardScaler`), computed in two passes in `f64`. A feature with zero variance (constant in
/// the training set) gets scale 1, so it becomes `x − mean`: 0 on the training set, and a
/// difference in the feature's own units elsewhere, rather than a division by zero.
///
/// ```
/// use shaped::data::standardize::Standardizer;
/// use shaped::prelude::*;
/// let train = [1.0f32, 10.0, 3.0, 10.0]; // two rows of (x, constant)
/// let s = Standardizer::<U2>::fit(&train)?;
/// assert_eq!((s.mean()[0], s.scale()[0]), (2.0, 1.0));
/// assert_eq!((s.mean()[1], s.scale()[1]), (10.0, 1.0)); // zero variance: scale 1
/// let mut dev = [4.0f32, 12.0];
/// s.transform(&mut dev)?;
/// assert_eq!(dev, [2.0, 2.0]);
/// # Ok::<(), shaped::data::standardize::StandardizeError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<F: Dim> {
    mean: Tensor1<f64, F>,
    scale: Tensor1<f64, F>,
}

/// The number of rows in `data`, after checking every value is finite.
fn check_rows<T: Real>(data: &[T], features: usize) -> Result<usize, StandardizeError> {
    if features == 0 || !data.len().is_multiple_of(features) {
        return Err(StandardizeError::Length {
            values: data.len(),
            features,
        });
    }
    match data.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(StandardizeError::NotFinite {
            row: i / features,
            feature: i % features,
        }),
        None => Ok(data.len() / features),
    }
}

impl<F: Dim> Standardizer<F> {
    /// Fits mean and scale per feature on `train`, rows of `F` values. Errors on a length that is
    /// not whole rows, no rows, or a NaN or infinite value.
    pub fn fit<T: Real>(train: &[T]) -> Result<Self, StandardizeError> {
        let rows = check_rows(train, F::USIZE)?;
        if rows == 0 {
            return Err(StandardizeError::Empty);
        }
        let mut mean = Tensor1::<f64, F>::zeros();
        for row in train.chunks_exact(F::USIZE) {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += Real::to_f64(*x);
            }
        }
        mean.iter_mut().for_each(|m| *m /= rows as f64);
        let mut scale = Tensor1::<f64, F>::zeros();
        for row in train.chunks_exact(F::USIZE) {
            for ((s, m), x) in scale.iter_mut().zip(mean.iter()).zip(row) {
                let d = Real::to_f64(*x) - m;
                *s += d * d;
            }
        }
        for s in scale.iter_mut() {
            let std = (*s / rows as f64).sqrt();
            *s = if std > 0.0 { std } else { 1.0 };
        }
        Ok(Standardizer { mean, scale })
    }

    /// Fits on the rows of a batch.
    pub fn fit_tensor<T: Real, B: Dim>(train: &Tensor2<T, B, F>) -> Result<Self, StandardizeError> {
        Self::fit(train.as_slice())
    }

    /// Standardises `data` (rows of `F` values) in place. On an error nothing is changed.
    pub fn transform<T: Real>(&self, data: &mut [T]) -> Result<(), StandardizeError> {
        check_rows(data, F::USIZE)?;
        for row in data.chunks_exact_mut(F::USIZE) {
            for ((x, m), s) in row.iter_mut().zip(self.mean.iter()).zip(self.scale.iter()) {
                *x = T::from_f64((Real::to_f64(*x) - m) / s);
            }
        }
        Ok(())
    }

    /// Standardises the rows of a batch in place.
    pub fn transform_tensor<T: Real, B: Dim>(
        &self,
        data: &mut Tensor2<T, B, F>,
    ) -> Result<(), StandardizeError> {
        self.transform(data.as_mut_slice())
    }

    /// The training mean of each feature.
    pub fn mean(&self) -> &[f64] {
        self.mean.as_slice()
    }

    /// The divisor of each feature: its training standard deviation, or 1 if that is 0.
    pub fn scale(&self) -> &[f64] {
        self.scale.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::rand::Rng;

    #[test]
    fn fitted_training_set_has_mean_0_std_1() {
        let mut rng = Rng::new(5);
        let mut train = [0.0f32; 3 * 500];
        for row in train.chunks_exact_mut(3) {
            row[0] = 100.0 + 5.0 * rng.normal::<f32>(); // large offset: tests f64 accumulation
            row[1] = rng.uniform(-1e-3, 1e-3);
            row[2] = -7.0;
        }
        let s = Standardizer::<U3>::fit(&train).unwrap();
        let mut z = train;
        s.transform(&mut z).unwrap();
        for f in 0..2 {
            let col = || z.iter().skip(f).step_by(3).map(|&x| f64::from(x));
            let mean = col().sum::<f64>() / 500.0;
            let var = col().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 500.0;
            assert!(
                mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4,
                "feature {f}: {mean} {var}"
            );
        }
        assert_eq!((s.mean()[2], s.scale()[2]), (-7.0, 1.0));
        assert!(z.iter().skip(2).step_by(3).all(|&x| x == 0.0));
    }

    #[test]
    fn statistics_by_hand_and_reused_on_dev() {
        // feature 0: 1, 2, 3, 6 -> mean 3, population variance (4+1+0+9)/4 = 3.5
        let train = [1.0f64, 0.0, 2.0, 0.0, 3.0, 0.0, 6.0, 4.0];
        let s = Standardizer::<U2>::fit(&train).unwrap();
        assert_eq!(s.mean(), [3.0, 1.0]);
        assert!((s.scale()[0] - 3.5f64.sqrt()).abs() < 1e-15);
        assert!((s.scale()[1] - 3.0f64.sqrt()).abs() < 1e-15);
        let mut dev = tensor([[3.0 + 3.5f64.sqrt(), 1.0]]);
        s.transform_tensor(&mut dev).unwrap();
        assert!((dev[[0, 0]] - 1.0).abs() < 1e-12 && dev[[0, 1]] == 0.0);
        assert_eq!(
            Standardizer::fit_tensor(&tensor([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [6.0, 4.0]])),
            Ok(s)
        );
    }

    #[test]
    fn bad_input_is_an_error_and_changes_nothing() {
        let s = Standardizer::<U2>::fit(&[1.0f32, 2.0, 3.0, 5.0]).unwrap();
        let nan = [1.0f32, 2.0, 3.0, f32::NAN];
        assert_eq!(
            Standardizer::<U2>::fit(&nan),
            Err(StandardizeError::NotFinite { row: 1, feature: 1 })
        );
        let mut dev = [f32::INFINITY, 0.0, 1.0, 1.0];
        assert_eq!(
            s.transform(&mut dev),
            Err(StandardizeError::NotFinite { row: 0, feature: 0 })
        );
        assert_eq!(dev[1..], [0.0, 1.0, 1.0]);
        assert_eq!(
            Standardizer::<U2>::fit(&[1.0f32, 2.0, 3.0]),
            Err(StandardizeError::Length {
                values: 3,
                features: 2
            })
        );
        assert_eq!(
            Standardizer::<U2>::fit::<f32>(&[]),
            Err(StandardizeError::Empty)
        );
        assert!(Standardizer::<U0>::fit(&[1.0f32]).is_err());
    }
}
