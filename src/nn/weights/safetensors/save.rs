//! Saving: the header (keys after [`Options::rename`], dims in the file's layout, spaces up to an
//! 8-byte boundary as the reference writer pads), then the data: 8-byte values first, then
//! 4-byte ones, so every tensor is aligned to its element size.

use core::fmt::{self, Write};

use super::load::model_dtype;
use super::{Options, SafetensorsError};
use crate::nn::weights::{TensorName, WeightElem};
use crate::nn::{Entry, Name, Params, Values};

/// Bytes per value of a model tensor.
fn value_size<T: WeightElem>(values: &Values<'_, T>) -> usize {
    model_dtype(values).size()
}

/// Bytes of values of size 8 and of size 4, or why the model cannot be saved.
fn data_sizes<T: WeightElem, M: Params<T>>(model: &M) -> Result<(usize, usize), SafetensorsError> {
    let mut result = Ok((0usize, 0usize));
    model.visit(&Name::ROOT, &mut |e| {
        if let Ok((big, small)) = result {
            let bad = |reason| SafetensorsError::ModelTensor {
                tensor: TensorName::of(e.name),
                reason,
            };
            let numel = e.dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
            result = if numel != Some(e.values.len()) {
                Err(bad("the model's values do not fill its dims"))
            } else {
                let size = value_size(&e.values);
                let bytes = e.values.len().checked_mul(size);
                match (size, bytes) {
                    (8, Some(b)) => big.checked_add(b).map(|big| (big, small)),
                    (_, Some(b)) => small.checked_add(b).map(|small| (big, small)),
                    _ => None,
                }
                .ok_or(bad("the model is too large to save"))
            };
        }
    });
    result
}

/// Escapes what JSON strings cannot hold as is.
struct Escape<'w, W>(&'w mut W);

impl<W: Write> Write for Escape<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            match c {
                '"' => self.0.write_str("\\\"")?,
                '\\' => self.0.write_str("\\\\")?,
                c if u32::from(c) < 0x20 => write!(self.0, "\\u{:04x}", u32::from(c))?,
                c => self.0.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// One tensor's header entry.
fn write_entry<T: WeightElem>(
    w: &mut impl Write,
    e: &Entry<'_, T>,
    opts: &Options<'_>,
    transposed: bool,
    begin: usize,
) -> fmt::Result {
    w.write_str(",\"")?;
    opts.write_key(e.name, &mut Escape(w))?;
    write!(
        w,
        "\":{{\"dtype\":\"{}\",\"shape\":[",
        model_dtype(&e.values)
    )?;
    let swapped;
    let dims = match (transposed, e.dims) {
        (true, &[a, b]) => {
            swapped = [b, a];
            &swapped[..]
        }
        _ => e.dims,
    };
    for (i, d) in dims.iter().enumerate() {
        let sep = if i > 0 { "," } else { "" };
        write!(w, "{sep}{d}")?;
    }
    let end = begin + e.values.len() * value_size(&e.values);
    write!(w, "],\"data_offsets\":[{begin},{end}]}}")
}

/// The header JSON (without padding).
fn write_header<T: WeightElem, M: Params<T>>(
    w: &mut impl Write,
    model: &M,
    opts: &Options<'_>,
    big: usize,
) -> fmt::Result {
    w.write_str("{\"__metadata__\":{\"format\":\"pt\"}")?;
    let (mut at_big, mut at_small) = (0, big);
    let mut result = Ok(());
    model.visit(&Name::ROOT, &mut |e| {
        if result.is_ok() {
            let at = if value_size(&e.values) == 8 {
                &mut at_big
            } else {
                &mut at_small
            };
            result = write_entry(w, &e, opts, opts.transposes(model, &e), *at);
            *at += e.values.len() * value_size(&e.values);
        }
    });
    result?;
    w.write_str("}")
}

/// Counts bytes.
struct Count(usize);

impl Write for Count {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.checked_add(s.len()).ok_or(fmt::Error)?;
        Ok(())
    }
}

