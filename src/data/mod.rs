//! Data sets, batches and metrics (in progress).
