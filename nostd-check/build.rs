//! Link the binary (not build scripts) with no C runtime, no libc, statically, at a fixed address.
fn main() {
    for arg in ["-nostartfiles", "-nostdlib", "-static", "-no-pie"] {
        println!("cargo::rustc-link-arg-bins={arg}");
    }
}
