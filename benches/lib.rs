//! Empty: this package only holds the criterion benches of `shaped` (see `Cargo.toml`).
