//! [`DataParallel`]: a training step on two cores (feature `threads`).

extern crate std;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::marker::PhantomData;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use crate::init::Scheme;
use crate::nn::{Ctx, Infer, Loss, Module, Name, Params, Tensors, Train, Values, ValuesMut};
use crate::optim::Optimizer;
use crate::rand::Rng;
use crate::scalar::{Pod, Real, Scalar, Zeroable};
use crate::shape::EvenBatch;
use crate::tensor::Tensor;

/// A batch tensor that splits into two equal halves along its first axis, in place: a tensor of
/// shape `(B, ..)` with an even `B` (see [`Tensor::halves`]).
pub trait Halves: Zeroable + Send + 'static {
    /// Each half: `(B / 2, ..)`.
    type Half: Zeroable + Send + 'static;
    /// The first and second half, no copy.
    fn halves(&self) -> (&Self::Half, &Self::Half);
    /// Copies one half into another.
    fn copy_half(dst: &mut Self::Half, src: &Self::Half);
}

impl<E: Copy + Zeroable + Send + 'static, S: EvenBatch> Halves for Tensor<E, S> {
    type Half = Tensor<E, S::Half>;
    fn halves(&self) -> (&Self::Half, &Self::Half) {
        Tensor::halves(self)
    }
    fn copy_half(dst: &mut Self::Half, src: &Self::Half) {
        dst.as_mut_slice().copy_from_slice(src.as_slice());
    }
}

/// What [`DataParallel`] needs of a model `M` on batches `X`: it runs on `X` and trains on each
/// half of `X`, and its half-batch buffers can move to another thread. Holds for every model of
/// the library on an even batch (a blanket impl); nothing to write.
pub trait Replicable<T, X: Halves>:
    Infer<X>
    + Train<X::Half, Output: Send + 'static, Cache: Send + 'static, Grads: Send + 'static>
    + Params<T>
    + Zeroable
    + Send
    + 'static
{
}

impl<T, X, M> Replicable<T, X> for M
where
    X: Halves,
    M: Infer<X>
        + Train<X::Half, Output: Send + 'static, Cache: Send + 'static, Grads: Send + 'static>
        + Params<T>
        + Zeroable
        + Send
        + 'static,
{
}

/// The bytes of one `Pod` value.
fn bytes<P: Pod>(p: &P) -> &[u8] {
    crate::scalar::pod_bytes(core::slice::from_ref(p))
}

/// The bytes of one `Pod` value, mutably.
fn bytes_mut<P: Pod>(p: &mut P) -> &mut [u8] {
    crate::scalar::pod_bytes_mut(core::slice::from_mut(p))
}

/// The output of `M` on the whole batch `X`.
type Full<M, X> = <M as Infer<X>>::Output;
/// The output of `M` on half of `X`.
type HalfOut<M, X> = <M as Infer<<X as Halves>::Half>>::Output;

/// The second core's copy of the model, with its half of the batch and of the output gradient.
/// It travels to the worker thread and back by value (a box), so no memory is shared.
struct Replica<T, M: Train<XH>, XH> {
    model: Box<M>,
    grads: Box<M::Grads>,
    cache: Box<M::Cache>,
    x: Box<XH>,
    y: Box<M::Output>,
    dy: Box<M::Output>,
    /// Every parameter and state value of the main model, in [`Params::visit`] order: copied into
    /// `model` at the start of each forward pass, so both copies start each step equal.
    values: Vec<T>,
}

/// What the worker does with the replica it is sent.
enum Pass {
    /// Load `values` into the model, then run the training forward pass in this context.
    Forward(Ctx),
    /// Zero the gradients and back-propagate `dy`.
    Backward,
}

type Job<T, M, XH> = (Pass, Box<Replica<T, M, XH>>);

