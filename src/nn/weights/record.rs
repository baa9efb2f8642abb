//! Reading a version 2 file: the header, then one record per tensor, checked for structure
//! (lengths, codes, UTF-8 names, trailing bytes) before any model is looked at.

use super::{At, Dtype, HEADER_LEN, MAGIC, StoredKind, TensorName, VERSION, WeightsError};

/// One tensor as the file stores it; borrows the file's bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Record<'b> {
    pub name: &'b str,
    pub kind: StoredKind,
    pub dtype: Dtype,
    /// `rank` sizes, `u64` little-endian.
    dims: &'b [u8],
    /// `product(dims)` values of `dtype`, little-endian.
    pub values: &'b [u8],
}

impl Record<'_> {
    /// The sizes.
    pub fn dims(&self) -> impl Iterator<Item = u64> + '_ {
        self.dims.chunks_exact(8).map(|c| {
            let mut b = [0; 8];
            b.copy_from_slice(c);
            u64::from_le_bytes(b)
        })
    }

    /// Whether the file's dims are `model`.
    pub fn dims_are(&self, model: &[usize]) -> bool {
        self.dims.len() / 8 == model.len() && self.dims().zip(model).all(|(f, &m)| f == m as u64)
    }

    /// The name, for errors.
    pub fn label(&self) -> TensorName {
        TensorName::from_text(self.name)
    }
}

/// The records of a file, in order. Cheap to copy: a copy restarts the walk from its position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Records<'b> {
    bytes: &'b [u8],
    at: usize,
    index: u32,
    count: u32,
}

impl<'b> Records<'b> {
    /// Checks the header and the structure of every record; returns the records from the first.
    pub fn open(bytes: &'b [u8]) -> Result<Records<'b>, WeightsError> {
        let first = Records::header(bytes)?;
        let mut walk = first;
        for r in &mut walk {
            r?;
        }
        match bytes.len() - walk.at {
            0 => Ok(first),
            extra => Err(WeightsError::TrailingBytes { extra }),
        }
    }

    /// Number of records the header announces.
    pub fn announced(&self) -> u32 {
        self.count
    }

    fn header(bytes: &'b [u8]) -> Result<Records<'b>, WeightsError> {
        let truncated = Err(WeightsError::Truncated {
            at: At::Header,
            needed: HEADER_LEN as u64,
            available: bytes.len(),
        });
        let magic = &MAGIC[..bytes.len().min(MAGIC.len())];
        if bytes[..magic.len()] != *magic {
            return Err(WeightsError::BadMagic);
        }
        let Some(&[v0, v1]) = bytes.get(8..10) else {
            return truncated;
        };
        match u16::from_le_bytes([v0, v1]) {
            VERSION => {}
            1 => return Err(WeightsError::Version1),
            v => return Err(WeightsError::UnsupportedVersion(v)),
        }
        let Some(&[c0, c1, c2, c3]) = bytes.get(10..14) else {
            return truncated;
        };
        Ok(Records {
            bytes,
            at: HEADER_LEN,
            index: 0,
            count: u32::from_le_bytes([c0, c1, c2, c3]),
        })
    }

    /// The next `n` bytes, or the truncation error for `at`.
    fn take(&mut self, n: u64, at: At) -> Result<&'b [u8], WeightsError> {
        let rest = &self.bytes[self.at..];
        match usize::try_from(n) {
            Ok(n) if n <= rest.len() => {
                self.at += n;
                Ok(&rest[..n])
            }
            _ => Err(WeightsError::Truncated {
                at,
                needed: n,
                available: rest.len(),
            }),
        }
    }

    fn read(&mut self) -> Result<Record<'b>, WeightsError> {
        let (index, count) = (self.index, self.count);
        let at = At::Name { index, count };
        let len = self.take(2, at)?;
        let name = self.take(u64::from(u16::from_le_bytes([len[0], len[1]])), at)?;
        let name = core::str::from_utf8(name).map_err(|_| WeightsError::BadName { index })?;
        let tensor = TensorName::from_text(name);
        let codes = self.take(3, At::Dims(tensor))?;
        let kind = StoredKind::from_code(codes[0]).ok_or(WeightsError::BadKind {
            tensor,
            code: codes[0],
        })?;
        let dtype = Dtype::from_code(codes[1]).ok_or(WeightsError::BadDtype {
            tensor,
            code: codes[1],
        })?;
        let dims = self.take(8 * u64::from(codes[2]), At::Dims(tensor))?;
        let mut values = dtype.size() as u64;
        for d in dims.chunks_exact(8) {
            let mut b = [0; 8];
            b.copy_from_slice(d);
            values = values.saturating_mul(u64::from_le_bytes(b));
        }
        let values = self.take(values, At::Values(tensor))?;
        Ok(Record {
            name,
            kind,
            dtype,
            dims,
            values,
        })
    }
}

impl<'b> Iterator for Records<'b> {
    type Item = Result<Record<'b>, WeightsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.index >= self.count {
            return None;
        }
        let r = self.read();
        // A broken record ends the walk: what follows cannot be located.
        self.index = if r.is_ok() {
            self.index + 1
        } else {
            self.count
        };
        Some(r)
    }
}
