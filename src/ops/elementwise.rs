//! Elementwise arithmetic: `+ − × ÷` between two tensors of one shape (× is the Hadamard product)
//! and between a tensor and a scalar.
//!
//! Two spellings:
//! - std operators on references, `&a + &b`, `&a * 2.0`, and in place `a += &b`, `a *= 0.5`
//!   (an owned left operand, `a + &b`, reuses its buffer);
//! - named methods, checked the same way: [`add_tensor`](Tensor::add_tensor),
//!   [`hadamard`](Tensor::hadamard), ..., in place [`axpy`](Tensor::axpy),
//!   [`hadamard_assign`](Tensor::hadamard_assign), ...
//!
//! The right operand may have any shape `S2` that passes `S2: SameShape<S, Elementwise>`, so a
//! mismatch reads `shape error (elementwise shapes): axis 1 differs: left has 4, right has 3`
//! (or `shape error (rank): ...`), for the operators and the named methods alike. A scalar of the
//! wrong type (`&a * 2` on an `f32` tensor) is an ordinary "cannot multiply" error.
//!
//! Arithmetic follows `T`: integer division by zero panics, integer overflow panics in debug
//! builds and wraps in release builds, floats follow IEEE 754.

use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::scalar::Scalar;
use crate::shape::{Elementwise, SameShape, Shape};
use crate::tensor::Tensor;

/// `out[i] = f(a[i], b[i])` for every element: the loop behind every op in this module.
#[inline(always)]
fn zip_assign<T: Copy>(a: &mut [T], b: &[T], f: impl Fn(T, T) -> T) {
    a.iter_mut().zip(b).for_each(|(x, &y)| *x = f(*x, y));
}

impl<T: Scalar, S: Shape> Tensor<T, S> {
    /// `self + rhs`, element by element, as a new tensor.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let a = tensor([[1, 2], [3, 4]]);
    /// assert_eq!(a.add_tensor(&a), tensor([[2, 4], [6, 8]]));
    /// ```
    pub fn add_tensor<S2: Shape + SameShape<S, Elementwise>>(&self, rhs: &Tensor<T, S2>) -> Self {
        let mut out = self.clone();
        out.add_tensor_assign(rhs);
        out
    }

    /// `self − rhs`, element by element, as a new tensor.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let (a, b) = (tensor([5., 7.]), tensor([1., 2.]));
    /// assert_eq!(a.sub_tensor(&b), tensor([4., 5.]));
    /// ```
    pub fn sub_tensor<S2: Shape + SameShape<S, Elementwise>>(&self, rhs: &Tensor<T, S2>) -> Self {
        let mut out = self.clone();
        out.sub_tensor_assign(rhs);
        out
    }

    /// The Hadamard (elementwise) product `self ⊙ rhs`, as a new tensor.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let a = tensor([[1, 2], [3, 4]]);
    /// assert_eq!(a.hadamard(&a), tensor([[1, 4], [9, 16]]));
    /// ```
    pub fn hadamard<S2: Shape + SameShape<S, Elementwise>>(&self, rhs: &Tensor<T, S2>) -> Self {
        let mut out = self.clone();
        out.hadamard_assign(rhs);
        out
    }

    /// `self ÷ rhs`, element by element, as a new tensor (integer division truncates; an integer
    /// zero divisor panics).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let (a, b) = (tensor([6., 1.]), tensor([3., 4.]));
    /// assert_eq!(a.div_tensor(&b), tensor([2., 0.25]));
    /// ```
    pub fn div_tensor<S2: Shape + SameShape<S, Elementwise>>(&self, rhs: &Tensor<T, S2>) -> Self {
        let mut out = self.clone();
        out.div_tensor_assign(rhs);
        out
    }

    /// `self += rhs`, element by element.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut a = tensor([1, 2]);
    /// a.add_tensor_assign(&tensor([10, 20]));
    /// assert_eq!(a, tensor([11, 22]));
    /// ```
    pub fn add_tensor_assign<S2: Shape + SameShape<S, Elementwise>>(
        &mut self,
        rhs: &Tensor<T, S2>,
    ) {
        zip_assign(self.as_mut_slice(), rhs.as_slice(), |x, y| x + y);
    }

    /// `self −= rhs`, element by element.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut a = tensor([10, 20]);
    /// a.sub_tensor_assign(&tensor([1, 2]));
    /// assert_eq!(a, tensor([9, 18]));
    /// ```
    pub fn sub_tensor_assign<S2: Shape + SameShape<S, Elementwise>>(
        &mut self,
        rhs: &Tensor<T, S2>,
    ) {
        zip_assign(self.as_mut_slice(), rhs.as_slice(), |x, y| x - y);
    }

    /// `self ⊙= rhs`: the Hadamard product in place (e.g. `dZ ⊙= f'(Z)` in a backward pass).
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut dz = tensor([0.5, 2.0, -1.0]);
    /// dz.hadamard_assign(&tensor([1.0, 0.0, 1.0]));
    /// assert_eq!(dz, tensor([0.5, 0.0, -1.0]));
    /// ```
    pub fn hadamard_assign<S2: Shape + SameShape<S, Elementwise>>(&mut self, rhs: &Tensor<T, S2>) {
        zip_assign(self.as_mut_slice(), rhs.as_slice(), |x, y| x * y);
    }

    /// `self ÷= rhs`, element by element.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut a = tensor([9, 8]);
    /// a.div_tensor_assign(&tensor([3, 3]));
    /// assert_eq!(a, tensor([3, 2]));
    /// ```
    pub fn div_tensor_assign<S2: Shape + SameShape<S, Elementwise>>(
        &mut self,
        rhs: &Tensor<T, S2>,
    ) {
        zip_assign(self.as_mut_slice(), rhs.as_slice(), |x, y| x / y);
    }

