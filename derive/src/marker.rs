//! `#[derive(Zeroable)]` and `#[derive(Pod)]`: unsafe marker impls whose safety rests on every
//! field having the same property, plus (for `Pod`) a no-padding and no-`Drop` check.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Fields, Result};

use crate::attrs;
use crate::bounds::{Bounds, GenericNames};

/// The fields of a struct; an error naming the derive for enums and unions.
pub fn struct_fields<'a>(input: &'a DeriveInput, derive: &str) -> Result<&'a Fields> {
    let (span, what) = match &input.data {
        Data::Struct(s) => return Ok(&s.fields),
        Data::Enum(e) => (e.enum_token.span, "an enum"),
        Data::Union(u) => (u.union_token.span, "a union"),
    };
    let msg = format!("`#[derive({derive})]` supports structs only, and this is {what}");
    Err(Error::new(span, msg))
}

/// `unsafe impl Trait for X where every field: Trait {}`.
fn marker_impl(input: &DeriveInput, fields: &Fields, trait_path: &TokenStream) -> TokenStream {
    let names = GenericNames::new(&input.generics);
    let mut bounds = Bounds::default();
    for field in fields {
        bounds.require(&field.ty, trait_path, names.mentioned_in(&field.ty));
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = bounds.where_clause(input.generics.where_clause.as_ref());
    let assertions = bounds.assertions();
    quote! {
        // SAFETY: every field implements the trait (the where-clause and assertions check it).
        #[automatically_derived]
        unsafe impl #impl_generics #trait_path for #ident #ty_generics #where_clause {}
        #assertions
    }
}

/// Expands `#[derive(Zeroable)]`.
pub fn zeroable(input: &DeriveInput) -> Result<TokenStream> {
    let fields = struct_fields(input, "Zeroable")?;
    let krate = attrs::crate_path(&input.attrs)?;
    Ok(marker_impl(input, fields, &quote!(#krate::Zeroable)))
}

/// Expands `#[derive(Pod)]`.
pub fn pod(input: &DeriveInput) -> Result<TokenStream> {
    let fields = struct_fields(input, "Pod")?;
    let krate = attrs::crate_path(&input.attrs)?;
    let layout = no_padding_check(input, fields)?;
    let no_drop = no_drop_check(input);
    let marker = marker_impl(input, fields, &quote!(#krate::Pod));
    Ok(quote!(#marker #layout #no_drop))
}

/// Proves that the struct has no padding bytes.
///
/// A non-generic struct: `size_of::<Self>()` equals the sum of its fields' sizes, asserted at
/// compile time. A generic struct cannot be checked once for every instantiation (a `const` item
/// cannot name the parameters, and an associated const is only evaluated where it is used), so it
/// must be `#[repr(transparent)]`: then its layout is its one non-zero-sized field's, and the other
/// fields are zero-sized with alignment 1.
fn no_padding_check(input: &DeriveInput, fields: &Fields) -> Result<TokenStream> {
    if !input.generics.params.is_empty() {
        if attrs::is_repr_transparent(&input.attrs)? {
            return Ok(TokenStream::new());
        }
        let msg = "`#[derive(Pod)]` on a generic struct needs `#[repr(transparent)]`: padding \
                   cannot be ruled out for every instantiation (implement `Pod` by hand, with a \
                   `// SAFETY:` comment, if you can prove it)";
        return Err(Error::new_spanned(&input.generics, msg));
    }
    let ident = &input.ident;
    let sizes: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let ty = &f.ty;
            quote_spanned!(ty.span()=> ::core::mem::size_of::<#ty>())
        })
        .collect();
    let sum = if sizes.is_empty() {
        quote!(0)
    } else {
        quote!(#(#sizes)+*)
    };
    let msg = format!("`#[derive(Pod)]`: `{ident}` has padding bytes; reorder or pad its fields");
    Ok(quote! {
        const _: () = ::core::assert!(
            ::core::mem::size_of::<#ident>() == #sum,
            #msg
        );
    })
}

/// Makes `impl Drop for X` a compile error (a `Pod` type has no drop glue), as pin-project does:
/// a blanket impl for every `Drop` type conflicts with the impl for `X` if `X: Drop`.
fn no_drop_check(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let check = format_ident!("{}MustNotImplementDropToBePod", ident);
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        const _: () = {
            trait #check {}
            // `T: Drop` bounds are usually a mistake; here the blanket impl is the whole point.
            #[allow(drop_bounds)]
            impl<T: ::core::ops::Drop> #check for T {}
            impl #impl_generics #check for #ident #ty_generics #where_clause {}
        };
    }
}
