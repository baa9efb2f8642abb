//! The weights format, version 2: the architecture is checked tensor by tensor, errors name the
//! tensor (or the file), and no malformed file panics or changes the model.

use shaped::init::Scheme;
use shaped::nn::weights::{self, FileError, HEADER_LEN, WeightsError};
use shaped::nn::{
    BatchNorm1d, BatchNorm2d, Conv2d, Flatten, Frozen, Linear, MaxPool2d, Params, ReLU, Tanh,
    Values,
};
use shaped::prelude::*;
use shaped::rand::Rng;

/// LeNet in miniature: conv, BatchNorm, pool, two dense layers (6×6 inputs).
type LeNet = (
    Conv2d<f32, U1, U2, U3>,
    BatchNorm2d<f32, U2>,
    ReLU,
    MaxPool2d<U2>,
    Flatten,
    Linear<f32, U8, U4>,
    Tanh,
    Linear<f32, U4, U3>,
);

/// A counter beyond 2^53: exact as `i64`, not representable as `f64` (nor `f32`).
const BATCHES: i64 = (1 << 53) + 1;

fn lenet(seed: u64) -> Box<LeNet> {
    let mut m = shaped::boxed_zeroed::<LeNet>();
    m.init(Scheme::HeUniform, &mut Rng::new(seed));
    let mut rng = Rng::new(seed ^ 0xABCD);
    m.1.running_mean
        .iter_mut()
        .for_each(|v| *v = rng.uniform(-1.0, 1.0));
    m.1.running_var
        .iter_mut()
        .for_each(|v| *v = rng.uniform(0.5, 2.0));
    m.1.num_batches_tracked = BATCHES + seed as i64;
    m.7.bias.fill(0.25);
    m
}

/// Every stored value with its name, as bits (exact, NaN included).
fn snapshot<T: Copy + Into<f64>, M: Params<T>>(m: &M) -> Vec<(String, Vec<u64>)> {
    let mut out = Vec::new();
    m.visit(&shaped::nn::Name::ROOT, &mut |e| {
        let bits = match e.values {
            Values::Elem(v) => v.iter().map(|&x| x.into().to_bits()).collect(),
            Values::I64(v) => v.iter().map(|&x| x as u64).collect(),
        };
        out.push((e.name.to_string(), bits));
    });
    out
}

/// A record written by hand from the documented layout (independent of the writer).
fn record(name: &str, kind: u8, dtype: u8, dims: &[u64], value_size: usize) -> Vec<u8> {
    let mut r = (name.len() as u16).to_le_bytes().to_vec();
    r.extend_from_slice(name.as_bytes());
    r.extend_from_slice(&[kind, dtype, dims.len() as u8]);
    dims.iter()
        .for_each(|d| r.extend_from_slice(&d.to_le_bytes()));
    let n: u64 = dims.iter().product();
    r.extend((0..n as usize * value_size).map(|i| i as u8));
    r
}

/// A file written by hand from records.
fn file(records: &[Vec<u8>]) -> Vec<u8> {
    let mut f = b"SHAPEDW\0".to_vec();
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&(records.len() as u32).to_le_bytes());
    records.iter().for_each(|r| f.extend_from_slice(r));
    f
}

/// The five tensors of a `BatchNorm1d<f32, U2>`, as the writer stores them.
fn batchnorm_records() -> Vec<Vec<u8>> {
    vec![
        record("weight", 0, 1, &[2], 4),
        record("bias", 0, 1, &[2], 4),
        record("running_mean", 1, 1, &[2], 4),
        record("running_var", 1, 1, &[2], 4),
        record("num_batches_tracked", 1, 3, &[], 8),
    ]
}

fn load_err<M: Params<f32>>(m: &mut M, bytes: &[u8]) -> String {
    let before = snapshot(m);
    let err = weights::load_from_slice(m, bytes).unwrap_err();
    assert_eq!(
        snapshot(m),
        before,
        "a refused file must leave the model alone ({err})"
    );
    err.to_string()
}

