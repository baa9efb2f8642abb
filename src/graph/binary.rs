//! Elementwise operations of two expressions of one shape: `+ − × ÷` (× is the Hadamard
//! product), `max` and `min`, as std operators on references (`&a + &b`) and as methods.
//!
//! The right operand may have any shape that passes `SB: SameShape<S, Elementwise>`, as for
//! tensors, so a mismatch reads `shape error (elementwise shapes): axis 1 differs: left has 4,
//! right has 3`.
//!
//! # Ties in `max` and `min`
//! Where `a == b`, each operand receives **half** the gradient. Any split is a valid
//! subgradient; this one is what a central difference measures at the tie
//! (`(max(a + ε, b) − max(a − ε, b)) / 2ε = ½`), so numerical checks agree even there, and it is
//! symmetric in the operands (PyTorch's `maximum` does the same). Where either operand is NaN
//! the value is NaN and so are both gradients.

use core::marker::PhantomData;

use super::{Node, Op, Var};
use crate::scalar::Real;
use crate::shape::{Elementwise, SameShape, Shape};
use crate::tensor::Tensor;

/// An elementwise function of two values with its partial derivatives.
pub trait BinaryFn {
    /// `f(a, b)`.
    fn f<T: Real>(a: T, b: T) -> T;
    /// `(∂f/∂a, ∂f/∂b)` at `(a, b)`, given `y = f(a, b)`.
    fn df<T: Real>(a: T, b: T, y: T) -> (T, T);
}

/// `a + b`: the gradient is passed to both unchanged (`+` distributes).
#[derive(Clone, Copy, Debug)]
pub enum Plus {}
/// `a − b`.
#[derive(Clone, Copy, Debug)]
pub enum Minus {}
/// `a ⊙ b`: each input receives the gradient times the other input (`×` swaps).
#[derive(Clone, Copy, Debug)]
pub enum Times {}
/// `a ÷ b`.
#[derive(Clone, Copy, Debug)]
pub enum Over {}
/// `max(a, b)`: the gradient goes to the larger input (halves on a tie, see the module docs).
#[derive(Clone, Copy, Debug)]
pub enum Max {}
/// `min(a, b)`: the gradient goes to the smaller input (halves on a tie).
#[derive(Clone, Copy, Debug)]
pub enum Min {}

impl BinaryFn for Plus {
    fn f<T: Real>(a: T, b: T) -> T {
        a + b
    }
    fn df<T: Real>(_: T, _: T, _: T) -> (T, T) {
        (T::one(), T::one())
    }
}
impl BinaryFn for Minus {
    fn f<T: Real>(a: T, b: T) -> T {
        a - b
    }
    fn df<T: Real>(_: T, _: T, _: T) -> (T, T) {
        (T::one(), -T::one())
    }
}
impl BinaryFn for Times {
    fn f<T: Real>(a: T, b: T) -> T {
        a * b
    }
    fn df<T: Real>(a: T, b: T, _: T) -> (T, T) {
        (b, a)
    }
}
impl BinaryFn for Over {
    fn f<T: Real>(a: T, b: T) -> T {
        a / b
    }
    fn df<T: Real>(_: T, b: T, y: T) -> (T, T) {
        (T::one() / b, -y / b)
    }
}

/// The routing of `max` (`sign = 1`) and `min` (`sign = −1`): all to the winner, half each on a
/// tie, NaN when unordered.
fn route<T: Real>(a: T, b: T, a_wins: bool, b_wins: bool) -> (T, T) {
    let half = T::one() / (T::one() + T::one());
    match (a_wins, b_wins) {
        (true, _) => (T::one(), T::zero()),
        (_, true) => (T::zero(), T::one()),
        _ if a == b => (half, half),
        _ => (T::nan(), T::nan()),
    }
}

impl BinaryFn for Max {
    fn f<T: Real>(a: T, b: T) -> T {
        if a >= b {
            a
        } else if b > a {
            b
        } else {
            T::nan()
        }
    }
    fn df<T: Real>(a: T, b: T, _: T) -> (T, T) {
        route(a, b, a > b, b > a)
    }
}
impl BinaryFn for Min {
    fn f<T: Real>(a: T, b: T) -> T {
        if a <= b {
            a
        } else if b < a {
            b
        } else {
            T::nan()
        }
    }
    fn df<T: Real>(a: T, b: T, _: T) -> (T, T) {
        route(a, b, a < b, b < a)
    }
}

