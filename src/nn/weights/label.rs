//! A tensor name kept inside an error without an allocator: up to [`TensorName::CAPACITY`]
//! bytes inline, cut at a character boundary and shown with `…` when longer.

use core::fmt;

use crate::nn::Name;

/// A tensor's dotted name (`"2.weight"`), copied into a fixed inline buffer so that errors can
/// carry it: model names live on the visitor's stack and file names in the caller's bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TensorName {
    bytes: [u8; TensorName::CAPACITY],
    len: u8,
    cut: bool,
}

impl TensorName {
    /// Bytes kept; longer names are cut (at a character boundary) and shown with `…`.
    pub const CAPACITY: usize = 64;

    const EMPTY: TensorName = TensorName {
        bytes: [0; TensorName::CAPACITY],
        len: 0,
        cut: false,
    };

    /// The name of a model tensor.
    pub fn of(name: &Name<'_>) -> TensorName {
        let mut out = TensorName::EMPTY;
        // `write_str` below never fails: it keeps what fits and marks the rest as cut.
        let _ = fmt::write(&mut out, format_args!("{name}"));
        out
    }

    /// A name read from a file (or any text).
    pub fn from_text(text: &str) -> TensorName {
        let mut out = TensorName::EMPTY;
        let _ = fmt::Write::write_str(&mut out, text);
        out
    }

    /// The kept part of the name.
    pub fn as_str(&self) -> &str {
        // Only whole characters are ever copied in, so this never falls back.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }

    /// Whether the name was longer than [`TensorName::CAPACITY`] bytes and was cut.
    pub fn is_cut(&self) -> bool {
        self.cut
    }
}

impl fmt::Write for TensorName {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let at = usize::from(self.len);
            if self.cut || at + c.len_utf8() > TensorName::CAPACITY {
                self.cut = true;
                return Ok(());
            }
            c.encode_utf8(&mut self.bytes[at..]);
            self.len += c.len_utf8() as u8;
        }
        Ok(())
    }
}

impl fmt::Display for TensorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.cut {
            f.write_str("…")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TensorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Writes a model name into `out` through `Display`, without an allocator; returns the bytes
/// written, or `None` if `out` is too small.
pub(crate) fn write_name(name: &Name<'_>, out: &mut [u8]) -> Option<usize> {
    struct Slice<'a> {
        out: &'a mut [u8],
        at: usize,
    }
    impl fmt::Write for Slice<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.at.checked_add(s.len()).ok_or(fmt::Error)?;
            self.out
                .get_mut(self.at..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.at = end;
            Ok(())
        }
    }
    let mut w = Slice { out, at: 0 };
    fmt::write(&mut w, format_args!("{name}")).ok()?;
    Some(w.at)
}

/// The length of a model name in bytes, counted through `Display`.
pub(crate) fn name_len(name: &Name<'_>) -> usize {
    struct Count(usize);
    impl fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 = self.0.saturating_add(s.len());
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = fmt::write(&mut c, format_args!("{name}"));
    c.0
}

#[cfg(test)]
mod tests {
    use super::TensorName;

    #[test]
    fn long_names_are_cut_at_a_character_boundary() {
        // "a" then 40 two-byte characters: 81 bytes; 63 fit (a 64th would split a character).
        let mut buf = [b'a'; 81];
        for i in 0..40 {
            'é'.encode_utf8(&mut buf[1 + 2 * i..]);
        }
        let long = core::str::from_utf8(&buf).unwrap();
        let n = TensorName::from_text(long);
        assert!(n.is_cut());
        assert_eq!(n.as_str().len(), 63);
        assert!(long.starts_with(n.as_str()));
        let short = TensorName::from_text("3.running_mean");
        assert!(!short.is_cut());
        assert_eq!(short.as_str(), "3.running_mean");
    }
}
