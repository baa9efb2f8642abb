//! Compile-fail cases of the CNN layers: each must fail at `cargo check` with the rule's decimal
//! message. Snapshots in `tests/conv_ui/*.stderr`; refresh with
//! `TRYBUILD=overwrite cargo test --test conv_compile_fail`.

#[test]
fn cnn_shape_errors_fail_at_check() {
    trybuild::TestCases::new().compile_fail("tests/conv_ui/*.rs");
}

/// The first error line of each case, as the user reads it.
#[test]
fn cnn_error_lines() {
    let expected = [
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
    ];
    for (case, line) in expected {
        let path = format!("tests/conv_ui/{case}.stderr");
        let Ok(text) = std::fs::read_to_string(&path) else {
            panic!(
                "missing snapshot {path}: run TRYBUILD=overwrite cargo test --test conv_compile_fail"
            );
        };
        let first = text.lines().find(|l| l.starts_with("error")).unwrap();
        assert_eq!(first, format!("error[E0277]: {line}"), "{case}");
    }
}
