//! A model with its buffers on the heap (see [`Network`]).

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
#[cfg(feature = "alloc")]
use core::marker::PhantomData;

#[cfg(feature = "alloc")]
use crate::{
    init::Scheme,
    nn::{Ctx, Loss, Params, Tensors, Train},
    optim::Optimizer,
    rand::Rng,
    scalar::{Real, Scalar, Zeroable},
    shape::Dim,
    tensor::Tensor,
};

/// A model `M` for inputs `X` with heap-allocated gradients, training cache, inference scratch,
/// output and output gradient, and a one-call training step.
///
/// [`Network`]: a model with its gradients, workspace and output buffers on the heap, for
/// programs on a PC (feature `alloc`). It wraps the in-place API ([`Train`],
/// [`Infer`](crate::nn::Infer), [`Loss`], [`Optimizer`]) and adds nothing the embedded path
/// lacks; every buffer is allocated zeroed directly on the heap
/// ([`boxed_zeroed`](crate::boxed_zeroed)), never built on the stack.
///
/// ```
/// use shaped::prelude::*;
/// use shaped::init::Scheme;
/// use shaped::nn::{Linear, Network, ReLU, SoftmaxCrossEntropy};
/// use shaped::optim::Sgd;
///
/// type Mlp = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
/// type Batch = Tensor2<f32, U2, U4>;
///
/// let mut net = Network::<f32, Mlp, Batch>::new_init(Scheme::HeUniform, 42);
/// let x = tensor([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -1.0, 0.5]]);
/// let labels = tensor([2usize, 0]);
/// let mut sgd = Sgd::new().lr(0.1);
/// let first = net.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut sgd);
/// for _ in 0..50 {
///     net.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut sgd);
/// }
/// assert!(net.loss(&x, &labels, &SoftmaxCrossEntropy) < first);
/// assert_eq!(Network::<f32, Mlp, Batch>::PARAMS, 4 * 8 + 8 + 8 * 3 + 3);
/// ```
///
/// # Reading shape errors
/// A model whose layers do not fit together fails to compile where the `Network` type is named,
/// with the rule and both dims in decimal:
///
/// ```text
/// error[E0277]: shape error (Linear input features): got 10, expected 16
/// ```
///
/// "got" is what the previous layer (or the input `X`) produces, "expected" what the receiving
/// layer was declared with. The `note: required for ...` lines below it spell the types in
/// typenum's binary form and can be skipped. Targets are checked the same way, e.g.
/// `shape error (batch size): got 16, expected 32`.
///
/// The same message appears for a direct call on the model (`model.infer(..)`,
/// `Infer::infer(&model, ..)`). A tuple of more than 16 layers reads
/// `shape error (chain length): ..`; nest tuples instead.
///
/// `T` is the parameter element type (`f32`, `f64`). Training passes run in the network's
/// [`Ctx`] (training mode, seeded randomness, one step per [`train_step`](Self::train_step));
/// [`evaluate`](Self::evaluate), [`loss`](Self::loss) and [`predict`](Self::predict) run the
/// inference contract (evaluation mode).
#[cfg(feature = "alloc")]
pub struct Network<T, M: Train<X>, X> {
    model: Box<M>,
    grads: Box<M::Grads>,
    cache: Box<M::Cache>,
    scratch: Box<M::Scratch>,
    output: Box<M::Output>,
    dy: Box<M::Output>,
    ctx: Ctx,
    _types: PhantomData<fn(&X) -> T>,
}

