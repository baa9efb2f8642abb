//! Data: reading MNIST-style IDX files (raw or gzip), in-memory datasets, batches that fill
//! caller-owned tensors, seeded splits, and classification metrics.
//!
//! Everything here needs the `data` feature (which implies `std`) except [`metrics`], which uses no
//! heap and works in `no_std`, and [`standardize`] (feature `std` or `libm`).
//!
//! ```
//! use shaped::data::{Batcher, LastBatch, Mnist};
//! use shaped::prelude::*;
//!
//! let mnist = Mnist::bundled::<f32>()?;                 // data/mnist-5k: pixels / 255
//! let mut batcher = Batcher::shuffled(mnist.train.len(), 42, LastBatch::Drop);
//! let mut x = shaped::boxed_zeroed::<Tensor2<f32, U32, U784>>();
//! let mut y = Tensor1::<usize, U32>::zeros();
//! let mut batches = 0;
//! while let Some(rows) = batcher.next_batch(&mnist.train, &mut x, &mut y)? {
//!     assert_eq!(rows, 32);
//!     batches += 1;
//! }
//! assert_eq!(batches, 4000 / 32);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod augment;
pub mod metrics;
#[cfg(any(feature = "std", feature = "libm"))]
pub mod standardize;

#[cfg(feature = "data")]
mod batch;
#[cfg(feature = "data")]
mod dataset;
#[cfg(feature = "data")]
mod error;
#[cfg(feature = "data")]
mod gzip;
#[cfg(feature = "data")]
mod idx;
#[cfg(feature = "data")]
mod split;

#[cfg(feature = "data")]
pub use batch::{Batcher, LastBatch};
#[cfg(feature = "data")]
pub use dataset::{Dataset, Digits, IdxFormat, Mnist, TrainTest};
#[cfg(feature = "data")]
pub use error::DataError;
#[cfg(feature = "data")]
pub use gzip::GzipError;
// Helpers of the IDX reader, public only for the test suite.
#[cfg(feature = "data")]
#[doc(hidden)]
pub use gzip::{crc32, gunzip};
#[cfg(feature = "data")]
pub use idx::{
    IdxError, IdxImages, images_from_bytes, labels_from_bytes, read_images, read_images_any,
    read_labels,
};
#[cfg(feature = "data")]
pub use split::{Split, SplitSets};
