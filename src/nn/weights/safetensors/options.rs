//! How file keys and layouts map onto a model: renaming rules, extra tensors, transposition.

use core::fmt;

use super::json::{Key, KeyChars};
use crate::nn::weights::label::write_name;
use crate::nn::{Entry, Kind, Name, Params, Segment};

/// A rule saying whether a model tensor is stored transposed in the file: it gets the tensor's
/// name, kind and dims (in the library's layout).
pub type TransposeRule = fn(name: &Name<'_>, kind: Kind, dims: &'static [usize]) -> bool;

/// How the model's rank-2 tensors are laid out in the file (other ranks are never transposed).
#[derive(Clone, Copy, Debug)]
pub enum Layout {
    /// PyTorch's: a `Linear` weight is `(out, in)` in PyTorch and `(in, out)` in `shaped`, so it
    /// is transposed. A `Linear` is recognised by its shape: a rank-2 parameter named `weight`
    /// `(I, O)` with a parameter `bias` of `(O,)` beside it in the same layer (names up to 256
    /// bytes). Every other tensor has the same layout in both: `Conv2d` weights are
    /// `(F, C, KH, KW)`, an `Embedding` table `(V, D)` (no bias), BatchNorm's are vectors.
    Torch,
    /// Nothing is transposed: files written by `shaped` for `shaped`.
    AsIs,
    /// A rank-2 tensor is transposed when the rule says so (for layers of your own).
    Custom(TransposeRule),
}

/// How a file's tensors map onto a model's, for loading and saving.
///
/// ```
/// use shaped::nn::weights::safetensors::Options;
/// // A file saved from `model.features` and `model.classifier` in PyTorch, loaded into a
/// // `shaped` chain `(features, classifier)`:
/// let opts = Options::TORCH
///     .rename(&[("features.", "0."), ("classifier.", "1.")])
///     .allow_extra(false);
/// # let _ = opts;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// Prefix rules `(file, model)`: a file key that starts with `file` is the model tensor
    /// named `model` followed by the rest of the key (`("model.", "")` strips a prefix). The
    /// first rule that applies wins; keys no rule applies to are used as they are. Saving applies
    /// the rules the other way: a model name starting with `model` is written as `file` + rest.
    pub rename: &'a [(&'a str, &'a str)],
    /// Whether file tensors the model does not have are ignored (otherwise refused with
    /// [`Extra`](super::SafetensorsError::Extra)).
    pub allow_extra: bool,
    /// Which model tensors the file holds transposed.
    pub layout: Layout,
}

