//! Data: reading MNIST-style IDX files (raw or gzip), in-memory datasets, batches that fill
//! caller-owned tensors, seeded splits, and classification metrics.
//!
//! Everything here needs the `std` feature except [`metrics`], which uses no heap and works in
//! `no_std`.
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

pub mod metrics;
#[cfg(any(feature = "std", feature = "libm"))]
pub mod standardize;

#[cfg(feature = "std")]
mod batch;
#[cfg(feature = "std")]
mod dataset;
#[cfg(feature = "std")]
mod error;
#[cfg(feature = "std")]
mod gzip;
#[cfg(feature = "std")]
mod idx;
#[cfg(feature = "std")]
mod split;

#[cfg(feature = "std")]
pub use batch::{Batcher, LastBatch};
#[cfg(feature = "std")]
pub use dataset::{Dataset, Digits, IdxFormat, Mnist, TrainTest};
#[cfg(feature = "std")]
pub use error::DataError;
#[cfg(feature = "std")]
pub use gzip::{GzipError, crc32, gunzip};
#[cfg(feature = "std")]
pub use idx::{IdxError, IdxImages, read_images, read_images_any, read_labels};
pub use metrics::{ConfusionMatrix, MetricsError};
#[cfg(feature = "std")]
pub use split::{Split, SplitSets};
