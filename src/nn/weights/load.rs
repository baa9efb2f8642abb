//! Loading: every model tensor is looked up by name in the file and checked (dims, dtype, kind)
//! before any value is written, so a refused file leaves the model as it was.

use super::record::{Record, Records};
use super::{Dims, Dtype, StoredKind, TensorName, WeightElem, WeightsError};
use crate::nn::{Entry, Name, Params, Values, ValuesMut};

/// Finds records by name. Files written by [`save_to_slice`](super::save_to_slice) list the
/// tensors in the model's order, so the record after the previous match is tried first and a
/// whole load is one pass; other orders are accepted at the cost of a scan per tensor.
struct Finder<'b> {
    first: Records<'b>,
    next: Records<'b>,
}

impl<'b> Finder<'b> {
    fn new(records: Records<'b>) -> Self {
        Finder {
            first: records,
            next: records,
        }
    }

    fn find(&mut self, name: &Name<'_>) -> Result<Option<Record<'b>>, WeightsError> {
        let mut after = self.next;
        if let Some(r) = after.next().transpose()?
            && name.matches(r.name)
        {
            self.next = after;
            return Ok(Some(r));
        }
        let mut walk = self.first;
        while let Some(r) = walk.next().transpose()? {
            if name.matches(r.name) {
                self.next = walk;
                return Ok(Some(r));
            }
        }
        Ok(None)
    }
}

/// The dtype of a model tensor.
fn dtype_of<T: WeightElem>(values: &Values<'_, T>) -> Dtype {
    match values {
        Values::Elem(_) => T::DTYPE,
        Values::I64(_) => Dtype::I64,
    }
}

/// Checks one model tensor against its record.
fn check_entry<T: WeightElem>(e: &Entry<'_, T>, r: &Record<'_>) -> Result<(), WeightsError> {
    let tensor = || TensorName::of(e.name);
    if !r.dims_are(e.dims) {
        return Err(WeightsError::WrongDims {
            tensor: tensor(),
            file: Dims::new(r.dims()),
            model: e.dims,
        });
    }
    let dtype = dtype_of(&e.values);
    if r.dtype != dtype {
        return Err(WeightsError::WrongDtype {
            tensor: tensor(),
            file: r.dtype,
            model: dtype,
        });
    }
    let kind = StoredKind::of(e.kind);
    if r.kind != kind {
        return Err(WeightsError::WrongKind {
            tensor: tensor(),
            file: r.kind,
            model: kind,
        });
    }
    if r.values.len() != e.values.len() * dtype.size() {
        return Err(WeightsError::ModelTensor {
            tensor: tensor(),
            reason: "the model's values do not fill its dims",
        });
    }
    Ok(())
}

/// Checks that `bytes` hold exactly `model`'s tensors (names, dims, dtypes, kinds), without
/// changing the model. [`load_from_slice`] runs this first.
pub fn validate<T: WeightElem, M: Params<T>>(model: &M, bytes: &[u8]) -> Result<(), WeightsError> {
    check(model, bytes).map(|_| ())
}

/// [`validate`], returning the records.
fn check<'b, T: WeightElem, M: Params<T>>(
    model: &M,
    bytes: &'b [u8],
) -> Result<Records<'b>, WeightsError> {
    let records = Records::open(bytes)?;
    let mut finder = Finder::new(records);
    let mut result = Ok(());
    let mut tensors = 0u64;
    model.visit(&Name::ROOT, &mut |e| {
        if result.is_ok() {
            tensors += 1;
            result = finder.find(e.name).and_then(|r| match r {
                Some(r) => check_entry(&e, &r),
                None => Err(WeightsError::Missing(TensorName::of(e.name))),
            });
        }
    });
    result?;
    if u64::from(records.announced()) > tensors {
        return Err(surplus(model, records));
    }
    Ok(records)
}

/// The error for a file that has every model tensor and more: the first record the model does
/// not name, or else (every name is the model's) a name the file repeats.
fn surplus<T, M: Params<T>>(model: &M, records: Records<'_>) -> WeightsError {
    for r in records.flatten() {
        let mut known = false;
        model.visit(&Name::ROOT, &mut |e| known |= e.name.matches(r.name));
        if !known {
            return WeightsError::Extra(r.label());
        }
    }
    let mut twice = None;
    model.visit(&Name::ROOT, &mut |e| {
        if twice.is_none() && records.flatten().filter(|r| e.name.matches(r.name)).count() > 1 {
            twice = Some(TensorName::of(e.name));
        }
    });
    // Unreachable for a model with distinct names (there are more records than tensors).
    WeightsError::Duplicate(twice.unwrap_or(TensorName::from_text("")))
}

/// Loads tensors saved by [`save_to_slice`](super::save_to_slice) into `model`.
///
/// The file must hold exactly the model's tensors, found by name (in any order) with the
/// model's dims, dtypes and kinds; trainable and frozen parameters are interchangeable. On
/// error `model` is unchanged.
pub fn load_from_slice<T: WeightElem, M: Params<T>>(
    model: &mut M,
    bytes: &[u8],
) -> Result<(), WeightsError> {
    let mut finder = Finder::new(check(model, bytes)?);
    let mut result = Ok(());
    model.visit_mut(&Name::ROOT, &mut |e| {
        // Found and checked by `check`: `visit_mut` walks the tensors `visit` walked.
        if result.is_ok() {
            result = finder.find(e.name).and_then(|r| {
                let r = r.ok_or_else(|| WeightsError::Missing(TensorName::of(e.name)))?;
                copy(e.values, &r);
                Ok(())
            });
        }
    });
    result
}

/// Copies a checked record's values into a model tensor.
fn copy<T: WeightElem>(values: ValuesMut<'_, T>, r: &Record<'_>) {
    match values {
        ValuesMut::Elem(values) => {
            for (v, b) in values
                .iter_mut()
                .zip(r.values.chunks_exact(T::DTYPE.size()))
            {
                *v = T::read_le(b);
            }
        }
        ValuesMut::I64(values) => {
            for (v, b) in values.iter_mut().zip(r.values.chunks_exact(8)) {
                let mut le = [0; 8];
                le.copy_from_slice(b);
                *v = i64::from_le_bytes(le);
            }
        }
    }
}
