//! Generates `chain.rs`: the layer contracts for tuples of 2..=MAX layers (see `src/nn/chain`).
//!
//! A tuple `(L0, .., Ln-1)` runs its layers in order. The intermediate activations `H0..Hn-2` are
//! pinned by `Output =` bindings, so a chain type-checks only if every layer accepts what the
//! previous one produces, and the first mismatch is reported by the receiving layer's own check.
//! Each arity is one instance of the templates below; nothing else is generated.

use std::fmt::Write;

/// Longest tuple that is a model; longer models nest tuples.
pub const MAX: usize = 16;

/// Tuples of `MAX + 1..=TOO_LONG` layers get impls whose bound fails with a sentence naming the
/// limit (`ChainLength`, src/nn/chain), instead of "trait not implemented" and a list of arities.
pub const TOO_LONG: usize = 32;

pub fn generate() -> String {
    let mut out = String::new();
    for n in 2..=MAX {
        arity(&mut out, n);
    }
    writeln!(
        out,
        "/// The limit on layers in one tuple, as a sentence: a tuple of {a} to {TOO_LONG} layers is a
/// layer only under this bound, which never holds (write longer models as nested tuples).
#[diagnostic::on_unimplemented(
    message = \"shape error (chain length): a tuple of layers holds at most {MAX} layers, this one has {{N}}\",
    label = \"too many layers in one tuple\",
    note = \"nest tuples for longer models: `((L0, .., L{b}), L{MAX}, ..)` is a chain whose first layer is a chain\"
)]
pub trait ChainLength<const N: usize, L0> {{}}",
        a = MAX + 1,
        b = MAX - 1,
    )
    .unwrap();
    for n in MAX + 1..=TOO_LONG {
        too_long(&mut out, n);
    }
    out
}

/// Every contract a chain has, for a tuple too long to be one, each bound by `ChainLength<n>`
/// (which has no impls), so naming such a model reports the limit once.
fn too_long(out: &mut String, n: usize) {
    let layers = list(n, |i| format!("L{i}"));
    let bound = format!("where (): ChainLength<{n}, L0>");
    writeln!(
        out,
        "impl<X, {layers}> Infer<X> for ({layers},) {bound} {{
    type Output = ();
    type Scratch = ();
    fn infer(&self, _: &X, _: &mut (), _: &mut ()) {{}}
}}
impl<{layers}> Module for ({layers},) {bound} {{
    type Grads = ();
    type Trainable = No;
}}
impl<X, {layers}> Train<X> for ({layers},) {bound} {{
    type Cache = ();
    fn forward(&mut self, _: &X, _: Ctx, _: &mut (), _: &mut ()) {{}}
    fn backward(&self, _: &X, _: &mut (), _: &(), _: Option<&mut X>, _: Option<&mut ()>) {{}}
}}
impl<T, {layers}> Params<T> for ({layers},) {bound} {{
    const PARAMS: usize = 0;
    const STORED: usize = 0;
    fn visit(&self, _: &Name<'_>, _: &mut impl FnMut(Entry<'_, T>)) {{}}
    fn visit_mut(&mut self, _: &Name<'_>, _: &mut impl FnMut(EntryMut<'_, T>)) {{}}
    fn zip_params<const N: usize>(&mut self, _: &(), _: [&mut (); N], _: &mut impl FnMut(&mut [T], &[T], [&mut [T]; N])) {{}}
}}
// SAFETY: never holds (`ChainLength` has no impls).
unsafe impl<{layers}> Zeroable for ({layers},) {bound} {{}}
"
    )
    .unwrap();
}

fn list(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(f).collect::<Vec<_>>().join(", ")
}

/// A right-nested union type of `items` (`Max<A, Max<B, C>>`), or the single item.
fn max_of(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        [first, rest @ ..] => format!("Max<{first}, {}>", max_of(rest)),
        [] => "()".into(),
    }
}

/// The where-clause of a chain of `n` layers for one contract: the first layer through `first`
/// (`{output}` stands for its `Output =` binding), every later one as `Li: contract<H(i-1)>`, each
/// activation `Pod`.
fn chain_bounds(n: usize, first: &str, contract: &str) -> String {
    let last = n - 1;
    let mut bounds = String::new();
    for i in 0..n {
        let output = if i < last {
            format!(", Output = H{i}")
        } else {
            String::new()
        };
        if i == 0 {
            // The first layer through the input, whose `Self` is the input (see src/nn/chain).
            writeln!(bounds, "    {},", first.replace("{output}", &output)).unwrap();
        } else {
            writeln!(bounds, "    L{i}: {contract}<H{}{output}>,", i - 1).unwrap();
        }
        if i < last {
            writeln!(bounds, "    H{i}: Pod,").unwrap();
        }
    }
    bounds
}

