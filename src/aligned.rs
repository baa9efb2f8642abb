//! 64-byte aligned heap values: a cache line, and the width of an AVX-512 register, so the matrix
//! kernels' loads never straddle two lines.

use alloc::boxed::Box;
use core::ops::{Deref, DerefMut};

use crate::scalar::Zeroable;

/// A `T` starting on a 64-byte boundary. Derefs to `T`, so an `Aligned<Tensor<..>>` is used like
/// the tensor; build big ones with [`boxed_zeroed_aligned`] (or put them in a `static`), never by
/// value.
///
/// The alignment may add up to 63 bytes of padding after `T`, so `Aligned<T>` is [`Zeroable`]
/// but not [`Pod`](crate::Pod).
#[repr(C, align(64))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Aligned<T>(pub T);

impl<T> Aligned<T> {
    /// The alignment, in bytes.
    pub const ALIGN: usize = 64;
}

impl<T> Deref for Aligned<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Aligned<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

// SAFETY: `repr(C)` with one field: zero bytes are a valid `T` (its contract) followed by padding.
unsafe impl<T: Zeroable> Zeroable for Aligned<T> {}

/// A zeroed `Z` on the heap at a 64-byte aligned address, never on the stack (one zeroed
/// allocation, like [`boxed_zeroed`](crate::boxed_zeroed)).
///
/// ```
/// use shaped::prelude::*;
/// let mut w = shaped::boxed_zeroed_aligned::<Tensor2<f32, U1024, U1024>>();
/// assert_eq!(w.as_slice().as_ptr() as usize % 64, 0);
/// w[[1023, 1023]] = 1.0; // derefs to the tensor
/// assert_eq!(w.sum(), 1.0);
/// ```
pub fn boxed_zeroed_aligned<Z: Zeroable>() -> Box<Aligned<Z>> {
    // SAFETY: `Aligned<Z>: Zeroable`, so all-zero bytes are a valid value.
    unsafe { Box::<Aligned<Z>>::new_zeroed().assume_init() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::Tensor2;
    use typenum::{U3, U7};

    #[test]
    fn small_values_are_aligned_and_padded() {
        // 21 bytes of u8: the wrapper rounds the size up to one line.
        let a = boxed_zeroed_aligned::<Tensor2<u8, U3, U7>>();
        assert_eq!(size_of::<Aligned<Tensor2<u8, U3, U7>>>(), 64);
        assert_eq!(align_of::<Aligned<Tensor2<u8, U3, U7>>>(), 64);
        assert_eq!(&*a as *const _ as usize % 64, 0);
        assert!(a.iter().all(|&x| x == 0));
    }
}
