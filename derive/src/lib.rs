//! Derive macros for the `shaped` crate: `Params` for layers and models,
//! `Zeroable` and `Pod` for plain-data structs. Use them through `shaped`'s re-exports
//! (`shaped::{Params, Zeroable, Pod}`); the generated code names `::shaped::...` paths.
//!
//! All three derives read `#[shaped(crate = path)]` on the struct, which replaces `::shaped` in
//! the generated paths (`#[shaped(crate = crate)]` inside `shaped` itself; `crate = "path"` works
//! too).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod attrs;
mod bounds;
mod marker;
mod params;
mod rule;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `Zeroable`: the all-zero bit pattern is a valid value of the struct.
///
/// Writes `unsafe impl Zeroable for X where <every field type>: Zeroable {}`. The struct's own
/// generics and where-clause are kept; a field type that names no generic parameter is checked by
/// a compile-time assertion instead of a where-clause predicate (same guarantee, shorter docs).
/// Works on named, tuple and unit structs; enums and unions are rejected.
///
/// ```rust,ignore
/// use shaped::Zeroable;
///
/// #[derive(Zeroable)]
/// struct Scratch<T, N: shaped::shape::Dim> {
///     sum: shaped::Tensor<T, (N,)>,
///     count: u32,
/// }
/// ```
///
/// # Attributes
/// - `#[shaped(crate = path)]` on the struct: the path of the `shaped` crate (default `::shaped`).
#[proc_macro_derive(Zeroable, attributes(shaped))]
pub fn derive_zeroable(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    into_tokens(marker::zeroable(&input))
}

/// Derives `Pod`: every bit pattern is a valid value, with no padding and no drop glue.
///
/// Writes `unsafe impl Pod for X where <every field type>: Pod {}` plus two compile-time checks:
/// - **no padding.** A non-generic struct is checked by asserting that its size is the sum of its
///   fields' sizes (reorder the fields, or add explicit padding fields, if it fails). A generic
///   struct cannot be checked once for every instantiation, so it must be `#[repr(transparent)]`
///   (its layout is then its one non-zero-sized field's); any other generic struct is rejected:
///   implement `Pod` by hand for it, with a `// SAFETY:` comment.
/// - **no `Drop` impl**, which would conflict with a generated impl.
///
/// `Pod` requires `Zeroable`: derive both.
///
/// ```rust,ignore
/// use shaped::{Pod, Zeroable};
///
/// #[derive(Zeroable, Pod)]
/// struct Pair {
///     a: shaped::Tensor<f32, (shaped::U4,)>,
///     b: shaped::Tensor<f32, (shaped::U2,)>,
/// }
/// ```
///
/// # Attributes
/// - `#[shaped(crate = path)]` on the struct: the path of the `shaped` crate (default `::shaped`).
#[proc_macro_derive(Pod, attributes(shaped))]
pub fn derive_pod(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    into_tokens(marker::pod(&input))
}

/// Derives `Module` and `Params<E>` for a layer or model struct, and writes its gradient struct.
///
/// Mark each field by what it stores:
/// - `#[param]`: a trainable tensor (`Param<E>`): visited as `Kind::Trainable`, counted in
///   `PARAMS`, given a gradient and optimizer state;
/// - `#[state]`: stored but not trained (`Stored<E>`: running statistics, `i64` counters):
///   visited as `Kind::State`, saved and loaded, no gradient;
/// - `#[skip]`: not stored (configuration, `PhantomData` markers): not visited, no gradient;
/// - no attribute: a sub-model (`Params<E>`), visited recursively under the field's name.
///
/// Tensors are named by field (`head.bias`), tuple structs by position (`0.weight`, as
/// `nn.Sequential` numbers its layers), in declaration order.
///
/// ```rust,ignore
/// use shaped::nn::{Linear, ReLU};
/// use shaped::{Params, Tensor, U2, U3, U4};
///
/// /// A two-layer perceptron.
/// #[derive(Params)]
/// pub struct Mlp {
///     /// Hidden layer.
///     pub hidden: Linear<f32, U4, U3>,
///     /// Activation.
///     pub act: ReLU,
///     /// Output layer.
///     pub head: Linear<f32, U3, U2>,
/// }
/// // `MlpGrads { hidden, act, head }` holds the gradients: `grads.head.bias`.
///
/// /// A layer with its own tensors.
/// #[derive(Params)]
/// pub struct Scale<T, N: shaped::shape::Dim> {
///     /// Per-feature gain.
///     #[param]
///     pub gain: Tensor<T, (N,)>,
///     /// How many batches it has seen.
///     #[state]
///     pub seen: i64,
/// }
/// ```
///
/// # What it writes
/// - `impl Module for X`: `type Grads = XGrads<..>` (`()` without `#[param]` fields and
///   sub-models); `Trainable` is `Yes` with a `#[param]` field or a trainable sub-model.
/// - `XGrads<..>`, with the struct's generics, visibility and field visibilities: one field per
///   `#[param]` field (same name and type) and per sub-model (its `Module::Grads`); a tuple
///   struct for a tuple struct (numbered without the fields that have no gradient). It is
///   `Zeroable` and `Tensors<E>` (its tensors in the order of `zip_params`).
/// - `impl Params<E> for X`: `PARAMS`, `STORED`, `visit`, `visit_mut`, `zip_params`, and
///   `init`, which calls each sub-model's `init` in order (tensor fields are left as they are: give a layer with tensors
///   `#[params(init = ..)]`).
///
/// # The element type `E`
/// `#[params(elem = Type)]` if given; else the struct's type parameter `T`; else, for a struct
/// without `#[param]` and `#[state]` fields, every `E` its sub-models support (a fresh
/// parameter). A struct with tensor fields but no `T` needs `#[params(elem = ..)]`.
///
/// # Attributes
/// On the struct:
/// - `#[params(elem = Type)]`: the element type (see above);
/// - `#[params(init = path)]`: `init` calls `path(self, scheme, rng)`, a function
///   `fn(&mut Self, shaped::init::Scheme, &mut shaped::rand::Rng)` (e.g. `Self::reset`), instead
///   of initialising the sub-models: it decides everything;
/// - `#[params(grads = Name)]`: names the gradient struct (default `{Struct}Grads`);
/// - `#[shaped(crate = path)]`: the path of the `shaped` crate (default `::shaped`).
///
/// Keys may be combined: `#[params(elem = f64, init = Self::reset)]`. On fields: `#[param]`,
/// `#[state]`, `#[skip]` (at most one, without arguments).
#[proc_macro_derive(Params, attributes(params, param, state, skip, shaped))]
pub fn derive_params(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    into_tokens(params::expand(&input))
}

/// Shape rules: the implementation of `shaped::shape_rule!` (use that macro; it passes the path of
/// the `shaped` crate as the first token, `$crate;`).
#[doc(hidden)]
#[proc_macro]
pub fn shape_rule(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as rule::Input);
    rule::expand(input).into()
}

fn into_tokens(result: syn::Result<proc_macro2::TokenStream>) -> TokenStream {
    result.unwrap_or_else(syn::Error::into_compile_error).into()
}
