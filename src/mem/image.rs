//! Models in flash: a model's memory image written on the host, and viewed in place on the
//! device (no copy, no RAM for the parameters).
//!
//! An image is a header — magic `SHAPEDI1`, the model's size, and the offset and length of each
//! of its tensors in walk order — then the model's bytes, padding zeroed. [`view`] checks the
//! size, the alignment and every tensor's offset against the layout of the model type on the
//! target, so a blob from another model type or another layout is refused, never misread.

use crate::nn::{AvgPool2d, Conv2d, Direct, Flatten, Frozen, Linear, MaxPool2d, Params, ReLU};
use crate::shape::{Dim, Pair};

/// Every byte pattern of `size_of::<Self>()` bytes is a valid value (padding allowed): what a
/// model must be to be read straight from an image. Implemented for the float layers, the
/// quantized layers ([`crate::quant`]) and tuples of them.
///
/// # Safety
/// The type holds only integers, floats, zero-sized markers and padding.
pub unsafe trait FromBytes {}

/// A model's tensors, walked as bytes in a fixed order: what an image records.
pub trait Walk {
    /// Calls `f` with the bytes of every tensor, in a fixed order.
    fn walk(&self, f: &mut dyn FnMut(&[u8]));
}

const MAGIC: &[u8; 8] = b"SHAPEDI1";

/// What is wrong with an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// It does not start with `SHAPEDI1` or is shorter than its header says.
    NotAnImage,
    /// It holds a model of another size.
    Size {
        /// Bytes in the image.
        image: usize,
        /// Bytes of the model type.
        model: usize,
    },
    /// Its tensor `index` sits at another offset (or has another length) than in this model
    /// type on this target.
    Layout {
        /// The tensor's position in walk order.
        index: usize,
    },
    /// Its bytes are not aligned for the model (embed it with [`Aligned`]).
    Misaligned,
}

impl core::fmt::Display for ImageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            ImageError::NotAnImage => {
                f.write_str("not a model image (no SHAPEDI1 header, or cut short)")
            }
            ImageError::Size { image, model } => {
                write!(
                    f,
                    "the image holds {image} bytes of model, this model type has {model}"
                )
            }
            ImageError::Layout { index } => write!(
                f,
                "tensor {index} of the image is laid out differently from this model type on this target"
            ),
            ImageError::Misaligned => f.write_str("the image bytes are not aligned for the model"),
        }
    }
}

/// Bytes with 16-byte alignment, for `include_bytes!`:
/// `static IMAGE: &Aligned<[u8]> = &Aligned(*include_bytes!("model.img"));`.
#[repr(C, align(16))]
pub struct Aligned<B: ?Sized>(pub B);

/// The header's length for `n` tensors, rounded up to 16 so the model bytes stay aligned.
const fn header_len(n: usize) -> usize {
    (16 + 8 * n).div_ceil(16) * 16
}

fn word(b: &[u8], at: usize) -> Option<usize> {
    let w = b.get(at..at + 4)?;
    Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
}

/// The image of `model`: header, then its bytes with padding zeroed (never read).
#[cfg(feature = "alloc")]
pub fn image<M: Walk + FromBytes>(model: &M) -> alloc::vec::Vec<u8> {
    let base = model as *const M as usize;
    let mut spans = alloc::vec::Vec::new();
    model.walk(&mut |t| spans.push((t.as_ptr() as usize - base, t.len(), t.to_vec())));
    let head = header_len(spans.len());
    let mut out = alloc::vec![0u8; head + size_of::<M>()];
    out[..8].copy_from_slice(MAGIC);
    out[8..12].copy_from_slice(&(size_of::<M>() as u32).to_le_bytes());
    out[12..16].copy_from_slice(&(spans.len() as u32).to_le_bytes());
    for (i, (at, len, bytes)) in spans.iter().enumerate() {
        out[16 + 8 * i..20 + 8 * i].copy_from_slice(&(*at as u32).to_le_bytes());
        out[20 + 8 * i..24 + 8 * i].copy_from_slice(&(*len as u32).to_le_bytes());
        out[head + at..head + at + len].copy_from_slice(bytes);
    }
    out
}

