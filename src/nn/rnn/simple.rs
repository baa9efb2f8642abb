//! [`Rnn`]: the tanh ("Elman") recurrent layer, `h_t = tanh(x_t·W_x + h_{t−1}·W_h + b)`.

use super::rules::RecurrentInput;
use super::state::impl_state;
use super::steps::{
    add_at_b, add_bias, add_col_sums, add_recurrent_grad, add_step, mul, mul_bt, norm,
    to_batch_major, to_time_major,
};
use crate::nn::{Ctx, Infer, Train};
use crate::scalar::{Pod, Real, Zeroable};
use crate::shape::{Dim, DimEq};
use crate::tensor::Tensor;

/// The tanh recurrent layer over whole sequences: `(N, S, D)` → all hidden states `(N, S, H)`,
/// with full backpropagation through time (see the [guide](crate::guide::recurrent) for the conventions).
///
/// ```
/// use shaped::nn::{Infer, Rnn};
/// use shaped::prelude::*;
/// let mut rnn = Rnn::<f64, U1, U1>::zeros();
/// rnn.weight_x = tensor([[1.0]]);
/// rnn.weight_h = tensor([[0.5]]);
/// let h = rnn.apply(&tensor([[[1.0], [0.0]]])); // one sequence of 2 steps
/// let h1 = 1.0f64.tanh();
/// assert_eq!(h, tensor([[[h1], [(0.5 * h1).tanh()]]]));
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
#[params(init = Self::init_weights)]
pub struct Rnn<T, D: Dim, H: Dim> {
    /// Input weights `W_x`, `(D, H)`.
    #[param]
    pub weight_x: Tensor<T, (D, H)>,
    /// Recurrent weights `W_h`, `(H, H)`.
    #[param]
    pub weight_h: Tensor<T, (H, H)>,
    /// Bias, `(H,)`.
    #[param]
    pub bias: Tensor<T, (H,)>,
}

impl<T: Real, D: Dim, H: Dim> Rnn<T, D, H> {
    /// A layer with all parameters zero (initialise with
    /// [`Params::init`](crate::nn::Params::init) before training).
    pub fn zeros() -> Self {
        Zeroable::zeroed()
    }

    /// `W_x` by `scheme` (fan-in `D`), `W_h` by `scheme` (fan-in `H`), bias zero.
    fn init_weights(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng) {
        let (d, h) = (D::USIZE, H::USIZE);
        crate::init::fill_weights(self.weight_x.as_mut_slice(), d, h, scheme, rng);
        crate::init::fill_weights(self.weight_h.as_mut_slice(), h, h, scheme, rng);
        self.bias.fill(T::zero());
    }

    /// The layer over a batch-major sequence `x` `(N, S, D)` into `y` `(N, S, H)`, from the
    /// cache's initial state, keeping in the cache what backward needs (shared by `infer` and
    /// `forward`).
    fn run<N: Dim, S: Dim>(&self, x: &[T], c: &mut RnnCache<T, N, S, D, H>, y: &mut [T]) {
        to_time_major(x, c.xs.as_mut_slice(), N::USIZE, S::USIZE, D::USIZE);
        self.steps(c);
        to_batch_major(c.hs.as_slice(), y, N::USIZE, S::USIZE, H::USIZE);
    }

    /// The forward pass on time-major inputs in `c.xs`, from the initial state in `c.h0`.
    fn steps<N: Dim, S: Dim>(&self, c: &mut RnnCache<T, N, S, D, H>) {
        let (n, s, d, h) = (N::USIZE, S::USIZE, D::USIZE, H::USIZE);
        let nh = n * h;
        let hs = c.hs.as_mut_slice();
        mul(
            c.xs.as_slice(),
            self.weight_x.as_slice(),
            hs,
            s * n,
            d,
            h,
            false,
        );
        add_bias(hs, self.bias.as_slice());
        for t in 0..s {
            let (done, rest) = hs.split_at_mut(t * nh);
            let prev = if t == 0 {
                c.h0.as_slice()
            } else {
                &done[(t - 1) * nh..]
            };
            let cur = &mut rest[..nh];
            mul(prev, self.weight_h.as_slice(), cur, n, h, h, true);
            cur.iter_mut().for_each(|v| *v = v.tanh());
        }
    }
}

