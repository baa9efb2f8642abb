//! Dotted tensor names built on the stack: `"0.weight"`, `"features.3.running_mean"`.
//!
//! A [`Name`] is a linked list of segments that lives in the visiting functions' stack frames, so
//! naming every tensor of a model needs no allocator. It prints with `Display` and compares with a
//! `&str` ([`Name::matches`]) without building a string.

use core::fmt;

/// One segment of a tensor name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A struct field: `weight`, `head`.
    Field(&'static str),
    /// A position in a tuple model (PyTorch's `nn.Sequential` numbering): `0`, `3`.
    Index(usize),
}

/// A tensor's dotted name: a segment and the name of what contains it.
#[derive(Clone, Copy, Debug)]
pub struct Name<'a> {
    parent: Option<&'a Name<'a>>,
    segment: Option<Segment>,
}

impl<'a> Name<'a> {
    /// The empty name of a whole model.
    pub const ROOT: Name<'static> = Name {
        parent: None,
        segment: None,
    };

    /// `self.field`.
    pub const fn field(&'a self, field: &'static str) -> Name<'a> {
        Name {
            parent: Some(self),
            segment: Some(Segment::Field(field)),
        }
    }

    /// `self.index`.
    pub const fn index(&'a self, index: usize) -> Name<'a> {
        Name {
            parent: Some(self),
            segment: Some(Segment::Index(index)),
        }
    }

    /// Whether this name prints as `text` (no allocation).
    pub fn matches(&self, text: &str) -> bool {
        self.strip_from(text) == Some("")
    }

    /// The rest of `text` after this name, if `text` starts with it.
    fn strip_from<'t>(&self, text: &'t str) -> Option<&'t str> {
        let rest = match self.parent {
            Some(parent) => parent.strip_from(text)?,
            None => text,
        };
        let Some(segment) = self.segment else {
            return Some(rest);
        };
        let rest = match self.parent {
            Some(p) if !p.is_root() => rest.strip_prefix('.')?,
            _ => rest,
        };
        match segment {
            Segment::Field(f) => rest.strip_prefix(f),
            Segment::Index(i) => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let (num, tail) = rest.split_at(digits);
                (digits > 0 && num.parse() == Ok(i) && (digits == 1 || !num.starts_with('0')))
                    .then_some(tail)
            }
        }
    }

    /// Whether this is the empty root name.
    pub const fn is_root(&self) -> bool {
        self.segment.is_none()
    }

    /// The last segment (`None` for the root).
    pub const fn last(&self) -> Option<Segment> {
        self.segment
    }
}

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent
            && !parent.is_root()
        {
            write!(f, "{parent}.")?;
        }
        match self.segment {
            Some(Segment::Field(s)) => f.write_str(s),
            Some(Segment::Index(i)) => write!(f, "{i}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn prints_and_matches_dotted_paths() {
        let root = Name::ROOT;
        let one = root.index(1);
        let two = one.index(2);
        let bias = two.field("bias");
        assert!(bias.matches("1.2.bias"));
        assert!(!bias.matches("1.2.bia"));
        assert!(!bias.matches("1.2.biass"));
        assert!(!bias.matches("12.bias"));
        assert!(!bias.matches("1.02.bias"));
        assert!(root.matches(""));
        let w = root.field("weight");
        assert!(w.matches("weight"));
        #[cfg(feature = "std")]
        {
            extern crate std;
            use std::string::ToString;
            assert_eq!(bias.to_string(), "1.2.bias");
            assert_eq!(w.to_string(), "weight");
        }
    }
}
