//! The shape rules checked at compile time, one marker type each, and [`shape_rule!`] to declare
//! your own.
//!
//! A rule appears as the last parameter of [`DimEq`](super::DimEq) (or of a layer's own check); when
//! the check fails, rustc prints the rule's message with both dims in decimal, e.g.
//! `shape error (matmul inner dimension): left has 3 columns, right has 4 rows`.
//! The library's rules are listed once, in `build.rs`, and declared through [`shape_rule!`], the
//! same macro a user crate uses for its own layers.
//!
//! [`shape_rule!`]: crate::shape_rule

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

/// Declares shape rules: for each, a marker type to name in [`DimEq`](crate::shape::DimEq) and
/// the message rustc prints, with both dims in decimal, when the check fails.
///
/// `{G}` in the message is the dim found (the left side of `G: DimEq<E, Rule>`), `{E}` the dim
/// required; no other `{..}` placeholder is allowed. `label` (the text under the code span) and
/// any number of `note`s are optional. Start the message with `shape error (<rule>)`, as the
/// library's rules do, so every shape mistake reads the same way.
///
/// Under the hood (as for the library's own rules) the macro writes the marker type and four
/// hidden traits carrying `#[diagnostic::on_unimplemented]`, one per combination of small
/// (< 1000) and large dims, because rustc prints a message only from a literal and a large dim is
/// printed from four digits groups.
///
/// A layer of your own, checked like the library's layers:
///
/// ```
/// use shaped::nn::Infer;
/// use shaped::prelude::*;
/// use shaped::shape::DimEq;
///
/// shaped::shape_rule! {
///     /// A `Gate<F>` scales exactly `F` features.
///     pub struct GateFeatures {
///         message: "shape error (Gate input features): got {G}, expected {E}",
///         label: "this Gate's width does not match the previous layer's output",
///     }
/// }
///
/// /// `y = x ⊙ g`, one gate per feature.
/// #[derive(shaped::Params, shaped::Zeroable)]
/// #[params(elem = f32)]
/// struct Gate<F: Dim> {
///     #[param]
///     g: Tensor<f32, (F,)>,
/// }
///
/// impl<B: Dim, F: Dim, F2> Infer<Tensor<f32, (B, F2)>> for Gate<F>
/// where
///     F2: Dim + DimEq<F, GateFeatures>,
/// {
///     type Output = Tensor<f32, (B, F2)>;
///     type Scratch = ();
///     fn infer(&self, x: &Tensor<f32, (B, F2)>, _: &mut (), y: &mut Self::Output) {
///         let g = self.g.as_slice();
///         for (i, (yi, xi)) in y.as_mut_slice().iter_mut().zip(x.as_slice()).enumerate() {
///             *yi = xi * g[i % F::USIZE];
///         }
///     }
/// }
///
/// let mut gate = Gate::<U2>::zeroed();
/// gate.g = tensor([2.0, -1.0]);
/// assert_eq!(gate.apply(&tensor([[1.0, 3.0]])), tensor([[2.0, -3.0]]));
/// ```
///
/// and the same gate on 3 features fails at `cargo check` with
///
/// ```text
/// error[E0277]: shape error (Gate input features): got 3, expected 2
/// ```
///
/// (see `tests/ui/fail/user_rule.rs`).
#[macro_export]
macro_rules! shape_rule {
    ($($rules:tt)*) => {
        $crate::__private::shape_rule! { $crate; $($rules)* }
    };
}
