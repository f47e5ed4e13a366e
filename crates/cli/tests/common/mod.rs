//! What the CLI test files share: running the real `toso` binary.

use std::process::{Command, Output};

/// Run `toso ARGS` against the database at `url`, quietly, and wait.
pub fn toso(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toso"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run toso")
}
