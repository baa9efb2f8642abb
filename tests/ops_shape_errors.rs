//! The shape errors of the ops read as documented: one compile-fail case per message, locked by a
//! `.stderr` snapshot (rustc's wording, so the toolchain is pinned in `rust-toolchain.toml`).
//! Regenerate after a deliberate change with `TRYBUILD=overwrite cargo test --test ops_shape_errors`.

#[test]
fn shape_errors_are_readable() {
    trybuild::TestCases::new().compile_fail("tests/ops_ui/*.rs");
}
