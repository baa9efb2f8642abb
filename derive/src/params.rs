//! `#[derive(Params)]`: `Module`, the `{Name}Grads` struct (with its `Zeroable` impl) and
//! `Params<E>` for a layer or model struct.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{DeriveInput, Error, Fields, Ident, Member, Path, Result, Type, Visibility};

use crate::attrs::{self, FieldKind, ParamsAttr};
use crate::bounds::{Bounds, GenericNames};
use crate::marker::struct_fields;

/// Expands `#[derive(Params)]`.
pub fn expand(input: &DeriveInput) -> Result<TokenStream> {
    let model = Model::new(input)?;
    let module = model.module_impl();
    let grads = model.grads_struct();
    let params = model.params_impl();
    Ok(quote!(#module #grads #params))
}

/// The struct, as the derive sees it.
struct Model<'a> {
    input: &'a DeriveInput,
    krate: Path,
    attr: ParamsAttr,
    fields: Vec<ModelField<'a>>,
    tuple: bool,
    names: GenericNames,
    elem: Elem,
    grads_ident: Ident,
}

/// One field.
struct ModelField<'a> {
    ty: &'a Type,
    vis: &'a Visibility,
    kind: FieldKind,
    /// `self.<member>`.
    member: Member,
    /// `grads.<member>`, for fields with gradients (in a tuple struct the numbering skips the
    /// fields without).
    grads_member: Option<Member>,
    /// The name segment: `field("weight")` or `index(0)`.
    segment: TokenStream,
    /// How the docs name it: `` `weight` `` or `field 0`.
    label: String,
}

/// The element type `E` of the `Params<E>` impl.
struct Elem {
    ty: TokenStream,
    /// `Some(__E)` when it is a fresh parameter of the impl.
    fresh: Option<Ident>,
    /// Whether it names a parameter of the impl (then every bound mentions one).
    generic: bool,
}

impl ModelField<'_> {
    fn has_grads(&self) -> bool {
        matches!(self.kind, FieldKind::Param | FieldKind::Sub)
    }
}

impl<'a> Model<'a> {
    fn new(input: &'a DeriveInput) -> Result<Self> {
        let fields = struct_fields(input, "Params")?;
        let krate = attrs::crate_path(&input.attrs)?;
        let attr = ParamsAttr::parse(&input.attrs)?;
        let names = GenericNames::new(&input.generics);
        let fields = model_fields(fields)?;
        let elem = resolve_elem(input, &attr, &fields, &names)?;
        let grads_ident = match &attr.grads {
            Some(ident) => ident.clone(),
            None => format_ident!("{}Grads", input.ident, span = input.ident.span()),
        };
        Ok(Model {
            tuple: matches!(input.data, syn::Data::Struct(ref s) if matches!(s.fields, Fields::Unnamed(_))),
            input,
            krate,
            attr,
            fields,
            names,
            elem,
            grads_ident,
        })
    }

    fn has_grads(&self) -> bool {
        self.fields.iter().any(ModelField::has_grads)
    }

