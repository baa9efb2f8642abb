//! Seeded random mutation of valid files for the three parsers that read untrusted bytes: the
//! safetensors reader, the SHAPEDW reader and the IDX reader (raw and gzipped). Every input must
//! return `Ok` or an error with a message, never panic, and a refused weights file must leave
//! the model alone.
//!
//! The short runs are part of the normal suite (deterministic, about a second each). The long
//! runs (1 000 000 inputs per parser) are ignored tests; run them with
//! `cargo test --test suite fuzz_long -- --ignored --nocapture --test-threads 1`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use shaped::data::{crc32, images_from_bytes, labels_from_bytes};
use shaped::init::Scheme;
use shaped::nn::weights::safetensors::{self, Options};
use shaped::nn::weights::{self};
use shaped::nn::{BatchNorm2d, Name, Params, Values};
use shaped::prelude::*;
use shaped::rand::Rng;

/// A small model with every kind of tensor: a conv weight, a transposed Linear weight,
/// BatchNorm state and its `i64` counter.
type Small = (
    Conv2d<f32, U1, U2, U3>,
    BatchNorm2d<f32, U2>,
    ReLU,
    MaxPool2d<U2>,
    Flatten,
    Linear<f32, U8, U4>,
);

fn small(seed: u64) -> Small {
    let mut m = Small::zeroed();
    m.init(Scheme::HeUniform, &mut Rng::new(seed));
    m.1.num_batches_tracked = 7;
    m
}

fn snapshot<M: Params<f32>>(m: &M) -> Vec<u64> {
    let mut out = Vec::new();
    m.visit(&Name::ROOT, &mut |e| match e.values {
        Values::Elem(v) => out.extend(v.iter().map(|x| u64::from(x.to_bits()))),
        Values::I64(v) => out.extend(v.iter().map(|&x| x as u64)),
    });
    out
}

/// Tokens worth splicing into the formats: JSON punctuation and literals, dtype names, numbers
/// at the edges of their types, gzip and IDX magic bytes.
const DICTIONARY: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"0",
    b"-1",
    b"1e9",
    b"1.5",
    b"null",
    b"true",
    b"\"F16\"",
    b"\"BF16\"",
    b"\"I64\"",
    b"\"F64\"",
    b"\"__metadata__\"",
    b"\"shape\"",
    b"\"data_offsets\"",
    b"18446744073709551615",
    b"4294967296",
    b"\xff\xff\xff\xff",
    b"\x00\x00\x08\x03",
    b"\x1f\x8b\x08\x00",
    b"\xc3",
];

/// One to three mutations of `good`.
fn mutate(rng: &mut Rng, good: &[u8]) -> Vec<u8> {
    let mut f = good.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(f.len() + 1);
        match rng.below(9) {
            0 if at < f.len() => f[at] ^= 1 << rng.below(8),
            1 if at < f.len() => f[at] = [0, 1, 2, 8, b'0', b'9', 0x7F, 0xFF][rng.below(8)],
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
            5 => {
                let from = rng.below(f.len() + 1);
                let end = (from + 1 + rng.below(24)).min(f.len());
                let chunk = f[from..end].to_vec();
                f.splice(at..at, chunk);
            }
            6 | 7 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())];
                let end = (at + rng.below(token.len() + 1)).min(f.len());
                f.splice(at..end, token.iter().copied());
            }
            _ => {
                // A length or count field off by a little.
                if let Some(b) = f.get_mut(at.min(7)) {
                    *b = b.wrapping_add([1, 255, 2, 254, 8][rng.below(5)]);
                }
            }
        }
    }
    f
}

/// What a run saw.
#[derive(Debug, Default)]
struct Run {
    inputs: u64,
    accepted: u64,
    refused: u64,
}

/// Runs `target` on `n` mutations of the seeds; `target` says whether the input was accepted.
/// A panic is reported with the input that caused it.
fn fuzz(
    name: &str,
    seed: u64,
    n: u64,
    seeds: &[Vec<u8>],
    mut target: impl FnMut(&[u8]) -> bool,
) -> Run {
    let mut rng = Rng::new(seed);
    let mut run = Run::default();
    let t0 = Instant::now();
    for _ in 0..n {
        let pick = rng.below(seeds.len());
        let input = mutate(&mut rng, &seeds[pick]);
        match catch_unwind(AssertUnwindSafe(|| target(&input))) {
            Ok(true) => run.accepted += 1,
            Ok(false) => run.refused += 1,
            Err(_) => panic!("{name}: input {} panicked: {input:02x?}", run.inputs),
        }
        run.inputs += 1;
    }
    eprintln!(
        "fuzz {name}: {} inputs in {:.1} s, {} accepted, {} refused, no panic",
        run.inputs,
        t0.elapsed().as_secs_f64(),
        run.accepted,
        run.refused
    );
    run
}

