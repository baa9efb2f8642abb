//! Operations that move values without computing on them: `reshape` (same element count,
//! checked at compile time), `select` with a mask (NumPy's `where`), and `gather_rows` (an
//! embedding lookup: rows of a table picked by index).

use core::fmt;

use super::{Node, Op, Var};
use crate::scalar::Real;
use crate::shape::{Dim, DimEq, Elementwise, Mask, Numel, SameShape, Shape, rules};
use crate::tensor::Tensor;

/// `x` seen as another shape with as many elements (row-major order is kept).
pub struct Reshape<'a, T, S: Shape> {
    x: &'a dyn Node<T, S>,
}

impl<T: Real, S: Shape, S2: Shape> Op<T, S2> for Reshape<'_, T, S> {
    fn count_inputs(&self) {
        self.x.count();
    }
    fn backward(&self, _: &Tensor<T, S2>, grad: &Tensor<T, S2>) {
        let g = grad.as_slice();
        self.x
            .receive(&mut |gx| gx.iter_mut().zip(g).for_each(|(v, &gi)| *v += gi));
    }
}

/// `mask ? on_true : on_false` elementwise; the mask is a constant.
pub struct Select<'a, T, S: Shape, SB: Shape, M: Shape> {
    mask: &'a Tensor<bool, M>,
    on_true: &'a dyn Node<T, S>,
    on_false: &'a dyn Node<T, SB>,
}

impl<T: Real, S: Shape, SB: Shape, M: Shape> Op<T, S> for Select<'_, T, S, SB, M> {
    fn count_inputs(&self) {
        self.on_true.count();
        self.on_false.count();
    }
    fn backward(&self, _: &Tensor<T, S>, grad: &Tensor<T, S>) {
        let (m, g) = (self.mask.as_slice(), grad.as_slice());
        let route = |gx: &mut [T], when: bool| {
            for ((v, &gi), &mi) in gx.iter_mut().zip(g).zip(m) {
                if mi == when {
                    *v += gi;
                }
            }
        };
        self.on_true
            .receive(&mut |gt| route(gt.as_mut_slice(), true));
        self.on_false
            .receive(&mut |gf| route(gf.as_mut_slice(), false));
    }
}

/// Rows of `table: (V, D)` picked by index: row `i` of the result is row `index[i]` of the
/// table. Backward adds each row's gradient into the row it came from (rows picked twice get
/// both).
pub struct GatherRows<'a, T, V: Dim, D: Dim, R: Dim> {
    table: &'a dyn Node<T, (V, D)>,
    index: &'a Tensor<usize, (R,)>,
}

impl<T: Real, V: Dim, D: Dim, R: Dim> Op<T, (R, D)> for GatherRows<'_, T, V, D, R> {
    fn count_inputs(&self) {
        self.table.count();
    }
    fn backward(&self, _: &Tensor<T, (R, D)>, grad: &Tensor<T, (R, D)>) {
        self.table.receive(&mut |gt| {
            for (r, &row) in self.index.iter().enumerate() {
                let src = grad.outer(r);
                gt.outer_mut(row)
                    .iter_mut()
                    .zip(src)
                    .for_each(|(v, &gi)| *v += gi);
            }
        });
    }
}

/// The node of `R` rows gathered from a `(V, D)` table.
pub type Gathered<'a, T, V, D, R> = Var<T, (R, D), GatherRows<'a, T, V, D, R>>;

/// An index out of range for the table it picks from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexError {
    /// Where in the index tensor.
    pub position: usize,
    /// The index found there.
    pub index: usize,
    /// The number of rows of the table.
    pub rows: usize,
}

impl fmt::Display for IndexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "index {} at position {} is out of range for a table of {} rows",
            self.index, self.position, self.rows
        )
    }
}
impl core::error::Error for IndexError {}

impl<T: Real, S: Numel, O: Op<T, S>> Var<T, S, O> {
    /// This expression as shape `S2`, which must hold as many elements (checked at compile time:
    /// `shape error (reshape element count): ...`).
    pub fn reshape<S2>(&self) -> Var<T, S2, Reshape<'_, T, S>>
    where
        S2: Numel<Count: DimEq<S::Count, rules::ElementCount>>,
    {
        Var::from_op(self.value().reshape(), Reshape { x: self })
    }
}

impl<T: Real, S: Shape, O: Op<T, S>> Var<T, S, O> {
    /// `mask ? self : on_false` elementwise (NumPy's `where`): each side gets the gradient where
    /// it was chosen and nothing elsewhere.
    pub fn select<'a, M, SB, OB>(
        &'a self,
        mask: &'a Tensor<bool, M>,
        on_false: &'a Var<T, SB, OB>,
    ) -> Var<T, S, Select<'a, T, S, SB, M>>
    where
        M: Shape + SameShape<S, Mask>,
        SB: Shape + SameShape<S, Elementwise>,
        OB: Op<T, SB>,
    {
        let value = Tensor::select(mask, self.value(), on_false.value());
        let on_true = self;
        Var::from_op(
            value,
            Select {
                mask,
                on_true,
                on_false,
            },
        )
    }
}

impl<T: Real, V: Dim, D: Dim, O: Op<T, (V, D)>> Var<T, (V, D), O> {
    /// Rows of this table picked by `index` (an embedding lookup), or an [`IndexError`] naming
    /// the first index out of range.
    ///
    /// ```
    /// use shaped::graph::leaf;
    /// use shaped::prelude::*;
    /// let table = leaf(tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
    /// let index = tensor([2usize, 0, 2]);
    /// let rows = table.gather_rows(&index).unwrap();
    /// assert_eq!(rows.value(), &tensor([[5.0, 6.0], [1.0, 2.0], [5.0, 6.0]]));
    /// rows.sum().backward();
    /// assert_eq!(*table.grad(), tensor([[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]]));
    /// let err = table.gather_rows(&tensor([0usize, 3])).unwrap_err();
    /// assert_eq!(err.to_string(), "index 3 at position 1 is out of range for a table of 3 rows");
    /// ```
    pub fn gather_rows<'a, R: Dim>(
        &'a self,
        index: &'a Tensor<usize, (R,)>,
    ) -> Result<Gathered<'a, T, V, D, R>, IndexError> {
        if let Some((position, &index)) = index.iter().enumerate().find(|(_, i)| **i >= V::USIZE) {
            return Err(IndexError {
                position,
                index,
                rows: V::USIZE,
            });
        }
        let table = self.value();
        let value = Tensor::<T, (R, D)>::from_fn(|[r, c]| table[[index[[r]], c]]);
        Ok(Var::from_op(value, GatherRows { table: self, index }))
    }
}
