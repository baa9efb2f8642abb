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

/// The error line of every snapshot names a rule and prints dims in decimal, never typenum binary.
#[test]
fn error_lines_are_decimal() {
    let mut checked = 0;
    for entry in fs::read_dir("tests/ui/fail").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "stderr") {
            let text = fs::read_to_string(&path).unwrap();
            let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("error")).collect();
            assert!(!errors.is_empty(), "{}: no error line", path.display());
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
        checked >= 8,
        "expected at least 8 snapshots, found {checked}"
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
            "loss_batch_size",
            "shape error (batch size): got 16, expected 32",
        ),
        (
            "loss_class_count",
            "shape error (class count): the targets have 9 classes, the logits have 10",
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
