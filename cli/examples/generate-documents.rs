//! Writes N documents as JSON Lines on standard output, for timing `kap diff`: the input
//! documents of a folder (by default the conformance corpus, `tests/corpus`) taken in turn,
//! each with a few whole numbers moved (by up to 3, or scores under 10 down by 1), a few
//! true/false flipped and now and then a member of a group (`patient`, `today`...) left out,
//! from a fixed seed, so the same N gives the same file. A moved number may fall outside its
//! declared range: such a document is refused, as a real one would be.
//!
//! ```sh
//! cargo run --release -p kap-cli --example generate-documents -- 100000 > /tmp/documents.jsonl
//! ```
//!
//! Arguments: `[COUNT] [FOLDER]`, 100,000 documents from `tests/corpus` by default (run from
//! the repository's root); `--help` prints this.
#![forbid(unsafe_code)]

use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A xorshift generator: deterministic, and enough to pick what to change.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True once in `n` times.
    fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }

    /// `n` moved: by -3 to 3 from 10 up, else down by 1 (or not at all), never below 0.
    fn moved(&mut self, n: i64) -> i64 {
        let step = if n >= 10 { i64::try_from(self.next() % 7).unwrap_or(3) - 3 } else { -1 };
        (n + step).max(0)
    }
}

/// Changes `value`, at `depth` in the document (1 for a group's members).
fn mutate(value: &mut Value, random: &mut Random, depth: usize) {
    match value {
        Value::Object(members) => {
            let names: Vec<String> = members.keys().cloned().collect();
            for name in names {
                let leaf = members.get(&name).is_some_and(|v| !v.is_object() && !v.is_array());
                if depth == 1 && leaf && name != "at" && random.one_in(60) {
                    members.shift_remove(&name);
                } else if let Some(member) = members.get_mut(&name) {
                    mutate(member, random, depth + 1);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mutate(item, random, depth + 1)),
        Value::Bool(b) if random.one_in(25) => *b = !*b,
        Value::Number(n) if random.one_in(8) => {
            if let Some(i) = n.as_i64() {
                *value = Value::from(random.moved(i));
            }
        }
        _ => {}
    }
}

/// Every input document below `root`, sorted by path, expected outputs left out.
fn documents(root: &Path) -> Result<Vec<Value>, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", folder.display()))?.path();
            let name = path.to_string_lossy().to_string();
            if path.is_dir() {
                folders.push(path);
            } else if name.ends_with(".json") && !name.ends_with(".expected.json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let read = |p: &PathBuf| -> Result<Value, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
    };
    files.iter().map(read).collect()
}

/// What `--help` prints, and a wrong count.
const USAGE: &str = "usage: generate-documents [COUNT] [FOLDER]
  writes COUNT documents (default 100000) as JSON Lines on standard output: the input
  documents below FOLDER (default tests/corpus, from the repository's root) in turn, each
  with a few values moved, from a fixed seed (the same COUNT gives the same file)";

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("generate-documents: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().is_some_and(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let count = args.next().unwrap_or_else(|| "100000".into());
    let count: usize = count.parse().map_err(|_| format!("`{count}` is not a number of documents\n{USAGE}"))?;
    let root = PathBuf::from(args.next().unwrap_or_else(|| "tests/corpus".into()));
    let bases = documents(&root)?;
    if bases.is_empty() {
        return Err(format!("no document below {}", root.display()).into());
    }
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for base in bases.iter().cycle().take(count) {
        let mut doc = base.clone();
        mutate(&mut doc, &mut random, 0);
        writeln!(out, "{}", serde_json::to_string(&doc)?)?;
    }
    Ok(())
}