/// The model stored in `image`, in place, after checking size, alignment and layout.
pub fn view<M: Walk + FromBytes>(image: &[u8]) -> Result<&M, ImageError> {
    if image.get(..8) != Some(&MAGIC[..]) {
        return Err(ImageError::NotAnImage);
    }
    let (size, n) = (
        word(image, 8).ok_or(ImageError::NotAnImage)?,
        word(image, 12).ok_or(ImageError::NotAnImage)?,
    );
    if size != size_of::<M>() {
        return Err(ImageError::Size {
            image: size,
            model: size_of::<M>(),
        });
    }
    let head = header_len(n);
    let body = image.get(head..head + size).ok_or(ImageError::NotAnImage)?;
    if !(body.as_ptr() as usize).is_multiple_of(align_of::<M>()) {
        return Err(ImageError::Misaligned);
    }
    // SAFETY: `body` is `size_of::<M>()` bytes aligned for `M`, and `M: FromBytes` makes every
    // byte pattern a valid `M`. The reference borrows `image`.
    let model = unsafe { &*body.as_ptr().cast::<M>() };
    let (base, mut index, mut bad) = (body.as_ptr() as usize, 0, None);
    model.walk(&mut |t| {
        let want = (word(image, 16 + 8 * index), word(image, 20 + 8 * index));
        if bad.is_none()
            && (index >= n || want != (Some(t.as_ptr() as usize - base), Some(t.len())))
        {
            bad = Some(index);
        }
        index += 1;
    });
    match bad {
        Some(index) => Err(ImageError::Layout { index }),
        None if index != n => Err(ImageError::Layout { index }),
        None => Ok(model),
    }
}

/// Float models walk their parameters and state through [`Params`].
macro_rules! float_layers {
    ($([$($g:tt)*] $ty:ty;)*) => {$(
        // SAFETY: `f32` tensors and zero-sized markers.
        unsafe impl<$($g)*> FromBytes for $ty {}
        impl<$($g)*> Walk for $ty {
            fn walk(&self, f: &mut dyn FnMut(&[u8])) {
                self.params(&mut |v: &[f32]| f(crate::scalar::pod_bytes(v)));
            }
        }
    )*};
}
float_layers! {
    [C: Dim, F: Dim, K: Pair, S: Pair, P: Pair] Conv2d<f32, C, F, K, S, P>;
    [I: Dim, O: Dim] Linear<f32, I, O>;
}

/// Layers without tensors.
macro_rules! marker_layers {
    ($([$($g:tt)*] $ty:ty;)*) => {$(
        // SAFETY: zero-sized.
        unsafe impl<$($g)*> FromBytes for $ty {}
        impl<$($g)*> Walk for $ty {
            fn walk(&self, _: &mut dyn FnMut(&[u8])) {}
        }
    )*};
}
marker_layers! {
    [] ReLU;
    [] Flatten;
    [K, S, P] MaxPool2d<K, S, P>;
    [K, S, P] AvgPool2d<K, S, P>;
}

// SAFETY: transparent wrappers.
unsafe impl<L: FromBytes> FromBytes for Direct<L> {}
// SAFETY: transparent wrappers.
unsafe impl<L: FromBytes> FromBytes for Frozen<L> {}
impl<L: Walk> Walk for Direct<L> {
    fn walk(&self, f: &mut dyn FnMut(&[u8])) {
        self.0.walk(f);
    }
}
impl<L: Walk> Walk for Frozen<L> {
    fn walk(&self, f: &mut dyn FnMut(&[u8])) {
        self.0.walk(f);
    }
}

macro_rules! tuples {
    ($(($($l:ident $i:tt),+))*) => {$(
        // SAFETY: fields that are `FromBytes`, and padding.
        unsafe impl<$($l: FromBytes),+> FromBytes for ($($l,)+) {}
        impl<$($l: Walk),+> Walk for ($($l,)+) {
            fn walk(&self, f: &mut dyn FnMut(&[u8])) {
                $(self.$i.walk(f);)+
            }
        }
    )*};
}
tuples! {
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15)
}
