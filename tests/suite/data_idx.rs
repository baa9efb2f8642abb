//! IDX and gzip reading: every error case on small hand-made files, and the bundled datasets.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use shaped::data::{
    Dataset, Digits, GzipError, IdxError, IdxFormat, Mnist, crc32, gunzip, read_images,
    read_images_any, read_labels,
};

// ---------- helpers (independent of the library) ----------

/// A fresh, unique folder in the temp dir, removed with everything in it when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("shaped-data-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

/// A file holding `bytes`, alone in its own [`TempDir`] (gone when this is dropped).
struct TempFile {
    path: PathBuf,
    _dir: TempDir,
}

impl Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// A fresh file named `name` in a temp folder of its own, holding `bytes`.
fn temp_file(name: &str, bytes: &[u8]) -> TempFile {
    let dir = TempDir::new();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    TempFile { path, _dir: dir }
}

/// An IDX file: magic `00 00 dtype rank`, big-endian dims, payload.
fn idx(dtype: u8, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, dtype, dims.len() as u8];
    dims.iter()
        .for_each(|d| v.extend_from_slice(&d.to_be_bytes()));
    v.extend_from_slice(payload);
    v
}

/// Bit-by-bit CRC-32 (reference for the library's table version).
fn crc32_ref(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Optional gzip header fields for [`gzip`].
#[derive(Default)]
struct Header<'a> {
    extra: Option<&'a [u8]>,
    name: Option<&'a [u8]>,
    comment: Option<&'a [u8]>,
    hcrc: bool,
}

/// A gzip member with "stored" (uncompressed) deflate blocks, built by hand per RFC 1951/1952.
fn gzip(data: &[u8], h: &Header<'_>) -> Vec<u8> {
    let flags = (h.hcrc as u8) << 1
        | (h.extra.is_some() as u8) << 2
        | (h.name.is_some() as u8) << 3
        | (h.comment.is_some() as u8) << 4;
    let mut v = vec![0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 255];
    if let Some(x) = h.extra {
        v.extend_from_slice(&(x.len() as u16).to_le_bytes());
        v.extend_from_slice(x);
    }
    for s in [h.name, h.comment].into_iter().flatten() {
        v.extend_from_slice(s);
        v.push(0);
    }
    if h.hcrc {
        let c = crc32_ref(&v) as u16;
        v.extend_from_slice(&c.to_le_bytes());
    }
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(65535).collect()
    };
    for (i, c) in chunks.iter().enumerate() {
        v.push((i + 1 == chunks.len()) as u8); // BFINAL, BTYPE = 00 (stored)
        v.extend_from_slice(&(c.len() as u16).to_le_bytes());
        v.extend_from_slice(&(!(c.len() as u16)).to_le_bytes());
        v.extend_from_slice(c);
    }
    v.extend_from_slice(&crc32_ref(data).to_le_bytes());
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v
}

fn bundled(dir: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(dir)
        .join(file)
}

/// A 3-image 2×2 file with pixels 0..=11 and its labels.
fn small_images() -> Vec<u8> {
    idx(0x08, &[3, 2, 2], &(0..12).collect::<Vec<u8>>())
}

// ---------- crc32 and gzip ----------

#[test]
fn crc32_matches_reference() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926); // the standard check value
    assert_eq!(crc32(b""), 0);
    let data: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert_eq!(crc32(&data), crc32_ref(&data));
}

#[test]
fn gunzip_plain_and_with_all_optional_fields() {
    let data: Vec<u8> = (0..150_000u32).map(|i| (i % 253) as u8).collect(); // 3 stored blocks
    assert_eq!(gunzip(&gzip(&data, &Header::default())).unwrap(), data);
    let h = Header {
        extra: Some(b"AB\x02\x00xy"),
        name: Some(b"file.idx"),
        comment: Some(b"a comment"),
        hcrc: true,
    };
    assert_eq!(gunzip(&gzip(&data, &h)).unwrap(), data);
    assert_eq!(gunzip(&gzip(b"", &h)).unwrap(), b"");
}

#[test]
fn gunzip_concatenated_members() {
    let mut two = gzip(b"hello ", &Header::default());
    two.extend(gzip(b"world", &Header::default()));
    assert_eq!(gunzip(&two).unwrap(), b"hello world");
}

