//! [`Gru`]: gated recurrent unit, gates in PyTorch's order r, z, n.

use typenum::U3;

use super::rules::RecurrentInput;
use super::state::impl_state;
use super::steps::{
    add_at_b, add_bias, add_col_sums, add_recurrent_grad, add_step, mul, mul_bt, norm,
    to_batch_major, to_time_major,
};
use crate::nn::{Ctx, Infer, Train};
use crate::ops::matmul::transpose;
use crate::scalar::{Pod, Real, Zeroable};
use crate::shape::{Dim, DimEq};
use crate::tensor::Tensor;

/// The GRU layer over whole sequences: `(N, S, D)` → all hidden states `(N, S, H)`, with full
/// backpropagation through time.
///
/// `r = σ(x·W_ir + h·W_hr + b_r)`, `z = σ(x·W_iz + h·W_hz + b_z)`,
/// `n = tanh(x·W_in + b_n + r⊙(h·W_hn + b_hn))`, `h_t = (1 − z)⊙n + z⊙h_{t−1}`, with `h` the
/// previous state (see the [guide](crate::guide::recurrent)). `b_hn` is PyTorch's `b_hh` for `n`; for `r` and
/// `z` one bias is PyTorch's `b_ih + b_hh`.
///
/// ```
/// use shaped::nn::{Gru, Infer};
/// use shaped::prelude::*;
/// let mut gru = Gru::<f64, U1, U1>::zeros();
/// gru.weight_x = tensor([[[0.0], [0.0], [1.0]]]); // only n sees x; r = z = 1/2
/// let h = gru.apply(&tensor([[[2.0]]]));
/// assert!((h.as_slice()[0] - 0.5 * 2.0f64.tanh()).abs() < 1e-15); // (1 − z)·n + z·0
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
#[params(init = Self::init_weights)]
pub struct Gru<T, D: Dim, H: Dim> {
    /// Input weights `W_x`, `(D, 3, H)`: gates r, z, n.
    #[param]
    pub weight_x: Tensor<T, (D, U3, H)>,
    /// Recurrent weights `W_h`, `(H, 3, H)`.
    #[param]
    pub weight_h: Tensor<T, (H, U3, H)>,
    /// Biases of r, z (PyTorch's `b_ih + b_hh`) and of n's input part (`b_in`), `(3, H)`.
    #[param]
    pub bias: Tensor<T, (U3, H)>,
    /// The bias of n's recurrent part, inside `r⊙(..)` (PyTorch's `b_hn`), `(H,)`.
    #[param]
    pub bias_hn: Tensor<T, (H,)>,
}

impl<T: Real, D: Dim, H: Dim> Gru<T, D, H> {
    /// A layer with all parameters zero (initialise with
    /// [`Params::init`](crate::nn::Params::init) before training).
    pub fn zeros() -> Self {
        Zeroable::zeroed()
    }

    /// `W_x` by `scheme` (fan-in `D`, fan-out `H` per gate), `W_h` likewise; biases zero.
    fn init_weights(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng) {
        let (d, h) = (D::USIZE, H::USIZE);
        crate::init::fill_weights(self.weight_x.as_mut_slice(), d, h, scheme, rng);
        crate::init::fill_weights(self.weight_h.as_mut_slice(), h, h, scheme, rng);
        self.bias.fill(T::zero());
        self.bias_hn.fill(T::zero());
    }

    /// The layer over a batch-major sequence `x` `(N, S, D)` into `y` `(N, S, H)`, from the
    /// cache's initial state, keeping in the cache what backward needs (shared by `infer` and
    /// `forward`).
    fn run<N: Dim, S: Dim>(&self, x: &[T], c: &mut GruCache<T, N, S, D, H>, y: &mut [T]) {
        to_time_major(x, c.xs.as_mut_slice(), N::USIZE, S::USIZE, D::USIZE);
        self.steps(c);
        to_batch_major(c.hs.as_slice(), y, N::USIZE, S::USIZE, H::USIZE);
    }

