//! The PyTorch fixture (tests/fixtures/torch, made once by its `make_fixture.py`): a LeNet-5
//! with BatchNorm trained in PyTorch loads into the typed model, reproduces PyTorch's eval-mode
//! logits, and exports to a file with the same tensors.

use shaped::data::Mnist;
use shaped::nn::weights::safetensors::{self, Options};
use shaped::nn::{BatchNorm2d, Infer, Name, Params, Values};
use shaped::prelude::*;

/// PyTorch's `nn.Sequential` in `make_fixture.py`, layer for layer (so the names agree).
pub type LeNetBnOf<T> = (
    Conv2d<T, U1, U6, U5, U1, U2>,
    BatchNorm2d<T, U6>,
    ReLU,
    MaxPool2d<U2>,
    Conv2d<T, U6, U16, U5>,
    BatchNorm2d<T, U16>,
    ReLU,
    MaxPool2d<U2>,
    Flatten,
    Linear<T, U400, U120>,
    ReLU,
    Linear<T, U120, U84>,
    ReLU,
    Linear<T, U84, U10>,
);
pub type LeNetBn = LeNetBnOf<f32>;

const FIXTURE: &[u8] = include_bytes!("../fixtures/torch/lenet5_bn.safetensors");
const LOGITS: &str = include_str!("../fixtures/torch/logits16.txt");

/// Every stored value with its name, as bits.
fn snapshot<M: Params<f32>>(m: &M) -> Vec<(String, Vec<u64>)> {
    let mut out = Vec::new();
    m.visit(&Name::ROOT, &mut |e| {
        let bits = match e.values {
            Values::Elem(v) => v.iter().map(|&x| u64::from(x.to_bits())).collect(),
            Values::I64(v) => v.iter().map(|&x| x as u64).collect(),
        };
        out.push((e.name.to_string(), bits));
    });
    out
}

/// The first 16 test images as one batch.
fn images16<T: shaped::Real>() -> Box<Tensor4<T, U16, U1, U28, U28>> {
    let test = Mnist::bundled::<T>().unwrap().test;
    let mut x = shaped::boxed_zeroed::<Tensor4<T, U16, U1, U28, U28>>();
    for i in 0..16 {
        x.outer_mut(i).copy_from_slice(test.sample(i));
    }
    x
}

fn recorded_logits() -> Vec<Vec<f32>> {
    LOGITS
        .lines()
        .map(|l| l.split(' ').map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn pytorch_lenet_reproduces_its_logits_and_exports_the_same_tensors() {
    let mut model = shaped::boxed_zeroed::<LeNetBn>();
    safetensors::load_from_slice(&mut *model, FIXTURE, &Options::TORCH).unwrap();
    // The state came along: PyTorch counted its training batches.
    assert_eq!(model.1.num_batches_tracked, 120);
    assert!(model.5.running_var.iter().all(|&v| v > 0.0 && v != 1.0));

    let logits = model.infer_boxed(&images16::<f32>());
    let recorded = recorded_logits();
    assert_eq!(recorded.len(), 16);
    let mut worst = 0f32;
    for (i, row) in recorded.iter().enumerate() {
        assert_eq!(row.len(), 10);
        for (j, &want) in row.iter().enumerate() {
            worst = worst.max((logits[[i, j]] - want).abs());
        }
    }
    assert!(worst <= 1e-5, "max |logit - PyTorch| = {worst}");
    assert!(
        worst > 0.0 || recorded[0][0] != 0.0,
        "the comparison saw values"
    );

    // Export, re-import: the same values, bit for bit, and the same keys as PyTorch wrote.
    let exported = safetensors::to_bytes(&*model, &Options::TORCH).unwrap();
    let mut again = shaped::boxed_zeroed::<LeNetBn>();
    safetensors::load_from_slice(&mut *again, &exported, &Options::TORCH).unwrap();
    assert_eq!(snapshot(&*again), snapshot(&*model));
    assert_eq!(
        exported.len(),
        FIXTURE.len() - header_len(FIXTURE) + header_len(&exported)
    );
    // For make_fixture.py's round-trip check (see the fixture's README).
    let out =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lenet5_bn_export.safetensors");
    std::fs::write(&out, &exported).unwrap();
}

#[test]
fn pytorch_f32_weights_widen_into_an_f64_model() {
    let mut model = shaped::boxed_zeroed::<LeNetBnOf<f64>>();
    safetensors::load_from_slice(&mut *model, FIXTURE, &Options::TORCH).unwrap();
    let logits = model.infer_boxed(&images16::<f64>());
    let mut worst = 0f64;
    for (i, row) in recorded_logits().iter().enumerate() {
        for (j, &want) in row.iter().enumerate() {
            worst = worst.max((logits[[i, j]] - f64::from(want)).abs());
        }
    }
    assert!(worst <= 1e-5, "max |logit - PyTorch| = {worst}");
    // Exported as F64, it reads back exactly, and an f32 model refuses it (narrowing).
    let f64_file = safetensors::to_bytes(&*model, &Options::TORCH).unwrap();
    let mut again = shaped::boxed_zeroed::<LeNetBnOf<f64>>();
    safetensors::load_from_slice(&mut *again, &f64_file, &Options::TORCH).unwrap();
    assert_eq!(again.9.weight, model.9.weight);
    let err = safetensors::load_from_slice(
        &mut *shaped::boxed_zeroed::<LeNetBn>(),
        &f64_file,
        &Options::TORCH,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#""0.weight": file has dtype F64, model needs F32"#
    );
}

/// Bytes before the data: the length field and the header.
fn header_len(bytes: &[u8]) -> usize {
    8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize
}

#[test]
fn half_precision_widens_exactly() {
    let file = include_bytes!("../fixtures/torch/half.safetensors");
    let want: Vec<Vec<f32>> = include_str!("../fixtures/torch/half.txt")
        .lines()
        .map(|l| l.split(' ').map(|v| v.parse().unwrap()).collect())
        .collect();
    // weight: F16 (out 2, in 3), bias: BF16 (2,).
    let mut m = Linear::<f32, U3, U2>::zeros();
    safetensors::load_from_slice(&mut m, file, &Options::TORCH).unwrap();
    let mut m64 = Linear::<f64, U3, U2>::zeros();
    safetensors::load_from_slice(&mut m64, file, &Options::TORCH).unwrap();
    for o in 0..2 {
        for i in 0..3 {
            let w = want[0][o * 3 + i];
            assert_eq!(m.weight[[i, o]].to_bits(), w.to_bits(), "weight[{o}][{i}]");
            assert_eq!(m64.weight[[i, o]], f64::from(w));
        }
        assert_eq!(m.bias[[o]], want[1][o]);
        assert_eq!(m64.bias[[o]], f64::from(want[1][o]));
    }
    assert!(
        m.weight[[2, 1]].is_sign_negative() && m.weight[[2, 1]] == 0.0,
        "-0 kept"
    );
}