#[test]
fn gunzip_errors() {
    let good = gzip(b"some data here", &Header::default());
    let err = |bytes: &[u8]| gunzip(bytes).unwrap_err();

    assert_eq!(err(&good[..5]), GzipError::Truncated { what: "header" });
    assert_eq!(
        err(b"\x1f\x00\x08\x00\x00\x00\x00\x00\x00\x00"),
        GzipError::NotGzip
    );
    let mut m = good.clone();
    m[2] = 7;
    assert_eq!(err(&m), GzipError::UnsupportedMethod(7));
    let mut m = good.clone();
    m[3] = 0x20;
    assert_eq!(err(&m), GzipError::ReservedFlags(0x20));

    // Optional fields cut short.
    let named = gzip(
        b"x",
        &Header {
            name: Some(b"name"),
            ..Header::default()
        },
    );
    assert_eq!(
        err(&named[..13]),
        GzipError::Truncated { what: "file name" }
    );
    let extra = gzip(
        b"x",
        &Header {
            extra: Some(b"0123456789"),
            ..Header::default()
        },
    );
    assert_eq!(
        err(&extra[..15]),
        GzipError::Truncated {
            what: "extra field"
        }
    );

    // Header CRC-16 wrong.
    let mut hc = gzip(
        b"x",
        &Header {
            hcrc: true,
            ..Header::default()
        },
    );
    hc[10] ^= 0xff;
    assert!(matches!(err(&hc), GzipError::HeaderCrc { .. }));

    // Payload byte flipped: the CRC-32 catches it.
    let mut m = good.clone();
    m[16] ^= 0x01;
    let want = crc32_ref(b"some data here");
    assert!(
        matches!(err(&m), GzipError::Crc { stored, computed } if stored == want && computed != want)
    );

    // ISIZE wrong.
    let mut m = good.clone();
    let n = m.len();
    m[n - 4] ^= 0x01;
    assert_eq!(
        err(&m),
        GzipError::Length {
            stored: 14 ^ 1,
            computed: 14
        }
    );

    // Deflate stream cut, trailer cut, invalid block type, trailing garbage.
    assert!(matches!(err(&good[..14]), GzipError::Deflate(_)));
    assert_eq!(
        err(&good[..n - 3]),
        GzipError::Truncated { what: "trailer" }
    );
    let mut m = good.clone();
    m[10] = 0x07; // BFINAL=1, BTYPE=11 (reserved)
    assert!(matches!(err(&m), GzipError::Deflate(_)));
    let mut m = good.clone();
    m.extend_from_slice(b"junk");
    assert_eq!(err(&m), GzipError::TrailingGarbage { bytes: 4 });
}

// ---------- IDX: good files ----------

#[test]
fn reads_raw_and_gzip_idx() {
    let raw = small_images();
    for path in [
        temp_file("img", &raw),
        temp_file("img.gz", &gzip(&raw, &Header::default())),
    ] {
        let img = read_images(&path, 2, 2).unwrap();
        assert_eq!((img.count, img.rows, img.cols), (3, 2, 2));
        assert_eq!(img.pixels, (0..12).collect::<Vec<u8>>());
    }
    let labels = temp_file("lab", &idx(0x08, &[4], &[0, 9, 3, 9]));
    assert_eq!(read_labels(&labels, 10).unwrap(), [0, 9, 3, 9]);
    // Zero items is a valid (empty) file.
    let empty = temp_file("empty", &idx(0x08, &[0, 28, 28], &[]));
    assert_eq!(read_images(&empty, 28, 28).unwrap().count, 0);
}

// ---------- IDX: every error ----------

/// Checks the error's Display names the file and contains `needle`.
fn says(e: &IdxError, path: &std::path::Path, needle: &str) {
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
}

