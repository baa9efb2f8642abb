//! The two layer contracts: [`Infer`] (evaluation: no caches, no gradients) and [`Train`]
//! (a forward pass that keeps what backward needs, and the backward pass), and the [`Ctx`] a
//! training forward pass runs in.

use crate::nn::Module;
use crate::rand::Rng;
use crate::scalar::{Pod, Zeroable};

/// Inference: `y = f(x)` in evaluation mode (BatchNorm uses its running statistics, Dropout is
/// the identity), with nothing kept for a backward pass.
///
/// Generic over the input `X`, which need not be a float tensor: a quantized layer implements
/// `Infer<Tensor<i8, S>>`. Layers accept any input dims and check them, so a wrong chain reads
/// `shape error (Linear input features): got 864, expected 400`.
///
/// When no impl fits at all (a `Linear` fed a 4-d tensor, a type that is not a layer), rustc
/// reports this trait itself, with the sentence below: it cannot name the types in decimal.
#[diagnostic::on_unimplemented(
    message = "shape error (layer input): this layer does not take inputs of this kind",
    label = "not a layer for this input",
    note = "each layer takes tensors of one rank: Linear (batch, features), Conv2d and pooling (batch, channels, height, width); put a `Flatten` between a conv part and a Linear head",
    note = "a tuple of 2 to 16 layers is a layer; nest longer models"
)]
pub trait Infer<X> {
    /// The output type, computed from the layer and input types.
    type Output: Pod;
    /// Scratch memory for one call (a convolution's column matrix); `()` for most layers. For a
    /// chain it is the largest pair of consecutive activations plus the largest layer scratch.
    type Scratch: Pod;

    /// Writes `y = f(x)`. Every output element is written; `scratch` may hold anything before.
    fn infer(&self, x: &X, scratch: &mut Self::Scratch, y: &mut Self::Output);

    /// By-value convenience: `f(x)` with fresh scratch, the output on the stack. For small
    /// models and tests; in loops, and for anything big, keep the scratch and call
    /// [`Infer::infer`] (or [`Infer::infer_boxed`]).
    ///
    /// ```
    /// use shaped::nn::{Infer, Linear, ReLU};
    /// use shaped::prelude::*;
    /// let mut model = <(Linear<f64, U2, U1>, ReLU)>::zeroed();
    /// model.0.weight = tensor([[1.0], [-2.0]]);
    /// let y = model.apply(&tensor([[3.0, 1.0], [1.0, 1.0]]));
    /// assert_eq!(y, tensor([[1.0], [0.0]])); // relu(3 - 2), relu(1 - 2)
    /// ```
    fn apply(&self, x: &X) -> Self::Output {
        let (mut scratch, mut y) = (Self::Scratch::zeroed(), Self::Output::zeroed());
        self.infer(x, &mut scratch, &mut y);
        y
    }

    /// Like [`Infer::apply`], with the scratch and the output on the heap (never on the stack).
    #[cfg(feature = "alloc")]
    fn infer_boxed(&self, x: &X) -> alloc::boxed::Box<Self::Output> {
        let mut scratch = crate::boxed_zeroed::<Self::Scratch>();
        let mut y = crate::boxed_zeroed::<Self::Output>();
        self.infer(x, &mut scratch, &mut y);
        y
    }
}

/// Training: a forward pass in the caller's [`Mode`] that keeps what backward needs in
/// [`Train::Cache`], and the backward pass, which writes `dX` and adds the parameter gradients.
#[diagnostic::on_unimplemented(
    message = "shape error (layer input): this layer does not take inputs of this kind, or cannot be trained",
    label = "not a trainable layer for this input",
    note = "each layer takes tensors of one rank: Linear (batch, features), Conv2d and pooling (batch, channels, height, width); put a `Flatten` between a conv part and a Linear head",
    note = "a tuple of 2 to 16 layers is a layer; nest longer models"
)]
pub trait Train<X>: Infer<X> + Module {
    /// What forward keeps for backward, plus scratch. Zeroed before first use.
    type Cache: Zeroable;

