//! [`Lstm`]: long short-term memory, gates packed in PyTorch's order i, f, g, o.

use typenum::U4;

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

/// The LSTM layer over whole sequences: `(N, S, D)` → all hidden states `(N, S, H)`, with full
/// backpropagation through time.
///
/// With `[i, f, g, o] = [σ, σ, tanh, σ](x_t·W_x + h_{t−1}·W_h + b)`:
/// `c_t = f⊙c_{t−1} + i⊙g`, `h_t = o⊙tanh(c_t)` (see the [guide](crate::guide::recurrent)). The gate axis
/// is explicit: `W_x: (D, 4, H)` has PyTorch's `weight_ih_l0ᵀ: (D, 4H)` layout.
///
/// ```
/// use shaped::nn::{Infer, Lstm};
/// use shaped::prelude::*;
/// let mut lstm = Lstm::<f64, U1, U1>::zeros();
/// lstm.weight_x = tensor([[[1.0], [1.0], [1.0], [1.0]]]); // i, f, g, o all see x
/// let h = lstm.apply(&tensor([[[2.0]]]));
/// let s = 1.0 / (1.0 + (-2.0f64).exp());
/// let c = s * 2.0f64.tanh(); // f·c0 + i·g with c0 = 0
/// assert!((h.as_slice()[0] - s * c.tanh()).abs() < 1e-15);
/// ```
#[derive(crate::Params, crate::Zeroable)]
#[shaped(crate = crate)]
#[params(init = Self::init_weights)]
pub struct Lstm<T, D: Dim, H: Dim> {
    /// Input weights `W_x`, `(D, 4, H)`: gates i, f, g, o.
    #[param]
    pub weight_x: Tensor<T, (D, U4, H)>,
    /// Recurrent weights `W_h`, `(H, 4, H)`.
    #[param]
    pub weight_h: Tensor<T, (H, U4, H)>,
    /// Bias, `(4, H)` (PyTorch's `b_ih + b_hh`).
    #[param]
    pub bias: Tensor<T, (U4, H)>,
}

impl<T: Real, D: Dim, H: Dim> Lstm<T, D, H> {
    /// A layer with all parameters zero (initialise with
    /// [`Params::init`](crate::nn::Params::init) before training).
    pub fn zeros() -> Self {
        Zeroable::zeroed()
    }

    /// `W_x` by `scheme` (fan-in `D`, fan-out `H` per gate), `W_h` likewise (fan-in `H`); bias
    /// zero except the forget gate's, 1, so that the cell remembers from the start.
    fn init_weights(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng) {
        let (d, h) = (D::USIZE, H::USIZE);
        crate::init::fill_weights(self.weight_x.as_mut_slice(), d, h, scheme, rng);
        crate::init::fill_weights(self.weight_h.as_mut_slice(), h, h, scheme, rng);
        self.bias.fill(T::zero());
        self.bias.as_mut_slice()[h..2 * h].fill(T::one());
    }

    /// The layer over a batch-major sequence `x` `(N, S, D)` into `y` `(N, S, H)`, from the
    /// cache's initial state, keeping in the cache what backward needs (shared by `infer` and
    /// `forward`).
    fn run<N: Dim, S: Dim>(&self, x: &[T], c: &mut LstmCache<T, N, S, D, H>, y: &mut [T]) {
        to_time_major(x, c.xs.as_mut_slice(), N::USIZE, S::USIZE, D::USIZE);
        self.steps(c);
        to_batch_major(c.hs.as_slice(), y, N::USIZE, S::USIZE, H::USIZE);
    }