    /// `self += alpha · x` (BLAS axpy): an SGD step is `w.axpy(-lr, &dw)`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut w = tensor([1.0, 2.0]);
    /// w.axpy(-0.5, &tensor([2.0, -4.0]));
    /// assert_eq!(w, tensor([0.0, 4.0]));
    /// ```
    pub fn axpy<S2: Shape + SameShape<S, Elementwise>>(&mut self, alpha: T, x: &Tensor<T, S2>) {
        zip_assign(self.as_mut_slice(), x.as_slice(), |s, x| s + alpha * x);
    }

    /// `self = alpha · self + beta · x` (BLAS axpby), e.g. a momentum update `v = μ·v + g`.
    ///
    /// ```
    /// use shaped::prelude::*;
    /// let mut v = tensor([1.0, 2.0]);
    /// v.axpby(0.5, 2.0, &tensor([1.0, 1.0]));
    /// assert_eq!(v, tensor([2.5, 3.0]));
    /// ```
    pub fn axpby<S2: Shape + SameShape<S, Elementwise>>(
        &mut self,
        alpha: T,
        beta: T,
        x: &Tensor<T, S2>,
    ) {
        zip_assign(self.as_mut_slice(), x.as_slice(), |s, x| {
            alpha * s + beta * x
        });
    }
}

// ---- tensor ∘ tensor operators ---------------------------------------------------------------

/// Implements `&a ∘ &b`, `a ∘ &b` (reusing `a`) and `a ∘= &b` for one std operator family,
/// all delegating to the named, checked in-place method.
macro_rules! tensor_op {
    ($Op:ident, $op:ident, $OpAssign:ident, $op_assign:ident, $method:ident) => {
        /// Elementwise, checked with `S2: SameShape<S, Elementwise>`.
        impl<T: Scalar, S: Shape, S2: Shape + SameShape<S, Elementwise>> $Op<&Tensor<T, S2>>
            for &Tensor<T, S>
        {
            type Output = Tensor<T, S>;
            #[inline]
            fn $op(self, rhs: &Tensor<T, S2>) -> Tensor<T, S> {
                let mut out = self.clone();
                out.$method(rhs);
                out
            }
        }

        /// Elementwise, reusing the left operand's storage.
        impl<T: Scalar, S: Shape, S2: Shape + SameShape<S, Elementwise>> $Op<&Tensor<T, S2>>
            for Tensor<T, S>
        {
            type Output = Tensor<T, S>;
            #[inline]
            fn $op(mut self, rhs: &Tensor<T, S2>) -> Tensor<T, S> {
                self.$method(rhs);
                self
            }
        }

        /// Elementwise, in place.
        impl<T: Scalar, S: Shape, S2: Shape + SameShape<S, Elementwise>> $OpAssign<&Tensor<T, S2>>
            for Tensor<T, S>
        {
            #[inline]
            fn $op_assign(&mut self, rhs: &Tensor<T, S2>) {
                self.$method(rhs);
            }
        }
    };
}

tensor_op!(Add, add, AddAssign, add_assign, add_tensor_assign);
tensor_op!(Sub, sub, SubAssign, sub_assign, sub_tensor_assign);
tensor_op!(Mul, mul, MulAssign, mul_assign, hadamard_assign);
tensor_op!(Div, div, DivAssign, div_assign, div_tensor_assign);

// ---- tensor ∘ scalar operators ---------------------------------------------------------------

/// Implements `&a ∘ s`, `a ∘ s` (reusing `a`) and `a ∘= s` for one std operator family.
macro_rules! scalar_op {
    ($Op:ident, $op:ident, $OpAssign:ident, $op_assign:ident) => {
        /// Applies the scalar to every element.
        impl<T: Scalar, S: Shape> $Op<T> for &Tensor<T, S> {
            type Output = Tensor<T, S>;
            #[inline]
            fn $op(self, rhs: T) -> Tensor<T, S> {
                self.map(|x| $Op::$op(x, rhs))
            }
        }

        /// Applies the scalar to every element, reusing the tensor's storage.
        impl<T: Scalar, S: Shape> $Op<T> for Tensor<T, S> {
            type Output = Tensor<T, S>;
            #[inline]
            fn $op(mut self, rhs: T) -> Tensor<T, S> {
                self.$op_assign(rhs);
                self
            }
        }

        /// Applies the scalar to every element in place.
        impl<T: Scalar, S: Shape> $OpAssign<T> for Tensor<T, S> {
            #[inline]
            fn $op_assign(&mut self, rhs: T) {
                self.iter_mut().for_each(|x| $OpAssign::$op_assign(x, rhs));
            }
        }
    };
}

scalar_op!(Add, add, AddAssign, add_assign);
scalar_op!(Sub, sub, SubAssign, sub_assign);
scalar_op!(Mul, mul, MulAssign, mul_assign);
scalar_op!(Div, div, DivAssign, div_assign);

/// `-&a`: every element negated (signed integers and floats).
impl<T: Scalar + Neg<Output = T>, S: Shape> Neg for &Tensor<T, S> {
    type Output = Tensor<T, S>;
    #[inline]
    fn neg(self) -> Tensor<T, S> {
        self.map(|x| -x)
    }
}

/// `-a`: every element negated in place, reusing the storage.
impl<T: Scalar + Neg<Output = T>, S: Shape> Neg for Tensor<T, S> {
    type Output = Tensor<T, S>;
    #[inline]
    fn neg(mut self) -> Tensor<T, S> {
        self.map_inplace(|x| -x);
        self
    }
}
