//! Shapes: dimensions are typenum unsigned integers, shapes are tuples of dimensions.
//!
//! Storage is a nested [`GenericArray`](generic_array::GenericArray) with the layout of
//! `[T; NUMEL]` (row-major). Nesting instead of one flat `GenericArray<T, Prod<A, B>>` is what keeps
//! generic code free of where-clauses: rustc cannot prove `A: Mul<B>` for generic dims, but it never
//! has to for nested arrays. Products are computed only where sizes are compared or produced
//! ([`Numel`], reshape, flatten).

mod check;
mod conv;
mod dim;
mod halves;
pub mod rules;
mod tuple;

pub use check::{DimEq, Elementwise, Mask, SameShape};
pub use conv::{ConvDim, ConvOut, OddKernel, Pair, PoolDim, PoolOut, SamePad, SamePads};

// The machinery of the readable errors. Not part of the API, but nameable at these paths because
// compile errors print them (`required for `MatmulInner` to implement `shaped::shape::Report<D<3>,
// D<4>>``) and the generated rules implement `Report`.
#[doc(hidden)]
pub use check::{AxisRules, D, DecimalTable, Large, Report, ToDecimal, Verdict};
#[doc(hidden)]
pub use conv::{OddDim, Slide};
pub use dim::{Dim, Prod3, Prod4};
pub use halves::{EvenBatch, Halve, SplitBatch};
pub use tuple::{Numel, Shape};
