//! [`Masked`]: targets paired with a mask of the entries that count.

/// A target with a mask (`true` = the entry counts): `Masked::new(&targets, &mask)`.
///
/// Per-sample losses take a `(B,)` mask (one flag per sample); elementwise losses a `(B, C)` mask.
/// The mean (or the sum) is over the unmasked entries. Masks nest: `Masked::new(&masked, &more)`
/// keeps the entries both masks keep.
#[derive(Debug)]
pub struct Masked<'a, Tgt, M> {
    /// The targets, as for the unmasked loss.
    pub target: &'a Tgt,
    /// Which entries count.
    pub mask: &'a M,
}

impl<'a, Tgt, M> Masked<'a, Tgt, M> {
    /// Pairs targets with a mask.
    pub fn new(target: &'a Tgt, mask: &'a M) -> Self {
        Masked { target, mask }
    }
}

impl<Tgt, M> Clone for Masked<'_, Tgt, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Tgt, M> Copy for Masked<'_, Tgt, M> {}
