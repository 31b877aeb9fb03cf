//! Embeds the control data of `checks/` in the binary: every `checks/benchmarks/*.toml` and
//! `checks/controls/*.toml`, listed in `$OUT_DIR/checks_data.rs` (sorted, so the build is
//! reproducible). A data file added to those folders needs no Rust change.
//!
//! The generated list names each file relative to `CARGO_MANIFEST_DIR` as the crate sees it when
//! it is compiled, not by this script's absolute path: checkouts of the same package that share
//! one target directory (git worktrees) share this script's output too, and an absolute path
//! would embed another checkout's data.

use std::fmt::Write;
use std::path::Path;

fn files(dir: &str) -> Vec<(String, String)> {
    println!("cargo:rerun-if-changed={dir}");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            let stem = p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
            (stem, format!("/{dir}/{name}"))
        })
        .collect();
    out.sort();
    out
}

fn main() {
    let mut code = String::new();
    for (name, dir) in [("BENCHMARK_FILES", "checks/benchmarks"), ("CONTROL_FILES", "checks/controls")] {
        let _ = writeln!(code, "pub(crate) const {name}: &[(&str, &str)] = &[");
        for (stem, path) in files(dir) {
            let _ = writeln!(code, "    ({stem:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {path:?}))),");
        }
        let _ = writeln!(code, "];");
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("checks_data.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
