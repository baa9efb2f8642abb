//! Tensor dims kept inside an error without an allocator, shown as a tuple: `(120, 400)`.

use core::fmt;

/// A file tensor's dims as an error shows them: the rank and the first [`Dims::SHOWN`] sizes
/// inline (few, to keep [`WeightsError`](super::WeightsError) within 128 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    sizes: [u64; Dims::SHOWN],
    rank: usize,
}

impl Dims {
    /// Sizes kept; higher ranks are shown with `…`.
    pub const SHOWN: usize = 4;

    /// Dims from a sequence of sizes.
    pub fn new(sizes: impl IntoIterator<Item = u64>) -> Dims {
        let mut d = Dims {
            sizes: [0; Dims::SHOWN],
            rank: 0,
        };
        for s in sizes {
            if let Some(slot) = d.sizes.get_mut(d.rank) {
                *slot = s;
            }
            d.rank += 1;
        }
        d
    }

    /// Dims from `usize` sizes (a model tensor's).
    pub fn of(dims: &[usize]) -> Dims {
        Dims::new(dims.iter().map(|&d| d as u64))
    }

    /// The number of dims.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The sizes kept (all of them up to rank [`Dims::SHOWN`]).
    pub fn sizes(&self) -> &[u64] {
        &self.sizes[..self.rank.min(Dims::SHOWN)]
    }
}

/// Python's tuple notation: `()`, `(10,)`, `(120, 400)`.
impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, s) in self.sizes().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{s}")?;
        }
        if self.rank > Dims::SHOWN {
            f.write_str(", …")?;
        } else if self.rank == 1 {
            f.write_str(",")?;
        }
        f.write_str(")")
    }
}

impl fmt::Debug for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