#[test]
fn missing_file_is_io_error() {
    let path = std::env::temp_dir().join("shaped-data-does-not-exist/x-idx3-ubyte");
    let e = read_images(&path, 2, 2).unwrap_err();
    assert!(
        matches!(&e, IdxError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(std::error::Error::source(&e).is_some());
    says(&e, &path, "");
}

#[test]
fn bad_magic() {
    let mut b = small_images();
    b[0] = 0x12;
    let p = temp_file("magic", &b);
    let e = read_images(&p, 2, 2).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::BadMagic {
                magic: 0x1200_0803,
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &p, "0x12000803");
    // Unknown dtype code is not IDX either.
    let p = temp_file("dtype07", &idx(0x07, &[3, 2, 2], &[0; 12]));
    assert!(matches!(
        read_images(&p, 2, 2),
        Err(IdxError::BadMagic { magic: 0x0703, .. })
    ));
}

#[test]
fn wrong_dtype() {
    let p = temp_file("f32", &idx(0x0D, &[1, 1, 1], &[0; 4]));
    let e = read_images(&p, 1, 1).unwrap_err();
    assert!(
        matches!(e, IdxError::WrongDtype { found: "f32", .. }),
        "{e:?}"
    );
    says(&e, &p, "f32");
}

#[test]
fn wrong_rank() {
    let labels = temp_file("lab", &idx(0x08, &[2], &[1, 2]));
    let e = read_images(&labels, 2, 2).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::WrongRank {
                expected: 3,
                found: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let images = temp_file("img", &small_images());
    let e = read_labels(&images, 10).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::WrongRank {
                expected: 1,
                found: 3,
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &images, "labels");
}

#[test]
fn truncated_header() {
    for (len, needed) in [(0, 16), (3, 16), (10, 16)] {
        let p = temp_file("short", &small_images()[..len]);
        let e = read_images(&p, 2, 2).unwrap_err();
        assert!(
            matches!(e, IdxError::TruncatedHeader { needed: n, len: l, .. } if n == needed && l == len),
            "{e:?}"
        );
    }
    let p = temp_file("shortlab", &idx(0x08, &[5], &[])[..6]);
    let e = read_labels(&p, 10).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::TruncatedHeader {
                needed: 8,
                len: 6,
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &p, "truncated");
}

#[test]
fn truncated_payload_and_overflowing_dims() {
    let b = small_images();
    let p = temp_file("cut", &b[..b.len() - 2]);
    let e = read_images(&p, 2, 2).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::TruncatedPayload {
                expected: Some(12),
                found: 10,
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &p, "promises 12");
    // Same through gzip.
    let p = temp_file("cut.gz", &gzip(&b[..b.len() - 2], &Header::default()));
    assert!(matches!(
        read_images(&p, 2, 2),
        Err(IdxError::TruncatedPayload { .. })
    ));
    // Labels.
    let p = temp_file("labcut", &idx(0x08, &[5], &[1, 2]));
    assert!(matches!(
        read_labels(&p, 10),
        Err(IdxError::TruncatedPayload {
            expected: Some(5),
            found: 2,
            ..
        })
    ));
    // Dims whose product overflows usize (2^96) must not panic.
    let p = temp_file(
        "huge",
        &idx(0x08, &[u32::MAX, u32::MAX, u32::MAX], &[1, 2, 3]),
    );
    let e = read_images_any(&p).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::TruncatedPayload {
                expected: None,
                found: 3,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut b = small_images();
    b.extend_from_slice(&[7, 7, 7]);
    let p = temp_file("trail", &b);
    let e = read_images(&p, 2, 2).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::TrailingBytes {
                expected: 12,
                found: 15,
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &p, "3 trailing bytes");
}

#[test]
fn wrong_dims_requested() {
    let p = bundled("digits-8x8", "train-images-idx3-ubyte.gz");
    let e = read_images(&p, 28, 28).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::WrongDims {
                expected: (28, 28),
                found: (8, 8),
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &p, "images are 8x8, expected 28x28");
    // And a dataset load with MNIST's format on the digits folder.
    let e = Mnist::load::<f32>(p.parent().unwrap()).unwrap_err();
    assert!(matches!(e, IdxError::WrongDims { .. }), "{e:?}");
}

#[test]
fn label_out_of_range() {
    let p = temp_file("lab", &idx(0x08, &[4], &[0, 9, 10, 3]));
    let e = read_labels(&p, 10).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::LabelOutOfRange {
                index: 2,
                label: 10,
                classes: 10,
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &p, "label 10 at item 2");
    // Against a smaller class count.
    let e = read_labels(&p, 3).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::LabelOutOfRange {
                index: 1,
                label: 9,
                classes: 3,
                ..
            }
        ),
        "{e:?}"
    );
}

const TINY: IdxFormat = IdxFormat {
    rows: 2,
    cols: 2,
    classes: 10,
    max_pixel: 11,
};

#[test]
fn count_mismatch() {
    let img = temp_file("img", &small_images());
    let lab = temp_file("lab", &idx(0x08, &[2], &[1, 2]));
    let e = Dataset::<f32>::from_idx(&img, &lab, &TINY).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::CountMismatch {
                image_count: 3,
                label_count: 2,
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &img, "3 images");
    says(&e, &lab, "2 labels");
}

#[test]
fn pixel_above_declared_maximum() {
    let img = temp_file("img", &small_images());
    let lab = temp_file("lab", &idx(0x08, &[3], &[1, 2, 3]));
    let ten = IdxFormat {
        max_pixel: 10,
        ..TINY
    };
    let e = Dataset::<f32>::from_idx(&img, &lab, &ten).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::PixelOutOfRange {
                index: 11,
                value: 11,
                max: 10,
                ..
            }
        ),
        "{e:?}"
    );
    // With the right maximum the features are pixel / 11.
    let d = Dataset::<f64>::from_idx(&img, &lab, &TINY).unwrap();
    assert_eq!(d.sample(2), &[8.0 / 11.0, 9.0 / 11.0, 10.0 / 11.0, 1.0]);
    assert_eq!(
        (d.labels(), d.dims(), d.classes()),
        (&[1, 2, 3][..], [1, 2, 2], 10)
    );
}

