//! Tensor operations. Each op has an in-place or accumulating form where that avoids a copy
//! (`*_into`, `*_acc`, methods on `&mut self`), and a convenient by-value form for small tensors.
//!
//! | module | ops |
//! |---|---|
//! | [`matmul`] | `matmul`, `t_matmul` (Aᵀ·B), `matmul_t` (A·Bᵀ), `t()`, and their `_into`/`_acc` forms |
//! | [`elementwise`] | `+ − × ÷` with tensors (Hadamard) and scalars, `axpy`, in-place forms |
//! | [`broadcast`] | row vector over a batch: `add_row` |
//! | [`reduce`] | `sum`, `mean`, `sum_rows`, `max_rows`, `argmax_rows`, `l2_norm`, ... |
//! | [`select`] | `select` (where), masks from comparisons, `masked_fill` |
//! | [`reshape`] | `reshape`, `reshape_ref`, `flatten` (element counts checked at compile time) |

pub mod broadcast;
pub mod elementwise;
pub mod matmul;
pub mod reduce;
pub mod reshape;
pub mod select;