    /// The forward pass on time-major inputs in `c.xs`, from `c.h0`, `c.c0`.
    fn steps<N: Dim, S: Dim>(&self, c: &mut LstmCache<T, N, S, D, H>) {
        let (n, s, d, h) = (N::USIZE, S::USIZE, D::USIZE, H::USIZE);
        let (nh, g4) = (n * h, 4 * h);
        let gates = c.gates.as_mut_slice();
        mul(
            c.xs.as_slice(),
            self.weight_x.as_slice(),
            gates,
            s * n,
            d,
            g4,
            false,
        );
        add_bias(gates, self.bias.as_slice());
        for t in 0..s {
            let (done, rest) = c.hs.as_mut_slice().split_at_mut(t * nh);
            let prev = if t == 0 {
                c.h0.as_slice()
            } else {
                &done[(t - 1) * nh..]
            };
            let ht = &mut rest[..nh];
            let (cdone, crest) = c.cs.as_mut_slice().split_at_mut(t * nh);
            let cprev = if t == 0 {
                c.c0.as_slice()
            } else {
                &cdone[(t - 1) * nh..]
            };
            let ct = &mut crest[..nh];
            let gt = &mut gates[t * n * g4..(t + 1) * n * g4];
            mul(prev, self.weight_h.as_slice(), gt, n, h, g4, true);
            // Each gate is a contiguous run of `h` in a row: activated a whole run at a time
            // (vectorised for f32), then the cell and hidden updates over disjoint slices.
            let cells = ct.chunks_exact_mut(h).zip(ht.chunks_exact_mut(h));
            for ((row, cp), (cb, hb)) in gt
                .chunks_exact_mut(g4)
                .zip(cprev.chunks_exact(h))
                .zip(cells)
            {
                let (ifg, ro) = row.split_at_mut(3 * h);
                T::sigmoid_in_place(&mut ifg[..2 * h]);
                T::tanh_in_place(&mut ifg[2 * h..]);
                T::sigmoid_in_place(ro);
                let (ri, rest) = ifg.split_at(h);
                let (rf, rg) = rest.split_at(h);
                for (((c, &cp), &i), (&f, &g)) in
                    cb.iter_mut().zip(cp).zip(ri).zip(rf.iter().zip(rg))
                {
                    *c = f * cp + i * g;
                }
                hb.copy_from_slice(cb);
                T::tanh_in_place(hb);
                hb.iter_mut().zip(ro.iter()).for_each(|(hk, &o)| *hk *= o);
            }
        }
    }
}

/// What an [`Lstm`] forward pass keeps: the inputs, the activated gates, every hidden and cell
/// state (time-major), the initial states, and backward's buffers (`W_hᵀ`, one step's
/// `tanh c_t`) and results (`dh0`, `dc0`, per-step gradient norms). Its [`State`](super::State)
/// impl reads and sets the states.
#[derive(crate::Zeroable)]
#[shaped(crate = crate)]
#[repr(C)]
pub struct LstmCache<T, N: Dim, S: Dim, D: Dim, H: Dim> {
    xs: Tensor<T, (S, N, D)>,
    h0: Tensor<T, (N, H)>,
    c0: Tensor<T, (N, H)>,
    gates: Tensor<T, (S, N, U4, H)>,
    hs: Tensor<T, (S, N, H)>,
    cs: Tensor<T, (S, N, H)>,
    dgates: Tensor<T, (S, N, U4, H)>,
    dxs: Tensor<T, (S, N, D)>,
    dh: Tensor<T, (N, H)>,
    dc: Tensor<T, (N, H)>,
    tanh_c: Tensor<T, (N, H)>,
    weight_h_t: Tensor<T, (U4, H, H)>,
    dh0: Tensor<T, (N, H)>,
    dc0: Tensor<T, (N, H)>,
    norms: Tensor<T, (S,)>,
}

// SAFETY: `repr(C)` and every field an array of `T: Pod`, whose size is a multiple of `T`'s
// alignment: no padding, every bit pattern valid.
unsafe impl<T: Pod, N: Dim, S: Dim, D: Dim, H: Dim> Pod for LstmCache<T, N, S, D, H> {}

impl_state!(LstmCache, hc);

impl<T: Real, D: Dim, H: Dim, N: Dim, S: Dim, D2> Infer<Tensor<T, (N, S, D2)>> for Lstm<T, D, H>
where
    D2: Dim + DimEq<D, RecurrentInput>,
{
    type Output = Tensor<T, (N, S, H)>;
    /// The training cache (the unrolled workspace); inference starts from `h0 = c0 = 0`.
    type Scratch = LstmCache<T, N, S, D, H>;

    fn infer(&self, x: &Tensor<T, (N, S, D2)>, c: &mut Self::Scratch, y: &mut Self::Output) {
        c.h0.fill(T::zero());
        c.c0.fill(T::zero());
        self.run(x.as_slice(), c, y.as_mut_slice());
    }
}