/// A model trained on two cores: each step splits the batch in two halves, runs forward and
/// backward on one half here and on the other on a worker thread (its own copy of the model),
/// and applies one optimizer step with the sum of both gradients (feature `threads`).
///
/// The loss and its gradient are computed on the whole batch's output, so the gradient is the
/// full batch's (up to the order of float additions), whatever the loss and its reduction; a
/// model without BatchNorm takes the same steps as [`Network`](crate::nn::Network).
///
/// - **BatchNorm** normalises each half with that half's statistics (as PyTorch's
///   `DataParallel` without `SyncBatchNorm`), and the running statistics kept are the first
///   half's.
/// - **Dropout**: the two halves draw from different streams of the step's context.
/// - **Cost**: a second copy of the model, its gradients and its half-batch cache on the heap,
///   and per step a copy of the stored tensors into the second copy; the threads hand that copy
///   over through channels, so no memory is shared.
/// - A panic on the worker thread is re-raised on the caller's.
///
/// ```
/// use shaped::init::Scheme;
/// use shaped::nn::{DataParallel, Linear, ReLU, SoftmaxCrossEntropy};
/// use shaped::optim::Sgd;
/// use shaped::prelude::*;
///
/// type Mlp = (Linear<f32, U4, U8>, ReLU, Linear<f32, U8, U3>);
/// type Batch = Tensor2<f32, U4, U4>; // two halves of 2
///
/// let mut net = DataParallel::<f32, Mlp, Batch>::new_init(Scheme::HeUniform, 42);
/// let x = tensor([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -1.0, 0.5], [0.0, 2.0, 1.0, 1.0], [1.0, 0.0, 0.0, -1.0]]);
/// let labels = tensor([2usize, 0, 1, 1]);
/// let mut sgd = Sgd::new().lr(0.1);
/// let first = net.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut sgd);
/// for _ in 0..50 {
///     net.train_step(&x, &labels, &SoftmaxCrossEntropy, &mut sgd);
/// }
/// assert!(net.loss(&x, &labels, &SoftmaxCrossEntropy) < first);
/// ```
pub struct DataParallel<T, M: Replicable<T, X>, X: Halves> {
    model: Box<M>,
    grads: Box<<M as Module>::Grads>,
    cache: Box<<M as Train<X::Half>>::Cache>,
    scratch: Box<<M as Infer<X>>::Scratch>,
    /// The whole batch's output and its gradient (the loss sees these) ...
    output: Box<Full<M, X>>,
    dy: Box<Full<M, X>>,
    /// ... and this thread's half of each.
    y1: Box<HalfOut<M, X>>,
    dy1: Box<HalfOut<M, X>>,
    /// The replica while it is here (between steps); `None` while the worker has it.
    replica: Option<Box<Replica<T, M, X::Half>>>,
    jobs: Option<Sender<Job<T, M, X::Half>>>,
    done: Receiver<Box<Replica<T, M, X::Half>>>,
    worker: Option<JoinHandle<()>>,
    ctx: Ctx,
    _types: PhantomData<fn(&X) -> T>,
}

/// The stream index of the second half's context ([`Ctx::child`]): its Dropout masks differ
/// from the first half's.
const SECOND_HALF: u64 = u64::MAX;

