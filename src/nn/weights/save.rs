//! Saving: the header, then one record per tensor in [`Params::visit`] order.

use super::label::{name_len, write_name};
use super::{Dtype, HEADER_LEN, MAGIC, StoredKind, TensorName, VERSION, WeightElem, WeightsError};
use crate::nn::{Entry, Name, Params, Values};

/// Bytes of one record before its values: name length, name, kind, dtype, rank, dims.
fn record_head_len(name: usize, rank: usize) -> usize {
    2 + name + 3 + 8 * rank
}

/// Checks that the format can record `e`; returns its record's length.
fn plan_entry<T: WeightElem>(e: &Entry<'_, T>) -> Result<usize, WeightsError> {
    let bad = |reason| WeightsError::ModelTensor {
        tensor: TensorName::of(e.name),
        reason,
    };
    let name = name_len(e.name);
    if name > usize::from(u16::MAX) {
        return Err(bad("a name over 65535 bytes cannot be saved"));
    }
    if e.dims.len() > usize::from(u8::MAX) {
        return Err(bad("more than 255 dims cannot be saved"));
    }
    let numel = e.dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    if numel != Some(e.values.len()) {
        return Err(bad("the model's values do not fill its dims"));
    }
    let size = match e.values {
        Values::Elem(_) => T::DTYPE.size(),
        Values::I64(_) => Dtype::I64.size(),
    };
    e.values
        .len()
        .checked_mul(size)
        .and_then(|v| v.checked_add(record_head_len(name, e.dims.len())))
        .ok_or(bad("the model is too large to save"))
}

/// The tensor count and encoded length of `model`, or why it cannot be saved.
fn plan<T: WeightElem, M: Params<T>>(model: &M) -> Result<(u32, usize), WeightsError> {
    let mut result = Ok((0u32, HEADER_LEN));
    model.visit(&Name::ROOT, &mut |e| {
        if let Ok((count, len)) = result {
            result = plan_entry(&e).and_then(|n| {
                let too_large = WeightsError::ModelTensor {
                    tensor: TensorName::of(e.name),
                    reason: "the model is too large to save",
                };
                Ok((
                    count.checked_add(1).ok_or(too_large)?,
                    len.checked_add(n).ok_or(too_large)?,
                ))
            });
        }
    });
    result
}

/// Bytes of `model`'s encoding, header included.
///
/// Not a `const fn`: the length includes the tensor names, which only a walk of the model
/// produces, and that walk is not `const`. To save without an allocator, size the buffer from
/// this, or pick a bound and let [`save_to_slice`] report the exact size it needs.
pub fn encoded_len<T: WeightElem, M: Params<T>>(model: &M) -> Result<usize, WeightsError> {
    plan(model).map(|(_, len)| len)
}

/// Writes into a slice, advancing; the plan sized the slice, so a short write means the model
/// walked differently the second time.
struct Out<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Out<'_> {
    fn next(&mut self, n: usize) -> Option<&mut [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.out.get_mut(self.at..end)?;
        self.at = end;
        Some(s)
    }

    fn put(&mut self, bytes: &[u8]) -> Option<()> {
        self.next(bytes.len())?.copy_from_slice(bytes);
        Some(())
    }

    fn entry<T: WeightElem>(&mut self, e: &Entry<'_, T>) -> Option<()> {
        // The name is written through `Display`, then its length before it.
        let start = self.at;
        self.next(2)?;
        let n = write_name(e.name, self.out.get_mut(self.at..)?)?;
        self.at += n;
        let len = u16::try_from(n).ok()?.to_le_bytes();
        self.out.get_mut(start..start + 2)?.copy_from_slice(&len);
        let dtype = match e.values {
            Values::Elem(_) => T::DTYPE,
            Values::I64(_) => Dtype::I64,
        };
        let rank = u8::try_from(e.dims.len()).ok()?;
        self.put(&[StoredKind::of(e.kind).code(), dtype.code(), rank])?;
        for &d in e.dims {
            self.put(&(d as u64).to_le_bytes())?;
        }
        match e.values {
            Values::Elem(values) => {
                for &v in values {
                    v.write_le(self.next(T::DTYPE.size())?);
                }
            }
            Values::I64(values) => {
                for &v in values {
                    self.put(&v.to_le_bytes())?;
                }
            }
        }
        Some(())
    }
}

/// Writes `model`'s tensors into `out`; returns the number of bytes written (its
/// [`encoded_len`]).
pub fn save_to_slice<T: WeightElem, M: Params<T>>(
    model: &M,
    out: &mut [u8],
) -> Result<usize, WeightsError> {
    let (count, needed) = plan(model)?;
    let available = out.len();
    let too_small = WeightsError::BufferTooSmall { needed, available };
    let out = out.get_mut(..needed).ok_or(too_small)?;
    let mut w = Out { out, at: 0 };
    let mut ok = w.put(&MAGIC).is_some()
        && w.put(&VERSION.to_le_bytes()).is_some()
        && w.put(&count.to_le_bytes()).is_some();
    model.visit(&Name::ROOT, &mut |e| ok = ok && w.entry(&e).is_some());
    if ok && w.at == needed {
        Ok(needed)
    } else {
        Err(too_small)
    }
}
