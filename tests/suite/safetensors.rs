//! Safetensors import and export: every malformed-file class has its message, names can be
//! remapped, layouts converted, and a refused file leaves the model alone.

use shaped::mem::Static;
use shaped::nn::weights::safetensors::{self, Layout, Options, SafetensorsError};
use shaped::nn::{BatchNorm1d, Embedding, Kind, Name, Params, Values};
use shaped::prelude::*;

/// A file from a JSON header and data, as the format lays it out (no padding).
fn st(header: &str, data: &[u8]) -> Vec<u8> {
    let mut f = (header.len() as u64).to_le_bytes().to_vec();
    f.extend_from_slice(header.as_bytes());
    f.extend_from_slice(data);
    f
}

/// `n` f32 values 1, 2, 3, ... as bytes.
fn f32s(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| (i as f32 + 1.0).to_le_bytes())
        .collect()
}

/// A `Linear(3 → 2)` as PyTorch saves it: weight (2, 3), bias (2,).
fn linear_file() -> Vec<u8> {
    st(
        r#"{"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}}"#,
        &f32s(8),
    )
}

type Lin = Linear<f32, U3, U2>;

fn snapshot<T: Copy + Into<f64>, M: Params<T>>(m: &M) -> Vec<(String, Vec<u64>)> {
    let mut out = Vec::new();
    m.visit(&Name::ROOT, &mut |e| {
        let bits = match e.values {
            Values::Elem(v) => v.iter().map(|&x| x.into().to_bits()).collect(),
            Values::I64(v) => v.iter().map(|&x| x as u64).collect(),
        };
        out.push((e.name.to_string(), bits));
    });
    out
}

/// The error message of a refused load, checking that the model was left alone.
fn load_err<M: Params<f32>>(m: &mut M, bytes: &[u8], opts: &Options<'_>) -> String {
    let before = snapshot(m);
    let err = safetensors::load_from_slice(m, bytes, opts).unwrap_err();
    assert_eq!(
        snapshot(m),
        before,
        "a refused file changed the model ({err})"
    );
    err.to_string()
}

fn lin_err(bytes: &[u8]) -> String {
    let mut m = Lin::zeros();
    m.bias.fill(7.0);
    load_err(&mut m, bytes, &Options::TORCH)
}

#[test]
fn pytorch_layout_is_transposed_and_values_land_where_they_belong() {
    let mut m = Lin::zeros();
    safetensors::load_from_slice(&mut m, &linear_file(), &Options::TORCH).unwrap();
    // PyTorch's weight[o][i] = 1 + 3o + i is shaped's weight[i][o].
    for o in 0..2 {
        for i in 0..3 {
            assert_eq!(m.weight[[i, o]], (1 + 3 * o + i) as f32);
        }
        assert_eq!(m.bias[[o]], (7 + o) as f32);
    }
    // Export writes PyTorch's layout back: the same data bytes.
    let out = safetensors::to_bytes(&m, &Options::TORCH).unwrap();
    let n = safetensors::encoded_len(&m, &Options::TORCH).unwrap();
    assert_eq!(out.len(), n);
    assert_eq!(n % 8, 0, "header padded to 8 bytes");
    let data = &out[8 + u64::from_le_bytes(out[..8].try_into().unwrap()) as usize..];
    assert_eq!(data, &f32s(8)[..]);
    let header = std::str::from_utf8(&out[8..n - 32]).unwrap();
    assert!(
        header.starts_with(
            r#"{"__metadata__":{"format":"pt"},"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}}"#
        ) && header.trim_end().len() + 7 >= header.len(),
        "{header:?}"
    );
    // Without transposition the same file is another architecture.
    let as_is = Options::TORCH.layout(Layout::AsIs);
    assert_eq!(
        load_err(&mut Lin::zeros(), &linear_file(), &as_is),
        r#""weight": file has dims (2, 3), model needs (3, 2)"#
    );
}