#[test]
fn same_count_other_architecture_is_refused() {
    type A = (Linear<f32, U3, U2>, ReLU, Linear<f32, U2, U3>);
    type B = (Linear<f32, U2, U3>, ReLU, Linear<f32, U3, U2>);
    type C = (Linear<f32, U16, U1>, ReLU);
    assert_eq!(<A as Params<f32>>::STORED, 17);
    assert_eq!(<B as Params<f32>>::STORED, 17);
    assert_eq!(<C as Params<f32>>::STORED, 17);
    let (a, b, c) = (A::zeroed(), B::zeroed(), C::zeroed());
    let (fa, fb, fc) = (
        weights::to_bytes(&a).unwrap(),
        weights::to_bytes(&b).unwrap(),
        weights::to_bytes(&c).unwrap(),
    );
    assert_eq!(
        load_err(&mut B::zeroed(), &fa),
        r#""0.weight": file has dims (3, 2), model needs (2, 3)"#
    );
    assert_eq!(
        load_err(&mut A::zeroed(), &fb),
        r#""0.weight": file has dims (2, 3), model needs (3, 2)"#
    );
    assert_eq!(
        load_err(&mut C::zeroed(), &fa),
        r#""0.weight": file has dims (3, 2), model needs (16, 1)"#
    );
    assert_eq!(
        load_err(&mut A::zeroed(), &fc),
        r#""0.weight": file has dims (16, 1), model needs (3, 2)"#
    );
    // Each still loads its own file.
    weights::load_from_slice(&mut A::zeroed(), &fa).unwrap();
    weights::load_from_slice(&mut B::zeroed(), &fb).unwrap();
}

#[test]
fn lenet_with_batchnorm_round_trips_exactly() {
    let a = lenet(1);
    let mut b = lenet(2);
    assert_ne!(snapshot(&*a), snapshot(&*b));
    let bytes = weights::to_bytes(&*a).unwrap();
    assert_eq!(bytes.len(), weights::encoded_len(&*a).unwrap());
    weights::load_from_slice(&mut *b, &bytes).unwrap();
    assert_eq!(snapshot(&*a), snapshot(&*b));
    assert_eq!(
        b.1.num_batches_tracked,
        BATCHES + 1,
        "the i64 counter survives exactly"
    );
    assert_eq!(b.1.running_var, a.1.running_var);

    // The same through a file.
    let path = std::env::temp_dir().join(format!("shaped-weights-v2-{}.bin", std::process::id()));
    let c = lenet(3);
    weights::save_file(&*c, &path).unwrap();
    weights::load_file(&mut *b, &path).unwrap();
    assert_eq!(snapshot(&*b), snapshot(&*c));
    std::fs::remove_file(&path).unwrap();

    // And without an allocator: a stack buffer, the exact size reported when it is too small.
    let mut small = [0u8; 64];
    assert_eq!(
        weights::save_to_slice(&*a, &mut small).unwrap_err(),
        WeightsError::BufferTooSmall {
            needed: bytes.len(),
            available: 64
        }
    );
    let mut buf = [0u8; 1024];
    let n = weights::save_to_slice(&*a, &mut buf).unwrap();
    assert_eq!(&buf[..n], &bytes[..]);
}

#[test]
fn layout_is_as_documented() {
    let m = BatchNorm1d::<f64, U2>::new();
    let bytes = weights::to_bytes(&m).unwrap();
    assert_eq!(&bytes[..8], b"SHAPEDW\0");
    assert_eq!(&bytes[8..10], &2u16.to_le_bytes());
    assert_eq!(&bytes[10..14], &5u32.to_le_bytes());
    assert_eq!(HEADER_LEN, 14);
    // First record: "weight", param, f64, rank 1, dims (2,), values 1.0 1.0.
    let mut first = 6u16.to_le_bytes().to_vec();
    first.extend_from_slice(b"weight");
    first.extend_from_slice(&[0, 2, 1]);
    first.extend_from_slice(&2u64.to_le_bytes());
    first.extend_from_slice(&1.0f64.to_le_bytes());
    first.extend_from_slice(&1.0f64.to_le_bytes());
    assert_eq!(&bytes[14..14 + first.len()], &first[..]);
    // Last record: the counter, state, i64, rank 0, one value.
    let mut last = 19u16.to_le_bytes().to_vec();
    last.extend_from_slice(b"num_batches_tracked");
    last.extend_from_slice(&[1, 3, 0]);
    last.extend_from_slice(&0i64.to_le_bytes());
    assert_eq!(&bytes[bytes.len() - last.len()..], &last[..]);
    // The hand-written file of the same model loads.
    weights::load_from_slice(
        &mut BatchNorm1d::<f32, U2>::new(),
        &file(&batchnorm_records()),
    )
    .unwrap();
}

