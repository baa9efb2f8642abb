//! How file keys and layouts map onto a model: renaming rules, extra tensors, transposition.

use core::fmt;

use super::json::{Key, KeyChars};
use crate::nn::{Kind, Name};

/// Whether a model tensor is stored transposed in the file (see [`Options::transpose`]).
pub type TransposeRule = fn(name: &Name<'_>, kind: Kind, dims: &'static [usize]) -> bool;

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
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Prefix rules `(file, model)`: a file key that starts with `file` is the model tensor
    /// named `model` followed by the rest of the key (`("model.", "")` strips a prefix). The
    /// first rule that applies wins; keys no rule applies to are used as they are. Saving applies
    /// the rules the other way: a model name starting with `model` is written as `file` + rest.
    pub rename: &'a [(&'a str, &'a str)],
    /// Whether file tensors the model does not have are ignored (otherwise refused with
    /// [`Extra`](super::SafetensorsError::Extra)).
    pub allow_extra: bool,
    /// Which model tensors the file holds transposed. Only rank-2 tensors can be: the rule is
    /// not asked about others.
    pub transpose: TransposeRule,
}

impl fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("rename", &self.rename)
            .field("allow_extra", &self.allow_extra)
            .finish_non_exhaustive()
    }
}

/// PyTorch's layouts: a rank-2 parameter is a `Linear` weight, which `shaped` stores `(in, out)`
/// and PyTorch `(out, in)`. Every other tensor has the same layout in both (`Conv2d` weights are
/// `(F, C, KH, KW)` in both, BatchNorm tensors are vectors and a counter).
///
/// The library has no other rank-2 parameter. A user layer whose rank-2 parameter is stored in
/// PyTorch's order already needs a rule of its own that returns `false` for it.
pub fn torch_layout(_: &Name<'_>, kind: Kind, dims: &'static [usize]) -> bool {
    kind != Kind::State && dims.len() == 2
}

/// No tensor is transposed: files written by `shaped` for `shaped`, or by a tool that uses the
/// library's layouts.
pub fn same_layout(_: &Name<'_>, _: Kind, _: &'static [usize]) -> bool {
    false
}

impl<'a> Options<'a> {
    /// PyTorch's names (a `state_dict` of an `nn.Sequential` has the same dotted names as a
    /// tuple chain) and layouts ([`torch_layout`]); extra tensors are refused.
    pub const TORCH: Options<'static> = Options {
        rename: &[],
        allow_extra: false,
        transpose: torch_layout,
    };

    /// Names as they are, no transposition, extras refused.
    pub const AS_IS: Options<'static> = Options {
        rename: &[],
        allow_extra: false,
        transpose: same_layout,
    };

    /// With these renaming rules.
    pub const fn rename<'b>(self, rules: &'b [(&'b str, &'b str)]) -> Options<'b>
    where
        'a: 'b,
    {
        Options {
            rename: rules,
            allow_extra: self.allow_extra,
            transpose: self.transpose,
        }
    }

    /// Ignoring (`true`) or refusing (`false`) file tensors the model does not have.
    pub const fn allow_extra(mut self, allow: bool) -> Self {
        self.allow_extra = allow;
        self
    }

    /// With another transposition rule.
    pub const fn transpose(mut self, rule: TransposeRule) -> Self {
        self.transpose = rule;
        self
    }

    /// Whether `name` is stored transposed.
    pub(crate) fn transposes(&self, name: &Name<'_>, kind: Kind, dims: &'static [usize]) -> bool {
        dims.len() == 2 && (self.transpose)(name, kind, dims)
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