    /// The forward pass on time-major inputs in `c.xs`, from `c.h0`.
    fn steps<N: Dim, S: Dim>(&self, c: &mut GruCache<T, N, S, D, H>) {
        let (n, s, d, h) = (N::USIZE, S::USIZE, D::USIZE, H::USIZE);
        let (nh, g3) = (n * h, 3 * h);
        let gates = c.gates.as_mut_slice();
        mul(
            c.xs.as_slice(),
            self.weight_x.as_slice(),
            gates,
            s * n,
            d,
            g3,
            false,
        );
        add_bias(gates, self.bias.as_slice());
        let bhn = self.bias_hn.as_slice();
        for t in 0..s {
            let (done, rest) = c.hs.as_mut_slice().split_at_mut(t * nh);
            let prev = if t == 0 {
                c.h0.as_slice()
            } else {
                &done[(t - 1) * nh..]
            };
            let ht = &mut rest[..nh];
            let gh = c.gh.as_mut_slice();
            mul(prev, self.weight_h.as_slice(), gh, n, h, g3, false);
            let gt = &mut gates[t * n * g3..(t + 1) * n * g3];
            let hn = &mut c.hn.as_mut_slice()[t * nh..(t + 1) * nh];
            // Each gate is a contiguous run of `h` in a row: activated a whole run at a time
            // (vectorised for f32), the elementwise steps over disjoint slices.
            let rows = gt.chunks_exact_mut(g3).zip(gh.chunks_exact(g3));
            let states = hn.chunks_exact_mut(h).zip(ht.chunks_exact_mut(h));
            for (((row, grow), (hnb, hb)), pb) in rows.zip(states).zip(prev.chunks_exact(h)) {
                let (rz, rn) = row.split_at_mut(2 * h);
                rz.iter_mut()
                    .zip(&grow[..2 * h])
                    .for_each(|(v, &g)| *v += g);
                T::sigmoid_in_place(rz);
                let r = &rz[..h];
                for (((hk, &g), &b), (nv, &rk)) in hnb
                    .iter_mut()
                    .zip(&grow[2 * h..])
                    .zip(bhn)
                    .zip(rn.iter_mut().zip(r))
                {
                    *hk = g + b;
                    *nv += rk * *hk;
                }
                T::tanh_in_place(rn);
                let z = &rz[h..];
                for ((hk, &nn), (&zk, &p)) in hb.iter_mut().zip(&*rn).zip(z.iter().zip(pb)) {
                    *hk = (T::one() - zk) * nn + zk * p;
                }
            }
        }
    }
}

/// What a [`Gru`] forward pass keeps: the inputs, the activated gates, `h·W_hn + b_hn` of each
/// step, every hidden state (time-major), the initial state, and backward's buffers (`W_hᵀ`) and
/// results (`dh0`, per-step gradient norms). Its [`State`](super::State) impl reads and sets the
/// states.
#[derive(crate::Zeroable)]
#[shaped(crate = crate)]
#[repr(C)]
pub struct GruCache<T, N: Dim, S: Dim, D: Dim, H: Dim> {
    xs: Tensor<T, (S, N, D)>,
    h0: Tensor<T, (N, H)>,
    gates: Tensor<T, (S, N, U3, H)>,
    gh: Tensor<T, (N, U3, H)>,
    hn: Tensor<T, (S, N, H)>,
    hs: Tensor<T, (S, N, H)>,
    dgx: Tensor<T, (S, N, U3, H)>,
    dgh: Tensor<T, (S, N, U3, H)>,
    dxs: Tensor<T, (S, N, D)>,
    dh: Tensor<T, (N, H)>,
    weight_h_t: Tensor<T, (U3, H, H)>,
    dh0: Tensor<T, (N, H)>,
    norms: Tensor<T, (S,)>,
}

// SAFETY: `repr(C)` and every field an array of `T: Pod`, whose size is a multiple of `T`'s
// alignment: no padding, every bit pattern valid.
unsafe impl<T: Pod, N: Dim, S: Dim, D: Dim, H: Dim> Pod for GruCache<T, N, S, D, H> {}

impl_state!(GruCache, h);

