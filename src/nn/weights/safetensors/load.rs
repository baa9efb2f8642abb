//! Loading: the file's structure is checked, then every model tensor is found by name and
//! checked (dims in the file's layout, dtype), then every file tensor is checked to belong to
//! the model; only then are values written, so a refused file leaves the model as it was.

use super::header::{Header, TensorInfo};
use super::{Options, SafeDtype, SafetensorsError};
use crate::nn::weights::{TensorName, WeightElem};
use crate::nn::{Entry, Name, Params, Values, ValuesMut};

/// The safetensors dtype of a model tensor.
pub(crate) fn model_dtype<T: WeightElem>(values: &Values<'_, T>) -> SafeDtype {
    match values {
        Values::I64(_) => SafeDtype::I64,
        Values::Elem(_) if T::DTYPE.size() == 8 => SafeDtype::F64,
        Values::Elem(_) => SafeDtype::F32,
    }
}

/// The file tensor the model tensor `name` maps to; two would be ambiguous.
fn find<'b>(
    header: &Header<'b>,
    opts: &Options<'_>,
    name: &Name<'_>,
) -> Result<TensorInfo<'b>, SafetensorsError> {
    let mut found = None;
    for t in header.tensors() {
        let t = t?;
        if opts.names(&t.key, name) {
            if found.is_some() {
                return Err(SafetensorsError::Duplicate(TensorName::of(name)));
            }
            found = Some(t);
        }
    }
    found.ok_or_else(|| SafetensorsError::Missing(TensorName::of(name)))
}

/// Checks one model tensor against its file tensor.
fn check_entry<T: WeightElem>(
    e: &Entry<'_, T>,
    t: &TensorInfo<'_>,
    transposed: bool,
) -> Result<(), SafetensorsError> {
    if !t.dims_are(e.dims, transposed) {
        return Err(SafetensorsError::WrongDims {
            tensor: t.key.label(),
            file: t.label_dims(),
            model: e.dims,
            transposed,
        });
    }
    let model = model_dtype(&e.values);
    if !t.dtype.loads_into(model) {
        return Err(SafetensorsError::WrongDtype {
            tensor: t.key.label(),
            file: t.dtype,
            model,
        });
    }
    let numel = e.dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    if numel != Some(e.values.len()) {
        return Err(SafetensorsError::ModelTensor {
            tensor: TensorName::of(e.name),
            reason: "the model's values do not fill its dims",
        });
    }
    Ok(())
}

/// Checks that `bytes` is a safetensors file holding `model`'s tensors (names after
/// [`Options::rename`], dims in the file's layout, dtypes that load exactly), without changing
/// the model. [`load_from_slice`] runs this first.
pub fn validate<T: WeightElem, M: Params<T>>(
    model: &M,
    bytes: &[u8],
    opts: &Options<'_>,
) -> Result<(), SafetensorsError> {
    check(model, bytes, opts).map(|_| ())
}

fn check<'b, T: WeightElem, M: Params<T>>(
    model: &M,
    bytes: &'b [u8],
    opts: &Options<'_>,
) -> Result<Header<'b>, SafetensorsError> {
    let header = Header::open(bytes)?;
    let mut result = Ok(());
    model.visit(&Name::ROOT, &mut |e| {
        if result.is_ok() {
            result = find(&header, opts, e.name)
                .and_then(|t| check_entry(&e, &t, opts.transposes(model, &e)));
        }
    });
    result?;
    if !opts.allow_extra {
        for t in header.tensors() {
            let t = t?;
            let mut known = false;
            model.visit(&Name::ROOT, &mut |e| {
                known = known || opts.names(&t.key, e.name);
            });
            if !known {
                return Err(SafetensorsError::Extra(t.key.label()));
            }
        }
    }
    Ok(header)
}

/// Loads a safetensors file (PyTorch's `safetensors.torch.save_file`, or [`save_to_slice`](
/// super::save_to_slice)) into `model`, without an allocator: `bytes` can be an
/// `include_bytes!` in flash and `model` a `static`.
///
/// Every model tensor must be in the file under its name (after `opts.rename`), with its dims
/// in the file's layout (`opts.transpose`) and a dtype that loads exactly (`F32` into `f32`;
/// `F16`, `BF16` into `f32` or `f64`; `F32`, `F64` into `f64`; `I64` into counters); file
/// tensors the model lacks are refused unless `opts.allow_extra`. On error `model` is unchanged.
///
/// Cost: each model tensor is looked up by walking the header, and the model is walked once per
/// tensor, so a load takes time proportional to tensors × (header length + tensors); for the
/// models this library builds (tens of tensors) that is microseconds.
pub fn load_from_slice<T: WeightElem, M: Params<T>>(
    model: &mut M,
    bytes: &[u8],
    opts: &Options<'_>,
) -> Result<(), SafetensorsError> {
    let header = check(model, bytes, opts)?;
    // One tensor at a time: whether it is transposed depends on the rest of the model, which
    // `visit_mut` cannot look at, so it is decided by a `visit` first.
    for k in 0.. {
        let (mut i, mut transposed) = (0, None);
        model.visit(&Name::ROOT, &mut |e| {
            if i == k {
                transposed = Some(opts.transposes(&*model, &e));
            }
            i += 1;
        });
        let Some(transposed) = transposed else {
            return Ok(());
        };
        let (mut i, mut result) = (0, Ok(()));
        model.visit_mut(&Name::ROOT, &mut |e| {
            // Found and checked by `check`: `visit_mut` walks the tensors `visit` walked.
            if i == k {
                result = find(&header, opts, e.name).map(|t| {
                    copy(e.values, e.dims, transposed, &t, header.bytes_of(&t));
                });
            }
            i += 1;
        });
        result?;
    }
    Ok(())
}

/// Copies a checked tensor's values into a model tensor, converting dtype and layout.
fn copy<T: WeightElem>(
    values: ValuesMut<'_, T>,
    dims: &[usize],
    transposed: bool,
    t: &TensorInfo<'_>,
    bytes: &[u8],
) {
    let size = t.dtype.size();
    match values {
        ValuesMut::Elem(values) => {
            // Model index k of (rows, cols) reads file index (k % cols)·rows + k / cols.
            let (rows, cols) = match (transposed, dims) {
                (true, &[r, c]) => (r, c),
                _ => (1, values.len()),
            };
            for (k, v) in values.iter_mut().enumerate() {
                let at = (k % cols) * rows + k / cols;
                if let Some(b) = bytes.get(at * size..(at + 1) * size) {
                    *v = read::<T>(t.dtype, b);
                }
            }
        }
        ValuesMut::I64(values) => {
            for (v, b) in values.iter_mut().zip(bytes.chunks_exact(8)) {
                let mut le = [0; 8];
                le.copy_from_slice(b);
                *v = i64::from_le_bytes(le);
            }
        }
    }
}

/// One value of a float dtype that loads into `T` (checked by `check_entry`; anything else
/// reads as zero rather than panic).
fn read<T: WeightElem>(dtype: SafeDtype, b: &[u8]) -> T {
    match dtype.read_f32(b) {
        Some(v) => T::from_f32(v),
        None if b.len() == T::DTYPE.size() => T::read_le(b), // `F64` into `f64`
        None => T::from_f32(0.0),
    }
}
