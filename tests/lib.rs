//! Shared helpers of the cross-crate tests: where the shipped rules and the corpus are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use kap_engine::Protocol;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The entry file of the shipped reference protocol.
pub fn reference_path() -> PathBuf {
    root().join("rules/kap-reference.kap")
}

/// The source of the shipped reference protocol.
pub fn reference_source() -> String {
    std::fs::read_to_string(reference_path()).unwrap()
}

/// The shipped reference protocol, compiled.
pub fn reference() -> Protocol {
    Protocol::compile(&reference_source()).unwrap_or_else(|d| panic!("the shipped protocol must compile: {d:#?}"))
}

/// A case of a corpus: an input document and its expected output.
#[derive(Debug, Clone)]
pub struct Case {
    /// `folder/name`.
    pub name: String,
    /// The input document's path.
    pub input: PathBuf,
    /// The expected output's path.
    pub expected: PathBuf,
}

/// Every `NAME.json` with its `NAME.expected.json` under `dir` (one level of folders), sorted.
pub fn cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    for d in dirs {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            if let Some(stem) = file.strip_suffix(".json") {
                if stem.ends_with(".expected") {
                    continue;
                }
                let expected = d.join(format!("{stem}.expected.json"));
                assert!(expected.exists(), "{} has no expected output", path.display());
                let folder = d.strip_prefix(dir).unwrap().to_string_lossy().to_string();
                let name = if folder.is_empty() { stem.to_string() } else { format!("{folder}/{stem}") };
                out.push(Case { name, input: path, expected });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