impl<T: Real, D: Dim, H: Dim, N: Dim, S: Dim, D2> Train<Tensor<T, (N, S, D2)>> for Lstm<T, D, H>
where
    D2: Dim + DimEq<D, RecurrentInput>,
{
    type Cache = LstmCache<T, N, S, D, H>;

    /// Runs from the cache's initial states (zero unless set or carried, see
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

    /// BPTT over the `S` steps of the latest forward pass; `dh0`, `dc0` and the per-step norms
    /// are left in the cache.
    fn backward(
        &self,
        _: &Tensor<T, (N, S, D2)>,
        c: &mut Self::Cache,
        dy: &Self::Output,
        dx: Option<&mut Tensor<T, (N, S, D2)>>,
        grads: Option<&mut LstmGrads<T, D, H>>,
    ) {
        let (n, s, d, h) = (N::USIZE, S::USIZE, D::USIZE, H::USIZE);
        let (nh, g4) = (n * h, 4 * h);
        c.dh.fill(T::zero());
        c.dc.fill(T::zero());
        // `dh = dG·W_hᵀ` at every step reads `W_h` transposed: transposed once here, not packed
        // transposed by every step's product.
        transpose(self.weight_h.as_slice(), c.weight_h_t.as_mut_slice(), h, g4);
        for t in (0..s).rev() {
            let dh = c.dh.as_mut_slice();
            add_step(dh, dy.as_slice(), t, s, h);
            c.norms.as_mut_slice()[t] = norm(dh);
            let cs = c.cs.as_slice();
            let cprev = if t == 0 {
                c.c0.as_slice()
            } else {
                &cs[(t - 1) * nh..t * nh]
            };
            let tanh_c = c.tanh_c.as_mut_slice();
            tanh_c.copy_from_slice(&cs[t * nh..(t + 1) * nh]);
            T::tanh_in_place(tanh_c);
            let gt = &c.gates.as_slice()[t * n * g4..(t + 1) * n * g4];
            let dgt = &mut c.dgates.as_mut_slice()[t * n * g4..(t + 1) * n * g4];
            let dc = c.dc.as_mut_slice();
            for (b, (row, drow)) in gt
                .chunks_exact(g4)
                .zip(dgt.chunks_exact_mut(g4))
                .enumerate()
            {
                let r = b * h..(b + 1) * h;
                let (ri, rest) = row.split_at(h);
                let (rf, rest) = rest.split_at(h);
                let (rg, ro) = rest.split_at(h);
                let (di, rest) = drow.split_at_mut(h);
                let (df, rest) = rest.split_at_mut(h);
                let (dg, d_o) = rest.split_at_mut(h);
                let ins = [
                    ri,
                    rf,
                    rg,
                    ro,
                    &cprev[r.clone()],
                    &tanh_c[r.clone()],
                    &dh[r.clone()],
                ];
                cell_backward(ins, &mut dc[r], [di, df, dg, d_o]);
            }
            mul(dgt, c.weight_h_t.as_slice(), dh, n, g4, h, false);
        }
        c.dh0.copy_from(&c.dh);
        c.dc0.copy_from(&c.dc);
        if let Some(g) = grads {
            let (xs, dg) = (c.xs.as_slice(), c.dgates.as_slice());
            add_at_b(xs, dg, g.weight_x.as_mut_slice(), d, s * n, g4);
            let dwh = g.weight_h.as_mut_slice();
            add_recurrent_grad(c.h0.as_slice(), c.hs.as_slice(), dg, dwh, (n, s, h, g4));
            add_col_sums(g.bias.as_mut_slice(), dg);
        }
        if let Some(dx) = dx {
            let (dg, wx) = (c.dgates.as_slice(), self.weight_x.as_slice());
            mul_bt(dg, wx, c.dxs.as_mut_slice(), s * n, g4, d, false);
            to_batch_major(c.dxs.as_slice(), dx.as_mut_slice(), n, s, d);
        }
    }
}

/// One batch row of the LSTM cell's backward: from the activated gates `i, f, g, o`, `c_{t−1}`,
/// `tanh c_t` and `dh_t`, writes the gates' gradients and carries `dc` back to `dc_{t−1}`.
///
/// Not inlined: as a function's own slice arguments, the compiler knows the runs it writes do not
/// overlap the others and vectorises the loop (inlined into the step loop it stayed scalar).
#[inline(never)]
fn cell_backward<T: Real>(ins: [&[T]; 7], dc: &mut [T], [di, df, dg, d_o]: [&mut [T]; 4]) {
    let h = dc.len();
    let [ri, rf, rg, ro, cp, tc, dh] = ins.map(|s| &s[..h]);
    let (di, df, dg, d_o) = (&mut di[..h], &mut df[..h], &mut dg[..h], &mut d_o[..h]);
    let one = T::one();
    for j in 0..h {
        let [i, f, g, o] = [ri[j], rf[j], rg[j], ro[j]];
        let dct = dc[j] + dh[j] * o * (one - tc[j] * tc[j]);
        di[j] = dct * g * i * (one - i);
        df[j] = dct * cp[j] * f * (one - f);
        dg[j] = dct * i * (one - g * g);
        d_o[j] = dh[j] * tc[j] * o * (one - o);
        dc[j] = dct * f;
    }
}
