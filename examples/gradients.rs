//! Exploding and vanishing gradients through time, and clipping by the global norm (seed 001).
//!
//! ```text
//! cargo run --release --example gradients                  # the figures
//! cargo run --release --example gradients --features plot  # and target/gradients.png
//! ```
//!
//! The setup of the book's experiment: a batch of `N = 2`, hidden size `H = 3`, `T = 20` steps.
//! The gradient arriving at the last hidden state is `dh = ones(N, H)`; each step back through
//! the recurrent product multiplies it by `W_hᵀ` (`dh ← dh·W_hᵀ`, the tanh' factor left out, as
//! in the book), and the norm printed for each step is `‖dh‖ / N` (the book's
//! `np.sqrt(np.sum(dh**2)) / N`). `W_h` is `np.random.seed(3); np.random.randn(3, 3)`, whose
//! largest singular value is above 1: the norm explodes; `0.5·W_h` has it below 1: the norm
//! vanishes. Then the tanh factor: `tanh(h)` and `1 − tanh²(h)` on `h = −5..5` step 0.1 (at most 1,
//! so it can only shrink the gradient further). Then clipping: gradients of global norm 21.71
//! rescaled to the limit 5.0 with [`clip_grad_norm`]. Last, the same effect measured on a real
//! [`Rnn`] layer: its per-step gradient norms from backward.
//!
//! Final line: `gradients: exploding E, vanishing V, clipped C` (the last norm of each curve,
//! and the norm after clipping).

use shaped::nn::{Ctx, Grads, Linear, Rnn, RnnCache, State, Train};
use shaped::optim::{clip_grad_norm, grad_norm};
use shaped::prelude::*;

type Hs = U3;
type Batch = U2;
const STEPS: usize = 20;

/// `np.random.seed(3); np.random.randn(3, 3)` (NumPy's legacy Mersenne-Twister normal draws),
/// computed once with NumPy and kept here as data.
const WH_SEED3: [[f64; 3]; 3] = [
    [1.7886284734303186, 0.43650985051198943, 0.09649746807200862],
    [
        -1.8634927033644908,
        -0.27738820251439905,
        -0.35475897926898675,
    ],
    [
        -0.08274148148245977,
        -0.6270006768238473,
        -0.04381816897592824,
    ],
];

/// `‖dh‖ / N` after each of the `STEPS` steps `dh ← dh·W_hᵀ`, from `dh = ones`.
fn norms(wh: &Tensor2<f64, Hs, Hs>) -> Vec<f64> {
    let mut dh = Tensor2::<f64, Batch, Hs>::ones();
    (0..STEPS)
        .map(|_| {
            dh = dh.matmul_t(wh);
            dh.iter().map(|v| v * v).sum::<f64>().sqrt() / Batch::USIZE as f64
        })
        .collect()
}

fn main() {
    let wh: Tensor2<f64, Hs, Hs> = Tensor::from_fn(|[i, j]: [usize; 2]| WH_SEED3[i][j]);
    let exploding = norms(&wh);
    let vanishing = norms(&wh.map(|w| 0.5 * w));
    println!("step  ‖dh‖/N (W_h)  ‖dh‖/N (0.5·W_h)");
    for (t, (e, v)) in exploding.iter().zip(&vanishing).enumerate() {
        println!("{:>4}  {e:>12.4}  {v:>16.6}", t + 1);
    }

    println!("\ntanh(h) and its derivative 1 − tanh²(h) on h = −5..5 step 0.1 (h: tanh, tanh'):");
    let rows: Vec<String> = (0..=100)
        .map(|k| {
            let h = -5.0 + 0.1 * k as f64;
            let y = f64::tanh(h);
            format!("{h:>5.1}: {y:>8.5} {:>8.6}", 1.0 - y * y)
        })
        .collect();
    for line in rows.chunks(4) {
        println!("{}", line.join("   "));
    }
    println!("(tanh' ≤ 1, equal to 1 only at h = 0: each step through tanh can only shrink dh)");

    // Two layers' gradients of global norm 21.71: 21.71·(0.36, −0.48, 0.8), a unit direction.
    type Model = (Linear<f64, U2, U2>, Linear<f64, U2, U1>);
    let mut g = Grads::<Model>::zeroed();
    g.0.weight[[1, 0]] = 21.71 * 0.36;
    g.0.bias[[1]] = -21.71 * 0.48;
    g.1.weight[[0, 0]] = 21.71 * 0.8;
    let before = clip_grad_norm(&mut g, 5.0);
    let clipped = grad_norm(&g);
    println!("\nclipping: global norm {before:.2} → {clipped:.2} (limit 5.0)");

    // The real layer: a tanh RNN with the same W_h on 20 steps of zero input, from h0 = 0.5 (tanh'
    // is now in the product), gradient 1 at the last output only.
    let mut rnn = Rnn::<f64, U1, Hs>::zeros();
    rnn.weight_h = wh;
    let x = Tensor3::<f64, Batch, U20, U1>::zeros();
    let mut cache = RnnCache::<f64, Batch, U20, U1, Hs>::zeroed();
    cache.set_initial(&[0.5; 6], &[]);
    let mut y = Tensor::zeros();
    rnn.forward(&x, Ctx::train(0), &mut cache, &mut y);
    let dy = Tensor3::<f64, Batch, U20, Hs>::from_fn(|[_, t, _]: [usize; 3]| f64::from(t == 19));
    let mut grads = Grads::<Rnn<f64, U1, Hs>>::zeroed();
    rnn.backward(&x, &mut cache, &dy, None, Some(&mut grads));
    let steps = cache.step_norms();
    println!(
        "Rnn layer (with tanh'): ‖∂L/∂h_t‖ at t = 20, 10, 1: {:.4}, {:.4}, {:.6}",
        steps[19], steps[9], steps[0]
    );

    #[cfg(feature = "plot")]
    match plot(&exploding, &vanishing) {
        Ok(path) => println!("plot: {path}"),
        Err(e) => eprintln!("plot failed: {e}"),
    }

    println!(
        "gradients: exploding {:.2}, vanishing {:.5}, clipped {clipped:.2}",
        exploding[STEPS - 1],
        vanishing[STEPS - 1]
    );
}

/// The two norm curves against the step, on a log scale (1e-4 to 1e3), to `target/gradients.png`.
#[cfg(feature = "plot")]
fn plot(exploding: &[f64], vanishing: &[f64]) -> Result<&'static str, Box<dyn std::error::Error>> {
    use plotters::prelude::*;
    const PATH: &str = "target/gradients.png";
    let root = BitMapBackend::new(PATH, (640, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .margin(20)
        .build_cartesian_2d(1f64..STEPS as f64, (1e-4f64..1e3).log_scale())?;
    // No text: plotters draws text only with a font feature, left out to keep it small. Grey
    // lines mark the decades 1e-4 .. 1e3; the red curve is W_h, the blue one 0.5·W_h.
    for e in -4..=3 {
        let y = 10f64.powi(e);
        let style = if e == 0 {
            BLACK
        } else {
            RGBColor(200, 200, 200)
        };
        chart.draw_series(LineSeries::new([(1.0, y), (STEPS as f64, y)], &style))?;
    }
    let curve = |v: &[f64]| {
        v.iter()
            .enumerate()
            .map(|(t, &n)| ((t + 1) as f64, n))
            .collect::<Vec<_>>()
    };
    chart.draw_series(LineSeries::new(curve(exploding), &RED))?;
    chart.draw_series(LineSeries::new(curve(vanishing), &BLUE))?;
    root.present()?;
    Ok(PATH)
}
