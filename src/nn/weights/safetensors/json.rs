//! The JSON a safetensors header needs, read in place without an allocator: objects, arrays,
//! strings (escapes checked, decoded on the fly), unsigned integers for dims and offsets, and a
//! validating skip for any other value (`__metadata__`, unknown fields). No recursion: nesting
//! is tracked in a 64-bit stack, so no input can overflow the call stack.

use core::fmt;

use super::SafetensorsError;
use crate::nn::weights::TensorName;

/// A position in the header text; errors report offsets in the file (`base` + position).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor<'b> {
    text: &'b [u8],
    at: usize,
    base: usize,
}

/// A JSON string as the header spells it (between the quotes, escapes checked).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key<'b> {
    raw: &'b str,
    escaped: bool,
}

impl<'b> Key<'b> {
    /// The decoded characters.
    pub fn chars(&self) -> KeyChars<'b> {
        KeyChars {
            raw: self.raw.chars(),
        }
    }

    /// Whether the key is `s`.
    pub fn is(&self, s: &str) -> bool {
        if self.escaped {
            self.chars().eq(s.chars())
        } else {
            self.raw == s
        }
    }

    /// The key for an error message.
    pub fn label(&self) -> TensorName {
        let mut t = TensorName::from_text("");
        for c in self.chars() {
            // Never fails: a full name is cut and marked.
            let _ = fmt::Write::write_char(&mut t, c);
        }
        t
    }

    /// The key as text, when it has no escapes.
    pub fn plain(&self) -> Option<&'b str> {
        (!self.escaped).then_some(self.raw)
    }
}

/// The characters of a checked JSON string, escapes decoded.
#[derive(Clone, Debug)]
pub(crate) struct KeyChars<'b> {
    raw: core::str::Chars<'b>,
}

impl KeyChars<'_> {
    fn hex4(&mut self) -> u32 {
        (0..4).fold(0, |v, _| {
            v * 16 + self.raw.next().and_then(|c| c.to_digit(16)).unwrap_or(0)
        })
    }
}

impl Iterator for KeyChars<'_> {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        let c = self.raw.next()?;
        if c != '\\' {
            return Some(c);
        }
        // The string was checked when read: every escape is complete and surrogates pair up.
        Some(match self.raw.next()? {
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hi = self.hex4();
                let code = if (0xD800..0xDC00).contains(&hi) {
                    self.raw.next(); // '\\'
                    self.raw.next(); // 'u'
                    let lo = self.hex4();
                    0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                } else {
                    hi
                };
                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            other => other, // '"', '\\', '/'
        })
    }
}

impl<'b> Cursor<'b> {
    /// A cursor on `text`, which starts at offset `base` of the file.
    pub fn new(text: &'b str, base: usize) -> Self {
        Cursor {
            text: text.as_bytes(),
            at: 0,
            base,
        }
    }

    /// An error at the current position.
    pub fn error(&self, reason: &'static str) -> SafetensorsError {
        SafetensorsError::BadJson {
            offset: self.base + self.at,
            reason,
        }
    }

