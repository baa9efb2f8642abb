//! The derives' attributes: `#[shaped(crate = ..)]` (all three derives), `#[params(..)]` on a
//! struct, and `#[param]`, `#[state]`, `#[skip]` on its fields.

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Error, Field, Ident, LitStr, Meta, Path, Result, Token, Type};

/// The path of the `shaped` crate: `#[shaped(crate = path)]`, else `::shaped`.
pub fn crate_path(attrs: &[Attribute]) -> Result<Path> {
    let mut path = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("shaped")) {
        attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("crate") {
                return Err(meta.error("unknown `shaped` attribute: expected `crate = path`"));
            }
            if path.is_some() {
                return Err(meta.error("duplicate `crate` attribute"));
            }
            let value = meta.value()?;
            // `crate = "path"` (as serde spells it) or `crate = path`.
            path = Some(if value.peek(LitStr) {
                value.parse::<LitStr>()?.parse()?
            } else {
                value.parse()?
            });
            Ok(())
        })?;
    }
    Ok(path.unwrap_or_else(|| syn::parse_quote!(::shaped)))
}

/// `#[params(elem = Type, init = path, grads = Ident)]` on the struct.
#[derive(Default)]
pub struct ParamsAttr {
    /// The element type `E` of `Params<E>`.
    pub elem: Option<Type>,
    /// A function `fn(&mut Self, Scheme, &mut Rng)` that `init` calls instead of recursing.
    pub init: Option<Path>,
    /// The name of the gradient struct, instead of `{Name}Grads`.
    pub grads: Option<Ident>,
}

impl ParamsAttr {
    /// Reads every `#[params(..)]` on the struct, and rejects field attributes placed there.
    pub fn parse(attrs: &[Attribute]) -> Result<Self> {
        let mut out = ParamsAttr::default();
        for attr in attrs {
            if let Some(kind) = FieldKind::of_attr(attr) {
                let msg = format!("`#[{}]` marks a field, not the struct", kind.attr_name());
                return Err(Error::new(attr.span(), msg));
            }
            if attr.path().is_ident("params") {
                attr.parse_nested_meta(|meta| out.parse_key(&meta))?;
            }
        }
        Ok(out)
    }

    fn parse_key(&mut self, meta: &syn::meta::ParseNestedMeta<'_>) -> Result<()> {
        fn set<T>(
            slot: &mut Option<T>,
            value: T,
            meta: &syn::meta::ParseNestedMeta<'_>,
        ) -> Result<()> {
            if slot.replace(value).is_some() {
                return Err(meta.error("duplicate `params` attribute"));
            }
            Ok(())
        }
        if meta.path.is_ident("elem") {
            let value = meta.value()?.parse()?;
            set(&mut self.elem, value, meta)
        } else if meta.path.is_ident("init") {
            let value = meta.value()?.parse()?;
            set(&mut self.init, value, meta)
        } else if meta.path.is_ident("grads") {
            let value = meta.value()?.parse()?;
            set(&mut self.grads, value, meta)
        } else if meta.path.is_ident("crate") {
            Err(meta.error("the crate path is set with `#[shaped(crate = path)]`"))
        } else {
            Err(meta.error(
                "unknown `params` attribute: expected `elem = Type`, `init = path` or `grads = Name`",
            ))
        }
    }
}

/// What a field of a `#[derive(Params)]` struct is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldKind {
    /// `#[param]`: a trainable tensor.
    Param,
    /// `#[state]`: a stored, non-trainable tensor or counter.
    State,
    /// `#[skip]`: not visited, not in the gradients.
    Skip,
    /// No attribute: a sub-model.
    Sub,
}

impl FieldKind {
    /// The kind a field attribute names, if it is one of ours.
    fn of_attr(attr: &Attribute) -> Option<FieldKind> {
        let path = attr.path();
        [FieldKind::Param, FieldKind::State, FieldKind::Skip]
            .into_iter()
            .find(|kind| path.is_ident(kind.attr_name()))
    }

    fn attr_name(self) -> &'static str {
        match self {
            FieldKind::Param => "param",
            FieldKind::State => "state",
            FieldKind::Skip => "skip",
            FieldKind::Sub => "",
        }
    }

    /// Reads a field's attributes: at most one of `#[param]`, `#[state]`, `#[skip]`, bare.
    pub fn of_field(field: &Field) -> Result<FieldKind> {
        let mut found: Option<FieldKind> = None;
        for attr in &field.attrs {
            if attr.path().is_ident("params") || attr.path().is_ident("shaped") {
                let msg = "this attribute goes on the struct, not on a field";
                return Err(Error::new(attr.span(), msg));
            }
            let Some(kind) = FieldKind::of_attr(attr) else {
                continue;
            };
            if let Meta::List(_) | Meta::NameValue(_) = attr.meta {
                let msg = format!("`#[{}]` takes no arguments", kind.attr_name());
                return Err(Error::new(attr.meta.span(), msg));
            }
            if let Some(first) = found {
                let msg = format!(
                    "a field is one of `#[param]`, `#[state]` or `#[skip]`; this one is already `#[{}]`",
                    first.attr_name()
                );
                return Err(Error::new(attr.span(), msg));
            }
            found = Some(kind);
        }
        Ok(found.unwrap_or(FieldKind::Sub))
    }
}

/// Whether the struct has `#[repr(transparent)]`.
pub fn is_repr_transparent(attrs: &[Attribute]) -> Result<bool> {
    for attr in attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let reprs = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
        if reprs.iter().any(|m| m.path().is_ident("transparent")) {
            return Ok(true);
        }
    }
    Ok(false)
}
