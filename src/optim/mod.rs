//! Optimizers: update a model's parameters from gradients of the same type.
//! (The optimizer helper completes this module.)

/// Updates the parameters of a model `M` from its gradients (a value of the same type).
pub trait Optimizer<T, M> {
    /// One update step. Does not clear `grads`.
    fn step(&mut self, model: &mut M, grads: &M);
}
