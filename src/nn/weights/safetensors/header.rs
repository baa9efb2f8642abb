//! The structure of a safetensors file, checked before any model is looked at: the header
//! length, the JSON, each tensor's dtype, dims and offsets, and that the tensors tile the data
//! exactly (no overlap, no hole, nothing outside).

use super::json::{Cursor, Key};
use super::{MAX_HEADER, SafeDtype, SafetensorsError};
use crate::nn::weights::Dims;

/// One tensor as the header describes it; borrows the file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TensorInfo<'b> {
    pub key: Key<'b>,
    pub dtype: SafeDtype,
    /// The text between the shape's brackets (checked: integers and commas).
    shape: &'b str,
    rank: usize,
    pub begin: u64,
    pub end: u64,
}

impl<'b> TensorInfo<'b> {
    /// The dims, in the file's order.
    pub fn dims(&self) -> impl Iterator<Item = u64> + 'b {
        let shape = self.shape;
        shape
            .split(',')
            .take(self.rank)
            .map(|d| d.trim_matches([' ', '\t', '\n', '\r']).parse().unwrap_or(0))
    }

    /// The dims for an error.
    pub fn label_dims(&self) -> Dims {
        Dims::new(self.dims())
    }

    /// Whether the file's dims are `model` (reversed when `transposed`).
    pub fn dims_are(&self, model: &[usize], transposed: bool) -> bool {
        let same =
            |a: &[usize]| self.rank == a.len() && self.dims().zip(a).all(|(f, &m)| f == m as u64);
        match (transposed, model) {
            (true, &[a, b]) => same(&[b, a]),
            _ => same(model),
        }
    }

    /// Whether the span holds bytes.
    fn non_empty(&self) -> bool {
        self.end > self.begin
    }
}

/// A checked file: its header text and its data.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header<'b> {
    json: &'b str,
    pub data: &'b [u8],
}

impl<'b> Header<'b> {
    /// Checks the structure of `bytes`.
    pub fn open(bytes: &'b [u8]) -> Result<Header<'b>, SafetensorsError> {
        let Some((len, rest)) = bytes.split_first_chunk::<8>() else {
            return Err(SafetensorsError::Truncated {
                needed: 8,
                available: bytes.len(),
            });
        };
        let len = u64::from_le_bytes(*len);
        if len > MAX_HEADER {
            return Err(SafetensorsError::HeaderTooLarge { len });
        }
        let Some((json, data)) = rest.split_at_checked(len as usize) else {
            return Err(SafetensorsError::Truncated {
                needed: 8 + len,
                available: bytes.len(),
            });
        };
        let json = core::str::from_utf8(json).map_err(|e| SafetensorsError::BadJson {
            offset: 8 + e.valid_up_to(),
            reason: "the header is not UTF-8",
        })?;
        let header = Header { json, data };
        let mut used = 0u64;
        for (i, t) in header.tensors().enumerate() {
            let t = t?;
            header.check_tensor(&t)?;
            used += t.end - t.begin;
            // Against every earlier tensor: the same key, shared bytes.
            for u in header.tensors().take(i) {
                let u = u?;
                if u.key.chars().eq(t.key.chars()) {
                    return Err(SafetensorsError::Duplicate(t.key.label()));
                }
                if t.non_empty() && u.non_empty() && t.begin < u.end && u.begin < t.end {
                    return Err(SafetensorsError::Overlap {
                        tensor: t.key.label(),
                        span: (t.begin, t.end),
                        other: (u.begin, u.end),
                    });
                }
            }
        }
        // In bounds and disjoint, so the spans tile the data iff they add up to it.
        match data.len() as u64 - used {
            0 => Ok(header),
            count => Err(SafetensorsError::UnusedBytes { count }),
        }
    }

    /// Offsets inside the data, spanning dims × dtype size.
    fn check_tensor(&self, t: &TensorInfo<'_>) -> Result<(), SafetensorsError> {
        if t.begin > t.end || t.end > self.data.len() as u64 {
            return Err(SafetensorsError::OutOfBounds {
                tensor: t.key.label(),
                begin: t.begin,
                end: t.end,
                data: self.data.len(),
            });
        }
        let bytes = t
            .dims()
            .try_fold(t.dtype.size() as u64, |n, d| n.checked_mul(d));
        if bytes != Some(t.end - t.begin) {
            return Err(SafetensorsError::SizeMismatch {
                tensor: t.key.label(),
                dims: t.label_dims(),
                dtype: t.dtype,
                bytes: t.end - t.begin,
            });
        }
        Ok(())
    }

    /// The tensors, in header order (`__metadata__` skipped).
    pub fn tensors(&self) -> Tensors<'b> {
        Tensors {
            cursor: Cursor::new(self.json, 8),
            state: State::Start,
        }
    }