#[test]
fn corrupt_gzip_carries_path() {
    let mut gz = gzip(&small_images(), &Header::default());
    gz[20] ^= 0x40;
    let p = temp_file("bad.gz", &gz);
    let e = read_images(&p, 2, 2).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::Gzip {
                source: GzipError::Crc { .. },
                ..
            }
        ),
        "{e:?}"
    );
    says(&e, &p, "CRC-32");
    // Truncated .gz file.
    let gz = gzip(&small_images(), &Header::default());
    let p = temp_file("cut.gz", &gz[..gz.len() - 6]);
    assert!(matches!(read_images(&p, 2, 2), Err(IdxError::Gzip { .. })));
}

#[test]
fn missing_dataset_files() {
    let dir = TempDir::new();
    let e = Mnist::load::<f32>(&dir).unwrap_err();
    assert!(
        matches!(
            e,
            IdxError::MissingFile {
                name: "train-images-idx3-ubyte",
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("train-images-idx3-ubyte.gz") && msg.contains(&dir.display().to_string()),
        "{msg}"
    );
}

// ---------- the bundled data ----------

#[test]
fn bundled_mnist_5k() {
    let img = read_images(bundled("mnist-5k", "train-images-idx3-ubyte.gz"), 28, 28).unwrap();
    assert_eq!(img.count, 4000);
    assert_eq!(img.pixels.len(), 4000 * 784);
    assert_eq!(img.pixels.iter().min(), Some(&0));
    assert_eq!(img.pixels.iter().max(), Some(&255));

    let m = Mnist::bundled::<f32>().unwrap();
    assert_eq!((m.train.len(), m.test.len()), (4000, 1000));
    assert_eq!(m.train.labels()[..10], [5, 1, 9, 5, 0, 1, 4, 1, 2, 2]);
    assert_eq!(m.test.labels()[..10], [5, 8, 4, 3, 2, 9, 2, 8, 3, 0]);
    assert_eq!(m.train.class_counts(), vec![400; 10]);
    assert_eq!(m.test.class_counts(), vec![100; 10]);
    // Features are pixel / 255: exactly the bytes, scaled.
    let f = m.train.all_features();
    assert!(f.iter().all(|&v| (0.0..=1.0).contains(&v)));
    assert_eq!(f.iter().cloned().fold(0.0f32, f32::max), 1.0);
    for (k, &p) in img.pixels.iter().enumerate().step_by(997) {
        assert_eq!(f[k], p as f32 / 255.0);
    }
}

#[test]
fn bundled_digits_8x8() {
    let d = Digits::bundled::<f64>().unwrap();
    assert_eq!(
        (d.train.len(), d.test.len(), d.train.features()),
        (1500, 297, 64)
    );
    assert_eq!(
        d.train.class_counts(),
        [151, 151, 150, 153, 148, 152, 151, 149, 146, 149]
    );
    assert_eq!(
        d.test.class_counts(),
        [27, 31, 27, 30, 33, 30, 30, 30, 28, 31]
    );
    let img = read_images(bundled("digits-8x8", "t10k-images-idx3-ubyte.gz"), 8, 8).unwrap();
    assert_eq!(img.pixels.iter().max(), Some(&16));
    for (k, &p) in img.pixels.iter().enumerate() {
        assert_eq!(d.test.all_features()[k], p as f64 / 16.0);
    }
}

#[test]
fn raw_and_gz_give_the_same_dataset() {
    // Gunzip the bundled files into a temp folder; loading that folder gives the same data.
    let dir = TempDir::new();
    for name in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        let gz = std::fs::read(bundled("digits-8x8", &format!("{name}.gz"))).unwrap();
        std::fs::write(dir.join(name), gunzip(&gz).unwrap()).unwrap();
    }
    assert_eq!(
        Digits::load::<f32>(&dir).unwrap(),
        Digits::bundled::<f32>().unwrap()
    );
}
