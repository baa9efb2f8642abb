//! Elementwise functions of one expression: `exp`, `ln`, `tanh`, `sigmoid`, `relu`, `softplus`,
//! and the scalar forms `a·x + c` (`&x * 2.0`, `&x + 1.0`, `-&x`, ...).
//!
//! Their Jacobians are diagonal, so backward is one multiplication per element:
//! `dx = dy ⊙ f'(x)`. `f'` is computed from the input or the output, whichever is cheaper
//! (`exp' = exp`, `tanh' = 1 − y²`, `σ' = y(1 − y)`). Inputs outside the domain (`ln` of a
//! negative number) follow IEEE 754: NaN or infinite values and gradients, never a panic.

use core::marker::PhantomData;

use super::{Node, Op, Var};
use crate::nn::activation::sigmoid;
use crate::scalar::Real;
use crate::shape::Shape;
use crate::tensor::Tensor;

/// An elementwise function with its derivative.
pub trait UnaryFn {
    /// `f(x)`.
    fn f<T: Real>(x: T) -> T;
    /// `f'(x)`, given `y = f(x)`.
    fn df<T: Real>(x: T, y: T) -> T;
}

/// `eˣ`.
#[derive(Clone, Copy, Debug)]
pub enum Exp {}
/// The natural logarithm.
#[derive(Clone, Copy, Debug)]
pub enum Ln {}
/// `tanh x`.
#[derive(Clone, Copy, Debug)]
pub enum Tanh {}
/// `σ(x) = 1 / (1 + e⁻ˣ)`, without overflow for any `x`.
#[derive(Clone, Copy, Debug)]
pub enum Sigmoid {}
/// `max(x, 0)`; its derivative at `0` is taken as `0` (as the `ReLU` layer and PyTorch do).
#[derive(Clone, Copy, Debug)]
pub enum Relu {}
/// `ln(1 + eˣ)`, computed as `max(x, 0) + ln(1 + e^(−|x|))` (finite for any `x`); its
/// derivative is `σ(x)`. `softplus(−s)` is the logistic loss `−ln σ(s)`.
#[derive(Clone, Copy, Debug)]
pub enum Softplus {}

impl UnaryFn for Exp {
    fn f<T: Real>(x: T) -> T {
        x.exp()
    }
    fn df<T: Real>(_: T, y: T) -> T {
        y
    }
}
impl UnaryFn for Ln {
    fn f<T: Real>(x: T) -> T {
        x.ln()
    }
    fn df<T: Real>(x: T, _: T) -> T {
        T::one() / x
    }
}
impl UnaryFn for Tanh {
    fn f<T: Real>(x: T) -> T {
        x.tanh()
    }
    fn df<T: Real>(_: T, y: T) -> T {
        T::one() - y * y
    }
}
impl UnaryFn for Sigmoid {
    fn f<T: Real>(x: T) -> T {
        sigmoid(x)
    }
    fn df<T: Real>(_: T, y: T) -> T {
        y * (T::one() - y)
    }
}
impl UnaryFn for Relu {
    fn f<T: Real>(x: T) -> T {
        if x > T::zero() { x } else { x * T::zero() }
    }
    fn df<T: Real>(x: T, _: T) -> T {
        if x > T::zero() {
            T::one()
        } else if x.is_nan() {
            x
        } else {
            T::zero()
        }
    }
}
impl UnaryFn for Softplus {
    fn f<T: Real>(x: T) -> T {
        let relu = if x > T::zero() { x } else { T::zero() };
        relu + (T::one() + (-x.abs()).exp()).ln()
    }
    fn df<T: Real>(x: T, _: T) -> T {
        sigmoid(x)
    }
}

/// `f(x)` elementwise.
pub struct Map<'a, T, S: Shape, F> {
    x: &'a dyn Node<T, S>,
    _f: PhantomData<F>,
}

impl<T: Real, S: Shape, F: UnaryFn> Op<T, S> for Map<'_, T, S, F> {
    fn count_inputs(&self) {
        self.x.count();
    }
    fn backward(&self, value: &Tensor<T, S>, grad: &Tensor<T, S>) {
        let (x, y, g) = (self.x.value().as_slice(), value.as_slice(), grad.as_slice());
        self.x.receive(&mut |gx| {
            for (i, v) in gx.iter_mut().enumerate() {
                *v += g[i] * F::df(x[i], y[i]);
            }
        });
    }
}

