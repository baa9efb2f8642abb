//! Expressions that differentiate themselves: build a formula from tensors, call `backward`,
//! read the gradient of every leaf. Shapes are checked at compile time, and nothing is
//! allocated.
//!
//! ```
//! use shaped::graph::scalar;
//! // The example graph of the lecture: f = (x + y) · max(y, z).
//! let (x, y, z) = (scalar(1.0), scalar(2.0), scalar(0.0));
//! let a = &x + &y;
//! let b = y.max(&z);
//! let f = &a * &b;
//! f.backward();
//! assert_eq!(f.item(), 6.0);
//! assert_eq!((x.grad()[[0]], y.grad()[[0]], z.grad()[[0]]), (2.0, 5.0, 0.0));
//! ```
//!
//! `y` is used twice (fan-out): its gradient is the sum of what `a` sends (`b = 2`) and what `b`
//! sends (`a = 3`, since `y` is the larger input of `max`). The chapter
//! [`guide::graph`](crate::guide::graph) walks through it.
//!
//! # How it works
//! Each node ([`Var`]) computes its value when it is built, and borrows its inputs, so every
//! `let` is one node on the stack and the borrow checker keeps inputs alive and unchanged for as
//! long as the expression exists. `backward` makes two passes from the output:
//! 1. **count**: each node learns how many of its consumers lie on a path from the output;
//! 2. **send**: each node adds what every consumer sends into its gradient and, after the last
//!    one, multiplies by its local derivative and sends the result to its inputs, once.
//!
//! So gradients of a value used several times add up before they travel further (each node's
//! backward runs once, however wide the fan-out), and nodes built but not used by the output are
//! not visited. Leaves ([`Leaf`]) add each `backward`'s gradient to what they hold, as a model's
//! gradients do; intermediate nodes start from zero every time.
//!
//! # Memory and types
//! A node holds its value, its gradient and references to its inputs: its size is fixed by its
//! shape, and an expression's memory is the sum of its nodes, known at compile time, on the
//! stack. Inputs are held as `&dyn Node<T, S>`, so a node's type names its shape and its
//! operation but not the expression below it (no expression templates): a 20-node formula
//! compiles about as fast as 20 tensor operations, and an error names one node, not a nested
//! type (see `docs/graph.md` for the design and the measured compile times).
//!
//! # Operations
//! - elementwise: `&a + &b`, `-`, `*` (Hadamard), `/`, [`Var::max`], [`Var::min`] (ties halve
//!   the gradient, see [`binary`]); scalars `&a * 2.0`, `&a + 1.0`, `-&a`;
//!   [`Var::exp`], [`Var::ln`], [`Var::tanh`], [`Var::sigmoid`], [`Var::relu`],
//!   [`Var::softplus`];
//! - products: [`Var::matmul`], [`Var::matmul_t`] (`a·bᵀ`), [`Var::t_matmul`] (`aᵀ·b`), and
//!   the bias broadcast [`Var::add_row`];
//! - reductions: [`Var::sum`], [`Var::mean`] (to a scalar `(1,)`), [`Var::row_sums`],
//!   [`Var::row_means`];
//! - [`Var::reshape`], [`Var::select`] (`where` with a mask), [`Var::gather_rows`] (embedding
//!   lookup), [`Var::softmax`], [`Var::log_softmax`] (per row).
//!
//! A wrong shape is a compile error in decimal, as for tensors:
//! `shape error (matmul inner dimension): left has 4 columns, right has 3 rows`.
//!
//! [`jacobian`] computes `∂y/∂x` by reverse mode; [`check`] compares leaf gradients with central
//! differences.

pub mod binary;
mod check;
mod jacobian;
pub mod matmul;
mod node;
pub mod reduce;
pub mod shape_ops;
pub mod softmax;
pub mod unary;

pub use check::{check, check2};
pub use jacobian::{Count, jacobian};
pub use node::{Input, Leaf, Node, Op, Var, leaf, scalar};
pub use shape_ops::IndexError;
