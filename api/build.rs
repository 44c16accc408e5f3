//! Embeds the web platform (`web/dist`, built by `npm run build`) into the
//! binary: every file becomes a `(path, bytes)` entry of a static table in
//! `$OUT_DIR/platform_assets.rs`, read with `include_bytes!`, so a node
//! serves the platform with no files beside it and no network access.
//!
//! Without a built `web/dist` the table is empty and the node's `/` explains
//! how to build it: the Rust build never runs npm itself.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dist = manifest.join("../web/dist");
    // Cargo scans a directory given here for changes to any file in it.
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-changed=build.rs");
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files);
    } else {
        println!(
            "cargo:warning=web/dist is not built: the node will serve a page saying how to \
             build the platform (./scripts/demo and ./scripts/test build it)"
        );
    }
    files.sort();
    let mut out = String::from("/// The built platform's files: (path under `/`, contents).\n");
    out.push_str("pub(crate) static ASSETS: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in &files {
        let _ = writeln!(out, "    ({rel:?}, include_bytes!({abs:?})),");
    }
    out.push_str("];\n");
    let target =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("platform_assets.rs");
    std::fs::write(&target, out).expect("writing platform_assets.rs");
}

/// Every file under `dir`, as (path relative to `root` with `/`, absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let abs = path.canonicalize().unwrap_or(path);
            files.push((rel, abs.display().to_string()));
        }
    }
}