    /// `y = f(x)` in `ctx`'s mode; updates state (BatchNorm's running statistics) in training
    /// mode and draws randomness (Dropout's mask) from `ctx`'s stream for this layer.
    fn forward(&mut self, x: &X, ctx: Ctx, cache: &mut Self::Cache, y: &mut Self::Output);

    /// Given `dy = ∂L/∂y` for the `x` of the latest [`Train::forward`] (with the same cache),
    /// writes `dx = ∂L/∂x` (skipped when `None`: a model's input, or nothing trainable below) and
    /// adds the parameter gradients to `grads` (skipped when `None`: inside [`Frozen`]).
    ///
    /// [`Frozen`]: crate::nn::Frozen
    fn backward(
        &self,
        x: &X,
        cache: &mut Self::Cache,
        dy: &Self::Output,
        dx: Option<&mut X>,
        grads: Option<&mut Self::Grads>,
    );
}

/// Training or evaluation: which statistics BatchNorm uses, whether Dropout drops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Batch statistics (and running-statistic updates), random dropout.
    Train,
    /// Running statistics, no dropout: what [`Infer`] computes.
    Eval,
}

/// The context of one training forward pass: the mode, and a seeded random stream of which
/// every layer gets its own (two Dropout layers never draw the same mask).
///
/// A layer's stream depends on the seed, the step (advance it once per batch with
/// [`Ctx::next_step`]) and the layer's position in the model, so adding a layer elsewhere does not
/// change another layer's draws, and a run is reproducible from its seed.
///
/// ```
/// use shaped::nn::{Ctx, Mode};
/// let mut ctx = Ctx::train(7);
/// assert_eq!(ctx.mode(), Mode::Train);
/// let (a, b) = (ctx.child(0).rng().next_u64(), ctx.child(1).rng().next_u64());
/// assert_ne!(a, b);                                     // each layer its own stream
/// assert_eq!(a, Ctx::train(7).child(0).rng().next_u64()); // reproducible
/// ctx.next_step();
/// assert_ne!(a, ctx.child(0).rng().next_u64());         // a new mask every step
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ctx {
    mode: Mode,
    seed: u64,
    step: u64,
    stream: u64,
}

impl Ctx {
    /// Training mode with randomness from `seed`.
    pub const fn train(seed: u64) -> Self {
        Ctx {
            mode: Mode::Train,
            seed,
            step: 0,
            stream: 0,
        }
    }

    /// Evaluation mode (what [`Infer`] computes), e.g. to back-propagate through a model in
    /// evaluation mode.
    pub const fn eval() -> Self {
        Ctx {
            mode: Mode::Eval,
            seed: 0,
            step: 0,
            stream: 0,
        }
    }

    /// The mode.
    pub const fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether this is training mode.
    pub const fn is_train(&self) -> bool {
        matches!(self.mode, Mode::Train)
    }

    /// The same context in evaluation mode (what [`Frozen`](crate::nn::Frozen) layers run in).
    pub const fn to_eval(self) -> Self {
        Ctx {
            mode: Mode::Eval,
            ..self
        }
    }

    /// The context of sub-layer `index`: its own random stream.
    pub const fn child(self, index: u64) -> Self {
        Ctx {
            stream: mix(self.stream ^ mix(index.wrapping_add(0x9e37_79b9_7f4a_7c15))),
            ..self
        }
    }

    /// Advances to the next step (batch): every layer draws fresh randomness.
    pub fn next_step(&mut self) {
        self.step = self.step.wrapping_add(1);
    }

    /// The step counter.
    pub const fn step(&self) -> u64 {
        self.step
    }

    /// This layer's random stream for this step.
    pub fn rng(&self) -> Rng {
        Rng::new(mix(self.seed ^ mix(self.step ^ mix(self.stream))))
    }
}

/// SplitMix64's finaliser: a bijective mix of 64 bits.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