fn arity(out: &mut String, n: usize) {
    let last = n - 1;
    let layers = list(n, |i| format!("L{i}"));
    let hs = list(n - 1, |i| format!("H{i}"));
    // What is alive at once: one activation (n = 2), or each consecutive pair.
    let pairs: Vec<String> = if n == 2 {
        vec!["H0".into()]
    } else {
        (1..n - 1)
            .map(|i| format!("Both<H{}, H{i}>", i - 1))
            .collect()
    };
    let acts = max_of(&pairs);
    let input = |i: usize| {
        if i == 0 {
            "X".to_string()
        } else {
            format!("H{}", i - 1)
        }
    };

    // ---- Infer
    let bounds = chain_bounds(n, "X: Input<L0{output}>", "Infer");
    let scratches: Vec<String> = (0..n)
        .map(|i| {
            if i == 0 {
                "<X as Input<L0>>::Scratch".to_string()
            } else {
                format!("<L{i} as Infer<{}>>::Scratch", input(i))
            }
        })
        .collect();
    let mut body = String::new();
    for i in 0..n {
        let x = if i == 0 {
            "x".to_string()
        } else if i == last {
            format!("acts.at::<H{}>({})", i - 1, (i - 1) % 2)
        } else {
            String::new()
        };
        let line = if n == 2 || i == 0 {
            if i == 0 {
                "<X as Input<L0>>::infer(&self.0, x, layer.at_mut(0), acts.at_mut::<H0>(0));"
                    .to_string()
            } else {
                format!("self.{i}.infer({x}, layer.at_mut(0), y);")
            }
        } else if i == last {
            format!("self.{i}.infer({x}, layer.at_mut(0), y);")
        } else {
            format!(
                "{{ let (h, o) = acts.split::<H{}, H{i}>({}); self.{i}.infer(h, layer.at_mut(0), o); }}",
                i - 1,
                (i - 1) % 2
            )
        };
        writeln!(body, "        {line}").unwrap();
    }
    writeln!(
        out,
        "impl<X, {layers}, {hs}> Infer<X> for ({layers},)
where
{bounds}{{
    type Output = <L{last} as Infer<H{pl}>>::Output;
    type Scratch = ChainScratch<{acts}, {layer_u}>;

    #[inline]
    fn infer(&self, x: &X, scratch: &mut Self::Scratch, y: &mut Self::Output) {{
        let (acts, layer) = scratch.parts();
{body}    }}
}}
",
        pl = last - 1,
        layer_u = max_of(&scratches),
    )
    .unwrap();

    // ---- Module and Train
    let grads = list(n, |i| format!("L{i}::Grads"));
    // `Either<L0::Trainable, Either<L1::Trainable, ..>>`: trainable if any layer is.
    let trainable = (0..n)
        .rev()
        .map(|i| format!("L{i}::Trainable"))
        .reduce(|rest, t| format!("Either<{t}, {rest}>"))
        .unwrap();
    writeln!(
        out,
        "impl<{layers}> Module for ({layers},)
where
{mb}{{
    type Grads = ({grads},);
    type Trainable = {trainable};
}}
",
        mb = list(n, |i| format!("    L{i}: Module")).replace(", ", ",\n") + ",\n",
    )
    .unwrap();

    let tbounds = chain_bounds(n, "L0: Module,\n    X: TrainInput<L0{output}>", "Train");
    let cache = (0..n)
        .map(|i| {
            let c = if i == 0 {
                "<X as TrainInput<L0>>::Cache".to_string()
            } else {
                format!("<L{i} as Train<{}>>::Cache", input(i))
            };
            if i < last {
                format!("({c}, H{i})")
            } else {
                format!("({c},)")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut fwd = String::new();
    for i in 0..n {
        let x = if i == 0 {
            "x".to_string()
        } else {
            format!("&c.0.{}.1", i - 1)
        };
        let y = if i == last {
            "y".to_string()
        } else {
            format!("&mut c.0.{i}.1")
        };
        let call = if i == 0 {
            "<X as TrainInput<L0>>::forward(&mut self.0, ".to_string()
        } else {
            format!("self.{i}.forward(")
        };
        writeln!(
            fwd,
            "        {call}{x}, ctx.child({i}), &mut c.0.{i}.0, {y});"
        )
        .unwrap();
    }
    // Backward: layer i needs to write its input gradient only if a layer below it is trainable.
    let below = |i: usize| {
        std::iter::once("want".to_string())
            .chain((0..i).map(|j| format!("L{j}::TRAINABLE")))
            .collect::<Vec<_>>()
            .join(" || ")
    };
    let mut bwd = String::new();
    writeln!(
        bwd,
        "        let want = dx.is_some();\n        let (c, d) = (&mut c.0, &mut c.1);"
    )
    .unwrap();
    writeln!(
        bwd,
        "        let need = {};\n        self.{last}.backward(&c.{pl}.1, &mut c.{last}.0, dy, need.then(|| d.at_mut::<H{pl}>({ps})), g.as_deref_mut().map(|g| &mut g.{last}));\n        if !need {{ return; }}",
        below(last),
        pl = last - 1,
        ps = (last - 1) % 2,
    )
    .unwrap();
    for i in (1..last).rev() {
        writeln!(
            bwd,
            "        let need = {};\n        {{ let (dh, dx) = d.split::<H{i}, H{p}>({s}); self.{i}.backward(&c.{p}.1, &mut c.{i}.0, dh, need.then_some(dx), g.as_deref_mut().map(|g| &mut g.{i})); }}\n        if !need {{ return; }}",
            below(i),
            p = i - 1,
            s = i % 2,
        )
        .unwrap();
    }
    writeln!(
        bwd,
        "        <X as TrainInput<L0>>::backward(&self.0, x, &mut c.0.0, d.at::<H0>(0), dx, g.map(|g| &mut g.0));"
    )
    .unwrap();
    writeln!(
        out,
        "impl<X, {layers}, {hs}> Train<X> for ({layers},)
where
{tbounds}{{
    type Cache = (({cache},), Slots<{acts}>);

    #[inline]
    fn forward(&mut self, x: &X, ctx: Ctx, c: &mut Self::Cache, y: &mut Self::Output) {{
{fwd}    }}

    #[inline]
    #[allow(clippy::nonminimal_bool)]
    fn backward(
        &self,
        x: &X,
        c: &mut Self::Cache,
        dy: &Self::Output,
        dx: Option<&mut X>,
        mut g: Option<&mut Self::Grads>,
    ) {{
{bwd}    }}
}}
"
    )
    .unwrap();

    // ---- Params
    let pbounds = list(n, |i| format!("L{i}: Params<T>"));
    let sum = |c: &str| {
        (0..n)
            .map(|i| format!("<L{i} as Params<T>>::{c}"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let each = |f: &dyn Fn(usize) -> String| {
        (0..n)
            .map(|i| format!("        {}\n", f(i)))
            .collect::<String>()
    };
    writeln!(
        out,
        "impl<T, {pbounds}> Params<T> for ({layers},) {{
    const PARAMS: usize = {params};
    const STORED: usize = {stored};

    fn visit(&self, name: &Name<'_>, f: &mut impl FnMut(Entry<'_, T>)) {{
{visit}    }}

    fn visit_mut(&mut self, name: &Name<'_>, f: &mut impl FnMut(EntryMut<'_, T>)) {{
{visit_mut}    }}

    fn zip_params<const N: usize>(
        &mut self,
        grads: &Self::Grads,
        mut state: [&mut Self::Grads; N],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; N]),
    ) {{
{zip}    }}

    fn init(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
    where
        T: crate::Real,
    {{
{init}    }}
}}
",
        params = sum("PARAMS"),
        stored = sum("STORED"),
        visit = each(&|i| format!("<L{i} as Params<T>>::visit(&self.{i}, &name.index({i}), f);")),
        visit_mut = each(&|i| format!("<L{i} as Params<T>>::visit_mut(&mut self.{i}, &name.index({i}), f);")),
        zip = each(&|i| format!(
            "<L{i} as Params<T>>::zip_params(&mut self.{i}, &grads.{i}, state.each_mut().map(|s| &mut s.{i}), f);"
        )),
        init = each(&|i| format!("<L{i} as Params<T>>::init(&mut self.{i}, scheme, rng);")),
    )
    .unwrap();
}
