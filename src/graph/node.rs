//! The node of an expression ([`Var`]), the object-safe view its consumers hold ([`Node`]), what
//! an operation implements ([`Op`]), and the two passes of `backward`.

use core::cell::{Cell, Ref, RefCell};

use crate::scalar::{Real, Zeroable};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// One value of an expression: its tensor, computed when the node is built, its gradient, and
/// the operation that made it (which borrows the inputs).
///
/// The type says the shape and the operation, never the whole expression: the inputs are held as
/// `&dyn Node`, so `(&x + &y) * max` is a `Var<T, S, Binary<..>>` whatever `x` and `y` are, and a
/// node's size is its two tensors plus two references.
pub struct Var<T, S: Shape, O> {
    value: Tensor<T, S>,
    grad: RefCell<Tensor<T, S>>,
    /// During `backward`: how many consumers have still to deliver their gradient.
    pending: Cell<u32>,
    op: O,
}

/// A leaf: an input or a parameter, whose gradient `backward` adds to.
pub type Leaf<T, S> = Var<T, S, Input>;

/// The operation of a leaf: nothing to differentiate through.
#[derive(Clone, Copy, Debug, Default)]
pub struct Input;

/// What a consumer sees of a node: its value, and where to send its share of the gradient.
///
/// Object safe, so operations hold their inputs as `&dyn Node<T, S>` and node types stay flat.
/// The two methods besides [`Node::value`] are the halves of `backward` and are called by the
/// library's operations; an operation of your own calls them the same way (see [`Op`]).
pub trait Node<T, S: Shape> {
    /// The value computed when the node was built.
    fn value(&self) -> &Tensor<T, S>;
    /// First pass of `backward`: one more consumer will send a gradient. The first call clears
    /// the node's gradient (leaves keep theirs) and passes the count on to the node's inputs.
    fn count(&self);
    /// Second pass: `add` adds one consumer's contribution to the gradient. When the last counted
    /// consumer has delivered, the node's operation sends the sum on to the inputs, once.
    fn receive(&self, add: &mut dyn FnMut(&mut Tensor<T, S>));
}

/// An operation: how its inputs take part in the two passes of `backward`.
///
/// `count_inputs` calls [`Node::count`] on each input (once per use: `x * x` counts `x` twice);
/// `backward` calls [`Node::receive`] on each input the same number of times, adding
/// `grad · ∂value/∂input` into the input's gradient.
pub trait Op<T, S: Shape> {
    /// Whether this is a leaf (its gradient accumulates over `backward` calls).
    const LEAF: bool = false;
    /// Counts this node's uses of its inputs.
    fn count_inputs(&self);
    /// Sends `grad` (`∂f/∂value`, summed over every consumer) on to the inputs.
    fn backward(&self, value: &Tensor<T, S>, grad: &Tensor<T, S>);
}

impl<T, S: Shape> Op<T, S> for Input {
    const LEAF: bool = true;
    fn count_inputs(&self) {}
    fn backward(&self, _: &Tensor<T, S>, _: &Tensor<T, S>) {}
}

impl<T: Real, S: Shape, O: Op<T, S>> Node<T, S> for Var<T, S, O> {
    #[inline]
    fn value(&self) -> &Tensor<T, S> {
        &self.value
    }

    fn count(&self) {
        let seen = self.pending.get();
        self.pending.set(seen + 1);
        if seen == 0 {
            if !O::LEAF {
                self.grad.borrow_mut().fill(T::zero());
            }
            self.op.count_inputs();
        }
    }

    fn receive(&self, add: &mut dyn FnMut(&mut Tensor<T, S>)) {
        add(&mut self.grad.borrow_mut());
        let left = self.pending.get().saturating_sub(1);
        self.pending.set(left);
        if left == 0 && !O::LEAF {
            self.op.backward(&self.value, &self.grad.borrow());
        }
    }
}

impl<T: Real, S: Shape, O> Var<T, S, O> {
    /// A node with a value computed by an operation (what operations of your own return).
    pub fn from_op(value: Tensor<T, S>, op: O) -> Self {
        Var {
            value,
            grad: RefCell::new(Tensor::zeroed()),
            pending: Cell::new(0),
            op,
        }
    }

    /// The value.
    #[inline]
    pub fn value(&self) -> &Tensor<T, S> {
        &self.value
    }

    /// The gradient `∂f/∂self` of the latest `backward` (for a leaf: the sum over every
    /// `backward` since it was zeroed).
    pub fn grad(&self) -> Ref<'_, Tensor<T, S>> {
        self.grad.borrow()
    }

    /// The operation that built this node.
    pub fn op(&self) -> &O {
        &self.op
    }
}

impl<T: Real, S: Shape, O: Op<T, S>> Var<T, S, O> {
    /// Back-propagates `upstream` (`∂f/∂self` for some `f`) to every leaf this node was built
    /// from, adding `∂f/∂leaf` to each leaf's gradient. Where a value is used more than once, the
    /// contributions of its uses are added up before they are sent further down.
    pub fn backward_with(&self, upstream: &Tensor<T, S>) {
        self.count();
        self.receive(&mut |g| g.add_tensor_assign(upstream));
    }
}

impl<T: Real, O: Op<T, (typenum::U1,)>> Var<T, (typenum::U1,), O> {
    /// Back-propagates from this scalar (`∂f/∂f = 1`) to every leaf (see [`Var::backward_with`]).
    pub fn backward(&self) {
        self.backward_with(&Tensor::ones());
    }

    /// The scalar's value.
    pub fn item(&self) -> T {
        self.value.as_slice()[0]
    }
}

impl<T: Real, S: Shape> Leaf<T, S> {
    /// A leaf holding `value`, with a zero gradient.
    pub fn new(value: Tensor<T, S>) -> Self {
        Var::from_op(value, Input)
    }

    /// The value, mutably (an optimizer step between two expressions). No expression can borrow
    /// the leaf meanwhile, so none sees a value that differs from the one it was built with.
    pub fn value_mut(&mut self) -> &mut Tensor<T, S> {
        &mut self.value
    }

    /// The gradient, mutably (to read and clear it in one pass).
    pub fn grad_mut(&mut self) -> &mut Tensor<T, S> {
        self.grad.get_mut()
    }

    /// Clears the gradient: leaves add up the gradients of successive `backward` calls.
    pub fn zero_grad(&mut self) {
        self.grad.get_mut().fill(T::zero());
    }
}

/// A leaf holding `value` (an input or a parameter).
pub fn leaf<T: Real, S: Shape>(value: Tensor<T, S>) -> Leaf<T, S> {
    Leaf::new(value)
}

/// A scalar leaf, shape `(1,)`.
pub fn scalar<T: Real>(value: T) -> Leaf<T, (typenum::U1,)> {
    Leaf::new(Tensor::full(value))
}

impl<T: Real + core::fmt::Debug, S: Shape, O> core::fmt::Debug for Var<T, S, O> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Var")
            .field("value", &self.value.as_slice())
            .field("grad", &self.grad.borrow().as_slice())
            .finish()
    }
}

impl<T, S: Shape, O> Var<T, S, O> {
    pub(super) fn grad_cell(&self) -> &RefCell<Tensor<T, S>> {
        &self.grad
    }
}