impl<T: Real, D: Dim, H: Dim, N: Dim, S: Dim, D2> Infer<Tensor<T, (N, S, D2)>> for Gru<T, D, H>
where
    D2: Dim + DimEq<D, RecurrentInput>,
{
    type Output = Tensor<T, (N, S, H)>;
    /// The training cache (the unrolled workspace); inference starts from `h0 = 0`.
    type Scratch = GruCache<T, N, S, D, H>;

    fn infer(&self, x: &Tensor<T, (N, S, D2)>, c: &mut Self::Scratch, y: &mut Self::Output) {
        c.h0.fill(T::zero());
        self.run(x.as_slice(), c, y.as_mut_slice());
    }
}

impl<T: Real, D: Dim, H: Dim, N: Dim, S: Dim, D2> Train<Tensor<T, (N, S, D2)>> for Gru<T, D, H>
where
    D2: Dim + DimEq<D, RecurrentInput>,
{
    type Cache = GruCache<T, N, S, D, H>;

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
        _: &Tensor<T, (N, S, D2)>,
        c: &mut Self::Cache,
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (N, S, D2)>>,
        grads: Option<&mut GruGrads<T, D, H>>,
    ) {
        let (n, s, d, h) = (N::USIZE, S::USIZE, D::USIZE, H::USIZE);
        let (nh, g3) = (n * h, 3 * h);
        let one = T::one();
        c.dh.fill(T::zero());
        // Every step's `dh += dG_h·W_hᵀ` reads `W_h` transposed: transposed once here, not packed
        // transposed by every step's product.
        transpose(self.weight_h.as_slice(), c.weight_h_t.as_mut_slice(), h, g3);
        for t in (0..s).rev() {
            let dh = c.dh.as_mut_slice();
            add_step(dh, dy.as_slice(), t, s, h);
            c.norms.as_mut_slice()[t] = norm(dh);
            let hs = c.hs.as_slice();
            let prev = if t == 0 {
                c.h0.as_slice()
            } else {
                &hs[(t - 1) * nh..t * nh]
            };
            let gt = &c.gates.as_slice()[t * n * g3..(t + 1) * n * g3];
            let hn = &c.hn.as_slice()[t * nh..(t + 1) * nh];
            let dgx = &mut c.dgx.as_mut_slice()[t * n * g3..(t + 1) * n * g3];
            let dgh = &mut c.dgh.as_mut_slice()[t * n * g3..(t + 1) * n * g3];
            for b in 0..n {
                let row = &gt[b * g3..(b + 1) * g3];
                for j in 0..h {
                    let k = b * h + j;
                    let [r, z, nn] = [row[j], row[h + j], row[2 * h + j]];
                    let da_n = dh[k] * (one - z) * (one - nn * nn);
                    let da_r = da_n * hn[k] * r * (one - r);
                    let da_z = dh[k] * (prev[k] - nn) * z * (one - z);
                    let o = b * g3;
                    [dgx[o + j], dgx[o + h + j], dgx[o + 2 * h + j]] = [da_r, da_z, da_n];
                    [dgh[o + j], dgh[o + h + j], dgh[o + 2 * h + j]] = [da_r, da_z, da_n * r];
                    dh[k] *= z;
                }
            }
            mul(dgh, c.weight_h_t.as_slice(), dh, n, g3, h, true);
        }
        c.dh0.copy_from(&c.dh);
        if let Some(g) = grads {
            let (xs, dgx, dgh) = (c.xs.as_slice(), c.dgx.as_slice(), c.dgh.as_slice());
            add_at_b(xs, dgx, g.weight_x.as_mut_slice(), d, s * n, g3);
            let dwh = g.weight_h.as_mut_slice();
            add_recurrent_grad(c.h0.as_slice(), c.hs.as_slice(), dgh, dwh, (n, s, h, g3));
            add_col_sums(g.bias.as_mut_slice(), dgx);
            for row in dgh.chunks_exact(g3) {
                let bhn = g.bias_hn.as_mut_slice();
                bhn.iter_mut()
                    .zip(&row[2 * h..])
                    .for_each(|(a, &v)| *a += v);
            }
        }
        if let Some(dx) = dx {
            let (dg, wx) = (c.dgx.as_slice(), self.weight_x.as_slice());
            mul_bt(dg, wx, c.dxs.as_mut_slice(), s * n, g3, d, false);
            to_batch_major(c.dxs.as_slice(), dx.as_mut_slice(), n, s, d);
        }
    }
}
