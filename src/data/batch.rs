//! [`Batcher`]: fills caller-owned batch tensors from a [`Dataset`], one batch at a time, in a
//! seeded shuffled order per epoch, without allocating per batch.
//!
//! The batch size is the tensors' first dim, a type-level constant. What happens to the last
//! `len % B` samples of an epoch is the [`LastBatch`] policy.

use std::vec::Vec;

use super::dataset::Dataset;
use super::error::DataError;
use crate::rand::Rng;
use crate::scalar::Scalar;
use crate::shape::Dim;
use crate::tensor::Tensor;

/// What to do with the samples left over when the dataset's length is not a multiple of `B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastBatch {
    /// Only full batches: the last `len % B` samples of the epoch's order are skipped (with a new
    /// shuffle each epoch, different ones each time). The usual choice for training.
    Drop,
    /// The last batch holds the remaining `len % B` samples in its first rows; the rest of the
    /// rows are zero (features 0, label 0) and must be ignored. [`Batcher::next_batch`] returns the
    /// number of valid rows. The usual choice for evaluation, where every sample counts.
    Partial,
}

/// Walks a dataset in batches: sequentially ([`Batcher::new`]) or in a seeded random order that
/// changes every epoch ([`Batcher::shuffled`]). Holds only the order (one `usize` per sample).
///
/// ```
/// use shaped::data::{Batcher, Dataset, LastBatch};
/// use shaped::prelude::*;
/// // 5 samples of 2 features; sample i is [i, 10 i], label i % 2.
/// let x: Vec<f32> = (0..5).flat_map(|i| [i as f32, 10.0 * i as f32]).collect();
/// let data = Dataset::new(x, vec![0, 1, 0, 1, 0], [1, 1, 2], 2).unwrap();
///
/// let mut batcher = Batcher::new(data.len(), LastBatch::Partial);
/// let (mut xb, mut yb) = (Tensor2::<f32, U2, U2>::zeros(), Tensor1::<usize, U2>::zeros());
/// let mut valid = vec![];
/// while let Some(n) = batcher.next_batch(&data, &mut xb, &mut yb).unwrap() {
///     valid.push(n);
/// }
/// assert_eq!(valid, [2, 2, 1]);                              // 5 = 2 + 2 + 1 valid rows
/// assert_eq!(xb.as_slice(), &[4.0, 40.0, 0.0, 0.0]);         // last batch: row 1 zeroed
/// assert_eq!(yb.as_slice(), &[0, 0]);
/// ```
#[derive(Clone, Debug)]
pub struct Batcher {
    order: Vec<usize>,
    seed: Option<u64>,
    cursor: usize,
    last: LastBatch,
}

impl Batcher {
    /// Batches of a dataset of `len` samples, in the order `0, 1, .., len-1` every epoch.
    pub fn new(len: usize, last: LastBatch) -> Self {
        Batcher {
            order: (0..len).collect(),
            seed: None,
            cursor: 0,
            last,
        }
    }

    /// Batches in a random order determined by `seed` and the epoch number only (epoch 0 is
    /// ready; see [`Batcher::start_epoch`]), so a run can be reproduced or resumed at any epoch.
    pub fn shuffled(len: usize, seed: u64, last: LastBatch) -> Self {
        let mut b = Batcher {
            seed: Some(seed),
            ..Batcher::new(len, last)
        };
        b.start_epoch(0);
        b
    }

    /// Starts epoch `epoch` from its first batch: the order is `0..len` shuffled by a generator
    /// seeded from `(seed, epoch)` (or left sequential for [`Batcher::new`]).
    pub fn start_epoch(&mut self, epoch: u64) {
        self.cursor = 0;
        self.order.iter_mut().enumerate().for_each(|(i, o)| *o = i);
        if let Some(seed) = self.seed {
            // Scramble (seed, epoch) so that neighbouring epochs get unrelated streams.
            let mixed = Rng::new(seed).next_u64();
            let state = Rng::new(epoch.wrapping_add(mixed)).next_u64();
            Rng::new(state).shuffle(&mut self.order);
        }
    }

    /// This epoch's sample order.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Number of batches of size `batch` per epoch under this batcher's [`LastBatch`] policy.
    pub fn batches_per_epoch(&self, batch: usize) -> usize {
        match (batch, self.last) {
            (0, _) => 0,
            (b, LastBatch::Drop) => self.order.len() / b,
            (b, LastBatch::Partial) => self.order.len().div_ceil(b),
        }
    }

    /// Fills `x` (`B` samples of `F` features, row-major) and `y` (their labels) with the next
    /// batch of this epoch and returns the number of valid rows (`B`, or fewer for the last
    /// [`LastBatch::Partial`] batch), or `None` once the epoch is done (call
    /// [`Batcher::start_epoch`] for the next one).
    ///
    /// `F` must equal the dataset's features per sample and the dataset's length the batcher's,
    /// else a [`DataError`]. Values are copied as they are (NaN included).
    pub fn next_batch<T: Scalar, B: Dim, F: Dim>(
        &mut self,
        data: &Dataset<T>,
        x: &mut Tensor<T, (B, F)>,
        y: &mut Tensor<usize, (B,)>,
    ) -> Result<Option<usize>, DataError> {
        if F::USIZE != data.features() {
            return Err(DataError::BatchShape {
                data: data.dims(),
                tensor: &Tensor::<T, (B, F)>::DIMS[1..],
            });
        }
        self.fill(data, x.as_mut_slice(), y.as_mut_slice())
    }

    /// Like [`Batcher::next_batch`] for image batches `(B, C, H, W)` (e.g. CNN input):
    /// `[C, H, W]` must equal the dataset's `[channels, rows, cols]`.
    pub fn next_batch_images<T: Scalar, B: Dim, C: Dim, H: Dim, W: Dim>(
        &mut self,
        data: &Dataset<T>,
        x: &mut Tensor<T, (B, C, H, W)>,
        y: &mut Tensor<usize, (B,)>,
    ) -> Result<Option<usize>, DataError> {
        if [C::USIZE, H::USIZE, W::USIZE] != data.dims() {
            return Err(DataError::BatchShape {
                data: data.dims(),
                tensor: &Tensor::<T, (B, C, H, W)>::DIMS[1..],
            });
        }
        self.fill(data, x.as_mut_slice(), y.as_mut_slice())
    }

    /// The shared body: `x` has `y.len()` rows of `data.features()` values.
    fn fill<T: Scalar>(
        &mut self,
        data: &Dataset<T>,
        x: &mut [T],
        y: &mut [usize],
    ) -> Result<Option<usize>, DataError> {
        if data.len() != self.order.len() {
            return Err(DataError::BatcherLength {
                batcher: self.order.len(),
                data: data.len(),
            });
        }
        let (batch, left) = (y.len(), self.order.len() - self.cursor);
        let valid = match self.last {
            _ if batch == 0 || left == 0 => return Ok(None),
            LastBatch::Drop if left < batch => return Ok(None),
            _ => left.min(batch),
        };
        let f = data.features();
        let picked = &self.order[self.cursor..self.cursor + valid];
        for (k, &i) in picked.iter().enumerate() {
            x[k * f..(k + 1) * f].copy_from_slice(data.sample(i));
            y[k] = data.label(i);
        }
        x[valid * f..].fill(T::zero());
        y[valid..].fill(0);
        self.cursor += valid;
        Ok(Some(valid))
    }
}
