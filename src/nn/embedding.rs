//! The embedding layer (see [`Embedding`]).

use crate::nn::{Ctx, Infer, Train};
use crate::scalar::{Real, Zeroable};
use crate::shape::Dim;
use crate::tensor::Tensor;

/// A table of `V` embedding vectors of `D` values: indices `(N, T)` → `(N, T, D)`.
///
/// Indices `(N, T)` (a batch of `N` sequences of `T` token ids, batch-major like every sequence
/// of the library) give vectors `(N, T, D)`; row `k` of the table is the vector of token `k`.
/// Backward adds each output-gradient row to the table row it was read from, so a token used
/// several times in a batch gets the sum of its gradients (PyTorch's `nn.Embedding`).
///
/// # Indices out of range
/// An index `≥ V` is bad data, as an out-of-range class index is for the losses: its output row
/// is NaN (so the loss is NaN and the bad batch is visible at once) and backward skips it;
/// nothing panics and no memory outside the table is read. Validate up front with
/// [`Embedding::check`] (or look up with [`Embedding::lookup`]) to get an [`IndexError`] naming
/// the position and the index instead.
///
/// ```
/// use shaped::nn::{Embedding, Infer};
/// use shaped::prelude::*;
/// let mut emb = Embedding::<f64, U3, U2>::zeros();
/// emb.weight = tensor([[0., 1.], [2., 3.], [4., 5.]]);
/// let ids = tensor([[2usize, 0], [1, 1]]); // (N, T) = (2, 2)
/// let y: Tensor3<f64, U2, U2, U2> = emb.lookup(&ids).unwrap();
/// assert_eq!(y, tensor([[[4., 5.], [0., 1.]], [[2., 3.], [2., 3.]]]));
///
/// let bad = tensor([[0usize, 3]]);
/// let err = emb.check(&bad).unwrap_err();
/// assert_eq!(err.to_string(), "embedding index 3 at (0, 1) is out of range: the table has 3 rows");
/// assert!(emb.apply(&bad).outer(0)[2].is_nan()); // the unchecked path: a NaN row
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
#[params(init = Self::init_table)]
pub struct Embedding<T, V: Dim, D: Dim> {
    /// The table, `(V, D)`: row `k` is the vector of index `k`.
    #[param]
    pub weight: Tensor<T, (V, D)>,
}

/// An index `≥ V` given to an [`Embedding`] with `V` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexError {
    /// The offending index.
    pub index: usize,
    /// Its position `(sequence, step)` in the batch of indices.
    pub at: (usize, usize),
    /// The number of rows of the table (`V`).
    pub rows: usize,
}

impl core::fmt::Display for IndexError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "embedding index {} at ({}, {}) is out of range: the table has {} rows",
            self.index, self.at.0, self.at.1, self.rows
        )
    }
}

impl core::error::Error for IndexError {}

impl<T: Real, V: Dim, D: Dim> Embedding<T, V, D> {
    /// A table of zeros (initialise with [`Params::init`](crate::nn::Params::init)).
    pub fn zeros() -> Self {
        Zeroable::zeroed()
    }

    /// `Ok` if every index is `< V`, else the first one that is not.
    pub fn check<N: Dim, S: Dim>(&self, ids: &Tensor<usize, (N, S)>) -> Result<(), IndexError> {
        match ids.iter().position(|&k| k >= V::USIZE) {
            None => Ok(()),
            Some(p) => Err(IndexError {
                index: ids.as_slice()[p],
                at: (p / S::USIZE, p % S::USIZE),
                rows: V::USIZE,
            }),
        }
    }

    /// The vectors of `ids`, checked: an [`IndexError`] instead of NaN rows.
    pub fn lookup<N: Dim, S: Dim>(
        &self,
        ids: &Tensor<usize, (N, S)>,
    ) -> Result<Tensor<T, (N, S, D)>, IndexError> {
        self.check(ids)?;
        Ok(self.apply(ids))
    }

    /// Rows drawn from `N(0, 1)`, as PyTorch's `nn.Embedding` (whatever the scheme: a lookup has
    /// no fan-in to scale by).
    fn init_table(&mut self, _: crate::init::Scheme, rng: &mut crate::rand::Rng) {
        self.weight.iter_mut().for_each(|w| *w = rng.normal());
    }
}

impl<T: Real, V: Dim, D: Dim> Clone for Embedding<T, V, D> {
    fn clone(&self) -> Self {
        Embedding {
            weight: self.weight.clone(),
        }
    }
}

impl<T: Real, V: Dim, D: Dim> core::fmt::Debug for Embedding<T, V, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Embedding")
            .field("weight", &self.weight)
            .finish()
    }
}

impl<T: Real, V: Dim, D: Dim, N: Dim, S: Dim> Infer<Tensor<usize, (N, S)>> for Embedding<T, V, D> {
    type Output = Tensor<T, (N, S, D)>;
    type Scratch = ();

    fn infer(&self, ids: &Tensor<usize, (N, S)>, _: &mut (), y: &mut Self::Output) {
        let (d, table) = (D::USIZE, self.weight.as_slice());
        for (row, &k) in y.as_mut_slice().chunks_exact_mut(d).zip(ids.iter()) {
            if k < V::USIZE {
                row.copy_from_slice(&table[k * d..(k + 1) * d]);
            } else {
                row.fill(T::nan());
            }
        }
    }
}

impl<T: Real, V: Dim, D: Dim, N: Dim, S: Dim> Train<Tensor<usize, (N, S)>> for Embedding<T, V, D> {
    type Cache = ();

    fn forward(&mut self, ids: &Tensor<usize, (N, S)>, _: Ctx, _: &mut (), y: &mut Self::Output) {
        self.infer(ids, &mut (), y);
    }

    /// Adds each row of `dy` to the gradient row of its index (indices `≥ V` are skipped);
    /// indices have no gradient, so `dx` is left as it is.
    fn backward(
        &self,
        ids: &Tensor<usize, (N, S)>,
        _: &mut (),
        dy: &Self::Output,
        _: Option<&mut Tensor<usize, (N, S)>>,
        grads: Option<&mut EmbeddingGrads<T, V, D>>,
    ) {
        let Some(grads) = grads else { return };
        let d = D::USIZE;
        let table = grads.weight.as_mut_slice();
        for (row, &k) in dy.as_slice().chunks_exact(d).zip(ids.iter()) {
            if k < V::USIZE {
                let g = &mut table[k * d..(k + 1) * d];
                g.iter_mut().zip(row).for_each(|(g, &r)| *g += r);
            }
        }
    }
}
