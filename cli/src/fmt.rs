//! `kap fmt`: rewrites rule files in the canonical layout, or with `--check` says which
//! would change, with the first differences.

use kap_engine::format::{format, FormatError};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The most changed lines shown for one file by `--check`.
const MAX_SHOWN: usize = 12;

/// Formats `files` (`-`: standard input to standard output); with `check`, changes nothing.
/// Exits 0 when done (with `check`: when every file is formatted), 1 when `check` finds a
/// file to change, 2 when a file cannot be read, written or parsed.
pub fn run(files: &[PathBuf], check: bool) -> ExitCode {
    let mut unchanged = true;
    let mut failed = false;
    for file in files {
        let stdin = file == Path::new("-");
        let name = if stdin { "<stdin>".to_string() } else { file.display().to_string() };
        let source = if stdin {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map(|_| text)
        } else {
            std::fs::read_to_string(file)
        };
        let source = match source {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kap: cannot read rule file {name}: {e}");
                failed = true;
                continue;
            }
        };
        let formatted = match format(&source) {
            Ok(f) => f,
            Err(FormatError::Syntax(diagnostics)) => {
                crate::print_diagnostics(Path::new(&name), &source, &diagnostics);
                eprintln!("kap: {name} does not parse; it is left as it is");
                failed = true;
                continue;
            }
            Err(FormatError::Changed) => {
                eprintln!("kap: {name} cannot be formatted without changing its meaning; it is left as it is");
                failed = true;
                continue;
            }
        };
        if check {
            if formatted != source {
                unchanged = false;
                outln!("{name}: would be reformatted");
                out!("{}", first_differences(&name, &source, &formatted));
            }
        } else if stdin {
            if let Err(e) = std::io::stdout().write_all(formatted.as_bytes()) {
                eprintln!("kap: cannot write the formatted rules: {e}");
                failed = true;
            }
        } else if formatted != source {
            if let Err(e) = std::fs::write(file, &formatted) {
                eprintln!("kap: cannot write {name}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else if unchanged {
        ExitCode::SUCCESS
    } else {
        eprintln!("kap: run `kap fmt FILE` to format");
        ExitCode::from(1)
    }
}

/// The first hunks of a unified diff from `old` to `new`, two lines of context, at most
/// [`MAX_SHOWN`] changed lines. Lines are matched greedily: at a difference, the nearest
/// lines that agree again (formatting changes lines in place or drops blank lines, so they
/// are near).
pub fn first_differences(name: &str, old: &str, new: &str) -> String {
    let mut out = format!("--- {name}\n+++ {name} (formatted)\n");
    let crlf = old.matches("\r\n").count();
    if crlf > 0 {
        // `lines()` reads `\r\n` as `\n`: say what no hunk would show.
        out.push_str(&format!(
            "{crlf} line{} end with CRLF; the formatted file ends every line with LF\n",
            plural(crlf)
        ));
    }
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let changes = changes(&old, &new);
    let mut hunks: Vec<Vec<Change>> = Vec::new();
    for change in changes {
        match hunks.last_mut() {
            Some(hunk) if hunk.last().is_some_and(|last| change.old.0 <= last.old.1 + 4) => hunk.push(change),
            _ => hunks.push(vec![change]),
        }
    }
    for hunk in hunks {
        let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else { continue };
        let from = first.old.0.saturating_sub(2);
        let to = (last.old.1 + 2).min(old.len());
        let new_from = first.new.0 - (first.old.0 - from);
        let new_to = last.new.1 + (to - last.old.1);
        out.push_str(&format!("@@ -{},{} +{},{} @@\n", from + 1, to - from, new_from + 1, new_to - new_from));
        let mut at = from;
        for change in &hunk {
            for line in old.get(at..change.old.0).unwrap_or_default() {
                out.push_str(&format!(" {line}\n"));
            }
            for line in old.get(change.old.0..change.old.1).unwrap_or_default() {
                out.push_str(&format!("-{line}\n"));
            }
            for line in new.get(change.new.0..change.new.1).unwrap_or_default() {
                out.push_str(&format!("+{line}\n"));
            }
            at = change.old.1;
        }
        for line in old.get(at..to).unwrap_or_default() {
            out.push_str(&format!(" {line}\n"));
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Lines `old.0..old.1` replaced by `new.0..new.1`.
struct Change {
    old: (usize, usize),
    new: (usize, usize),
}

/// The first changes from `old` to `new`, up to [`MAX_SHOWN`] changed lines.
fn changes(old: &[&str], new: &[&str]) -> Vec<Change> {
    let (mut i, mut j, mut shown) = (0, 0, 0);
    let mut changes = Vec::new();
    while (i < old.len() || j < new.len()) && shown < MAX_SHOWN {
        if old.get(i).is_some() && old.get(i) == new.get(j) {
            i += 1;
            j += 1;
            continue;
        }
        let (a, b) = resync(old, new, i, j);
        shown += (a - i).max(b - j);
        changes.push(Change { old: (i, a), new: (j, b) });
        (i, j) = (a, b);
    }
    changes
}

/// The nearest `(a, b)` after `(i, j)` where `old[a] == new[b]` again (or both ends).
fn resync(old: &[&str], new: &[&str], i: usize, j: usize) -> (usize, usize) {
    for distance in 1..200 {
        for a in i..=i + distance {
            let b = j + distance - (a - i);
            if a < old.len() && b < new.len() && old.get(a) == new.get(b) {
                return (a, b);
            }
        }
    }
    (old.len(), new.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_differences_are_shown_as_unified_hunks() {
        let old = "a\nb\n  c\nd\n\n\ne\n";
        let new = "a\nb\nc\nd\n\ne\n";
        let diff = first_differences("f.kap", old, new);
        assert_eq!(diff, "--- f.kap\n+++ f.kap (formatted)\n@@ -1,7 +1,6 @@\n a\n b\n-  c\n+c\n d\n \n-\n e\n");
    }

    #[test]
    fn line_endings_that_no_hunk_shows_are_said() {
        let diff = first_differences("f.kap", "a\r\nb\r\n", "a\nb\n");
        assert_eq!(
            diff,
            "--- f.kap\n+++ f.kap (formatted)\n2 lines end with CRLF; the formatted file ends every line with LF\n"
        );
    }
}