    /// Skips whitespace, then returns the next byte without taking it.
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.at) {
            self.at += 1;
        }
        self.text.get(self.at).copied()
    }

    /// Takes `b` (after whitespace), or fails with `reason`.
    pub fn expect(&mut self, b: u8, reason: &'static str) -> Result<(), SafetensorsError> {
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    /// Takes `b` if it comes next.
    pub fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        self.at += usize::from(found);
        found
    }

    /// Whether only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Reads a string.
    pub fn string(&mut self) -> Result<Key<'b>, SafetensorsError> {
        self.expect(b'"', "expected a string")?;
        let start = self.at;
        let mut escaped = false;
        loop {
            match self.text.get(self.at) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.at += 1;
                    match self.text.get(self.at) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.at += 1
                        }
                        Some(b'u') => {
                            self.at += 1;
                            let hi = self.hex4()?;
                            if (0xDC00..0xE000).contains(&hi) {
                                return Err(self.error("lone low surrogate in \\u escape"));
                            }
                            if (0xD800..0xDC00).contains(&hi) {
                                if self.text.get(self.at..self.at + 2) != Some(b"\\u") {
                                    return Err(self.error("lone high surrogate in \\u escape"));
                                }
                                self.at += 2;
                                if !(0xDC00..0xE000).contains(&self.hex4()?) {
                                    return Err(self.error("lone high surrogate in \\u escape"));
                                }
                            }
                        }
                        _ => return Err(self.error("invalid escape in string")),
                    }
                }
                Some(&c) if c < 0x20 => return Err(self.error("control character in string")),
                Some(_) => self.at += 1,
            }
        }
        let raw = &self.text[start..self.at];
        self.at += 1;
        // The header was checked to be UTF-8 and quotes are ASCII, so this never fails.
        let raw = core::str::from_utf8(raw).map_err(|_| self.error("string is not UTF-8"))?;
        Ok(Key { raw, escaped })
    }

    fn hex4(&mut self) -> Result<u32, SafetensorsError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self
                .text
                .get(self.at)
                .and_then(|&c| char::from(c).to_digit(16));
            v = v * 16 + d.ok_or_else(|| self.error("expected 4 hex digits after \\u"))?;
            self.at += 1;
        }
        Ok(v)
    }

    /// Reads an unsigned integer (dims and offsets): digits only, no leading zero, at most
    /// `u64::MAX`.
    pub fn u64(&mut self) -> Result<u64, SafetensorsError> {
        self.peek();
        let start = self.at;
        let mut v: u64 = 0;
        while let Some(&c @ b'0'..=b'9') = self.text.get(self.at) {
            if self.at > start && v == 0 {
                return Err(self.error("leading zero in a number"));
            }
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(c - b'0')))
                .ok_or_else(|| self.error("number too large"))?;
            self.at += 1;
        }
        if self.at == start {
            return Err(self.error("expected a non-negative integer"));
        }
        if let Some(b'.' | b'e' | b'E') = self.text.get(self.at) {
            return Err(self.error("expected an integer"));
        }
        Ok(v)
    }

    /// The text from `start` to the current position.
    pub fn since(&self, start: usize) -> &'b [u8] {
        &self.text[start..self.at]
    }

    /// The current position.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Reads and discards any JSON value, checking it.
    pub fn skip_value(&mut self) -> Result<(), SafetensorsError> {
        // Bit `i` of `objects` is set when the container at depth `i + 1` is an object.
        let (mut objects, mut depth) = (0u64, 0u32);
        loop {
            // A value; `Some(object)` when it opens a non-empty container.
            let opened = match self.peek() {
                Some(b'{') => {
                    self.at += 1;
                    (!self.eat(b'}')).then_some(true)
                }
                Some(b'[') => {
                    self.at += 1;
                    (!self.eat(b']')).then_some(false)
                }
                Some(b'"') => self.string().map(|_| None)?,
                Some(b'-' | b'0'..=b'9') => self.number().map(|_| None)?,
                Some(b't') => self.literal(b"true").map(|_| None)?,
                Some(b'f') => self.literal(b"false").map(|_| None)?,
                Some(b'n') => self.literal(b"null").map(|_| None)?,
                _ => return Err(self.error("expected a value")),
            };
            if let Some(object) = opened {
                if depth == 64 {
                    return Err(self.error("nested deeper than 64 levels"));
                }
                objects = (objects & !(1 << depth)) | (u64::from(object) << depth);
                depth += 1;
                if object {
                    self.member_key()?;
                }
                continue;
            }
            // After a value: a comma, or close containers.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                let object = objects & (1 << (depth - 1)) != 0;
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        if object {
                            self.member_key()?;
                        }
                        break;
                    }
                    Some(b'}') if object => self.at += 1,
                    Some(b']') if !object => self.at += 1,
                    _ if object => return Err(self.error("expected ',' or '}'")),
                    _ => return Err(self.error("expected ',' or ']'")),
                }
                depth -= 1;
            }
        }
    }

    /// `"key" :` inside an object.
    fn member_key(&mut self) -> Result<(), SafetensorsError> {
        self.string()?;
        self.expect(b':', "expected ':'")
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), SafetensorsError> {
        if self.text.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// A JSON number of any form (in skipped values).
    fn number(&mut self) -> Result<(), SafetensorsError> {
        let digits = |c: &mut Self| {
            let start = c.at;
            while let Some(b'0'..=b'9') = c.text.get(c.at) {
                c.at += 1;
            }
            c.at - start
        };
        self.at += usize::from(self.text.get(self.at) == Some(&b'-'));
        let int_start = self.at;
        let n = digits(self);
        if n == 0 || (n > 1 && self.text[int_start] == b'0') {
            return Err(self.error("invalid number"));
        }
        if self.text.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.text.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.text.get(self.at) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::Cursor;
    use std::string::{String, ToString};

    fn skip(s: &str) -> Result<usize, String> {
        let mut c = Cursor::new(s, 0);
        c.skip_value().map_err(|e| e.to_string())?;
        if c.at_end() {
            Ok(c.position())
        } else {
            Err("trailing".into())
        }
    }

    #[test]
    fn skips_valid_values_and_refuses_invalid_ones() {
        for ok in [
            r#"{"a": [1, -2.5e3, true, false, null, {"b": {}}, []], "c": "\u00e9\n"}"#,
            "[]",
            "{}",
            "0",
            r#""\ud83d\ude00""#,
        ] {
            assert!(skip(ok).is_ok(), "{ok}: {:?}", skip(ok));
        }
        for bad in [
            "[1,]",
            "{,}",
            "[}",
            "{\"a\" 1}",
            "01",
            "1.",
            "-",
            "tru",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"a",
            "[1 2]",
            "{\"a\":1,}",
            "",
        ] {
            assert!(skip(bad).is_err(), "{bad} was accepted");
        }
        // 64 open containers, the innermost holding an empty one, is the limit.
        let deep = "[".repeat(66) + &"]".repeat(66);
        assert!(skip(&deep).unwrap_err().contains("deeper than 64"));
        let ok = "[".repeat(65) + &"]".repeat(65);
        assert!(skip(&ok).is_ok());
    }

    #[test]
    fn keys_decode_escapes() {
        let mut c = Cursor::new(r#""a\"b\\c\u00e9\ud83d\ude00\/""#, 0);
        let k = c.string().unwrap();
        assert!(k.is("a\"b\\cé😀/"));
        assert_eq!(k.plain(), None);
        let mut c = Cursor::new(r#""0.weight""#, 0);
        assert_eq!(c.string().unwrap().plain(), Some("0.weight"));
    }

    #[test]
    fn integers() {
        for (s, v) in [("0", 0), ("18446744073709551615", u64::MAX), (" 42", 42)] {
            assert_eq!(Cursor::new(s, 0).u64().unwrap(), v);
        }
        for s in ["18446744073709551616", "-1", "01", "1.5", "1e3", "x"] {
            assert!(Cursor::new(s, 0).u64().is_err(), "{s}");
        }
    }
}
