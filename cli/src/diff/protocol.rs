//! The protocol-level part of `kap diff`: the parts of the rule file (inputs, sources,
//! definitions, rules, verdicts, alerts, due items, ladder doses and caps...) added, removed
//! or changed, with their lines in both files and, for a change, the tokens that differ
//! (`18 -> 21`). Layout and comments are not changes.

use kap_engine::outline::{self, Change, Part};
use serde_json::{json, Value};

/// The changes from `old` to `new`, as text lines and as JSON.
pub struct ProtocolChanges {
    old: Vec<Part>,
    new: Vec<Part>,
}

impl ProtocolChanges {
    /// Outlines both sources.
    pub fn new(old: &str, new: &str) -> ProtocolChanges {
        ProtocolChanges { old: outline::outline(old), new: outline::outline(new) }
    }

    fn changes(&self) -> Vec<Change<'_>> {
        outline::compare(&self.old, &self.new)
    }

    /// A paragraph for people: a line per change, or a line saying only layout and comments
    /// changed.
    pub fn text(&self) -> String {
        let changes = self.changes();
        if changes.is_empty() {
            return "\nProtocol changes: none (only layout or comments differ)\n".into();
        }
        let mut out = format!("\nProtocol changes ({}):\n", changes.len());
        for change in &changes {
            let line = match change {
                Change::Added(p) => format!("  added    {} {} (new line {})", p.kind, p.key, p.line),
                Change::Removed(p) => format!("  removed  {} {} (old line {})", p.kind, p.key, p.line),
                Change::Changed { old, new, edits } => {
                    let what: Vec<String> =
                        edits.iter().map(|(a, b)| format!("{} -> {}", shown(a), shown(b))).collect();
                    format!(
                        "  changed  {} {} (line {} -> {}): {}",
                        new.kind,
                        new.key,
                        old.line,
                        new.line,
                        what.join("; ")
                    )
                }
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// The changes as JSON: `change`, `kind`, `key`, the lines and texts on each side, and
    /// for a change the runs of tokens that differ.
    pub fn json(&self) -> Value {
        let side = |p: &Part| json!({"line": p.line, "text": p.text()});
        let changes: Vec<Value> = self
            .changes()
            .iter()
            .map(|c| match c {
                Change::Added(p) => json!({"change": "added", "kind": p.kind, "key": p.key, "new": side(p)}),
                Change::Removed(p) => json!({"change": "removed", "kind": p.kind, "key": p.key, "old": side(p)}),
                Change::Changed { old, new, edits } => {
                    let edits: Vec<Value> = edits.iter().map(|(a, b)| json!({"old": a, "new": b})).collect();
                    json!({"change": "changed", "kind": new.kind, "key": new.key, "old": side(old),
                        "new": side(new), "edits": edits})
                }
            })
            .collect();
        Value::Array(changes)
    }
}

/// Tokens as shown in a change: nothing is `(nothing)`.
fn shown(tokens: &str) -> &str {
    if tokens.is_empty() {
        "(nothing)"
    } else {
        tokens
    }
}
