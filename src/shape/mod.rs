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
pub mod rules;
mod tuple;

pub use check::{
    AxisRules, D, DecimalTable, DimEq, Elementwise, Large, Mask, Report, SameShape, ToDecimal,
    Verdict,
};
pub use conv::{ConvDim, ConvOut, Pair, PoolDim, PoolOut, SamePad, Slide};
pub use dim::{Dim, Prod3, Prod4};
pub use tuple::{Numel, Shape};
