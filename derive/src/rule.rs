//! `shape_rule!`: a shape rule's marker type and its four message traits (see
//! `shaped::shape_rule!` for the user-facing syntax and `shaped/src/shape/check.rs` for how a
//! failed check reaches them).
//!
//! rustc reads `#[diagnostic::on_unimplemented(message = ..)]` only from a string literal (no
//! `concat!`), and a number of 1000 or more is printed from four const parameters
//! (`{G_H}{G_2}{G_1}{G_0}`), so each rule needs four literals: small/large got × small/large
//! expected. A `macro_rules!` macro cannot rewrite `{G}` inside a literal; this macro does.

use proc_macro2::TokenTree;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Path, Token, Visibility, braced};

/// `$crate; rule*`, as passed by `shaped::shape_rule!`.
pub struct Input {
    krate: Path,
    rules: Vec<Rule>,
}

struct Rule {
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    message: LitStr,
    label: Option<LitStr>,
    notes: Vec<LitStr>,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let krate = Path::parse_mod_style(input)?;
        input.parse::<Token![;]>()?;
        let mut rules = Vec::new();
        while !input.is_empty() {
            rules.push(input.parse()?);
        }
        Ok(Input { krate, rules })
    }
}

impl Parse for Rule {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        let body;
        braced!(body in input);
        let (mut message, mut label, mut notes) = (None, None, Vec::new());
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![:]>()?;
            let value: LitStr = body.parse()?;
            match key.to_string().as_str() {
                "message" if message.is_none() => message = Some(value),
                "label" if label.is_none() => label = Some(value),
                "note" => notes.push(value),
                "message" | "label" => return Err(syn::Error::new(key.span(), "given twice")),
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        "expected `message`, `label` or `note`",
                    ));
                }
            }
            if body.is_empty() {
                break;
            }
            body.parse::<Token![,]>()?;
        }
        let message = message.ok_or_else(|| {
            syn::Error::new(
                name.span(),
                "a shape rule needs a `message: \"..{G}..{E}..\"`",
            )
        })?;
        check_placeholders(&message)?;
        Ok(Rule {
            attrs,
            vis,
            name,
            message,
            label,
            notes,
        })
    }
}

/// The message may name only `{G}` (the dim found) and `{E}` (the dim required).
fn check_placeholders(message: &LitStr) -> syn::Result<()> {
    let text = message.value();
    let mut rest = text.as_str();
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map(|e| start + e);
        match end.map(|e| &rest[start + 1..e]) {
            Some("G" | "E") => rest = &rest[end.unwrap() + 1..],
            _ => {
                return Err(syn::Error::new(
                    message.span(),
                    "a shape rule's message may only use the placeholders {G} (the dim found) and {E} (the dim required)",
                ));
            }
        }
    }
    Ok(())
}

/// The format placeholders, const parameters and decimal type of one printed number.
fn number(krate: &Path, p: &str, large: bool, span: Span) -> (String, Vec<Ident>, TokenStream) {
    if large {
        let ids: Vec<Ident> = ["H", "2", "1", "0"]
            .iter()
            .map(|s| format_ident!("{p}_{s}", span = span))
            .collect();
        let fmt = ids.iter().map(|i| format!("{{{i}}}")).collect();
        let [h, x2, x1, x0] = [&ids[0], &ids[1], &ids[2], &ids[3]];
        let ty = quote!(#krate::shape::Large<#krate::shape::D<#h>, #krate::shape::D<#x2>, #krate::shape::D<#x1>, #krate::shape::D<#x0>>);
        (fmt, ids, ty)
    } else {
        let id = format_ident!("{p}", span = span);
        let ty = quote!(#krate::shape::D<#id>);
        (format!("{{{p}}}"), vec![id], ty)
    }
}

pub fn expand(input: Input) -> TokenStream {
    let krate = &input.krate;
    let mut out = TokenStream::new();
    for rule in &input.rules {
        let Rule {
            attrs,
            vis,
            name,
            message,
            label,
            notes,
        } = rule;
        out.extend(quote! {
            #(#attrs)*
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
            #vis struct #name;
        });
        let label = label.as_ref().map(|l| quote!(, label = #l));
        let notes = notes.iter().map(|n| quote!(, note = #n));
        let notes: TokenStream = notes.collect();
        for (suffix, g_large, e_large) in [
            ("SS", false, false),
            ("LS", true, false),
            ("SL", false, true),
            ("LL", true, true),
        ] {
            let (g_fmt, g_ids, g_ty) = number(krate, "G", g_large, name.span());
            let (e_fmt, e_ids, e_ty) = number(krate, "E", e_large, name.span());
            let text = message
                .value()
                .replace("{G}", &g_fmt)
                .replace("{E}", &e_fmt);
            let text = LitStr::new(&text, message.span());
            let trait_name = format_ident!("{name}{suffix}", span = name.span());
            let ids: Vec<&Ident> = g_ids.iter().chain(&e_ids).collect();
            // Located at the rule's name (resolved where written), so rustc's notes point at one
            // line, not at the whole macro call.
            out.extend(located_at(
                name.span(),
                quote! {
                    #[doc(hidden)]
                    #[diagnostic::on_unimplemented(message = #text #label #notes)]
                    #vis trait #trait_name<#(const #ids: usize),*> {}
                    impl<#(const #ids: usize),*> #krate::shape::Report<#g_ty, #e_ty> for #name
                    where
                        (): #trait_name<#(#ids),*>
                    {
                    }
                },
            ));
        }
    }
    out
}

/// `tokens` with every span moved to `at`'s location, each keeping its own name resolution
/// (`$crate` must still resolve to `shaped`).
fn located_at(at: Span, tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(g) = &tree {
                let mut group = proc_macro2::Group::new(g.delimiter(), located_at(at, g.stream()));
                group.set_span(g.span().located_at(at));
                tree = TokenTree::Group(group);
            } else {
                tree.set_span(tree.span().located_at(at));
            }
            tree
        })
        .collect()
}
