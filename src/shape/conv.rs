//! Type-level output sizes of convolution and pooling (filled in by the CNN work).
