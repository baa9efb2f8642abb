//! The weights format: round trip through bytes and files, and each error on bad input.

use shaped::nn::weights::{self, At, HEADER_LEN, WeightsError};
use shaped::nn::{Conv2d, Flatten, Linear, MaxPool2d, Params};
use shaped::prelude::*;
use shaped::rand::Rng;

type Model = (
    Conv2d<f32, U1, U2, U3>,
    MaxPool2d<U2>,
    Flatten,
    Linear<f32, U8, U3>,
);

fn model(seed: u64) -> Box<Model> {
    let mut m = shaped::boxed_zeroed::<Model>();
    m.init(shaped::init::Scheme::HeUniform, &mut Rng::new(seed));
    m.3.bias.fill(0.25);
    m
}

fn params(m: &Model) -> Vec<f32> {
    let mut v = Vec::new();
    m.params(&mut |p| v.extend_from_slice(p));
    v
}

#[test]
fn layout_is_as_documented() {
    let m = model(1);
    let bytes = weights::to_bytes(&*m).unwrap();
    let n = <Model as Params<f32>>::PARAMS; // 2·1·3·3 + 2 + 8·3 + 3 = 47
    assert_eq!(n, 47);
    // Four records: 0.weight (rank 4), 0.bias, 3.weight (rank 2), 3.bias; names 8, 6, 8, 6 bytes.
    let heads = (2 + 8 + 3 + 8 * 4) + (2 + 6 + 3 + 8) + (2 + 8 + 3 + 8 * 2) + (2 + 6 + 3 + 8);
    assert_eq!(bytes.len(), HEADER_LEN + heads + 4 * n);
    assert_eq!(&bytes[..8], b"SHAPEDW\0");
    assert_eq!(&bytes[8..14], &[2, 0, 4, 0, 0, 0]); // version 2, 4 tensors
    assert_eq!(&bytes[14..24], b"\x08\x000.weight");
    assert_eq!(&bytes[24..27], &[0, 1, 4]); // param, f32, rank 4
    for (i, d) in [2u64, 1, 3, 3].iter().enumerate() {
        assert_eq!(&bytes[27 + 8 * i..35 + 8 * i], &d.to_le_bytes());
    }
    // First value: weight[0][0][0][0]; last: the last bias of the Linear head.
    assert_eq!(&bytes[59..63], &m.0.weight[[0, 0, 0, 0]].to_le_bytes());
    assert_eq!(&bytes[bytes.len() - 4..], &0.25f32.to_le_bytes());
}

#[test]
fn round_trip_through_bytes_and_file() {
    let a = model(2);
    let mut b = model(3);
    assert_ne!(params(&a), params(&b));
    weights::load_from_slice(&mut *b, &weights::to_bytes(&*a).unwrap()).unwrap();
    assert_eq!(params(&a), params(&b));

    let path = std::env::temp_dir().join(format!("shaped-conv-weights-{}.bin", std::process::id()));
    let c = model(4);
    weights::save_file(&*c, &path).unwrap();
    weights::load_file(&mut *b, &path).unwrap();
    assert_eq!(params(&b), params(&c));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn bad_input_gives_clear_errors_and_leaves_the_model_alone() {
    let a = model(5);
    let good = weights::to_bytes(&*a).unwrap();
    let mut b = model(6);
    let before = params(&b);
    let mut load = |bytes: &[u8]| weights::load_from_slice(&mut *b, bytes).unwrap_err();

    let mut bad = good.clone();
    bad[0] = b'X';
    assert_eq!(load(&bad), WeightsError::BadMagic);
    assert_eq!(load(b"PNG"), WeightsError::BadMagic);
    assert_eq!(
        load(&good[..10]),
        WeightsError::Truncated {
            at: At::Header,
            needed: HEADER_LEN as u64,
            available: 10
        }
    );
    let mut bad = good.clone();
    bad[8] = 3;
    assert_eq!(load(&bad), WeightsError::UnsupportedVersion(3));
    let cut = good.len() - 3;
    let err = load(&good[..cut]);
    assert_eq!(
        err.to_string(),
        r#"weights data truncated in the values of "3.bias": 12 bytes needed, 9 left"#
    );
    let mut long = good.clone();
    long.push(0);
    assert_eq!(load(&long), WeightsError::TrailingBytes { extra: 1 });
    let other = weights::to_bytes(&(Linear::<f32, U3, U2>::zeros(), shaped::nn::ReLU)).unwrap();
    let err = load(&other);
    assert!(matches!(err, WeightsError::WrongDims { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        r#""0.weight": file has dims (3, 2), model needs (2, 1, 3, 3)"#
    );
    assert_eq!(
        params(&b),
        before,
        "a failed load must not change the model"
    );

    let f64_bytes = weights::to_bytes(&Linear::<f64, U8, U3>::zeros()).unwrap();
    let mut f32_model = Linear::<f32, U8, U3>::zeros();
    let err = weights::load_from_slice(&mut f32_model, &f64_bytes).unwrap_err();
    assert!(matches!(err, WeightsError::WrongDtype { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        r#""weight": file has dtype f64, model needs f32"#
    );

    let mut small = [0u8; 10];
    assert_eq!(
        weights::save_to_slice(&*a, &mut small).unwrap_err(),
        WeightsError::BufferTooSmall {
            needed: good.len(),
            available: 10
        }
    );
    let missing = weights::load_file(&mut *b, "/nonexistent/shaped.bin").unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/shaped.bin"),
        "{missing}"
    );
    assert_eq!(
        std::io::Error::from(missing).kind(),
        std::io::ErrorKind::NotFound
    );
}