#[test]
fn header_errors() {
    let good = weights::to_bytes(&*lenet(1)).unwrap();
    let m = &mut *lenet(2);
    let mut bad = good.clone();
    bad[0] = b'X';
    let magic = "not a shaped weights file (it does not start with SHAPEDW)";
    assert_eq!(load_err(m, &bad), magic);
    assert_eq!(load_err(m, b"\x89PNG"), magic);
    assert_eq!(
        load_err(m, &good[..10]),
        "weights data truncated in the file header: 14 bytes needed, 10 left"
    );
    assert_eq!(
        load_err(m, b"SHAP"),
        "weights data truncated in the file header: 14 bytes needed, 4 left"
    );
    let mut v3 = good.clone();
    v3[8] = 3;
    assert_eq!(
        load_err(m, &v3),
        "weights format version 3 is not supported (this version reads version 2)"
    );
    // A version 1 file (24-byte header, bare values) is refused with advice.
    let mut v1 = b"SHAPEDW\0".to_vec();
    v1.extend_from_slice(&[1, 0, 1, 4, 0, 0, 0, 0]);
    v1.extend_from_slice(&17u64.to_le_bytes());
    v1.extend_from_slice(&[0; 17 * 4]);
    let err = weights::load_from_slice(m, &v1).unwrap_err();
    assert_eq!(err, WeightsError::Version1);
    assert!(
        err.to_string().starts_with("version 1 weights file:")
            && err.to_string().contains("re-save"),
        "{err}"
    );
}

#[test]
fn truncation_and_trailing_bytes_name_the_tensor() {
    let good = weights::to_bytes(&*lenet(1)).unwrap();
    let m = &mut *lenet(2);
    assert_eq!(
        load_err(m, &good[..good.len() - 3]),
        r#"weights data truncated in the values of "7.bias": 12 bytes needed, 9 left"#
    );
    // Cut inside the dims of the first record: 2 + 8 name bytes, 3 codes, 4 dims of 8 bytes.
    let cut = HEADER_LEN + 2 + 8 + 3 + 5;
    assert_eq!(
        load_err(m, &good[..cut]),
        r#"weights data truncated in the dtype and dims of "0.weight": 32 bytes needed, 5 left"#
    );
    assert_eq!(
        load_err(m, &good[..HEADER_LEN + 1]),
        "weights data truncated in the name of tensor 1 of 11: 2 bytes needed, 1 left"
    );
    let mut long = good.clone();
    long.push(0);
    assert_eq!(
        load_err(m, &long),
        "weights data has 1 byte after the last tensor"
    );
    long.extend_from_slice(&[1, 2]);
    assert_eq!(
        load_err(m, &long),
        "weights data has 3 bytes after the last tensor"
    );
}

#[test]
fn wrong_dims_name_the_tensor() {
    type Wider = (
        Conv2d<f32, U1, U2, U3>,
        BatchNorm2d<f32, U2>,
        ReLU,
        MaxPool2d<U2>,
        Flatten,
        Linear<f32, U8, U5>,
        Tanh,
        Linear<f32, U5, U3>,
    );
    let good = weights::to_bytes(&*lenet(1)).unwrap();
    let mut wider = shaped::boxed_zeroed::<Wider>();
    assert_eq!(
        load_err(&mut *wider, &good),
        r#""5.weight": file has dims (8, 4), model needs (8, 5)"#
    );
    // Rank differs too: a scalar against a vector.
    let mut records = batchnorm_records();
    records[1] = record("bias", 0, 1, &[], 4);
    assert_eq!(
        load_err(&mut BatchNorm1d::<f32, U2>::new(), &file(&records)),
        r#""bias": file has dims (), model needs (2,)"#
    );
}

