//! Compile-fail suite: every shape rule fails at `cargo check` with a readable, decimal message.
//! Snapshots (`tests/ui/fail/*.stderr`) hold rustc's exact wording; the toolchain is pinned in
//! `rust-toolchain.toml`. Refresh them with `TRYBUILD=overwrite cargo test --test compile_fail`.

use std::fs;

/// Only `compile_fail` cases, so trybuild runs `cargo check`: the checks must fire without codegen.
#[test]
fn shape_errors_fail_at_check() {
    trybuild::TestCases::new().compile_fail("tests/ui/fail/*.rs");
}

/// `pass` cases make trybuild run `cargo build`, which also catches post-monomorphisation errors
/// that `cargo check` would miss.
#[test]
fn valid_programs_build_and_run() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}

/// Cases rustc cannot turn into a shape rule (see docs/decisions.md), with their exact error line:
/// a wrong output buffer is a type mismatch (E0308), which no diagnostic attribute reaches.
const RUSTC_LIMITS: &[(&str, &str)] = &[
    ("output_width", "error[E0308]: mismatched types"),
    // Not a shape rule: a memory budget (`shaped::mem::fits`), a const panic with its own words.
    (
        "memory_budget",
        "error[E0080]: evaluation panicked: memory budget exceeded: inference needs 16696 bytes (input 3136, scratch 13520, output 40), the budget is 8192 bytes",
    ),
];

/// Rules that are not about shapes, with their exact error line.
const MODEL_RULES: &[(&str, &str)] = &[(
    "frozen_optimizer",
    "error[E0277]: this model has nothing to train: every parameter in it is frozen, or it has none",
)];

/// The error lines of every snapshot name a rule and print dims in decimal, never typenum binary
/// (except [`RUSTC_LIMITS`] and [`MODEL_RULES`]). The cases in [`BUDGETS`] have exactly their number of errors.
#[test]
fn error_lines_are_decimal() {
    let mut checked = 0;
    for entry in fs::read_dir("tests/ui/fail").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "stderr") {
            let text = fs::read_to_string(&path).unwrap();
            let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("error")).collect();
            assert!(!errors.is_empty(), "{}: no error line", path.display());
            let case = path.file_stem().unwrap().to_str().unwrap();
            if let Some((_, n, _)) = BUDGETS.iter().find(|(c, _, _)| *c == case) {
                assert_eq!(errors.len(), *n, "{}: {errors:?}", path.display());
            }
            let mut exact = RUSTC_LIMITS.iter().chain(MODEL_RULES);
            if let Some((_, line)) = exact.find(|(c, _)| *c == case) {
                assert_eq!(errors[0], *line, "{}", path.display());
                checked += 1;
                continue;
            }
            for line in errors {
                assert!(
                    !line.contains("UInt<"),
                    "{}: binary dims in {line:?}",
                    path.display()
                );
                assert!(
                    line.contains("shape error"),
                    "{}: no rule named in {line:?}",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 25,
        "expected at least 25 snapshots, found {checked}"
    );
}

/// The first error line of selected cases, exactly as the user reads it.
#[test]
fn first_error_lines() {
    let expected = [
        (
            "matmul_inner",
            "shape error (matmul inner dimension): left has 2 columns, right has 3 rows",
        ),
        (
            "conv_input_channels",
            "shape error (conv input channels): got 1, expected 3",
        ),
        (
            "conv_kernel_too_large",
            "shape error (conv kernel larger than padded input): the padded input has 3, the kernel needs 5",
        ),
        (
            "lenet_head_mismatch",
            "shape error (Linear input features): got 864, expected 400",
        ),
        (
            "pool_window_too_large",
            "shape error (pool window larger than input): the input has 1, the window needs 2",
        ),
        (
            "same_conv_even_rows",
            "shape error (same padding): a kernel of 4 rows has no centre row; `Conv2dSame` needs odd kernel sizes (3, 5, 7, …)",
        ),
        (
            "same_conv_even_columns",
            "shape error (same padding): a kernel of 4 columns has no centre column; `Conv2dSame` needs odd kernel sizes (3, 5, 7, …)",
        ),
        (
            "loss_batch_size",
            "shape error (batch size): got 16, expected 32",
        ),
        (
            "loss_class_count",
            "shape error (class count): the targets have 9 classes, the logits have 10",
        ),
        (
            "lstm_input",
            "shape error (recurrent input features): got 32, expected 28",
        ),
        (
            "sequence_length",
            "shape error (sequence length): the targets have 4 steps, the predictions have 5",
        ),
        // (a) the method-call form on a broken chain reports the layer's rule, not "no method".
        (
            "mlp_method_call",
            "shape error (Linear input features): got 10, expected 16",
        ),
        // (b) the fully qualified form: the same message.
        (
            "mlp_ufcs",
            "shape error (Linear input features): got 10, expected 16",
        ),
        // (d) the tuple limit, as a sentence.
        (
            "chain_too_long",
            "shape error (chain length): a tuple of layers holds at most 16 layers, this one has 17",
        ),
        // (e) a user's layer with its own rule (`shape_rule!`).
        (
            "user_rule",
            "shape error (Gate input features): got 3, expected 2",
        ),
        // A layer fed a tensor of the wrong rank: `Infer`'s own message.
        (
            "missing_flatten",
            "shape error (layer input): this layer does not take inputs of this kind",
        ),
    ];
    for (case, line) in expected {
        let path = format!("tests/ui/fail/{case}.stderr");
        let Ok(text) = fs::read_to_string(&path) else {
            panic!(
                "missing snapshot {path}: run TRYBUILD=overwrite cargo test --test compile_fail"
            );
        };
        let first = text.lines().find(|l| l.starts_with("error")).unwrap();
        assert_eq!(first, format!("error[E0277]: {line}"), "{case}");
    }
}

/// Errors and lines per case (rustc 1.95), for the cases that exist to keep reports short:
/// (a) `mlp_method_call`, (b) `mlp_ufcs` (rustc repeats the error at the scratch argument, which
/// it normalises at that argument's span), (c) `output_width`, (d) `chain_too_long`,
/// (e) `user_rule`. Every other snapshot: at most [`MAX_LINES`] lines per error.
const BUDGETS: &[(&str, usize, usize)] = &[
    ("mlp_method_call", 1, 18),
    ("mlp_ufcs", 2, 37),
    ("output_width", 1, 15),
    ("chain_too_long", 1, 24),
    ("user_rule", 1, 28),
    ("missing_flatten", 1, 22),
];
const MAX_LINES: usize = 48;

/// No report grows past its budget (rustc's notes that spell typenum types included).
#[test]
fn reports_are_short() {
    for entry in fs::read_dir("tests/ui/fail").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "stderr") {
            let text = fs::read_to_string(&path).unwrap();
            let case = path.file_stem().unwrap().to_str().unwrap();
            let errors = text
                .lines()
                .filter(|l| l.starts_with("error"))
                .count()
                .max(1);
            let lines = text.trim_end().lines().count();
            let budget = BUDGETS
                .iter()
                .find(|(c, _, _)| *c == case)
                .map_or(MAX_LINES * errors, |b| b.2);
            assert!(lines <= budget, "{case}: {lines} lines, budget {budget}");
        }
    }
}