impl<T, M, X> DataParallel<T, M, X>
where
    T: Scalar + Send + 'static,
    X: Halves,
    M: Replicable<T, X>,
{
    /// Builds the model twice with `make` (once for each thread; both calls must give the same
    /// model, e.g. loaded from one file or initialised from one seed), allocates zeroed buffers
    /// and starts the worker thread; training randomness from seed 0.
    ///
    /// Both copies are built rather than one copied, because a model's configuration (a
    /// Dropout's `p`) is not among its stored tensors; the stored tensors are re-copied into the
    /// second copy at every step.
    pub fn new(mut make: impl FnMut() -> Box<M>) -> Self {
        let model = make();
        let replica = Box::new(Replica {
            model: make(),
            grads: crate::boxed_zeroed(),
            cache: crate::boxed_zeroed(),
            x: crate::boxed_zeroed(),
            y: crate::boxed_zeroed(),
            dy: crate::boxed_zeroed(),
            values: Vec::with_capacity(M::STORED),
        });
        let (jobs, inbox) = channel::<Job<T, M, X::Half>>();
        let (outbox, done) = channel();
        let worker = std::thread::Builder::new()
            .name("shaped-data-parallel".into())
            .spawn(move || serve(inbox, outbox))
            .expect("shaped::nn::DataParallel: could not start the worker thread");
        DataParallel {
            model,
            grads: crate::boxed_zeroed(),
            cache: crate::boxed_zeroed(),
            scratch: crate::boxed_zeroed(),
            output: crate::boxed_zeroed(),
            dy: crate::boxed_zeroed(),
            y1: crate::boxed_zeroed(),
            dy1: crate::boxed_zeroed(),
            replica: Some(replica),
            jobs: Some(jobs),
            done,
            worker: Some(worker),
            ctx: Ctx::train(0),
            _types: PhantomData,
        }
    }

    /// A new model with weights drawn by `scheme` from `seed` (biases zero), and training
    /// randomness from the same seed, as [`Network::new_init`](crate::nn::Network::new_init).
    pub fn new_init(scheme: Scheme, seed: u64) -> Self
    where
        T: Real,
    {
        let mut net = Self::new(|| {
            let mut model: Box<M> = crate::boxed_zeroed();
            model.init(scheme, &mut Rng::new(seed));
            model
        });
        net.ctx = Ctx::train(seed);
        net
    }

    /// The context of the next training step.
    pub fn ctx(&self) -> Ctx {
        self.ctx
    }

    /// Replaces the training context.
    pub fn set_ctx(&mut self, ctx: Ctx) {
        self.ctx = ctx;
    }

    /// Runs the model on the whole of `x` in evaluation mode, on this thread.
    pub fn evaluate(&mut self, x: &X) -> &Full<M, X> {
        Infer::<X>::infer(&*self.model, x, &mut self.scratch, &mut self.output);
        &self.output
    }

    /// The loss of the model on `x` in evaluation mode (gradients untouched).
    pub fn loss<Tgt, L>(&mut self, x: &X, target: &Tgt, loss: &L) -> T
    where
        L: Loss<T, Full<M, X>, Tgt>,
    {
        self.evaluate(x);
        loss.loss(&self.output, target)
    }

    /// Training forward on both halves, the loss on the whole batch, and backward on both halves:
    /// returns the loss and sets [`grads`](Self::grads) to its gradient (they are not accumulated
    /// across calls, unlike [`Network::loss_backward`](crate::nn::Network::loss_backward)).
    pub fn loss_backward<Tgt, L>(&mut self, x: &X, target: &Tgt, loss: &L) -> T
    where
        L: Loss<T, Full<M, X>, Tgt>,
    {
        const {
            assert!(2 * size_of::<HalfOut<M, X>>() == size_of::<Full<M, X>>());
        }
        let (x1, x2) = x.halves();
        let mut replica = self
            .replica
            .take()
            .expect("the replica is here between steps");
        X::copy_half(&mut replica.x, x2);
        replica.values.clear();
        self.model.visit(&Name::ROOT, &mut |e| {
            if let Values::Elem(v) = e.values {
                replica.values.extend_from_slice(v);
            }
        });
        self.send(Pass::Forward(self.ctx.child(SECOND_HALF)), replica);
        // While the worker runs the second half, this thread runs the first.
        Train::<X::Half>::forward(
            &mut *self.model,
            x1,
            self.ctx,
            &mut self.cache,
            &mut self.y1,
        );
        let mut replica = self.receive();
        // The halves' outputs are the two halves of the batch's (rows are outermost).
        let out = bytes_mut(&mut *self.output);
        let (first, second) = out.split_at_mut(out.len() / 2);
        first.copy_from_slice(bytes(&*self.y1));
        second.copy_from_slice(bytes(&*replica.y));

        let value = loss.loss_and_grad(&self.output, target, &mut self.dy);

        let (first, second) = bytes(&*self.dy).split_at(size_of::<HalfOut<M, X>>());
        bytes_mut(&mut *replica.dy).copy_from_slice(second);
        bytes_mut(&mut *self.dy1).copy_from_slice(first);
        self.send(Pass::Backward, replica);
        self.grads.zero();
        Train::<X::Half>::backward(
            &*self.model,
            x1,
            &mut self.cache,
            &self.dy1,
            None,
            Some(&mut self.grads),
        );
        let replica = self.receive();
        self.model.zip_params(
            &replica.grads,
            [&mut *self.grads],
            &mut |_, theirs, [ours]| ours.iter_mut().zip(theirs).for_each(|(o, &t)| *o += t),
        );
        self.replica = Some(replica);
        value
    }

    /// One training step: forward and backward on both halves at once, the summed gradient, an
    /// optimizer update, and the next random step. Returns the loss before the update.
    pub fn train_step<Tgt, L, O>(&mut self, x: &X, target: &Tgt, loss: &L, optimizer: &mut O) -> T
    where
        L: Loss<T, Full<M, X>, Tgt>,
        O: Optimizer<T, M>,
    {
        let value = self.loss_backward(x, target, loss);
        optimizer.step(&mut self.model, &self.grads);
        self.ctx.next_step();
        value
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, mutably, e.g. to load weights: its stored tensors (parameters and state) reach
    /// the second thread's copy at the next step. To change configuration that is not a stored
    /// tensor (a Dropout's `p`), use [`configure`](Self::configure).
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// Applies `f` to both copies of the model (this thread's, then the worker's).
    pub fn configure(&mut self, mut f: impl FnMut(&mut M)) {
        f(&mut self.model);
        f(&mut self
            .replica
            .as_mut()
            .expect("the replica is here between steps")
            .model);
    }

    /// The gradient of the latest [`loss_backward`](Self::loss_backward) or step: both halves'.
    pub fn grads(&self) -> &<M as Module>::Grads {
        &self.grads
    }

    /// The gradients, mutably (e.g. to clip them; then step the optimizer on
    /// [`model_mut`](Self::model_mut)).
    pub fn grads_mut(&mut self) -> &mut <M as Module>::Grads {
        &mut self.grads
    }

    /// The output of the latest training forward pass or evaluation.
    pub fn output(&self) -> &Full<M, X> {
        &self.output
    }

    /// Stops the worker and gives back the model.
    pub fn into_model(mut self) -> Box<M> {
        core::mem::replace(&mut self.model, crate::boxed_zeroed())
    }

    /// Hands the replica to the worker for `pass`.
    fn send(&mut self, pass: Pass, replica: Box<Replica<T, M, X::Half>>) {
        let jobs = self.jobs.as_ref().expect("the worker runs until drop");
        if jobs.send((pass, replica)).is_err() {
            self.rethrow();
        }
    }

    /// Waits for the worker to finish the pass it was sent, and takes the replica back.
    fn receive(&mut self) -> Box<Replica<T, M, X::Half>> {
        match spin_recv(&self.done) {
            Ok(replica) => replica,
            Err(_) => self.rethrow(),
        }
    }

    /// Re-raises the worker's panic on this thread (the only way its channels close early).
    fn rethrow(&mut self) -> ! {
        match self.worker.take().map(JoinHandle::join) {
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            _ => panic!("shaped::nn::DataParallel: the worker thread is gone"),
        }
    }
}

impl<T, M: Replicable<T, X>, X: Halves> Drop for DataParallel<T, M, X> {
    fn drop(&mut self) {
        drop(self.jobs.take()); // the worker's loop ends when its inbox closes
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// How long a thread polls for the other's message before it sleeps. A wake-up from sleep can
/// take tens of microseconds (more in a virtual machine), a large share of a half-batch pass that
/// takes a few hundred; between steps (the caller loading data) the worker goes to sleep.
const SPIN: std::time::Duration = std::time::Duration::from_micros(200);

/// `rx.recv()`, polling for up to [`SPIN`] first.
fn spin_recv<J>(rx: &Receiver<J>) -> Result<J, std::sync::mpsc::RecvError> {
    let start = std::time::Instant::now();
    loop {
        match rx.try_recv() {
            Ok(job) => return Ok(job),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                return Err(std::sync::mpsc::RecvError);
            }
            Err(std::sync::mpsc::TryRecvError::Empty) if start.elapsed() < SPIN => {
                core::hint::spin_loop()
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => return rx.recv(),
        }
    }
}

/// The worker thread: runs each pass it is sent on the replica and sends the replica back.
fn serve<T, M, XH>(inbox: Receiver<Job<T, M, XH>>, outbox: Sender<Box<Replica<T, M, XH>>>)
where
    T: Scalar,
    M: Train<XH> + Params<T>,
{
    while let Ok((pass, mut r)) = spin_recv(&inbox) {
        match pass {
            Pass::Forward(ctx) => {
                let Replica {
                    model,
                    cache,
                    x,
                    y,
                    values,
                    ..
                } = &mut *r;
                let mut at = 0;
                model.visit_mut(&Name::ROOT, &mut |e| {
                    if let ValuesMut::Elem(v) = e.values {
                        v.copy_from_slice(&values[at..at + v.len()]);
                        at += v.len();
                    }
                });
                model.forward(x, ctx, cache, y);
            }
            Pass::Backward => {
                let Replica {
                    model,
                    grads,
                    cache,
                    x,
                    dy,
                    ..
                } = &mut *r;
                grads.zero();
                model.backward(x, cache, dy, None, Some(grads));
            }
        }
        if outbox.send(r).is_err() {
            return;
        }
    }
}
