use core::fmt;

use super::Tensor;
use crate::shape::Shape;

/// Prints the dims and the nested elements: `Tensor(2, 3) [[1, 2, 3], [4, 5, 6]]`.
/// Large tensors are printed in full; format a slice of `as_slice()` for a preview.
impl<T: fmt::Debug, S: Shape> fmt::Debug for Tensor<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tensor(")?;
        for (i, d) in S::DIMS.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str(") ")?;
        nested(f, self.as_slice(), S::DIMS)
    }
}

fn nested<T: fmt::Debug>(f: &mut fmt::Formatter<'_>, data: &[T], dims: &[usize]) -> fmt::Result {
    f.write_str("[")?;
    match dims {
        [] | [_] => {
            for (i, x) in data.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                x.fmt(f)?;
            }
        }
        [_, rest @ ..] => {
            let inner: usize = rest.iter().product();
            for (i, chunk) in data.chunks(inner.max(1)).enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                nested(f, chunk, rest)?;
            }
        }
    }
    f.write_str("]")
}
