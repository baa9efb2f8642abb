//! (e) PyTorch weights with no heap: a safetensors file written by PyTorch, in the binary by
//! `include_bytes!`, loaded into a model in a static, its eval-mode logits checked against
//! PyTorch's; then saved again into a static buffer and read back into a second static model.

use shaped::mem::Static;
use shaped::nn::BatchNorm2d;
use shaped::nn::weights::safetensors::{self, Options};
use shaped::prelude::*;

use crate::Checks;

/// `make_fixture.py`'s tiny CNN, layer for layer.
type Tiny = (
    Conv2d<f32, U1, U2, U3>,
    BatchNorm2d<f32, U2>,
    ReLU,
    MaxPool2d<U2>,
    Flatten,
    Linear<f32, U8, U2>,
);
type Images = Tensor4<f32, U4, U1, U6, U6>;

static FILE: &[u8] = include_bytes!("../../tests/fixtures/torch/tiny_cnn.safetensors");
static LOGITS: &str = include_str!("../../tests/fixtures/torch/tiny_cnn.txt");
static TINY: Static<Tiny> = Static::zeroed();
static AGAIN: Static<Tiny> = Static::zeroed();
static SCRATCH: Static<<Tiny as Infer<Images>>::Scratch> = Static::zeroed();
static EXPORT: Static<[u8; 2048]> = Static::zeroed();

pub fn torch_weights(checks: &mut Checks) {
    let (model, again, scratch, export) = (
        crate::take(&TINY),
        crate::take(&AGAIN),
        crate::take(&SCRATCH),
        crate::take(&EXPORT),
    );
    let loaded = safetensors::load_from_slice(model, FILE, &Options::TORCH);
    // The same images as make_fixture.py's tiny_images().
    let x = Images::from_fn(|[b, _, r, c]| ((7 * b + 3 * r + 5 * c) % 11) as f32 / 10.0);
    let mut y = Tensor2::<f32, U4, U2>::zeros();
    model.infer(&x, scratch, &mut y);
    let mut max_diff = 0.0f32;
    let mut count = 0;
    for (got, want) in y.as_slice().iter().zip(LOGITS.split_whitespace()) {
        let want: f32 = want.parse().unwrap_or(f32::NAN);
        max_diff = max_diff.max((got - want).abs());
        count += 1;
    }
    checks.check(
        loaded.is_ok() && count == 8 && max_diff < 1e-5,
        format_args!(
            "safetensors from PyTorch ({} bytes, include_bytes!) into a static model: {loaded:?}, {count} logits vs PyTorch max diff {max_diff:e}",
            FILE.len()
        ),
    );
    let saved = safetensors::save_to_slice(model, export, &Options::TORCH);
    let back =
        saved.and_then(|n| safetensors::load_from_slice(again, &export[..n], &Options::TORCH));
    checks.check(
        back.is_ok()
            && again.0.weight == model.0.weight
            && again.5.weight == model.5.weight
            && again.1.running_var == model.1.running_var
            && again.1.num_batches_tracked == 3,
        format_args!(
            "safetensors export into a static buffer ({saved:?} bytes) reads back the same"
        ),
    );
}