#[cfg(feature = "alloc")]
impl<T, M, X> Network<T, M, X>
where
    T: Scalar,
    M: Train<X> + Params<T> + Zeroable,
{
    /// Number of trainable parameters.
    pub const PARAMS: usize = M::PARAMS;
    /// Bytes of parameter storage (every kind: trainable, frozen, state).
    pub const MODEL_BYTES: usize = core::mem::size_of::<M>();
    /// Bytes of all heap buffers: model, gradients, training cache, inference scratch, output and
    /// output gradient (optimizer state is the optimizer's).
    pub const HEAP_BYTES: usize = core::mem::size_of::<M>()
        + core::mem::size_of::<M::Grads>()
        + core::mem::size_of::<M::Cache>()
        + core::mem::size_of::<M::Scratch>()
        + 2 * core::mem::size_of::<M::Output>();

    /// Wraps a model (already on the heap, e.g. from [`boxed_zeroed`](crate::boxed_zeroed) then
    /// [`Params::init`]) and allocates zeroed buffers; training randomness from seed 0.
    pub fn new(model: Box<M>) -> Self {
        Network {
            model,
            grads: crate::boxed_zeroed(),
            cache: crate::boxed_zeroed(),
            scratch: crate::boxed_zeroed(),
            output: crate::boxed_zeroed(),
            dy: crate::boxed_zeroed(),
            ctx: Ctx::train(0),
            _types: PhantomData,
        }
    }

    /// A new model with weights drawn by `scheme` from `seed` (biases zero), and training
    /// randomness (Dropout) from the same seed.
    pub fn new_init(scheme: Scheme, seed: u64) -> Self
    where
        T: Real,
    {
        let mut model: Box<M> = crate::boxed_zeroed();
        model.init(scheme, &mut Rng::new(seed));
        let mut net = Self::new(model);
        net.ctx = Ctx::train(seed);
        net
    }

    /// The context of the next training pass.
    pub fn ctx(&self) -> Ctx {
        self.ctx
    }

    /// Replaces the training context (e.g. `Ctx::eval()` to back-propagate in evaluation mode).
    pub fn set_ctx(&mut self, ctx: Ctx) {
        self.ctx = ctx;
    }

    /// Runs the model on `x` in evaluation mode ([`Infer`](crate::nn::Infer)); the result stays
    /// in the output buffer.
    pub fn evaluate(&mut self, x: &X) -> &M::Output {
        self.model.infer(x, &mut self.scratch, &mut self.output);
        &self.output
    }

    /// Runs the training forward pass on `x` (keeping what backward needs).
    pub fn forward(&mut self, x: &X) -> &M::Output {
        self.model
            .forward(x, self.ctx, &mut self.cache, &mut self.output);
        &self.output
    }

    /// Back-propagates `dy = ∂L/∂output` for the `x` of the latest [`forward`](Self::forward),
    /// adding the parameter gradients to [`grads`](Self::grads).
    pub fn backward(&mut self, x: &X, dy: &M::Output) {
        self.model
            .backward(x, &mut self.cache, dy, None, Some(&mut self.grads));
    }

    /// Sets all gradients to zero.
    pub fn zero_grads(&mut self) {
        self.grads.zero();
    }

    /// The loss of the model on `x` in evaluation mode (gradients untouched).
    pub fn loss<Tgt, L>(&mut self, x: &X, target: &Tgt, loss: &L) -> T
    where
        L: Loss<T, M::Output, Tgt>,
    {
        self.evaluate(x);
        loss.loss(&self.output, target)
    }

    /// Training forward, loss and backward: returns the loss and adds its parameter gradients to
    /// [`grads`](Self::grads) (call [`zero_grads`](Self::zero_grads) first unless accumulating).
    pub fn loss_backward<Tgt, L>(&mut self, x: &X, target: &Tgt, loss: &L) -> T
    where
        L: Loss<T, M::Output, Tgt>,
    {
        self.model
            .forward(x, self.ctx, &mut self.cache, &mut self.output);
        let value = loss.loss_and_grad(&self.output, target, &mut self.dy);
        self.model
            .backward(x, &mut self.cache, &self.dy, None, Some(&mut self.grads));
        value
    }

    /// One training step: zero the gradients, forward, loss and its gradient, backward, an
    /// optimizer update, and the next random step. Returns the loss before the update.
    pub fn train_step<Tgt, L, O>(&mut self, x: &X, target: &Tgt, loss: &L, optimizer: &mut O) -> T
    where
        L: Loss<T, M::Output, Tgt>,
        O: Optimizer<T, M>,
    {
        self.zero_grads();
        let value = self.loss_backward(x, target, loss);
        optimizer.step(&mut self.model, &self.grads);
        self.ctx.next_step();
        value
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, mutably (e.g. to load weights).
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// The accumulated gradients.
    pub fn grads(&self) -> &M::Grads {
        &self.grads
    }

    /// The gradients, mutably (e.g. to clip them before an optimizer step).
    pub fn grads_mut(&mut self) -> &mut M::Grads {
        &mut self.grads
    }

    /// The output of the latest forward pass or evaluation.
    pub fn output(&self) -> &M::Output {
        &self.output
    }

    /// Gives back the model.
    pub fn into_model(self) -> Box<M> {
        self.model
    }
}

#[cfg(feature = "alloc")]
impl<T, M, X, B, C> Network<T, M, X>
where
    T: Real,
    B: Dim,
    C: Dim,
    M: Train<X, Output = Tensor<T, (B, C)>> + Params<T> + Zeroable,
{
    /// Runs the model on `x` in evaluation mode and writes each sample's highest-scoring class
    /// into `classes` ([`argmax`](crate::ops::reduce::argmax)'s rule: the first maximum wins, a
    /// NaN score wins over any number).
    pub fn predict(&mut self, x: &X, classes: &mut Tensor<usize, (B,)>) {
        self.evaluate(x);
        for (b, class) in classes.iter_mut().enumerate() {
            *class = crate::ops::reduce::argmax(self.output.outer(b));
        }
    }
}
