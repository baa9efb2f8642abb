//! Which types mention the struct's generic parameters, and the bounds the generated impls need:
//! a where-clause predicate for a type that mentions them, a compile-time assertion (kept out of
//! rustdoc's where-clauses) for one that does not.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{GenericParam, Generics, Ident, WhereClause};

/// A struct's generic parameters, by name.
pub struct GenericNames {
    params: Vec<Name>,
}

/// One generic parameter's name.
struct Name {
    ident: Ident,
    kind: NameKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NameKind {
    Type,
    Const,
    Lifetime,
}

impl GenericNames {
    pub fn new(generics: &Generics) -> Self {
        let params = generics.params.iter().map(|param| match param {
            GenericParam::Type(t) => (t.ident.clone(), NameKind::Type),
            GenericParam::Const(c) => (c.ident.clone(), NameKind::Const),
            GenericParam::Lifetime(l) => (l.lifetime.ident.clone(), NameKind::Lifetime),
        });
        let params = params.map(|(ident, kind)| Name { ident, kind }).collect();
        GenericNames { params }
    }

    /// Whether `item` (a type, usually) names a generic parameter or `Self`.
    ///
    /// Works on tokens, so it needs no syn visitor: a path segment that happens to share a
    /// parameter's name only adds a bound that holds anyway.
    pub fn mentioned_in(&self, item: &impl ToTokens) -> bool {
        mentions(item.to_token_stream(), &|ident, lifetime| {
            !lifetime && ident == "Self" || self.params.iter().any(|p| p.is(ident, lifetime))
        })
    }

    /// The type and lifetime parameters that none of `types` names (const parameters may go
    /// unused): what a `PhantomData` marker must mention.
    pub fn unused_in(&self, types: &[&syn::Type]) -> (Vec<&Ident>, Vec<&Ident>) {
        let unused = |p: &&Name| {
            let named = |ident: &Ident, lifetime: bool| p.is(ident, lifetime);
            !types
                .iter()
                .any(|ty| mentions(ty.to_token_stream(), &named))
        };
        let of = |kind| {
            let params = self.params.iter().filter(move |p| p.kind == kind);
            params.filter(unused).map(|p| &p.ident).collect()
        };
        (of(NameKind::Type), of(NameKind::Lifetime))
    }
}

impl Name {
    fn is(&self, ident: &Ident, lifetime: bool) -> bool {
        (self.kind == NameKind::Lifetime) == lifetime && self.ident == *ident
    }
}

/// Whether any ident in `tokens` satisfies `hit(ident, is_lifetime)`, looking into groups.
fn mentions(tokens: TokenStream, hit: &dyn Fn(&Ident, bool) -> bool) -> bool {
    let mut tokens = tokens.into_iter();
    while let Some(token) = tokens.next() {
        let found = match token {
            TokenTree::Group(g) => mentions(g.stream(), hit),
            TokenTree::Ident(i) => hit(&i, false),
            // A lifetime is a `'` joined to an ident.
            TokenTree::Punct(p) if p.as_char() == '\'' => match tokens.next() {
                Some(TokenTree::Ident(i)) => hit(&i, true),
                _ => false,
            },
            _ => false,
        };
        if found {
            return true;
        }
    }
    false
}

/// Bounds of one generated impl: `Ty: Trait` predicates, and assertions for concrete types.
#[derive(Default)]
pub struct Bounds {
    predicates: Vec<TokenStream>,
    assertions: Vec<TokenStream>,
}

impl Bounds {
    /// Requires `ty: bound`: in the where-clause if `generic`, else as an assertion.
    ///
    /// A concrete type's bound does not depend on the impl's parameters, so an assertion checks it
    /// just as well, and keeps `where f32: Zeroable` out of the impl's documentation. Errors point
    /// at the field's type.
    pub fn require(&mut self, ty: &syn::Type, bound: &TokenStream, generic: bool) {
        let span = ty.span();
        if generic {
            self.predicates.push(quote_spanned!(span=> #ty: #bound));
        } else {
            self.assertions.push(quote_spanned! {span=>
                {
                    fn assert_impl<T: ?::core::marker::Sized + #bound>() {}
                    assert_impl::<#ty>();
                }
            });
        }
    }

    /// Adds the predicates of `other` (its assertions are emitted where `other` is used).
    pub fn extend(&mut self, other: Bounds) {
        self.predicates.extend(other.predicates);
    }

    /// The where-clause: the struct's own predicates, then these.
    pub fn where_clause(&self, own: Option<&WhereClause>) -> TokenStream {
        let own = own.into_iter().flat_map(|w| &w.predicates);
        let all: Vec<TokenStream> = own
            .map(ToTokens::to_token_stream)
            .chain(self.predicates.iter().cloned())
            .collect();
        if all.is_empty() {
            TokenStream::new()
        } else {
            quote!(where #(#all,)*)
        }
    }

    /// An item that fails to compile unless every asserted bound holds (nothing if none).
    pub fn assertions(&self) -> TokenStream {
        if self.assertions.is_empty() {
            return TokenStream::new();
        }
        let assertions = &self.assertions;
        // A closure coerced to a `fn` pointer is type-checked but never run, and unlike a `fn` item
        // it is never "dead code".
        quote! {
            const _: fn() = || {
                #(#assertions)*
            };
        }
    }
}
