//! # Writing your own layer
//!
//! A layer is a struct with three pieces, each small:
//!
//! 1. **What it stores**: `#[derive(Params, Zeroable)]`. Mark each tensor field `#[param]`
//!    (trainable: gets a gradient and optimizer state), `#[state]` (saved and loaded, never
//!    trained: running statistics, counters) or `#[skip]` (configuration, markers); other fields
//!    are sub-models. The derive writes [`Module`](crate::nn::Module) (the gradient type, here
//!    `ScaleGrads`), [`Params`](crate::nn::Params) (counts, the named visitor that weight files
//!    use, the optimizer walk) and `Zeroable` (so the layer can live in a zeroed static or box).
//! 2. **Inference**: [`Infer`](crate::nn::Infer) — `infer(&self, x, scratch, y)`, writing every
//!    output element. No caches: this is what runs on a device.
//! 3. **Training**: [`Train`](crate::nn::Train) — `forward(&mut self, x, ctx, cache, y)` keeps in
//!    `cache` what `backward` needs; `backward` writes `dx` when asked (`Some`) and *adds* the
//!    parameter gradients when asked (`Some`; `None` inside [`Frozen`](crate::nn::Frozen)).
//!
//! Accept any input dims and check them, so a mismatch in a chain is reported by your layer with
//! both dims in decimal (`I: DimEq<F, rules::..>`; [`shape_rule!`](crate::shape_rule) declares a
//! rule with your own wording). Then test the backward pass against central differences with
//! [`gradcheck`](crate::gradcheck) in `f64`.
//!
//! ## A learned per-feature gain
//!
//! `y = x ⊙ g` on batches `(B, F)`: `dx = dy ⊙ g`, `dg = Σ_b dy ⊙ x`.
//!
//! ```
//! use shaped::gradcheck::{self, Config};
//! use shaped::nn::{Ctx, Grads, Name};
//! use shaped::prelude::*;
//! use shaped::shape::{DimEq, rules};
//!
//! /// A learned gain per feature.
//! #[derive(shaped::Params, shaped::Zeroable)]
//! #[params(init = Scale::ones)]
//! pub struct Scale<T, F: Dim> {
//!     /// One gain per feature.
//!     #[param]
//!     pub gain: Tensor<T, (F,)>,
//! }
//!
//! impl<T: Real, F: Dim> Scale<T, F> {
//!     fn ones(&mut self, _: shaped::init::Scheme, _: &mut shaped::rand::Rng) {
//!         self.gain.fill(T::one());
//!     }
//! }
//!
//! // Any input width `F2` is accepted and checked against `F` (an error in decimal otherwise).
//! impl<T: Real, B: Dim, F: Dim, F2: Dim + DimEq<F, rules::LinearInput>> Infer<Tensor<T, (B, F2)>>
//!     for Scale<T, F>
//! {
//!     type Output = Tensor<T, (B, F)>;
//!     type Scratch = ();
//!     fn infer(&self, x: &Tensor<T, (B, F2)>, _: &mut (), y: &mut Self::Output) {
//!         let g = self.gain.as_slice();
//!         for (yr, xr) in y.as_mut_slice().chunks_exact_mut(F::USIZE).zip(x.as_slice().chunks_exact(F::USIZE)) {
//!             yr.iter_mut().zip(xr).zip(g).for_each(|((y, &x), &g)| *y = x * g);
//!         }
//!     }
//! }
//!
//! impl<T: Real, B: Dim, F: Dim, F2: Dim + DimEq<F, rules::LinearInput>> Train<Tensor<T, (B, F2)>>
//!     for Scale<T, F>
//! {
//!     type Cache = (); // backward needs only `x`, which it is given
//!     fn forward(&mut self, x: &Tensor<T, (B, F2)>, _: Ctx, _: &mut (), y: &mut Self::Output) {
//!         self.infer(x, &mut (), y);
//!     }
//!     fn backward(
//!         &self,
//!         x: &Tensor<T, (B, F2)>,
//!         _: &mut (),
//!         dy: &Self::Output,
//!         dx: Option<&mut Tensor<T, (B, F2)>>,
//!         grads: Option<&mut ScaleGrads<T, F>>,
//!     ) {
//!         let (x, dy, g) = (x.as_slice(), dy.as_slice(), self.gain.as_slice());
//!         if let Some(dx) = dx {
//!             for (i, d) in dx.as_mut_slice().iter_mut().enumerate() {
//!                 *d = dy[i] * g[i % F::USIZE];
//!             }
//!         }
//!         if let Some(grads) = grads {
//!             for (i, (&x, &dy)) in x.iter().zip(dy).enumerate() {
//!                 grads.gain.as_mut_slice()[i % F::USIZE] += dy * x;
//!             }
//!         }
//!     }
//! }
//!
//! // The backward pass against central differences, in f64.
//! let mut layer = Scale::<f64, U3>::zeroed();
//! layer.init(shaped::init::Scheme::XavierUniform, &mut Rng::new(1));
//! layer.gain = tensor([0.5, -2.0, 1.5]);
//! let mut x = Tensor2::<f64, U4, U3>::from_flat_fn(|i| i as f64 * 0.3 - 1.0);
//! let report = gradcheck::check_projected(&mut layer, &mut x, 7, Config::default());
//! assert!(report.max_rel() < 1e-9, "{report}");
//!
//! // It is a layer like any other: in chains, with optimizers, in weight files by name.
//! type Model = (Linear<f32, U4, U3>, Scale<f32, U3>, ReLU, Linear<f32, U3, U2>);
//! assert_eq!(<Model as Params<f32>>::PARAMS, 4 * 3 + 3 + 3 + 3 * 2 + 2);
//! let mut names = Vec::new();
//! Model::zeroed().visit(&Name::ROOT, &mut |e| names.push(e.name.to_string()));
//! assert_eq!(names[2], "1.gain");
//! let _adam: Adam<f32, Grads<Model>> = Adam::zeroed();
//! ```
//!
//! ## Models as structs
//!
//! A model can be a struct of sub-models: `#[derive(Params)]` names their tensors by field
//! (`features.0.weight`, `head.bias`), as PyTorch names a module's attributes. Its `Infer` and
//! `Train` impls chain the fields (here through a tuple of references would need lifetimes, so a
//! struct usually holds one tuple per stage and delegates).
//!
//! ```
//! use shaped::nn::Name;
//! use shaped::prelude::*;
//!
//! #[derive(shaped::Params, shaped::Zeroable)]
//! struct Net {
//!     features: (Linear<f32, U8, U4>, ReLU),
//!     head: Linear<f32, U4, U2>,
//! }
//! let mut names = Vec::new();
//! Net::zeroed().visit(&Name::ROOT, &mut |e| names.push(e.name.to_string()));
//! assert_eq!(names, ["features.0.weight", "features.0.bias", "head.weight", "head.bias"]);
//! let grads = shaped::nn::Grads::<Net>::zeroed();
//! assert_eq!(grads.head.bias.as_slice().len(), 2); // `NetGrads`, field by field
//! ```
