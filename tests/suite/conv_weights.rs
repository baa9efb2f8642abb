//! The weights format: round trip through bytes and files, and each error on bad input.

use shaped::nn::weights::{self, HEADER_LEN, WeightsError};
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
    let bytes = weights::to_bytes(&*m);
    let n = <Model as Params<f32>>::PARAMS; // 2·1·3·3 + 2 + 8·3 + 3 = 47
    assert_eq!(n, 47);
    assert_eq!(bytes.len(), 24 + 4 * n);
    assert_eq!(&bytes[..8], b"SHAPEDW\0");
    assert_eq!(&bytes[8..12], &[1, 0, 1, 4]); // version 1, f32, 4 bytes
    assert_eq!(&bytes[16..24], &47u64.to_le_bytes());
    // First value: weight[0][0][0][0]; last: the last bias of the Linear head.
    assert_eq!(&bytes[24..28], &m.0.weight[[0, 0, 0, 0]].to_le_bytes());
    assert_eq!(&bytes[bytes.len() - 4..], &0.25f32.to_le_bytes());
}

#[test]
fn round_trip_through_bytes_and_file() {
    let a = model(2);
    let mut b = model(3);
    assert_ne!(params(&a), params(&b));
    weights::load_from_slice(&mut *b, &weights::to_bytes(&*a)).unwrap();
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
    let good = weights::to_bytes(&*a);
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
            expected: HEADER_LEN,
            found: 10
        }
    );
    let mut bad = good.clone();
    bad[8] = 2;
    assert_eq!(load(&bad), WeightsError::UnsupportedVersion(2));
    let cut = good.len() - 3;
    assert_eq!(
        load(&good[..cut]),
        WeightsError::Truncated {
            expected: good.len(),
            found: cut
        }
    );
    let mut long = good.clone();
    long.push(0);
    assert_eq!(
        load(&long),
        WeightsError::TrailingBytes {
            expected: good.len(),
            found: good.len() + 1
        }
    );
    let other = weights::to_bytes(&Linear::<f32, U3, U2>::zeros());
    let err = load(&other);
    assert_eq!(
        err,
        WeightsError::WrongCount {
            expected: 47,
            found: 8
        }
    );
    assert_eq!(
        err.to_string(),
        "weights hold 8 parameters but the model has 47 (another architecture?)"
    );
    assert_eq!(
        params(&b),
        before,
        "a failed load must not change the model"
    );

    let f64_bytes = weights::to_bytes(&Linear::<f64, U8, U3>::zeros());
    let mut f32_model = Linear::<f32, U8, U3>::zeros();
    let err = weights::load_from_slice(&mut f32_model, &f64_bytes).unwrap_err();
    assert_eq!(
        err,
        WeightsError::WrongElementType {
            expected: 1,
            found: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "weights have element type f64 but the model uses f32"
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
    assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
}
