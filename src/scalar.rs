//! Element types: [`Scalar`] for anything a tensor computes with, [`Real`] for float math,
//! [`Zeroable`] for types that may be created as all-zero bytes (statics, boxed workspaces).

use core::fmt::{Debug, Display};
use core::iter::Sum;
use num_traits::{Num, NumAssign, float::FloatCore};

/// Types whose all-zero bit pattern is a valid value (like `bytemuck::Zeroable`).
///
/// This is what lets a whole model or workspace be allocated zeroed on the heap
/// ([`boxed_zeroed`](crate::boxed_zeroed)) or placed in `.bss` on an embedded target without ever
/// existing on the stack.
///
/// # Safety
/// All-zero bytes must be a valid value of the type.
pub unsafe trait Zeroable: Sized {
    /// The all-zero value. Large types should prefer heap or static zeroing over this by-value form.
    #[inline]
    fn zeroed() -> Self {
        // SAFETY: the trait's contract.
        unsafe { core::mem::zeroed() }
    }
}

macro_rules! zeroable {
    ($($t:ty),*) => { $(unsafe impl Zeroable for $t {})* };
}
zeroable!(
    f32,
    f64,
    u8,
    u16,
    u32,
    u64,
    usize,
    i8,
    i16,
    i32,
    i64,
    isize,
    bool,
    ()
);

macro_rules! zeroable_tuple {
    ($($name:ident),+) => {
        // SAFETY: a tuple of zeroable fields (padding bytes are not part of the value).
        unsafe impl<$($name: Zeroable),+> Zeroable for ($($name,)+) {}
    };
}
zeroable_tuple!(A);
zeroable_tuple!(A, B);
zeroable_tuple!(A, B, C);
zeroable_tuple!(A, B, C, E);
zeroable_tuple!(A, B, C, E, F);
zeroable_tuple!(A, B, C, E, F, G);
zeroable_tuple!(A, B, C, E, F, G, H);
zeroable_tuple!(A, B, C, E, F, G, H, I);
zeroable_tuple!(A, B, C, E, F, G, H, I, J);
zeroable_tuple!(A, B, C, E, F, G, H, I, J, K);
zeroable_tuple!(A, B, C, E, F, G, H, I, J, K, L);
zeroable_tuple!(A, B, C, E, F, G, H, I, J, K, L, M);
zeroable_tuple!(A, B, C, E, F, G, H, I, J, K, L, M, N);
zeroable_tuple!(A, B, C, E, F, G, H, I, J, K, L, M, N, O);
zeroable_tuple!(A, B, C, E, F, G, H, I, J, K, L, M, N, O, P);
zeroable_tuple!(A, B, C, E, F, G, H, I, J, K, L, M, N, O, P, Q);
// SAFETY: arrays of zeroable elements.
unsafe impl<T: Zeroable, const N: usize> Zeroable for [T; N] {}
// SAFETY: zero-sized.
unsafe impl<T: ?Sized> Zeroable for core::marker::PhantomData<T> {}

/// Types for which every bit pattern is a valid value (like `bytemuck::Pod`, without `Copy`):
/// numbers, tensors of numbers, structs of them without padding.
///
/// Activations and scratch are `Pod`, which lets a chain of layers place consecutive activations
/// in one shared buffer ([`Infer::Scratch`](crate::nn::Infer::Scratch)) whatever was there before.
/// `#[derive(Pod)]` writes the impl for a struct whose fields are all `Pod`.
///
/// # Safety
/// Every bit pattern of `size_of::<Self>()` bytes must be a valid value, the type must have no
/// padding bytes (they could be left uninitialised by a write and later read as another type's
/// values) and no drop glue.
pub unsafe trait Pod: Zeroable {}

/// The bytes of a slice of `Pod` values (one value: `core::slice::from_ref`).
pub(crate) fn pod_bytes<T: Pod>(v: &[T]) -> &[u8] {
    // SAFETY: `Pod` values have no padding, so their memory is initialised bytes; the borrow
    // keeps the slice's lifetime.
    unsafe { core::slice::from_raw_parts(v.as_ptr().cast::<u8>(), size_of_val(v)) }
}

/// The bytes of a slice of `Pod` values, mutably: any bytes written leave valid values.
#[cfg(feature = "threads")]
pub(crate) fn pod_bytes_mut<T: Pod>(v: &mut [T]) -> &mut [u8] {
    // SAFETY: as in `pod_bytes`; every bit pattern is a valid `T`, and the unique borrow is
    // handed on.
    unsafe { core::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u8>(), size_of_val(v)) }
}