    fn of_kind(&self, kind: FieldKind) -> impl Iterator<Item = &ModelField<'a>> {
        self.fields.iter().filter(move |f| f.kind == kind)
    }

    /// `Self::Grads`: the gradient struct, or `()`.
    fn grads_ty(&self) -> TokenStream {
        if !self.has_grads() {
            return quote!(());
        }
        let ident = &self.grads_ident;
        let (_, ty_generics, _) = self.input.generics.split_for_impl();
        quote!(#ident #ty_generics)
    }

    // ---- Module ----

    fn module_impl(&self) -> TokenStream {
        let k = &self.krate;
        let ident = &self.input.ident;
        let (impl_generics, ty_generics, _) = self.input.generics.split_for_impl();
        let where_clause = self.grads_bounds().where_clause(self.own_where());
        let grads = self.grads_ty();
        let trainable = self.trainable();
        quote! {
            #[automatically_derived]
            impl #impl_generics #k::nn::Module for #ident #ty_generics #where_clause {
                type Grads = #grads;
                type Trainable = #trainable;
            }
        }
    }

    /// `Yes` with a `#[param]`, else `Either` over the sub-models' flags (`No` without any).
    fn trainable(&self) -> TokenStream {
        let k = &self.krate;
        if self.of_kind(FieldKind::Param).next().is_some() {
            return quote!(#k::nn::Yes);
        }
        let subs: Vec<TokenStream> = self
            .of_kind(FieldKind::Sub)
            .map(|f| {
                let ty = f.ty;
                quote_spanned!(ty.span()=> <#ty as #k::nn::Module>::Trainable)
            })
            .collect();
        subs.into_iter()
            .rev()
            .reduce(|rest, t| quote!(#k::nn::Either<#t, #rest>))
            .unwrap_or_else(|| quote!(#k::nn::No))
    }

    fn own_where(&self) -> Option<&syn::WhereClause> {
        self.input.generics.where_clause.as_ref()
    }

    // ---- The gradient struct ----

    /// Bounds of the gradient struct's definition: generic sub-models are `Module`s.
    fn grads_struct_bounds(&self) -> Bounds {
        let mut bounds = Bounds::default();
        for f in self.of_kind(FieldKind::Sub) {
            if self.names.mentioned_in(f.ty) {
                bounds.require(f.ty, &self.module_path(), true);
            }
        }
        bounds
    }

    /// Bounds under which the gradient struct is a well-formed `Zeroable` type: also those of
    /// `Module` (whose `Grads` must be `Zeroable`).
    fn grads_bounds(&self) -> Bounds {
        let mut bounds = self.grads_struct_bounds();
        let k = &self.krate;
        for f in self.of_kind(FieldKind::Param) {
            bounds.require(f.ty, &quote!(#k::Zeroable), self.names.mentioned_in(f.ty));
        }
        bounds
    }

    fn module_path(&self) -> TokenStream {
        let k = &self.krate;
        quote!(#k::nn::Module)
    }

    fn grads_struct(&self) -> TokenStream {
        if !self.has_grads() {
            return TokenStream::new();
        }
        let vis = &self.input.vis;
        let ident = &self.grads_ident;
        let generics = &self.input.generics;
        let where_clause = self.grads_struct_bounds().where_clause(self.own_where());
        let doc = format!(
            "Gradients of [`{}`]: one field per trainable tensor or sub-model.",
            self.input.ident
        );
        let fields = self.fields.iter().filter(|f| f.has_grads());
        let fields: Vec<TokenStream> = fields.map(|f| self.grads_field(f)).collect();
        let marker = self.grads_marker();
        let definition = if self.tuple {
            quote!(#vis struct #ident #generics (#(#fields,)* #marker) #where_clause;)
        } else {
            quote!(#vis struct #ident #generics #where_clause { #(#fields,)* #marker })
        };
        let zeroable = self.grads_zeroable_impl();
        quote! {
            #[doc = #doc]
            #definition
            #zeroable
        }
    }

    /// A field of the gradient struct: a tensor of the parameter's type, or the sub-model's
    /// gradients.
    fn grads_field(&self, f: &ModelField<'_>) -> TokenStream {
        let vis = f.vis;
        let ty = f.ty;
        let (doc, ty) = match f.kind {
            FieldKind::Param => (format!("Gradient of {}.", f.label), quote!(#ty)),
            _ => {
                let module = self.module_path();
                let doc = format!("Gradients of {} (a sub-model).", f.label);
                (doc, quote_spanned!(ty.span()=> <#ty as #module>::Grads))
            }
        };
        let name = match (&f.grads_member, self.tuple) {
            (Some(Member::Named(name)), false) => quote!(#name:),
            _ => TokenStream::new(),
        };
        quote!(#[doc = #doc] #vis #name #ty)
    }

    /// `_marker: PhantomData<..>` for the type and lifetime parameters that no gradient field
    /// uses (nothing if none).
    fn grads_marker(&self) -> TokenStream {
        let types: Vec<&Type> = self
            .fields
            .iter()
            .filter(|f| f.has_grads())
            .map(|f| f.ty)
            .collect();
        let (tys, lifetimes) = self.names.unused_in(&types);
        if tys.is_empty() && lifetimes.is_empty() {
            return TokenStream::new();
        }
        let lifetimes = lifetimes.iter().map(|l| syn::Lifetime {
            apostrophe: Span::call_site(),
            ident: (*l).clone(),
        });
        let ty = quote! {
            ::core::marker::PhantomData<fn() -> (#(*const #tys,)* #(&#lifetimes (),)*)>
        };
        if self.tuple { ty } else { quote!(_marker: #ty) }
    }

    fn grads_zeroable_impl(&self) -> TokenStream {
        let k = &self.krate;
        let ident = &self.grads_ident;
        let (impl_generics, ty_generics, _) = self.input.generics.split_for_impl();
        let bounds = self.grads_bounds();
        let where_clause = bounds.where_clause(self.own_where());
        let assertions = bounds.assertions();
        quote! {
            // SAFETY: every field is a `Zeroable` tensor, a sub-model's `Grads` (which `Module`
            // requires to be `Zeroable`) or a `PhantomData`.
            #[automatically_derived]
            unsafe impl #impl_generics #k::Zeroable for #ident #ty_generics #where_clause {}
            #assertions
        }
    }

    // ---- Params<E> ----

    fn params_impl(&self) -> TokenStream {
        let k = &self.krate;
        let e = &self.elem.ty;
        let ident = &self.input.ident;
        let mut generics = self.input.generics.clone();
        if let Some(fresh) = &self.elem.fresh {
            generics.params.push(syn::parse_quote!(#fresh));
        }
        let (impl_generics, _, _) = generics.split_for_impl();
        let (_, ty_generics, _) = self.input.generics.split_for_impl();
        let bounds = self.params_bounds();
        let where_clause = bounds.where_clause(self.own_where());
        let assertions = bounds.assertions();
        let params = self.count(|f| self.param_count(f));
        let stored = self.count(|f| self.stored_count(f));
        let visit = self.visit_fn(false);
        let visit_mut = self.visit_fn(true);
        let zip = self.zip_params_fn();
        let init = self.init_fn();
        let tensors = self.tensors_impl();
        quote! {
            #[automatically_derived]
            impl #impl_generics #k::nn::Params<#e> for #ident #ty_generics #where_clause {
                const PARAMS: usize = #params;
                const STORED: usize = #stored;
                #visit
                #visit_mut
                #zip
                #init
            }
            #assertions
            #tensors
        }
    }

    /// `Ty: Param<E>`, `Ty: Stored<E>`, `Ty: Params<E>` for the fields of each kind.
    fn params_bounds(&self) -> Bounds {
        let (k, e) = (&self.krate, &self.elem.ty);
        let mut bounds = Bounds::default();
        for f in &self.fields {
            let bound = match f.kind {
                FieldKind::Param => quote!(#k::nn::Param<#e>),
                FieldKind::State => quote!(#k::nn::Stored<#e>),
                FieldKind::Sub => quote!(#k::nn::Params<#e>),
                FieldKind::Skip => continue,
            };
            let generic = self.elem.generic || self.names.mentioned_in(f.ty);
            bounds.require(f.ty, &bound, generic);
        }
        bounds
    }

    /// A sum over the fields (`0` if no field counts).
    fn count(&self, term: impl Fn(&ModelField<'_>) -> Option<TokenStream>) -> TokenStream {
        let terms: Vec<TokenStream> = self.fields.iter().filter_map(term).collect();
        if terms.is_empty() {
            quote!(0)
        } else {
            quote!(#(#terms)+*)
        }
    }

    fn param_count(&self, f: &ModelField<'_>) -> Option<TokenStream> {
        let (k, e, ty) = (&self.krate, &self.elem.ty, f.ty);
        match f.kind {
            FieldKind::Param => Some(quote_spanned!(ty.span()=> <#ty as #k::nn::Stored<#e>>::LEN)),
            FieldKind::Sub => Some(quote_spanned!(ty.span()=> <#ty as #k::nn::Params<#e>>::PARAMS)),
            FieldKind::State | FieldKind::Skip => None,
        }
    }

    fn stored_count(&self, f: &ModelField<'_>) -> Option<TokenStream> {
        let (k, e, ty) = (&self.krate, &self.elem.ty, f.ty);
        match f.kind {
            FieldKind::Param | FieldKind::State => {
                Some(quote_spanned!(ty.span()=> <#ty as #k::nn::Stored<#e>>::LEN))
            }
            FieldKind::Sub => Some(quote_spanned!(ty.span()=> <#ty as #k::nn::Params<#e>>::STORED)),
            FieldKind::Skip => None,
        }
    }

    /// `visit` or `visit_mut`: every stored tensor in declaration order, sub-models recursively.
    fn visit_fn(&self, mutable: bool) -> TokenStream {
        let (k, e) = (&self.krate, &self.elem.ty);
        let (method, entry, values, this, by_ref) = if mutable {
            (
                quote!(visit_mut),
                quote!(EntryMut),
                quote!(values_mut),
                quote!(&mut self),
                quote!(&mut),
            )
        } else {
            (
                quote!(visit),
                quote!(Entry),
                quote!(values),
                quote!(&self),
                quote!(&),
            )
        };
        let stmts: Vec<TokenStream> = self
            .fields
            .iter()
            .filter_map(|f| {
                let (ty, member, segment) = (f.ty, &f.member, &f.segment);
                let kind = match f.kind {
                    FieldKind::Param => quote!(Trainable),
                    FieldKind::State => quote!(State),
                    FieldKind::Sub => {
                        return Some(quote_spanned! {ty.span()=>
                            <#ty as #k::nn::Params<#e>>::#method(#by_ref self.#member, &name.#segment, f);
                        });
                    }
                    FieldKind::Skip => return None,
                };
                Some(quote_spanned! {ty.span()=>
                    {
                        let name = name.#segment;
                        f(#k::nn::#entry {
                            name: &name,
                            kind: #k::nn::Kind::#kind,
                            dims: <#ty as #k::nn::Stored<#e>>::DIMS,
                            values: <#ty as #k::nn::Stored<#e>>::#values(#by_ref self.#member),
                        });
                    }
                })
            })
            .collect();
        let [name, f] = used_args(!stmts.is_empty(), [quote!(name), quote!(f)]);
        quote! {
            fn #method(
                #this,
                #name: &#k::nn::Name<'_>,
                #f: &mut impl ::core::ops::FnMut(#k::nn::#entry<'_, #e>),
            ) {
                #(#stmts)*
            }
        }
    }

    /// `zip_params`: each trainable tensor with its gradient and optimizer states.
    fn zip_params_fn(&self) -> TokenStream {
        let (k, e) = (&self.krate, &self.elem.ty);
        let stmts: Vec<TokenStream> = self
            .fields
            .iter()
            .filter_map(|f| {
                let (ty, member, grad) = (f.ty, &f.member, f.grads_member.as_ref()?);
                let param = quote_spanned!(ty.span()=> <#ty as #k::nn::Param<#e>>);
                Some(match f.kind {
                    FieldKind::Param => quote_spanned! {ty.span()=>
                        f(
                            #param::elems_mut(&mut self.#member),
                            #param::elems(&grads.#grad),
                            state.each_mut().map(|s| #param::elems_mut(&mut s.#grad)),
                        );
                    },
                    _ => quote_spanned! {ty.span()=>
                        <#ty as #k::nn::Params<#e>>::zip_params(
                            &mut self.#member,
                            &grads.#grad,
                            state.each_mut().map(|s| &mut s.#grad),
                            f,
                        );
                    },
                })
            })
            .collect();
        let [grads, state, f] = used_args(
            !stmts.is_empty(),
            [quote!(grads), quote!(mut state), quote!(f)],
        );
        quote! {
            fn zip_params<const __N: usize>(
                &mut self,
                #grads: &Self::Grads,
                #state: [&mut Self::Grads; __N],
                #f: &mut impl ::core::ops::FnMut(&mut [#e], &[#e], [&mut [#e]; __N]),
            ) {
                #(#stmts)*
            }
        }
    }

    /// `Tensors<E>` for the gradient struct: its tensors in the order of `zip_params`.
    fn tensors_impl(&self) -> TokenStream {
        if !self.has_grads() {
            return TokenStream::new();
        }
        let (k, e) = (&self.krate, &self.elem.ty);
        let ident = &self.grads_ident;
        let mut generics = self.input.generics.clone();
        if let Some(fresh) = &self.elem.fresh {
            generics.params.push(syn::parse_quote!(#fresh));
        }
        let (impl_generics, _, _) = generics.split_for_impl();
        let (_, ty_generics, _) = self.input.generics.split_for_impl();
        let mut bounds = self.params_bounds();
        bounds.extend(self.grads_bounds());
        let where_clause = bounds.where_clause(self.own_where());
        let walk = |mutable: bool| -> Vec<TokenStream> {
            let (method, elems, by_ref) = if mutable {
                (quote!(visit_mut), quote!(elems_mut), quote!(&mut))
            } else {
                (quote!(visit), quote!(elems), quote!(&))
            };
            self.fields
                .iter()
                .filter_map(|f| {
                    let (ty, grad) = (f.ty, f.grads_member.as_ref()?);
                    Some(match f.kind {
                        FieldKind::Param => quote_spanned! {ty.span()=>
                            f(<#ty as #k::nn::Param<#e>>::#elems(#by_ref self.#grad));
                        },
                        _ => quote_spanned! {ty.span()=>
                            <<#ty as #k::nn::Module>::Grads as #k::nn::Tensors<#e>>::#method(
                                #by_ref self.#grad, f,
                            );
                        },
                    })
                })
                .collect()
        };
        let len: Vec<TokenStream> = self
            .fields
            .iter()
            .filter(|f| f.has_grads())
            .map(|f| {
                let ty = f.ty;
                match f.kind {
                    FieldKind::Param => quote!(<#ty as #k::nn::Stored<#e>>::LEN),
                    _ => quote!(<<#ty as #k::nn::Module>::Grads as #k::nn::Tensors<#e>>::LEN),
                }
            })
            .collect();
        let (visit, visit_mut) = (walk(false), walk(true));
        quote! {
            #[automatically_derived]
            impl #impl_generics #k::nn::Tensors<#e> for #ident #ty_generics #where_clause {
                const LEN: usize = #(#len)+*;
                fn visit(&self, f: &mut impl ::core::ops::FnMut(&[#e])) {
                    #(#visit)*
                }
                fn visit_mut(&mut self, f: &mut impl ::core::ops::FnMut(&mut [#e])) {
                    #(#visit_mut)*
                }
            }
        }
    }

    /// `init`: the `#[params(init = path)]` function, else every sub-model's `init` in order;
    /// nothing (the trait's default) without either.
    fn init_fn(&self) -> TokenStream {
        let (k, e) = (&self.krate, &self.elem.ty);
        let body = if let Some(path) = &self.attr.init {
            quote_spanned!(path.span()=> #path(self, scheme, rng);)
        } else {
            let subs: Vec<TokenStream> = self
                .of_kind(FieldKind::Sub)
                .map(|f| {
                    let (ty, member) = (f.ty, &f.member);
                    quote_spanned! {ty.span()=>
                        <#ty as #k::nn::Params<#e>>::init(&mut self.#member, scheme, rng);
                    }
                })
                .collect();
            if subs.is_empty() {
                return TokenStream::new();
            }
            quote!(#(#subs)*)
        };
        quote! {
            fn init(&mut self, scheme: #k::init::Scheme, rng: &mut #k::rand::Rng)
            where
                #e: #k::Real,
            {
                #body
            }
        }
    }
}

/// The argument names, or `_` for each when the body uses none.
fn used_args<const N: usize>(used: bool, names: [TokenStream; N]) -> [TokenStream; N] {
    if used {
        names
    } else {
        names.map(|_| quote!(_))
    }
}

/// Reads the fields' attributes and names.
fn model_fields(fields: &Fields) -> Result<Vec<ModelField<'_>>> {
    let mut grads_index = 0;
    let mut out = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let kind = FieldKind::of_field(field)?;
        let (member, segment, label) = match &field.ident {
            Some(ident) => {
                let name = ident.unraw().to_string();
                let segment = quote!(field(#name));
                (Member::Named(ident.clone()), segment, format!("`{name}`"))
            }
            None => {
                let segment = quote!(index(#index));
                (
                    Member::Unnamed(index.into()),
                    segment,
                    format!("field {index}"),
                )
            }
        };
        let mut field = ModelField {
            ty: &field.ty,
            vis: &field.vis,
            kind,
            grads_member: None,
            member,
            segment,
            label,
        };
        if field.has_grads() {
            field.grads_member = Some(match &field.member {
                Member::Named(ident) => Member::Named(ident.clone()),
                Member::Unnamed(_) => Member::Unnamed(grads_index.into()),
            });
            grads_index += 1;
        }
        out.push(field);
    }
    Ok(out)
}

/// The element type: `#[params(elem = ..)]`, else the parameter `T`, else (without tensor fields)
/// a fresh parameter `__E`.
fn resolve_elem(
    input: &DeriveInput,
    attr: &ParamsAttr,
    fields: &[ModelField<'_>],
    names: &GenericNames,
) -> Result<Elem> {
    if let Some(ty) = &attr.elem {
        return Ok(Elem {
            ty: quote!(#ty),
            fresh: None,
            generic: names.mentioned_in(ty),
        });
    }
    if input.generics.type_params().any(|p| p.ident == "T") {
        return Ok(Elem {
            ty: quote!(T),
            fresh: None,
            generic: true,
        });
    }
    let has_tensor = fields
        .iter()
        .any(|f| matches!(f.kind, FieldKind::Param | FieldKind::State));
    if has_tensor {
        let msg = format!(
            "`#[derive(Params)]` cannot tell the element type of `{}`: it has `#[param]` or \
             `#[state]` fields but no type parameter `T`; name it with `#[params(elem = f32)]`",
            input.ident
        );
        return Err(Error::new(input.ident.span(), msg));
    }
    let fresh = Ident::new("__E", Span::call_site());
    Ok(Elem {
        ty: quote!(#fresh),
        fresh: Some(fresh),
        generic: true,
    })
}