/// Writes into a slice.
struct Out<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Write for Out<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.put(s.as_bytes()).ok_or(fmt::Error)
    }
}

impl Out<'_> {
    fn put(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.at.checked_add(bytes.len())?;
        self.out.get_mut(self.at..end)?.copy_from_slice(bytes);
        self.at = end;
        Some(())
    }

    /// The values of `e`, in the file's layout.
    fn values<T: WeightElem>(&mut self, e: &Entry<'_, T>, transposed: bool) -> Option<()> {
        match e.values {
            Values::Elem(v) => {
                // File index j of (cols, rows) holds model index (j % rows)·cols + j / rows.
                let (rows, cols) = match (transposed, e.dims) {
                    (true, &[r, c]) => (r, c),
                    _ => (v.len(), 1),
                };
                let mut buf = [0u8; 8];
                let buf = &mut buf[..T::DTYPE.size()];
                for j in 0..v.len() {
                    v.get((j % rows) * cols + j / rows)?.write_le(buf);
                    self.put(buf)?;
                }
            }
            Values::I64(v) => {
                for x in v {
                    self.put(&x.to_le_bytes())?;
                }
            }
        }
        Some(())
    }
}

/// The header length with padding, and the whole file's.
fn plan<T: WeightElem, M: Params<T>>(
    model: &M,
    opts: &Options<'_>,
) -> Result<(usize, usize, usize), SafetensorsError> {
    let (big, small) = data_sizes(model)?;
    let mut count = Count(0);
    let too_large = SafetensorsError::ModelTensor {
        tensor: TensorName::from_text(""),
        reason: "the model is too large to save",
    };
    write_header(&mut count, model, opts, big).map_err(|_| too_large)?;
    let header = count.0.checked_next_multiple_of(8).ok_or(too_large)?;
    let total = header
        .checked_add(8 + big)
        .and_then(|n| n.checked_add(small))
        .ok_or(too_large)?;
    Ok((header, big, total))
}

/// Bytes of `model` saved as safetensors with `opts`.
pub fn encoded_len<T: WeightElem, M: Params<T>>(
    model: &M,
    opts: &Options<'_>,
) -> Result<usize, SafetensorsError> {
    plan(model, opts).map(|(_, _, total)| total)
}

/// Writes `model`'s tensors as a safetensors file into `out`, without an allocator; returns the
/// bytes written ([`encoded_len`]). `F32` or `F64` as the model, counters `I64`, a
/// `{"format": "pt"}` metadata entry, names and layouts as `opts` says: with
/// [`Options::TORCH`], PyTorch's `load_state_dict(strict=True)` accepts the file.
pub fn save_to_slice<T: WeightElem, M: Params<T>>(
    model: &M,
    out: &mut [u8],
    opts: &Options<'_>,
) -> Result<usize, SafetensorsError> {
    let (header, big, needed) = plan(model, opts)?;
    let too_small = SafetensorsError::BufferTooSmall {
        needed,
        available: out.len(),
    };
    let out = out.get_mut(..needed).ok_or(too_small)?;
    let mut w = Out { out, at: 0 };
    let mut ok = w.put(&(header as u64).to_le_bytes()).is_some()
        && write_header(&mut w, model, opts, big).is_ok();
    while ok && w.at < 8 + header {
        ok = w.put(b" ").is_some();
    }
    for eight in [true, false] {
        model.visit(&Name::ROOT, &mut |e| {
            if ok && (value_size(&e.values) == 8) == eight {
                ok = w.values(&e, opts.transposes(model, &e)).is_some();
            }
        });
    }
    if ok && w.at == needed {
        Ok(needed)
    } else {
        Err(too_small)
    }
}

/// `model` saved as safetensors, in a new vector.
#[cfg(feature = "alloc")]
pub fn to_bytes<T: WeightElem, M: Params<T>>(
    model: &M,
    opts: &Options<'_>,
) -> Result<alloc::vec::Vec<u8>, SafetensorsError> {
    let mut out = alloc::vec![0; encoded_len(model, opts)?];
    save_to_slice(model, &mut out, opts)?;
    Ok(out)
}