/// What an [`Rnn`] forward pass keeps: the inputs and every hidden state (time-major), the
/// initial state, and backward's buffers and results (`dh0`, per-step gradient norms). Its
/// [`State`](super::State) impl reads and sets the initial and final states.
#[derive(crate::Zeroable)]
#[shaped(crate = crate)]
#[repr(C)]
pub struct RnnCache<T, N: Dim, S: Dim, D: Dim, H: Dim> {
    xs: Tensor<T, (S, N, D)>,
    h0: Tensor<T, (N, H)>,
    hs: Tensor<T, (S, N, H)>,
    da: Tensor<T, (S, N, H)>,
    dxs: Tensor<T, (S, N, D)>,
    dh: Tensor<T, (N, H)>,
    dh0: Tensor<T, (N, H)>,
    norms: Tensor<T, (S,)>,
}

// SAFETY: `repr(C)` and every field an array of `T: Pod`, whose size is a multiple of `T`'s
// alignment: no padding, every bit pattern valid.
unsafe impl<T: Pod, N: Dim, S: Dim, D: Dim, H: Dim> Pod for RnnCache<T, N, S, D, H> {}

impl_state!(RnnCache, h);

impl<T: Real, D: Dim, H: Dim, N: Dim, S: Dim, D2> Infer<Tensor<T, (N, S, D2)>> for Rnn<T, D, H>
where
    D2: Dim + DimEq<D, RecurrentInput>,
{
    type Output = Tensor<T, (N, S, H)>;
    /// The training cache (the unrolled workspace); inference starts from `h0 = 0`.
    type Scratch = RnnCache<T, N, S, D, H>;

    fn infer(&self, x: &Tensor<T, (N, S, D2)>, c: &mut Self::Scratch, y: &mut Self::Output) {
        c.h0.fill(T::zero());
        self.run(x.as_slice(), c, y.as_mut_slice());
    }
}

impl<T: Real, D: Dim, H: Dim, N: Dim, S: Dim, D2> Train<Tensor<T, (N, S, D2)>> for Rnn<T, D, H>
where
    D2: Dim + DimEq<D, RecurrentInput>,
{
    type Cache = RnnCache<T, N, S, D, H>;

    /// Runs from the cache's initial state (zero unless set or carried, see
    /// [`State`](super::State)).
    fn forward(
        &mut self,
        x: &Tensor<T, (N, S, D2)>,
        _: Ctx,
        c: &mut Self::Cache,
        y: &mut Self::Output,
    ) {
        self.run(x.as_slice(), c, y.as_mut_slice());
    }

    /// BPTT over the `S` steps of the latest forward pass; `dh0` and the per-step norms are left
    /// in the cache.
    fn backward(
        &self,
        x: &Tensor<T, (N, S, D2)>,
        c: &mut Self::Cache,
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (N, S, D2)>>,
        grads: Option<&mut RnnGrads<T, D, H>>,
    ) {
        let _ = x;
        let (n, s, d, h) = (N::USIZE, S::USIZE, D::USIZE, H::USIZE);
        let nh = n * h;
        c.dh.fill(T::zero());
        for t in (0..s).rev() {
            let dh = c.dh.as_mut_slice();
            add_step(dh, dy.as_slice(), t, s, h);
            c.norms.as_mut_slice()[t] = norm(dh);
            let da = &mut c.da.as_mut_slice()[t * nh..(t + 1) * nh];
            let ht = &c.hs.as_slice()[t * nh..(t + 1) * nh];
            for ((a, &g), &y) in da.iter_mut().zip(dh.iter()).zip(ht) {
                *a = g * (T::one() - y * y);
            }
            mul_bt(da, self.weight_h.as_slice(), dh, n, h, h, false);
        }
        c.dh0.copy_from(&c.dh);
        if let Some(g) = grads {
            let (xs, da) = (c.xs.as_slice(), c.da.as_slice());
            add_at_b(xs, da, g.weight_x.as_mut_slice(), d, s * n, h);
            add_recurrent_grad(
                c.h0.as_slice(),
                c.hs.as_slice(),
                da,
                g.weight_h.as_mut_slice(),
                (n, s, h, h),
            );
            add_col_sums(g.bias.as_mut_slice(), da);
        }
        if let Some(dx) = dx {
            mul_bt(
                c.da.as_slice(),
                self.weight_x.as_slice(),
                c.dxs.as_mut_slice(),
                s * n,
                h,
                d,
                false,
            );
            to_batch_major(c.dxs.as_slice(), dx.as_mut_slice(), n, s, d);
        }
    }
}