#[test]
fn missing_extra_and_duplicate_tensors() {
    let mut records = batchnorm_records();
    records.remove(1);
    assert_eq!(
        load_err(&mut BatchNorm1d::<f32, U2>::new(), &file(&records)),
        r#""bias": missing from the file"#
    );
    type Short = (Linear<f32, U3, U4>, ReLU, Linear<f32, U4, U2>);
    type Long = (
        Linear<f32, U3, U4>,
        ReLU,
        Linear<f32, U4, U2>,
        ReLU,
        Linear<f32, U2, U2>,
    );
    let long = weights::to_bytes(&Long::zeroed()).unwrap();
    assert_eq!(
        load_err(&mut Short::zeroed(), &long),
        r#"file has extra tensor "4.weight""#
    );
    let short = weights::to_bytes(&Short::zeroed()).unwrap();
    assert_eq!(
        load_err(&mut Long::zeroed(), &short),
        r#""4.weight": missing from the file"#
    );
    let mut records = batchnorm_records();
    records.push(record("bias", 0, 1, &[2], 4));
    assert_eq!(
        load_err(&mut BatchNorm1d::<f32, U2>::new(), &file(&records)),
        r#"file has tensor "bias" twice"#
    );
    // Names are looked up: another order loads the same values.
    let mut records = batchnorm_records();
    records.swap(0, 4);
    let mut reordered = BatchNorm1d::<f32, U2>::new();
    weights::load_from_slice(&mut reordered, &file(&records)).unwrap();
    let mut ordered = BatchNorm1d::<f32, U2>::new();
    weights::load_from_slice(&mut ordered, &file(&batchnorm_records())).unwrap();
    assert_eq!(snapshot(&reordered), snapshot(&ordered));
}

#[test]
fn wrong_dtype_kind_and_codes_name_the_tensor() {
    let f64_file = weights::to_bytes(&Linear::<f64, U8, U3>::zeros()).unwrap();
    assert_eq!(
        load_err(&mut Linear::<f32, U8, U3>::zeros(), &f64_file),
        r#""weight": file has dtype f64, model needs f32"#
    );
    let bn = || BatchNorm1d::<f32, U2>::new();
    let mut records = batchnorm_records();
    records[4] = record("num_batches_tracked", 1, 1, &[], 4);
    assert_eq!(
        load_err(&mut bn(), &file(&records)),
        r#""num_batches_tracked": file has dtype f32, model needs i64"#
    );
    let mut records = batchnorm_records();
    records[2] = record("running_mean", 0, 1, &[2], 4);
    assert_eq!(
        load_err(&mut bn(), &file(&records)),
        r#""running_mean": file stores a param, model needs state"#
    );
    let mut records = batchnorm_records();
    records[0] = record("weight", 1, 1, &[2], 4);
    assert_eq!(
        load_err(&mut bn(), &file(&records)),
        r#""weight": file stores state, model needs a param"#
    );
    let mut records = batchnorm_records();
    records[3] = record("running_var", 7, 1, &[2], 4);
    assert_eq!(
        load_err(&mut bn(), &file(&records)),
        r#""running_var": file has unknown kind code 7"#
    );
    let mut records = batchnorm_records();
    records[3] = record("running_var", 1, 9, &[2], 4);
    assert_eq!(
        load_err(&mut bn(), &file(&records)),
        r#""running_var": file has unknown dtype code 9"#
    );
    let mut records = batchnorm_records();
    records[1][2] = 0xFF; // the first byte of "bias"
    assert_eq!(
        load_err(&mut bn(), &file(&records)),
        "the name of tensor 2 in the file is not UTF-8"
    );
}

#[test]
fn frozen_and_trainable_models_share_files() {
    type Trainable = ((Linear<f32, U3, U4>, ReLU), Linear<f32, U4, U2>);
    type Partly = (Frozen<(Linear<f32, U3, U4>, ReLU)>, Linear<f32, U4, U2>);
    let mut t = Trainable::zeroed();
    t.init(Scheme::XavierUniform, &mut Rng::new(7));
    let mut p = Partly::zeroed();
    weights::load_from_slice(&mut p, &weights::to_bytes(&t).unwrap()).unwrap();
    assert_eq!(snapshot(&p), snapshot(&t));
    assert_eq!(p.0.0.0.weight, t.0.0.weight);

    let mut p2 = Partly::zeroed();
    p2.init(Scheme::XavierUniform, &mut Rng::new(8));
    let mut t2 = Trainable::zeroed();
    weights::load_from_slice(&mut t2, &weights::to_bytes(&p2).unwrap()).unwrap();
    assert_eq!(snapshot(&t2), snapshot(&p2));
    assert_ne!(snapshot(&t2), snapshot(&t));
}

