//! Validating class-index targets up front: [`check_classes`] and [`ClassError`].

use crate::shape::Dim;
use crate::tensor::Tensor;

/// A class index out of range, found by [`check_classes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassError {
    /// Position of the sample in the batch.
    pub sample: usize,
    /// Its class index.
    pub class: usize,
    /// The number of classes (valid indices are `0..classes`).
    pub classes: usize,
}

impl core::fmt::Display for ClassError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "sample {} has class index {}, but there are only {} classes (0..{})",
            self.sample, self.class, self.classes, self.classes
        )
    }
}
impl core::error::Error for ClassError {}

/// Checks that every class index is below `classes`; the first offender is the error.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::nn::check_classes;
/// assert!(check_classes(&tensor([0usize, 2, 1]), 3).is_ok());
/// let err = check_classes(&tensor([0usize, 3, 1]), 3).unwrap_err();
/// assert_eq!((err.sample, err.class), (1, 3));
/// ```
pub fn check_classes<B: Dim>(
    targets: &Tensor<usize, (B,)>,
    classes: usize,
) -> Result<(), ClassError> {
    match targets.iter().position(|&c| c >= classes) {
        None => Ok(()),
        Some(sample) => Err(ClassError {
            sample,
            class: targets.as_slice()[sample],
            classes,
        }),
    }
}
