//! What a file records about a tensor's role: a parameter or state.

use core::fmt;

use crate::nn::Kind;

/// The kind of a stored tensor as the file records it. Trainable and frozen parameters are both
/// [`StoredKind::Param`], so a model with a [`Frozen`](crate::nn::Frozen) part loads the file
/// of the trainable model and the other way round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredKind {
    /// A parameter, trainable or frozen: code 0.
    Param,
    /// Non-trainable state (running statistics, counters): code 1.
    State,
}

impl StoredKind {
    /// The kind of a model tensor.
    pub const fn of(kind: Kind) -> StoredKind {
        match kind {
            Kind::Trainable | Kind::Frozen => StoredKind::Param,
            Kind::State => StoredKind::State,
        }
    }

    /// The byte that stands for this kind in the file.
    pub const fn code(self) -> u8 {
        match self {
            StoredKind::Param => 0,
            StoredKind::State => 1,
        }
    }

    /// The kind a code stands for, if any.
    pub const fn from_code(code: u8) -> Option<StoredKind> {
        match code {
            0 => Some(StoredKind::Param),
            1 => Some(StoredKind::State),
            _ => None,
        }
    }
}

impl fmt::Display for StoredKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoredKind::Param => "a param",
            StoredKind::State => "state",
        })
    }
}