#[test]
fn file_errors_name_the_path() {
    let dir = std::env::temp_dir().join(format!("shaped-no-such-dir-{}", std::process::id()));
    let path = dir.join("model.weights");
    let mut m = Linear::<f32, U3, U2>::zeros();
    let err = weights::load_file(&mut m, &path).unwrap_err();
    assert!(matches!(err, FileError::Read { .. }), "{err:?}");
    assert_eq!(err.path(), path);
    let text = err.to_string();
    assert!(
        text.starts_with("cannot read weights file ") && text.contains(&*path.to_string_lossy()),
        "{text}"
    );
    assert_eq!(
        std::io::Error::from(err).kind(),
        std::io::ErrorKind::NotFound
    );

    let err = weights::save_file(&m, &path).unwrap_err();
    assert!(matches!(err, FileError::Write { .. }), "{err:?}");
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");

    // A format error keeps both the path and the tensor.
    let file = std::env::temp_dir().join(format!("shaped-other-{}.weights", std::process::id()));
    weights::save_file(&Linear::<f32, U3, U3>::zeros(), &file).unwrap();
    let err = weights::load_file(&mut m, &file).unwrap_err();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            r#"weights file {}: "weight": file has dims (3, 3), model needs (3, 2)"#,
            file.display()
        )
    );
    assert!(matches!(
        err.weights_error(),
        Some(WeightsError::WrongDims { .. })
    ));
}

#[test]
fn long_names_are_cut_in_errors() {
    let name = "layer".repeat(20); // 100 bytes
    let records = [record(&name, 0, 1, &[1], 4)];
    let err = weights::load_from_slice(&mut Linear::<f32, U1, U1>::zeros(), &file(&records))
        .unwrap_err()
        .to_string();
    // "weight" is looked up first and is missing; the extra name is never reached.
    assert_eq!(err, r#""weight": missing from the file"#);
    let records = [
        record("weight", 0, 1, &[1, 1], 4),
        record("bias", 0, 1, &[1], 4),
        record(&name, 0, 1, &[1], 4),
    ];
    let err = weights::load_from_slice(&mut Linear::<f32, U1, U1>::zeros(), &file(&records))
        .unwrap_err()
        .to_string();
    assert_eq!(err, format!(r#"file has extra tensor "{}…""#, &name[..64]));
}

/// Seeded mutations of a valid file (bit flips, byte sets, truncations, insertions, deletions,
/// copied chunks): every load returns, none panics, and a refused load leaves the model alone.
#[test]
fn random_mutations_never_panic() {
    let good = weights::to_bytes(&*lenet(1)).unwrap();
    let mut m = lenet(2);
    let mut rng = Rng::new(2024);
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let mut f = good.clone();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(f.len() + 1);
            match rng.below(6) {
                0 if at < f.len() => f[at] ^= 1 << rng.below(8),
                1 if at < f.len() => f[at] = [0, 1, 2, 3, 0x7F, 0xFF][rng.below(6)],
                2 => f.truncate(at),
                3 => {
                    let n = 1 + rng.below(8);
                    let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                    f.splice(at..at, bytes);
                }
                4 => {
                    let end = (at + 1 + rng.below(16)).min(f.len());
                    f.drain(at..end);
                }
                _ => {
                    let from = rng.below(f.len() + 1);
                    let end = (from + 1 + rng.below(24)).min(f.len());
                    let chunk = f[from..end].to_vec();
                    f.splice(at..at, chunk);
                }
            }
        }
        let before = snapshot(&*m);
        match weights::load_from_slice(&mut *m, &f) {
            Ok(()) => ok += 1,
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
                assert_eq!(snapshot(&*m), before, "refused ({e}) but changed the model");
            }
        }
    }
    // Both outcomes occur (value bytes can change freely; structure cannot).
    assert!(ok > 100 && refused > 100, "{ok} loaded, {refused} refused");
}