    /// A tensor's bytes (its offsets were checked).
    pub fn bytes_of(&self, t: &TensorInfo<'_>) -> &'b [u8] {
        self.data
            .get(t.begin as usize..t.end as usize)
            .unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Start,
    Members,
    Done,
}

/// Walks the header's tensors; the first error ends the walk.
#[derive(Clone, Debug)]
pub(crate) struct Tensors<'b> {
    cursor: Cursor<'b>,
    state: State,
}

impl<'b> Tensors<'b> {
    fn step(&mut self) -> Result<Option<TensorInfo<'b>>, SafetensorsError> {
        let c = &mut self.cursor;
        if self.state == State::Start {
            c.expect(b'{', "the header must be a JSON object")?;
            self.state = State::Members;
            if c.eat(b'}') {
                return self.finish().map(|_| None);
            }
        }
        loop {
            let c = &mut self.cursor;
            let key = c.string()?;
            c.expect(b':', "expected ':'")?;
            let info = if key.is("__metadata__") {
                c.skip_value()?;
                None
            } else {
                Some(Self::info(c, key)?)
            };
            let c = &mut self.cursor;
            if !c.eat(b',') {
                c.expect(b'}', "expected ',' or '}'")?;
                self.finish()?;
            }
            if info.is_some() || self.state == State::Done {
                return Ok(info);
            }
        }
    }

    /// After the closing brace: only whitespace (the format pads with spaces).
    fn finish(&mut self) -> Result<(), SafetensorsError> {
        self.state = State::Done;
        if self.cursor.at_end() {
            Ok(())
        } else {
            Err(self.cursor.error("text after the header's closing brace"))
        }
    }

    /// A tensor's `{"dtype": .., "shape": [..], "data_offsets": [b, e]}`.
    fn info(c: &mut Cursor<'b>, key: Key<'b>) -> Result<TensorInfo<'b>, SafetensorsError> {
        let bad = |reason| SafetensorsError::BadEntry {
            tensor: key.label(),
            reason,
        };
        if c.peek() != Some(b'{') {
            return Err(bad("its entry is not an object"));
        }
        c.expect(b'{', "")?;
        let (mut dtype, mut shape, mut offsets) = (None, None, None);
        if !c.eat(b'}') {
            loop {
                let field = c.string()?;
                c.expect(b':', "expected ':'")?;
                if field.is("dtype") {
                    let name = c.string()?;
                    let d = name.plain().and_then(SafeDtype::parse).ok_or(
                        SafetensorsError::UnknownDtype {
                            tensor: key.label(),
                        },
                    )?;
                    if dtype.replace(d).is_some() {
                        return Err(bad("its entry gives \"dtype\" twice"));
                    }
                } else if field.is("shape") {
                    if c.peek() != Some(b'[') {
                        return Err(bad("its \"shape\" is not an array"));
                    }
                    c.expect(b'[', "")?;
                    let start = c.position();
                    let mut rank = 0usize;
                    if !c.eat(b']') {
                        loop {
                            c.u64()?;
                            rank += 1;
                            if !c.eat(b',') {
                                break;
                            }
                        }
                        c.peek();
                        let text = c.since(start);
                        c.expect(b']', "expected ',' or ']'")?;
                        let text = core::str::from_utf8(text).unwrap_or("");
                        if shape.replace((text, rank)).is_some() {
                            return Err(bad("its entry gives \"shape\" twice"));
                        }
                    } else if shape.replace(("", 0)).is_some() {
                        return Err(bad("its entry gives \"shape\" twice"));
                    }
                } else if field.is("data_offsets") {
                    if c.peek() != Some(b'[') {
                        return Err(bad("its \"data_offsets\" is not an array"));
                    }
                    c.expect(b'[', "")?;
                    let begin = c.u64()?;
                    c.expect(b',', "data_offsets needs two integers")?;
                    let end = c.u64()?;
                    c.expect(b']', "data_offsets needs two integers")?;
                    if offsets.replace((begin, end)).is_some() {
                        return Err(bad("its entry gives \"data_offsets\" twice"));
                    }
                } else {
                    c.skip_value()?;
                }
                if !c.eat(b',') {
                    c.expect(b'}', "expected ',' or '}'")?;
                    break;
                }
            }
        }
        let dtype = dtype.ok_or(bad("its entry has no \"dtype\""))?;
        let (shape, rank) = shape.ok_or(bad("its entry has no \"shape\""))?;
        let (begin, end) = offsets.ok_or(bad("its entry has no \"data_offsets\""))?;
        Ok(TensorInfo {
            key,
            dtype,
            shape,
            rank,
            begin,
            end,
        })
    }
}

impl<'b> Iterator for Tensors<'b> {
    type Item = Result<TensorInfo<'b>, SafetensorsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == State::Done {
            return None;
        }
        let r = self.step();
        if r.is_err() {
            self.state = State::Done;
        }
        r.transpose()
    }
}
