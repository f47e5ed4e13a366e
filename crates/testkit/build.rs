//! The key of the test databases' templates (`src/template.rs`): a hash of
//! every source that decides what a fresh database holds, so a change to the
//! migrations, the store, the demo or what they use makes new templates
//! instead of reusing a stale one. Cargo reruns this script when any file
//! under these folders changes.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// What a migrated database with the demo loaded is made from: the store
/// (its SQL and migrations), the crates it and the demo use, the demo
/// province's generator and the reports it renders, the embedded
/// administrative units, and the locked dependency versions.
const SOURCES: &[&str] = &[
    "../domain/src",
    "../sheets/src",
    "../reports/src",
    "../store/src",
    "../store/migrations",
    "../demo/src",
    "../tooling/src",
    "../reporting/src",
    "../pdf/src",
    "../../data",
    "../../Cargo.lock",
];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut hasher = DefaultHasher::new();
    for source in SOURCES {
        let path = root.join(source);
        println!("cargo:rerun-if-changed={}", path.display());
        hash_tree(&path, Path::new(source), &mut hasher);
    }
    println!("cargo:rustc-env=TOSO_TEMPLATE_KEY={:016x}", hasher.finish());
}

/// Hash the names and contents of `path`'s files, in name order.
fn hash_tree(path: &Path, name: &Path, hasher: &mut DefaultHasher) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
            .map(|entry| entry.expect("a directory entry").file_name())
            .collect();
        entries.sort();
        for entry in entries {
            hash_tree(&path.join(&entry), &name.join(&entry), hasher);
        }
    } else {
        name.hash(hasher);
        std::fs::read(path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
            .hash(hasher);
    }
}