/// Only `Linear` weights are transposed: an embedding table `(V, D)` is PyTorch's layout too,
/// and so is a square one; a custom rule can say otherwise.
#[test]
fn only_linear_weights_are_transposed() {
    type Net = (Embedding<f32, U3, U3>, Linear<f32, U3, U3>);
    let mut m = Net::zeroed();
    m.0.weight = Tensor2::from_fn(|[v, d]| (10 * v + d) as f32);
    m.1.weight = Tensor2::from_fn(|[i, o]| (10 * i + o) as f32);
    let file = safetensors::to_bytes(&m, &Options::TORCH).unwrap();
    // The file as PyTorch reads it: embedding row 1 is (10, 11, 12); Linear row (out) 1 is
    // (1, 11, 21).
    let data = &file[file.len() - 4 * (9 + 9 + 3)..];
    let f = |k: usize| f32::from_le_bytes(data[4 * k..4 * k + 4].try_into().unwrap());
    assert_eq!([f(3), f(4), f(5)], [10.0, 11.0, 12.0]);
    assert_eq!([f(12), f(13), f(14)], [1.0, 11.0, 21.0]);
    let mut back = Net::zeroed();
    safetensors::load_from_slice(&mut back, &file, &Options::TORCH).unwrap();
    assert_eq!(snapshot(&back), snapshot(&m));
    // A custom rule: transpose nothing but the embedding.
    fn emb_only(name: &Name<'_>, _: Kind, _: &'static [usize]) -> bool {
        name.to_string() == "0.weight"
    }
    let custom = Options::TORCH.layout(Layout::Custom(emb_only));
    let file = safetensors::to_bytes(&m, &custom).unwrap();
    let data = &file[file.len() - 4 * (9 + 9 + 3)..];
    let f = |k: usize| f32::from_le_bytes(data[4 * k..4 * k + 4].try_into().unwrap());
    assert_eq!([f(3), f(4), f(5)], [1.0, 11.0, 21.0]);
    assert_eq!([f(12), f(13), f(14)], [10.0, 11.0, 12.0]);
    let mut back = Net::zeroed();
    safetensors::load_from_slice(&mut back, &file, &custom).unwrap();
    assert_eq!(snapshot(&back), snapshot(&m));
}

#[test]
fn wrong_dims_name_the_tensor_in_pytorchs_layout() {
    let file = safetensors::to_bytes(
        &*shaped::boxed_zeroed::<(Linear<f32, U2, U2>, ReLU, Linear<f32, U400, U120>)>(),
        &Options::TORCH,
    )
    .unwrap();
    let mut m = shaped::boxed_zeroed::<(Linear<f32, U2, U2>, ReLU, Linear<f32, U864, U120>)>();
    assert_eq!(
        load_err(&mut *m, &file, &Options::TORCH),
        r#""2.weight": file has dims (120, 400), model needs (120, 864)"#
    );
    // Rank differs: a scalar bias.
    let file = st(
        r#"{"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"bias":{"dtype":"F32","shape":[],"data_offsets":[24,28]}}"#,
        &f32s(7),
    );
    assert_eq!(
        lin_err(&file),
        r#""bias": file has dims (), model needs (2,)"#
    );
}

