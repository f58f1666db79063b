//! What the tests of the `kap` command as a process share: the repository root, running
//! `kap` there, and its output as text.
#![allow(clippy::unwrap_used, dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root, where `kap` runs.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Runs `kap` with these arguments at the repository's root.
pub fn kap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kap")).args(args).current_dir(root()).output().unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// The shipped protocol, relative to the root.
pub const RULES: &str = "rules/kap-reference.kap";