/// `x^n` by repeated squaring: plain multiplications, so the bits are the same whether the
/// compiler knows `n` or not. (`powi` is an LLVM intrinsic that constant-folds through the host's
/// `pow` but runs as a multiplication loop, so one training run could round differently from
/// another depending on inlining.)
pub(crate) fn powu<T: Copy + num_traits::One + core::ops::Mul<Output = T>>(x: T, n: u64) -> T {
    let (mut acc, mut base, mut n) = (T::one(), x, n);
    while n > 0 {
        if n & 1 == 1 {
            acc = acc * base;
        }
        base = base * base;
        n >>= 1;
    }
    acc
}

macro_rules! pod {
    ($($t:ty),*) => { $(unsafe impl Pod for $t {})* };
}
pod!(
    f32,
    f64,
    u8,
    u16,
    u32,
    u64,
    usize,
    i8,
    i16,
    i32,
    i64,
    isize,
    ()
);
// SAFETY: arrays of `Pod` elements.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}
// SAFETY: zero-sized.
unsafe impl<T: ?Sized> Pod for core::marker::PhantomData<T> {}

/// A tensor element that is not itself an array: numbers and `bool`. Lets nested array literals
/// convert to tensors of the right rank ([`tensor`](crate::tensor())).
pub trait Element: Copy {}

macro_rules! element {
    ($($t:ty),*) => { $(impl Element for $t {})* };
}
element!(
    f32, f64, u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, bool
);

/// A number a tensor can compute with: floats and integers.
///
/// Matrix products dispatch through [`Scalar::gemm`] so that `f32`/`f64` get fast kernels while
/// integers use the portable loops.
pub trait Scalar:
    Element + Num + NumAssign + Copy + Default + PartialOrd + Debug + Pod + Send + Sync + 'static
{
    /// `c (+)= op(a) · op(b)` on row-major slices; see [`crate::kernel::Gemm`] for the layout.
    #[inline(always)]
    fn gemm(g: crate::kernel::Gemm, a: &[Self], b: &[Self], c: &mut [Self]) {
        crate::kernel::gemm_portable(g, a, b, c)
    }

    /// The direct forward pass of a stride-1 convolution on one sample
    /// ([`kernel::conv::forward`] on the detected instruction set); `false` (nothing written)
    /// when there is none.
    ///
    /// [`kernel::conv::forward`]: crate::kernel::conv::forward
    #[doc(hidden)]
    #[inline(always)]
    fn conv_forward(
        g: crate::kernel::conv::Conv,
        w: &[Self],
        bias: &[Self],
        x: &[Self],
        work: &mut [Self],
        y: &mut [Self],
    ) -> bool {
        let _ = (g, w, bias, x, work, y);
        false
    }

    /// The direct input gradient of a stride-1 convolution ([`kernel::conv::input_grad`]
    /// on the detected instruction set); `false` (nothing written) when there is none.
    ///
    /// [`kernel::conv::input_grad`]: crate::kernel::conv::input_grad
    #[doc(hidden)]
    #[inline(always)]
    fn conv_input_grad(
        g: crate::kernel::conv::Conv,
        w: &[Self],
        dy: &[Self],
        work: &mut [Self],
        dx: &mut [Self],
    ) -> bool {
        let _ = (g, w, dy, work, dx);
        false
    }

    /// The direct weight gradient of a stride-1 convolution ([`kernel::conv::weight_grad`]);
    /// `false` (nothing added) when there is none.
    ///
    /// [`kernel::conv::weight_grad`]: crate::kernel::conv::weight_grad
    #[doc(hidden)]
    #[inline(always)]
    fn conv_weight_grad(
        g: crate::kernel::conv::Conv,
        xp: &[Self],
        dy: &[Self],
        work: &mut [Self],
        dw: &mut [Self],
    ) -> bool {
        let _ = (g, xp, dy, work, dw);
        false
    }

    /// Max pooling of one NaN-free `h × w` plane over 2×2 windows at stride 2 by a vector
    /// kernel, with each maximum's index in `args` when given; `false` (nothing written) when
    /// there is none for this type and CPU.
    #[doc(hidden)]
    #[inline(always)]
    fn max_pool_2x2(
        x: &[Self],
        h: usize,
        w: usize,
        y: &mut [Self],
        args: Option<&mut [u32]>,
    ) -> bool {
        let _ = (x, h, w, y, args);
        false
    }
}

