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