/// `scale · x + shift` elementwise, for scalars `scale` and `shift`.
pub struct Affine<'a, T, S: Shape> {
    x: &'a dyn Node<T, S>,
    scale: T,
}

impl<T: Real, S: Shape> Op<T, S> for Affine<'_, T, S> {
    fn count_inputs(&self) {
        self.x.count();
    }
    fn backward(&self, _: &Tensor<T, S>, grad: &Tensor<T, S>) {
        let (g, a) = (grad.as_slice(), self.scale);
        self.x.receive(&mut |gx| {
            gx.iter_mut().zip(g).for_each(|(v, &gi)| *v += gi * a);
        });
    }
}

impl<T: Real, S: Shape, O: Op<T, S>> Var<T, S, O> {
    /// `F(self)` elementwise, for a [`UnaryFn`] `F` (the methods below use it).
    pub fn map<F: UnaryFn>(&self) -> Var<T, S, Map<'_, T, S, F>> {
        Var::from_op(
            self.value().map(F::f),
            Map {
                x: self,
                _f: PhantomData,
            },
        )
    }

    /// `eˣ` elementwise.
    pub fn exp(&self) -> Var<T, S, Map<'_, T, S, Exp>> {
        self.map::<Exp>()
    }
    /// `ln x` elementwise (NaN below 0, `−∞` at 0).
    pub fn ln(&self) -> Var<T, S, Map<'_, T, S, Ln>> {
        self.map::<Ln>()
    }
    /// `tanh x` elementwise.
    pub fn tanh(&self) -> Var<T, S, Map<'_, T, S, Tanh>> {
        self.map::<Tanh>()
    }
    /// `σ(x)` elementwise.
    pub fn sigmoid(&self) -> Var<T, S, Map<'_, T, S, Sigmoid>> {
        self.map::<Sigmoid>()
    }
    /// `max(x, 0)` elementwise (derivative `0` at `0`).
    pub fn relu(&self) -> Var<T, S, Map<'_, T, S, Relu>> {
        self.map::<Relu>()
    }
    /// `ln(1 + eˣ)` elementwise, stable for any `x`.
    pub fn softplus(&self) -> Var<T, S, Map<'_, T, S, Softplus>> {
        self.map::<Softplus>()
    }

    /// `scale · x + shift` elementwise (what `&x * c`, `&x + c`, `&x - c`, `&x / c` and `-&x`
    /// build).
    pub fn affine(&self, scale: T, shift: T) -> Var<T, S, Affine<'_, T, S>> {
        Var::from_op(
            self.value().map(|v| scale * v + shift),
            Affine { x: self, scale },
        )
    }
}

/// Implements `&x ∘ c` for one std operator as an [`Affine`] node.
macro_rules! scalar_operator {
    ($Op:ident, $op:ident, |$c:ident| ($scale:expr, $shift:expr), $doc:literal) => {
        #[doc = $doc]
        impl<'a, T: Real, S: Shape, O: Op<T, S>> core::ops::$Op<T> for &'a Var<T, S, O> {
            type Output = Var<T, S, Affine<'a, T, S>>;
            fn $op(self, $c: T) -> Self::Output {
                self.affine($scale, $shift)
            }
        }
    };
}

scalar_operator!(Add, add, |c| (T::one(), c), "`x + c` elementwise.");
scalar_operator!(Sub, sub, |c| (T::one(), -c), "`x − c` elementwise.");
scalar_operator!(Mul, mul, |c| (c, T::zero()), "`c · x` elementwise.");
scalar_operator!(
    Div,
    div,
    |c| (T::one() / c, T::zero()),
    "`x ÷ c` elementwise."
);

/// `−x` elementwise.
impl<'a, T: Real, S: Shape, O: Op<T, S>> core::ops::Neg for &'a Var<T, S, O> {
    type Output = Var<T, S, Affine<'a, T, S>>;
    fn neg(self) -> Self::Output {
        self.affine(-T::one(), T::zero())
    }
}