/// `f(a, b)` elementwise.
pub struct Binary<'a, T, S: Shape, SB: Shape, F> {
    a: &'a dyn Node<T, S>,
    b: &'a dyn Node<T, SB>,
    _f: PhantomData<F>,
}

impl<T: Real, S: Shape, SB: Shape, F: BinaryFn> Op<T, S> for Binary<'_, T, S, SB, F> {
    fn count_inputs(&self) {
        self.a.count();
        self.b.count();
    }

    fn backward(&self, value: &Tensor<T, S>, grad: &Tensor<T, S>) {
        let (a, b) = (self.a.value().as_slice(), self.b.value().as_slice());
        let (y, g) = (value.as_slice(), grad.as_slice());
        let d = |i: usize| F::df(a[i], b[i], y[i]);
        self.a.receive(&mut |ga| {
            for (i, v) in ga.iter_mut().enumerate() {
                *v += g[i] * d(i).0;
            }
        });
        self.b.receive(&mut |gb| {
            for (i, v) in gb.iter_mut().enumerate() {
                *v += g[i] * d(i).1;
            }
        });
    }
}

impl<T: Real, S: Shape, O: Op<T, S>> Var<T, S, O> {
    /// `f(self, b)` elementwise, for a [`BinaryFn`] `F` (the operators and methods below use it).
    pub fn binary<'a, F: BinaryFn, SB, OB>(
        &'a self,
        b: &'a Var<T, SB, OB>,
    ) -> Var<T, S, Binary<'a, T, S, SB, F>>
    where
        SB: Shape + SameShape<S, Elementwise>,
        OB: Op<T, SB>,
    {
        let (x, y) = (self.value().as_slice(), b.value().as_slice());
        let value = Tensor::from_flat_fn(|i| F::f(x[i], y[i]));
        Var::from_op(
            value,
            Binary {
                a: self,
                b,
                _f: PhantomData,
            },
        )
    }

    /// `max(self, b)` elementwise; on a tie each side gets half the gradient (module docs).
    ///
    /// ```
    /// use shaped::graph::scalar;
    /// let (y, z) = (scalar(2.0), scalar(0.0));
    /// let m = y.max(&z);
    /// m.backward();
    /// assert_eq!((m.item(), y.grad()[[0]], z.grad()[[0]]), (2.0, 1.0, 0.0));
    /// ```
    pub fn max<'a, SB, OB>(&'a self, b: &'a Var<T, SB, OB>) -> Var<T, S, Binary<'a, T, S, SB, Max>>
    where
        SB: Shape + SameShape<S, Elementwise>,
        OB: Op<T, SB>,
    {
        self.binary::<Max, _, _>(b)
    }

    /// `min(self, b)` elementwise; on a tie each side gets half the gradient.
    pub fn min<'a, SB, OB>(&'a self, b: &'a Var<T, SB, OB>) -> Var<T, S, Binary<'a, T, S, SB, Min>>
    where
        SB: Shape + SameShape<S, Elementwise>,
        OB: Op<T, SB>,
    {
        self.binary::<Min, _, _>(b)
    }
}

/// Implements `&a ∘ &b` for one std operator.
macro_rules! operator {
    ($Op:ident, $op:ident, $F:ident, $doc:literal) => {
        #[doc = $doc]
        impl<'a, T, S, SB, O, OB> core::ops::$Op<&'a Var<T, SB, OB>> for &'a Var<T, S, O>
        where
            T: Real,
            S: Shape,
            SB: Shape + SameShape<S, Elementwise>,
            O: Op<T, S>,
            OB: Op<T, SB>,
        {
            type Output = Var<T, S, Binary<'a, T, S, SB, $F>>;
            fn $op(self, b: &'a Var<T, SB, OB>) -> Self::Output {
                self.binary::<$F, _, _>(b)
            }
        }
    };
}

operator!(Add, add, Plus, "Elementwise `a + b`.");
operator!(Sub, sub, Minus, "Elementwise `a − b`.");
operator!(Mul, mul, Times, "The Hadamard product `a ⊙ b`.");
operator!(Div, div, Over, "Elementwise `a ÷ b`.");
