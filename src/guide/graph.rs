//! # Computation graphs: the lecture's example, step by step
//!
//! Backpropagation seen as a computation graph (CS224N, lecture 3): every node receives the
//! upstream gradient `∂f/∂node` and multiplies it by its local gradient to get the gradient of
//! each input. [`shaped::graph`](crate::graph) does this for any expression built from its
//! operations.
//!
//! ## The example graph: `f = (x + y) · max(y, z)` at `x = 1, y = 2, z = 0`
//!
//! ```
//! use shaped::graph::scalar;
//!
//! // Leaves: inputs or parameters. Each holds a value and a gradient.
//! let (x, y, z) = (scalar(1.0), scalar(2.0), scalar(0.0));
//! // Every node is a `let`: building it computes its value (the forward pass).
//! let a = &x + &y;   // a = 3
//! let b = y.max(&z); // b = 2
//! let f = &a * &b;   // f = 6
//! assert_eq!(f.item(), 6.0);
//!
//! // The backward pass, from ∂f/∂f = 1.
//! f.backward();
//! // `×` swaps its inputs: ∂f/∂a = b = 2, ∂f/∂b = a = 3.
//! assert_eq!((a.grad()[[0]], b.grad()[[0]]), (2.0, 3.0));
//! // `+` distributes: ∂f/∂x = ∂f/∂a = 2.
//! assert_eq!(x.grad()[[0]], 2.0);
//! // `max` routes to the larger input: y (2 > 0) gets ∂f/∂b = 3, z gets 0.
//! assert_eq!(z.grad()[[0]], 0.0);
//! // y fans out to a and b: its gradients add up, 2 + 3 = 5.
//! assert_eq!(y.grad()[[0]], 5.0);
//! ```
//!
//! The gradients are exactly the lecture's: `∂f/∂x = 2`, `∂f/∂y = 5`, `∂f/∂z = 0`.
//!
//! Where `y == z`, `max` gives each side half the gradient (what a central difference
//! measures at the tie); see [`graph::binary`](crate::graph::binary).
//!
//! ## The same formula on tensors, checked numerically
//!
//! The operations work on whole tensors (here element by element, `×` the Hadamard product), and
//! [`graph::check`](crate::graph::check) compares the gradient of a scalar function of a leaf
//! with central differences:
//!
//! ```
//! use shaped::gradcheck::Config;
//! use shaped::graph::{check, leaf};
//! use shaped::prelude::*;
//!
//! let mut rng = Rng::new(1);
//! let mut random = || Tensor2::<f64, U3, U4>::from_flat_fn(|_| rng.uniform(-2.0, 2.0));
//! let (mut x, y, z) = (leaf(random()), leaf(random()), leaf(random()));
//! let worst = check(&mut x, |x| {
//!     let a = x + &y;
//!     let b = y.max(&z);
//!     let f = &a * &b;
//!     let total = f.sum(); // a scalar to differentiate
//!     total.backward();
//!     total.item()
//! }, Config::default());
//! assert!(worst.rel < 1e-8, "{worst}");
//! ```
//!
//! Shapes are types: with `z` of shape `(2, 4)`, `y.max(&z)` does not compile, and reads
//! `shape error (elementwise shapes): axis 0 differs: left has 3, right has 2`.
//!
//! ## What `backward` does
//!
//! 1. **Count**: starting from `f`, each node learns how many of its consumers lie on a path
//!    from `f` (`y`: two, `a` and `b`).
//! 2. **Send**: `f` gives `1` to itself; each node adds what its consumers send and, once the
//!    last has delivered, sends `upstream × local gradient` to its inputs. So `y` sends nothing
//!    until both `a` and `b` have delivered: fan-out gradients are summed first, and each node's
//!    backward runs once.
//!
//! Leaves add the gradient of every `backward` to what they hold (clear them with
//! [`Leaf::zero_grad`](crate::graph::Var::zero_grad)), as a model's gradients do between
//! optimizer steps.
//!
//! ## Matrix calculus: Jacobians
//!
//! [`graph::jacobian`](crate::graph::jacobian) runs one `backward` per output element, each
//! giving one row of `∂y/∂x`. For `z = Wx` with a column vector `x`, the Jacobian is `W`:
//!
//! ```
//! use shaped::graph::{jacobian, leaf};
//! use shaped::prelude::*;
//! let w = leaf(tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])); // (3, 2)
//! let x = leaf(tensor([[0.5], [-1.0]]));                       // (2, 1)
//! let z = w.matmul(&x);
//! let j: Tensor2<f64, U3, U2> = jacobian(&z, &x);
//! assert_eq!(&j, w.value());
//! // An elementwise function has a diagonal Jacobian, diag(f'(v)).
//! let v = leaf(tensor([1.0, -2.0, 3.0]));
//! let r = v.relu();
//! let jr: Tensor2<f64, U3, U3> = jacobian(&r, &v);
//! assert_eq!(jr, tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]));
//! ```
//!
//! ## Models with fan-out from layers
//!
//! For models built from layers, [`nn::Residual`](crate::nn::Residual) (`x + F(x)`) and
//! [`nn::parallel::Parallel`](crate::nn::parallel::Parallel) (two branches, merged by a sum or a concatenation) are
//! layers whose backward sums the two paths' input gradients; they go in tuple chains like any
//! layer. The `window_ner` example writes the lecture's window classifier both ways — layers
//! and an expression — and checks that their gradients agree.
