//! The shape rules of the recurrent layers.

crate::shape_rule! {
    /// A recurrent layer's input features: the `D` of `(N, S, D)` must be the layer's `D`.
    pub struct RecurrentInput {
        message: "shape error (recurrent input features): got {G}, expected {E}",
        label: "the sequence's feature count does not match this recurrent layer's input size",
    }
    /// Per-step targets (and masks) must have as many steps as the predictions.
    pub struct SequenceLength {
        message: "shape error (sequence length): the targets have {G} steps, the predictions have {E}",
        label: "targets and predictions of a sequence loss must have the same number of steps",
    }
}