#[test]
fn missing_and_extra_names() {
    let file = st(
        r#"{"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#,
        &f32s(6),
    );
    assert_eq!(lin_err(&file), r#""bias": missing from the file"#);
    let file = st(
        r#"{"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},"head.bias":{"dtype":"F32","shape":[1],"data_offsets":[32,36]}}"#,
        &f32s(9),
    );
    assert_eq!(lin_err(&file), r#"file has extra tensor "head.bias""#);
    let mut m = Lin::zeros();
    safetensors::load_from_slice(&mut m, &file, &Options::TORCH.allow_extra(true)).unwrap();
    assert_eq!(m.bias[[1]], 8.0);
}

#[test]
fn wrong_dtype() {
    let f64_file = safetensors::to_bytes(&Linear::<f64, U3, U2>::zeros(), &Options::TORCH).unwrap();
    assert_eq!(
        lin_err(&f64_file),
        r#""weight": file has dtype F64, model needs F32"#
    );
    // ... but F32 widens into an f64 model, exactly.
    let mut m = Linear::<f64, U3, U2>::zeros();
    safetensors::load_from_slice(&mut m, &linear_file(), &Options::TORCH).unwrap();
    assert_eq!(m.weight[[2, 1]], 6.0);
    let file = st(
        r#"{"weight":{"dtype":"I32","shape":[2,3],"data_offsets":[0,24]},"bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}}"#,
        &f32s(8),
    );
    assert_eq!(
        lin_err(&file),
        r#""weight": file has dtype I32, model needs F32"#
    );
    // BatchNorm's counter is I64 in PyTorch and must stay an integer.
    let bn = |counter: &str| {
        st(
            &format!(
                r#"{{"weight":{{"dtype":"F32","shape":[2],"data_offsets":[0,8]}},"bias":{{"dtype":"F32","shape":[2],"data_offsets":[8,16]}},"running_mean":{{"dtype":"F32","shape":[2],"data_offsets":[16,24]}},"running_var":{{"dtype":"F32","shape":[2],"data_offsets":[24,32]}},"num_batches_tracked":{{"dtype":"{counter}","shape":[],"data_offsets":[32,40]}}}}"#
            ),
            &[f32s(8), 41i64.to_le_bytes().to_vec()].concat(),
        )
    };
    let mut m = BatchNorm1d::<f32, U2>::new();
    safetensors::load_from_slice(&mut m, &bn("I64"), &Options::TORCH).unwrap();
    assert_eq!((m.num_batches_tracked, m.running_var[[1]]), (41, 8.0));
    assert_eq!(
        load_err(
            &mut BatchNorm1d::<f32, U2>::new(),
            &bn("F64"),
            &Options::TORCH
        ),
        r#""num_batches_tracked": file has dtype F64, model needs I64"#
    );
    assert_eq!(
        lin_err(&st(
            r#"{"weight":{"dtype":"F33","shape":[2,3],"data_offsets":[0,24]}}"#,
            &f32s(6)
        )),
        r#""weight": unknown dtype"#
    );
}

#[test]
fn truncated_files() {
    let good = linear_file();
    assert_eq!(
        lin_err(&good[..5]),
        "safetensors data truncated in its header: 8 bytes needed, 5 present"
    );
    let header = 8 + u64::from_le_bytes(good[..8].try_into().unwrap());
    assert_eq!(
        lin_err(&good[..40]),
        format!("safetensors data truncated in its header: {header} bytes needed, 40 present")
    );
    // Cut inside the data: the last tensor's offsets reach past its end.
    assert_eq!(
        lin_err(&good[..good.len() - 3]),
        r#""bias": data_offsets [24, 32] lie outside the 29 bytes of data"#
    );
    assert_eq!(
        lin_err(&[0xFF; 16]),
        "not a safetensors file: it announces a header of 18446744073709551615 bytes (the limit is 100 MB)"
    );
}

#[test]
fn headers_that_are_not_valid_json() {
    let cases = [
        (r#"{"weight":{"dtype":"F32",}}"#, 33, "expected a string"),
        (r#"{"weight" {"dtype":"F32"}}"#, 18, "expected ':'"),
        (r#"["weight"]"#, 8, "the header must be a JSON object"),
        (
            r#"{"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}"#,
            69,
            "expected ',' or '}'",
        ),
        (r#"{} x"#, 11, "text after the header's closing brace"),
        (
            r#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
            37,
            "expected a non-negative integer",
        ),
        (
            r#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
            38,
            "expected an integer",
        ),
        ("{\"a\u{1}\":1}", 11, "control character in string"),
    ];
    for (header, at, why) in cases {
        assert_eq!(
            lin_err(&st(header, &[])),
            format!("safetensors header is not valid JSON at byte {at}: {why}"),
            "{header}"
        );
    }
    let mut bad = st(r#"{"a":1}"#, &[]);
    bad[10] = 0xC3; // a UTF-8 lead byte without its continuation
    assert_eq!(
        lin_err(&bad),
        "safetensors header is not valid JSON at byte 10: the header is not UTF-8"
    );
    // Entries of the wrong form name the tensor.
    for (entry, why) in [
        (r#"[1]"#, "its entry is not an object"),
        (
            r#"{"shape":[1],"data_offsets":[0,4]}"#,
            "its entry has no \"dtype\"",
        ),
        (
            r#"{"dtype":"F32","data_offsets":[0,4]}"#,
            "its entry has no \"shape\"",
        ),
        (
            r#"{"dtype":"F32","shape":[1]}"#,
            "its entry has no \"data_offsets\"",
        ),
        (
            r#"{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}"#,
            "its entry gives \"dtype\" twice",
        ),
        (
            r#"{"dtype":"F32","shape":1,"data_offsets":[0,4]}"#,
            "its \"shape\" is not an array",
        ),
    ] {
        assert_eq!(
            lin_err(&st(&format!(r#"{{"weight":{entry}}}"#), &f32s(1))),
            format!(r#""weight": {why}"#)
        );
    }
}

#[test]
fn offsets_outside_overlapping_or_leaving_holes() {
    let header = |w: &str, b: &str| {
        format!(
            r#"{{"weight":{{"dtype":"F32","shape":[2,3],"data_offsets":{w}}},"bias":{{"dtype":"F32","shape":[2],"data_offsets":{b}}}}}"#
        )
    };
    assert_eq!(
        lin_err(&st(&header("[0,24]", "[28,36]"), &f32s(8))),
        r#""bias": data_offsets [28, 36] lie outside the 32 bytes of data"#
    );
    assert_eq!(
        lin_err(&st(&header("[24,0]", "[24,32]"), &f32s(8))),
        r#""weight": data_offsets [24, 0] lie outside the 32 bytes of data"#
    );
    assert_eq!(
        lin_err(&st(&header("[0,24]", "[20,28]"), &f32s(8))),
        r#""bias": data bytes 20..28 overlap another tensor's 0..24"#
    );
    assert_eq!(
        lin_err(&st(&header("[0,24]", "[24,32]"), &f32s(9))),
        "4 bytes of data belong to no tensor"
    );
    assert_eq!(
        lin_err(&st(&header("[0,20]", "[20,28]"), &f32s(7))),
        r#""weight": dims (2, 3) of F32 do not fill the 20 bytes its data_offsets span"#
    );
    // A shape whose byte count overflows u64 is a mismatch, not a wrap-around.
    let huge = r#"{"weight":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#;
    assert_eq!(
        lin_err(&st(huge, &[])),
        r#""weight": dims (4294967296, 4294967296) of F32 do not fill the 0 bytes its data_offsets span"#
    );
    let twice = r#"{"bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#;
    assert_eq!(
        lin_err(&st(twice, &f32s(4))),
        r#"file has tensor "bias" twice"#
    );
}

#[test]
fn metadata_whitespace_and_escapes_are_read() {
    let file = st(
        "{ \"__metadata__\" : {\"format\": \"pt\", \"n\": [1, {\"x\": null}]},\n \"w\\u0065ight\": {\"dtype\": \"F32\", \"shape\": [ 2 , 3 ], \"data_offsets\": [0, 24], \"extra\": true},\n\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}   ",
        &f32s(8),
    );
    let mut m = Lin::zeros();
    safetensors::load_from_slice(&mut m, &file, &Options::TORCH).unwrap();
    assert_eq!(m.weight[[0, 1]], 4.0);
    // An empty model and an empty file.
    safetensors::load_from_slice::<f32, _>(&mut ReLU, &st("{}", &[]), &Options::TORCH).unwrap();
}

#[test]
fn rename_rules_map_file_keys_both_ways() {
    type Net = ((Linear<f32, U3, U2>, ReLU), Linear<f32, U2, U1>);
    // PyTorch: model.features.0.*, model.classifier.*
    let mut src = Net::zeroed();
    src.0.0.bias.fill(1.5);
    src.1.weight.fill(-2.0);
    let rules = [("model.features.", "0."), ("model.classifier.", "1.")];
    let opts = Options::TORCH.rename(&rules);
    let file = safetensors::to_bytes(&src, &opts).unwrap();
    let text = String::from_utf8_lossy(&file);
    for key in [
        "model.features.0.weight",
        "model.features.0.bias",
        "model.classifier.weight",
        "model.classifier.bias",
    ] {
        assert!(text.contains(&format!("\"{key}\"")), "{key} not in {text}");
    }
    let mut dst = Net::zeroed();
    safetensors::load_from_slice(&mut dst, &file, &opts).unwrap();
    assert_eq!(snapshot(&dst), snapshot(&src));
    // Without the rules the names do not match.
    assert_eq!(
        load_err(&mut Net::zeroed(), &file, &Options::TORCH),
        r#""0.0.weight": missing from the file"#
    );
    // Stripping a prefix: ("module.", "") as DataParallel leaves.
    let strip = Options::TORCH.rename(&[("module.", "")]);
    let file = safetensors::to_bytes(&src, &strip).unwrap();
    assert!(String::from_utf8_lossy(&file).contains("\"module.0.0.weight\""));
    let mut dst = Net::zeroed();
    safetensors::load_from_slice(&mut dst, &file, &strip).unwrap();
    assert_eq!(snapshot(&dst), snapshot(&src));
    // Two keys that rename to one model name are ambiguous.
    let two = st(
        r#"{"a.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[24,48]},"bias":{"dtype":"F32","shape":[2],"data_offsets":[48,56]}}"#,
        &f32s(14),
    );
    let mut m = Lin::zeros();
    assert_eq!(
        load_err(
            &mut m,
            &two,
            &Options::TORCH.rename(&[("a.", ""), ("b.", "")])
        ),
        r#"file has tensor "weight" twice"#
    );
}

#[test]
fn saving_without_an_allocator_reports_the_size_it_needs() {
    let m = Lin::zeros();
    let needed = safetensors::encoded_len(&m, &Options::TORCH).unwrap();
    let mut small = [0u8; 16];
    assert_eq!(
        safetensors::save_to_slice(&m, &mut small, &Options::TORCH).unwrap_err(),
        SafetensorsError::BufferTooSmall {
            needed,
            available: 16
        }
    );
    let mut buf = [0u8; 512];
    assert_eq!(
        safetensors::save_to_slice(&m, &mut buf, &Options::TORCH).unwrap(),
        needed
    );
}

/// Item 3 of the issue: weights from a `&'static [u8]` into a model in a `static`, through the
/// allocator-free loader (the same call firmware makes with `include_bytes!`).
#[test]
fn pytorch_weights_load_into_a_static_model() {
    static MODEL: Static<super::safetensors_torch::LeNetBn> = Static::zeroed();
    static FILE: &[u8] = include_bytes!("../fixtures/torch/lenet5_bn.safetensors");
    let model = MODEL.take().unwrap();
    safetensors::load_from_slice(model, FILE, &Options::TORCH).unwrap();
    assert_eq!(model.5.num_batches_tracked, 120);
    assert_ne!(model.13.bias[[0]], 0.0);
}

#[test]
fn file_errors_name_the_path() {
    let path =
        std::env::temp_dir().join(format!("shaped-no-such-{}.safetensors", std::process::id()));
    let err = safetensors::load_file(&mut Lin::zeros(), &path, &Options::TORCH).unwrap_err();
    assert_eq!(err.path(), path);
    assert!(
        err.to_string().starts_with("cannot read safetensors file ")
            && err.to_string().contains(&*path.to_string_lossy()),
        "{err}"
    );
    let file = std::env::temp_dir().join(format!("shaped-lin-{}.safetensors", std::process::id()));
    safetensors::save_file(&Linear::<f32, U3, U3>::zeros(), &file, &Options::TORCH).unwrap();
    let err = safetensors::load_file(&mut Lin::zeros(), &file, &Options::TORCH).unwrap_err();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            r#"safetensors file {}: "weight": file has dims (3, 3), model needs (2, 3)"#,
            file.display()
        )
    );
    assert!(matches!(
        err.format_error(),
        Some(SafetensorsError::WrongDims { .. })
    ));
}