macro_rules! scalar_int {
    ($($t:ty),*) => { $(impl Scalar for $t {})* };
}
scalar_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// `f32` and `f64`: the tuned products, the direct convolution kernels and (for `f32`) the 2×2
/// max-pooling kernel, on the detected instruction set.
macro_rules! scalar_float {
    ($($t:ty => $gemm:ident, $pool:path),*) => {$(
        impl Scalar for $t {
            #[inline]
            fn max_pool_2x2(
                x: &[Self],
                h: usize,
                w: usize,
                y: &mut [Self],
                args: Option<&mut [u32]>,
            ) -> bool {
                $pool(crate::kernel::Isa::detect(), x, h, w, y, args)
            }
            #[inline(always)]
            fn gemm(g: crate::kernel::Gemm, a: &[Self], b: &[Self], c: &mut [Self]) {
                crate::kernel::$gemm(g, a, b, c)
            }
            #[inline]
            fn conv_forward(
                g: crate::kernel::conv::Conv,
                w: &[Self],
                bias: &[Self],
                x: &[Self],
                work: &mut [Self],
                y: &mut [Self],
            ) -> bool {
                crate::kernel::conv::forward(crate::kernel::Isa::detect(), g, w, bias, x, work, y)
            }
            #[inline]
            fn conv_input_grad(
                g: crate::kernel::conv::Conv,
                w: &[Self],
                dy: &[Self],
                work: &mut [Self],
                dx: &mut [Self],
            ) -> bool {
                crate::kernel::conv::input_grad(crate::kernel::Isa::detect(), g, w, dy, work, dx)
            }
            #[inline]
            fn conv_weight_grad(
                g: crate::kernel::conv::Conv,
                xp: &[Self],
                dy: &[Self],
                work: &mut [Self],
                dw: &mut [Self],
            ) -> bool {
                crate::kernel::conv::weight_grad(crate::kernel::Isa::detect(), g, xp, dy, work, dw)
            }
        }
    )*};
}
scalar_float!(
    f32 => gemm_f32, crate::kernel::pool::max_2x2_f32,
    f64 => gemm_f64, crate::kernel::pool::max_2x2_none
);

/// A float with the math neural networks need: `f32` and `f64`.
///
/// `exp`, `ln`, `tanh` and `sqrt` come from std or, without std, from the `libm` crate: enable the
/// `std` (default) or `libm` feature, or `f32: Real` will not hold.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no float math here: enable the `std` or the `libm` feature of `shaped`"
)]
pub trait Real: Scalar + FloatCore + Sum + Display + core::ops::Neg<Output = Self> {
    /// e^x.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// `x[i] = 1 / (1 + e^-x[i])` without overflow, for a whole slice (for `f32` the vectorised
    /// [`kernel::math::sigmoid_in_place`](crate::kernel::math::sigmoid_in_place)).
    #[inline]
    fn sigmoid_in_place(x: &mut [Self]) {
        for v in x {
            *v = if *v >= Self::zero() {
                Self::one() / (Self::one() + (-*v).exp())
            } else {
                let e = v.exp();
                e / (Self::one() + e)
            };
        }
    }
    /// `x[i] = tanh(x[i])` for a whole slice (for `f32` the vectorised
    /// [`kernel::math::tanh_in_place`](crate::kernel::math::tanh_in_place)).
    #[inline]
    fn tanh_in_place(x: &mut [Self]) {
        x.iter_mut().for_each(|v| *v = v.tanh());
    }
    /// Converts from `f64` (rounding for `f32`).
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64`.
    fn to_f64(self) -> f64;
    /// Converts from `usize` (rounding when large).
    #[inline(always)]
    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }
}

macro_rules! real {
    ($t:ty $(, $sigmoid:path, $tanh:path)?) => {
        #[cfg(any(feature = "std", feature = "libm"))]
        impl Real for $t {
            #[inline(always)]
            fn exp(self) -> Self {
                num_traits::Float::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                num_traits::Float::ln(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                num_traits::Float::tanh(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                num_traits::Float::sqrt(self)
            }
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            $(
                #[inline]
                fn sigmoid_in_place(x: &mut [Self]) {
                    $sigmoid(x)
                }
                #[inline]
                fn tanh_in_place(x: &mut [Self]) {
                    $tanh(x)
                }
            )?
        }
    };
}
real!(
    f32,
    crate::kernel::math::sigmoid_in_place,
    crate::kernel::math::tanh_in_place
);
real!(f64);

#[cfg(test)]
mod tests {
    use super::powu;

    #[test]
    fn powu_multiplies() {
        assert_eq!(powu(2.0f64, 0), 1.0);
        assert_eq!(powu(2.0f64, 10), 1024.0);
        assert_eq!(powu(-3i64, 3), -27);
        // 0.9^n computed the slow way: the same products in the same order for powers of two.
        let mut sq = 0.9f64;
        for _ in 0..5 {
            sq *= sq;
        }
        assert_eq!(powu(0.9f64, 32), sq);
    }
}
