//! Puts the `memory.x` of the board for this target where cortex-m-rt's `link.x` finds it:
//! thumbv6m → micro:bit (16 KB RAM), otherwise mps2-an386 (Cortex-M4F).
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let target = env::var("TARGET").unwrap();
    let memory = if target.starts_with("thumbv6m") {
        "memory-m0.x"
    } else {
        "memory-m4.x"
    };
    fs::copy(memory, out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={memory}");
    println!("cargo:rerun-if-changed=build.rs");
}