fn safetensors_run(n: u64) -> Run {
    let good = safetensors::to_bytes(&small(1), &Options::TORCH).unwrap();
    // A file as PyTorch writes it, with whitespace and metadata, as a second seed.
    let text = String::from_utf8_lossy(&good)
        .replace("\":", "\": ")
        .replace(",\"", ", \"");
    let spaced = text.into_bytes();
    let header = spaced.len()
        - (good.len() - 8 - u64::from_le_bytes(good[..8].try_into().unwrap()) as usize)
        - 8;
    let mut spaced = spaced;
    spaced.splice(..8, (header as u64).to_le_bytes());
    let mut m = small(2);
    let reference = snapshot(&m);
    fuzz("safetensors", 11, n, &[good, spaced], |input| {
        let before = snapshot(&m);
        match safetensors::load_from_slice(&mut m, input, &Options::TORCH) {
            Ok(()) => {
                // Restore, so the next refusal is checked against known values.
                safetensors::load_from_slice(
                    &mut m,
                    &safetensors::to_bytes(&small(2), &Options::TORCH).unwrap(),
                    &Options::TORCH,
                )
                .unwrap();
                assert_eq!(snapshot(&m), reference);
                true
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                assert_eq!(snapshot(&m), before, "refused ({e}) but changed the model");
                false
            }
        }
    })
}

fn shapedw_run(n: u64) -> Run {
    let good = weights::to_bytes(&small(1)).unwrap();
    let mut m = small(2);
    fuzz("SHAPEDW", 12, n, &[good], |input| {
        let before = snapshot(&m);
        match weights::load_from_slice(&mut m, input) {
            Ok(()) => true,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                assert_eq!(snapshot(&m), before, "refused ({e}) but changed the model");
                false
            }
        }
    })
}

/// A gzip file of `raw` in one stored (uncompressed) deflate block.
fn gzip_stored(raw: &[u8]) -> Vec<u8> {
    let mut g = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1];
    let len = raw.len() as u16;
    g.extend_from_slice(&len.to_le_bytes());
    g.extend_from_slice(&(!len).to_le_bytes());
    g.extend_from_slice(raw);
    g.extend_from_slice(&crc32(raw).to_le_bytes());
    g.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    g
}

fn idx_run(n: u64) -> Run {
    let mut images = vec![0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4];
    images.extend((0..48).map(|i| i as u8 * 5));
    let labels = vec![0, 0, 8, 1, 0, 0, 0, 4, 1, 9, 0, 3];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits-8x8");
    let real_labels = std::fs::read(format!("{dir}/t10k-labels-idx1-ubyte.gz")).unwrap();
    // The seeds parse.
    assert_eq!(
        images_from_bytes("x", gzip_stored(&images)).unwrap().count,
        3
    );
    assert_eq!(
        labels_from_bytes("x", real_labels.clone(), 10)
            .unwrap()
            .len(),
        297
    );
    let seeds = [
        gzip_stored(&images),
        images,
        gzip_stored(&labels),
        labels,
        real_labels,
    ];
    fuzz("IDX", 13, n, &seeds, |input| {
        let img = images_from_bytes("fuzz", input.to_vec());
        let lab = labels_from_bytes("fuzz", input.to_vec(), 10);
        for e in [img.as_ref().err(), lab.as_ref().err()]
            .into_iter()
            .flatten()
        {
            assert!(e.to_string().contains("fuzz"), "{e}");
        }
        if let Ok(img) = &img {
            assert_eq!(img.pixels.len(), img.count * img.rows * img.cols);
        }
        img.is_ok() || lab.is_ok()
    })
}

/// Both outcomes must occur, or the mutations are not reaching the parser.
fn assert_mixed(run: &Run) {
    assert!(run.accepted > 0 && run.refused > run.inputs / 4, "{run:?}");
}

#[test]
fn fuzz_safetensors_short() {
    assert_mixed(&safetensors_run(20_000));
}

#[test]
fn fuzz_shapedw_short() {
    assert_mixed(&shapedw_run(20_000));
}

#[test]
fn fuzz_idx_short() {
    assert_mixed(&idx_run(20_000));
}

#[test]
#[ignore = "long: 1 M inputs; run with --ignored"]
fn fuzz_long_safetensors() {
    assert_mixed(&safetensors_run(1_000_000));
}

#[test]
#[ignore = "long: 1 M inputs; run with --ignored"]
fn fuzz_long_shapedw() {
    assert_mixed(&shapedw_run(1_000_000));
}

#[test]
#[ignore = "long: 1 M inputs; run with --ignored"]
fn fuzz_long_idx() {
    assert_mixed(&idx_run(1_000_000));
}
