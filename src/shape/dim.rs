use generic_array::ArrayLength;
use typenum::{B1, IsEqual, Prod};

/// A tensor dimension: any typenum unsigned integer (`U3`, `U784`, `Prod<U6, U196>`, ...).
///
/// The `IsEqual<Self, Output = B1>` supertrait is what lets generic code call checked ops without
/// where-clauses: for a generic `K: Dim`, the check "`K` equals `K`" is proved from this bound,
/// while concrete dims are compared by typenum and mismatches reported in decimal
/// (see [`DimEq`](crate::shape::DimEq)).
///
/// typenum names `U0..=U1024` and powers of two and ten; write other sizes as products,
/// e.g. `Prod<U6, U196>` for 1176, or with `typenum::op!(U6 * U14 * U14)`.
pub trait Dim: ArrayLength + IsEqual<Self, Output = B1> + Copy + Default + Send + Sync {}

impl<N> Dim for N where N: ArrayLength + IsEqual<N, Output = B1> + Copy + Default + Send + Sync {}

/// `A · B · C` as a dimension (e.g. the length of a flattened `(C, H, W)` volume).
pub type Prod3<A, B, C> = Prod<Prod<A, B>, C>;
/// `A · B · C · D` as a dimension.
pub type Prod4<A, B, C, D> = Prod<Prod3<A, B, C>, D>;