impl<'a> Options<'a> {
    /// PyTorch's names (a `state_dict` of an `nn.Sequential` has the same dotted names as a
    /// tuple chain) and layouts ([`Layout::Torch`]); extra tensors are refused.
    pub const TORCH: Options<'static> = Options {
        rename: &[],
        allow_extra: false,
        layout: Layout::Torch,
    };

    /// Names as they are, no transposition, extras refused.
    pub const AS_IS: Options<'static> = Options {
        rename: &[],
        allow_extra: false,
        layout: Layout::AsIs,
    };

    /// With these renaming rules.
    pub const fn rename<'b>(self, rules: &'b [(&'b str, &'b str)]) -> Options<'b>
    where
        'a: 'b,
    {
        Options {
            rename: rules,
            allow_extra: self.allow_extra,
            layout: self.layout,
        }
    }

    /// Ignoring (`true`) or refusing (`false`) file tensors the model does not have.
    pub const fn allow_extra(mut self, allow: bool) -> Self {
        self.allow_extra = allow;
        self
    }

    /// With another layout.
    pub const fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Whether the model tensor `e` of `model` is stored transposed.
    pub(crate) fn transposes<T, M: Params<T>>(&self, model: &M, e: &Entry<'_, T>) -> bool {
        if e.dims.len() != 2 {
            return false;
        }
        match self.layout {
            Layout::AsIs => false,
            Layout::Custom(rule) => rule(e.name, e.kind, e.dims),
            Layout::Torch => {
                let weight = Segment::Field("weight");
                if e.kind == Kind::State || e.name.last() != Some(weight) {
                    return false;
                }
                let mut bias = false;
                model.visit(&Name::ROOT, &mut |b| {
                    bias = bias
                        || (b.kind != Kind::State
                            && b.name.last() == Some(Segment::Field("bias"))
                            && b.dims == [e.dims[1]]
                            && siblings(e.name, b.name));
                });
                bias
            }
        }
    }

    /// The model name a file key stands for, as characters.
    pub(crate) fn model_name<'k>(
        &self,
        key: &Key<'k>,
    ) -> core::iter::Chain<core::str::Chars<'a>, KeyChars<'k>> {
        for &(file, model) in self.rename {
            let mut rest = key.chars();
            if file.chars().all(|c| rest.next() == Some(c)) {
                return model.chars().chain(rest);
            }
        }
        "".chars().chain(key.chars())
    }

    /// Whether the file key `key` names the model tensor `name`.
    pub(crate) fn names(&self, key: &Key<'_>, name: &Name<'_>) -> bool {
        matches(name, self.model_name(key))
    }

    /// Writes the file key of the model tensor `name`.
    pub(crate) fn write_key(&self, name: &Name<'_>, out: &mut impl fmt::Write) -> fmt::Result {
        for &(file, model) in self.rename {
            if starts_with(name, model) {
                out.write_str(file)?;
                let mut skip = Skip {
                    out,
                    skip: model.len(),
                };
                return fmt::write(&mut skip, format_args!("{name}"));
            }
        }
        write!(out, "{name}")
    }
}

/// Whether two names differ only in their last segment (`"3.weight"`, `"3.bias"`).
fn siblings(a: &Name<'_>, b: &Name<'_>) -> bool {
    let (mut x, mut y) = ([0u8; 256], [0u8; 256]);
    let (Some(n), Some(m)) = (write_name(a, &mut x), write_name(b, &mut y)) else {
        return false;
    };
    let cut = |s: &[u8]| s.iter().rposition(|&c| c == b'.').unwrap_or(0);
    let (x, y) = (&x[..n], &y[..m]);
    x[..cut(x)] == y[..cut(y)]
}

/// Whether `name` prints exactly as `chars`, without building the string.
fn matches(name: &Name<'_>, chars: impl Iterator<Item = char>) -> bool {
    struct Cmp<I>(I);
    impl<I: Iterator<Item = char>> fmt::Write for Cmp<I> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            if s.chars().all(|c| self.0.next() == Some(c)) {
                Ok(())
            } else {
                Err(fmt::Error)
            }
        }
    }
    let mut cmp = Cmp(chars);
    fmt::write(&mut cmp, format_args!("{name}")).is_ok() && cmp.0.next().is_none()
}

/// Whether `name` prints starting with `prefix`.
fn starts_with(name: &Name<'_>, prefix: &str) -> bool {
    struct Prefix<'p>(&'p [u8]);
    impl fmt::Write for Prefix<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let n = self.0.len().min(s.len());
            if self.0[..n] != s.as_bytes()[..n] {
                return Err(fmt::Error);
            }
            self.0 = &self.0[n..];
            Ok(())
        }
    }
    let mut p = Prefix(prefix.as_bytes());
    fmt::write(&mut p, format_args!("{name}")).is_ok() && p.0.is_empty()
}

/// Passes text on after its first `skip` bytes (a prefix of whole characters).
struct Skip<'w, W> {
    out: &'w mut W,
    skip: usize,
}

impl<W: fmt::Write> fmt::Write for Skip<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = self.skip.min(s.len());
        self.skip -= n;
        self.out.write_str(s.get(n..).ok_or(fmt::Error)?)
    }
}
