//! Generates two tables for readable shape errors (see `src/shape/check.rs`), and the layer
//! contracts for tuples of layers (`build/chain.rs`):
//!
//! * `decimal.rs`: typenum `U0..=U999` -> `D<0>..=D<999>`, so a failing shape check can print dims in
//!   decimal (larger dims are split into thousands and three digits by type-level arithmetic).
//! * `rules.rs`: one `shape_rule!` per shape rule in `RULES` (the macro writes the marker type and its
//!   four `#[diagnostic::on_unimplemented]` message traits; see `src/shape/rules.rs`). The list
//!   below is the single source of truth for the library's rules and their wording.

use std::{env, fmt::Write, fs, path::Path};

#[path = "build/chain.rs"]
mod chain;

/// (marker type, doc, message with `{G}` = the dim found and `{E}` = the dim required, label)
const RULES: &[(&str, &str, &str, &str)] = &[
    (
        "MatmulInner",
        "`(M, K) · (K, N)`: the left operand's columns must equal the right operand's rows.",
        "shape error (matmul inner dimension): left has {E} columns, right has {G} rows",
        "matmul needs left columns == right rows",
    ),
    (
        "TransposedProduct",
        "`Aᵀ · B` (as in dW = Xᵀ·dY): both operands must have the same number of rows.",
        "shape error (transposed product Aᵀ·B): left has {E} rows, right has {G} rows",
        "Aᵀ·B needs both operands to have the same number of rows",
    ),
    (
        "ProductTransposed",
        "`A · Bᵀ` (as in dX = dY·Wᵀ): both operands must have the same number of columns.",
        "shape error (product A·Bᵀ): left has {E} columns, right has {G} columns",
        "A·Bᵀ needs both operands to have the same number of columns",
    ),
    (
        "GradientShape",
        "A result written into an existing tensor (e.g. dW += Xᵀ·dY) must have exactly that tensor's shape.",
        "shape error (output shape): the output tensor has {G} along an axis where the result has {E}",
        "the output tensor must have exactly the result's shape",
    ),
    (
        "ElementCount",
        "`reshape`/`flatten`: the new shape must hold exactly as many elements as the old one.",
        "shape error (reshape element count): the new shape holds {G} elements, the tensor has {E}",
        "reshape must keep the number of elements",
    ),
    (
        "BroadcastLength",
        "Broadcasting a row vector over a batch: its length must equal the number of columns.",
        "shape error (broadcast length): the row vector has {G} elements, the matrix has {E} columns",
        "the row vector must have one element per column",
    ),
    (
        "ElementwiseAxis0",
        "Elementwise ops: axis 0 of both operands must match.",
        "shape error (elementwise shapes): axis 0 differs: left has {E}, right has {G}",
        "elementwise ops need operands of the same shape",
    ),
    (
        "ElementwiseAxis1",
        "Elementwise ops: axis 1 of both operands must match.",
        "shape error (elementwise shapes): axis 1 differs: left has {E}, right has {G}",
        "elementwise ops need operands of the same shape",
    ),
    (
        "ElementwiseAxis2",
        "Elementwise ops: axis 2 of both operands must match.",
        "shape error (elementwise shapes): axis 2 differs: left has {E}, right has {G}",
        "elementwise ops need operands of the same shape",
    ),
    (
        "ElementwiseAxis3",
        "Elementwise ops: axis 3 of both operands must match.",
        "shape error (elementwise shapes): axis 3 differs: left has {E}, right has {G}",
        "elementwise ops need operands of the same shape",
    ),
    (
        "MaskAxis0",
        "`select`/masking: axis 0 of the mask must match the tensor.",
        "shape error (mask shape): axis 0 differs: the tensor has {E}, the mask has {G}",
        "the mask must have the tensor's shape",
    ),
    (
        "MaskAxis1",
        "`select`/masking: axis 1 of the mask must match the tensor.",
        "shape error (mask shape): axis 1 differs: the tensor has {E}, the mask has {G}",
        "the mask must have the tensor's shape",
    ),
    (
        "MaskAxis2",
        "`select`/masking: axis 2 of the mask must match the tensor.",
        "shape error (mask shape): axis 2 differs: the tensor has {E}, the mask has {G}",
        "the mask must have the tensor's shape",
    ),
    (
        "MaskAxis3",
        "`select`/masking: axis 3 of the mask must match the tensor.",
        "shape error (mask shape): axis 3 differs: the tensor has {E}, the mask has {G}",
        "the mask must have the tensor's shape",
    ),
    (
        "LinearInput",
        "A `Linear<I, O>` layer needs inputs with exactly `I` features.",
        "shape error (Linear input features): got {G}, expected {E}",
        "this layer's input width does not match the previous layer's output",
    ),
    (
        "BatchSize",
        "Inputs, targets and masks of one step must share the batch size.",
        "shape error (batch size): got {G}, expected {E}",
        "all tensors of a step must have the same batch size",
    ),
    (
        "ClassCount",
        "Targets must have one column per class of the logits.",
        "shape error (class count): the targets have {G} classes, the logits have {E}",
        "targets and logits must have the same number of classes",
    ),
    (
        "ConvKernelFits",
        "Convolution: the kernel must fit in the padded input (`n + 2p >= f`).",
        "shape error (conv kernel larger than padded input): the padded input has {G}, the kernel needs {E}",
        "the kernel must fit inside the padded input",
    ),
    (
        "SameKernelRows",
        "`Conv2dSame`: the kernel height must be odd, so a centre row exists and symmetric padding keeps the height.",
        "shape error (same padding): a kernel of {G} rows has no centre row; `Conv2dSame` needs odd kernel sizes (3, 5, 7, …)",
        "an even kernel cannot keep the height with the same padding above and below",
    ),
    (
        "SameKernelColumns",
        "`Conv2dSame`: the kernel width must be odd, so a centre column exists and symmetric padding keeps the width.",
        "shape error (same padding): a kernel of {G} columns has no centre column; `Conv2dSame` needs odd kernel sizes (3, 5, 7, …)",
        "an even kernel cannot keep the width with the same padding left and right",
    ),
    (
        "PoolWindowFits",
        "Pooling: the window must fit in the (padded) input (`n + 2p >= k`).",
        "shape error (pool window larger than input): the input has {G}, the window needs {E}",
        "the pooling window must fit inside the input",
    ),
    (
        "PoolPaddingFits",
        "Pooling: the padding may be at most half the window (`2p <= k`), so every window holds an input value.",
        "shape error (pool padding more than half the window): twice the padding is {G}, the window is {E}",
        "pooling padding must be at most half the window",
    ),
    (
        "ConvInputChannels",
        "A `Conv2d<C, ..>` layer needs inputs with exactly `C` channels.",
        "shape error (conv input channels): got {G}, expected {E}",
        "this conv layer's input channels do not match the previous layer's output",
    ),
    (
        "BatchNormFeatures",
        "A `BatchNorm1d<F>` needs inputs with exactly `F` features, a `BatchNorm2d<C>` exactly `C` channels.",
        "shape error (BatchNorm features): got {G}, expected {E}",
        "this BatchNorm layer's feature count does not match its input",
    ),
    (
        "BatchHalves",
        "Splitting a batch in two (`Tensor::halves`, data-parallel training): the batch must be even.",
        "shape error (batch halves): a batch of {E} does not split into two equal halves ({G} would)",
        "two equal halves need an even batch size",
    ),
];

fn main() {
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut dec = String::new();
    for n in 0..1000 {
        writeln!(
            dec,
            "impl DecimalTable for typenum::U{n} {{ type Out = D<{n}>; }}"
        )
        .unwrap();
    }
    fs::write(Path::new(&out).join("decimal.rs"), dec).unwrap();

    // Each rule through the public `shape_rule!` macro, the same path a user's own rule takes.
    let mut rules = String::from("crate::shape_rule! {\n");
    for (name, doc, msg, label) in RULES {
        writeln!(
            rules,
            "    #[doc = {doc:?}]\n    pub struct {name} {{ message: {msg:?}, label: {label:?} }}"
        )
        .unwrap();
    }
    rules.push_str("}\n");
    fs::write(Path::new(&out).join("rules.rs"), rules).unwrap();
    fs::write(Path::new(&out).join("chain.rs"), chain::generate()).unwrap();
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build/chain.rs");
}
