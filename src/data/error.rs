//! [`DataError`]: runtime mismatches between in-memory data and what a caller asked of it.
//! (Problems with files are [`IdxError`](super::IdxError)s.)

/// A dataset, batch or split request that does not fit the data.
#[derive(Clone, Debug, PartialEq)]
pub enum DataError {
    /// The number of feature values is not `samples · channels · rows · cols`.
    FeatureCount {
        /// Number of samples (labels).
        samples: usize,
        /// `[channels, rows, cols]` of one sample.
        dims: [usize; 3],
        /// Number of feature values given.
        values: usize,
    },
    /// A label is not below the number of classes.
    LabelOutOfRange {
        /// Position of the first bad label.
        index: usize,
        /// Its value.
        label: usize,
        /// Number of classes.
        classes: usize,
    },
    /// A sample index is not below the dataset's length.
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// The dataset's length.
        len: usize,
    },
    /// The batch tensor's sample shape is not the dataset's.
    BatchShape {
        /// `[channels, rows, cols]` of the dataset's samples (`[1, 1, F]` stands for `F` features).
        data: [usize; 3],
        /// The per-sample dims of the tensor given.
        tensor: &'static [usize],
    },
    /// The batcher was made for a dataset of another length.
    BatcherLength {
        /// Samples the batcher was created for.
        batcher: usize,
        /// Samples in the dataset given.
        data: usize,
    },
    /// Split fractions that are negative, not finite, or add up to more than 1.
    Fractions {
        /// Fraction requested for the dev set.
        dev: f64,
        /// Fraction requested for the test set.
        test: f64,
    },
}

impl core::fmt::Display for DataError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DataError::FeatureCount {
                samples,
                dims,
                values,
            } => write!(
                f,
                "{values} feature values do not make {samples} samples of {}x{}x{}",
                dims[0], dims[1], dims[2]
            ),
            DataError::LabelOutOfRange {
                index,
                label,
                classes,
            } => write!(
                f,
                "label {label} at sample {index} is out of range for {classes} classes"
            ),
            DataError::IndexOutOfRange { index, len } => {
                write!(f, "sample index {index} is out of range for {len} samples")
            }
            DataError::BatchShape { data, tensor } => write!(
                f,
                "batch tensor samples have dims {tensor:?} but the dataset's are {data:?} \
                 ([channels, rows, cols]; flat batches need channels·rows·cols features)"
            ),
            DataError::BatcherLength { batcher, data } => write!(
                f,
                "batcher was made for {batcher} samples but the dataset has {data}"
            ),
            DataError::Fractions { dev, test } => write!(
                f,
                "split fractions dev {dev} and test {test} must be finite, >= 0 and sum to <= 1"
            ),
        }
    }
}

impl std::error::Error for DataError {}
