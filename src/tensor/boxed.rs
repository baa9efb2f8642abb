//! Heap constructors that never build the tensor on the stack: the memory is allocated
//! uninitialised or zeroed and filled through a pointer, so even a multi-megabyte tensor costs a
//! few bytes of stack in a debug build (why: "Big tensors never travel by value" in
//! `docs/decisions.md`).

use alloc::boxed::Box;

use super::Tensor;
use crate::scalar::Zeroable;
use crate::shape::Shape;

/// A zeroed `Z` on the heap, never on the stack: models, gradients, optimizer state, workspaces.
///
/// ```
/// use shaped::prelude::*;
/// let big = shaped::boxed_zeroed::<Tensor2<f32, U1024, U1024>>();
/// assert_eq!(big.as_slice().len(), 1 << 20);
/// ```
pub fn boxed_zeroed<Z: Zeroable>() -> Box<Z> {
    // SAFETY: `Zeroable` promises that all-zero bytes are a valid `Z`.
    unsafe { Box::<Z>::new_zeroed().assume_init() }
}

impl<T, S: Shape> Tensor<T, S> {
    /// A tensor on the heap from a function of the flat index, built in place.
    pub fn boxed_from_flat_fn(mut f: impl FnMut(usize) -> T) -> Box<Self> {
        const { assert!(size_of::<Self>() == S::NUMEL * size_of::<T>()) };
        let mut b = Box::<Self>::new_uninit();
        let p = b.as_mut_ptr().cast::<T>();
        for i in 0..S::NUMEL {
            // SAFETY: the tensor is `NUMEL` contiguous `T`s (nested arrays, `repr(transparent)`);
            // each element is written once before `assume_init`. If `f` panics the box is freed
            // without dropping the uninitialised elements, which only leaks.
            unsafe { p.add(i).write(f(i)) };
        }
        // SAFETY: every element was written above.
        unsafe { b.assume_init() }
    }
}

impl<T: Copy, S: Shape> Tensor<T, S> {
    /// A tensor on the heap with every element `value`, built in place.
    pub fn boxed_full(value: T) -> Box<Self> {
        Self::boxed_from_flat_fn(|_| value)
    }

    /// A heap copy of a slice of exactly `NUMEL` elements, built in place.
    pub fn boxed_from_slice(values: &[T]) -> Result<Box<Self>, super::LengthError> {
        if values.len() != S::NUMEL {
            return Err(super::LengthError {
                expected: S::NUMEL,
                got: values.len(),
            });
        }
        Ok(Self::boxed_from_flat_fn(|i| values[i]))
    }

    /// A heap copy of this tensor, built in place.
    pub fn boxed_clone(&self) -> Box<Self> {
        let s = self.as_slice();
        Self::boxed_from_flat_fn(|i| s[i])
    }
}

impl<T: Zeroable, S: Shape> Tensor<T, S> {
    /// A zeroed tensor on the heap (one zeroed allocation, no stack copy).
    pub fn boxed_zeros() -> Box<Self> {
        boxed_zeroed()
    }
}
