//! The outline of a rule file: its parts (the header, each source, input, definition,
//! decision, ladder, and each entry of a decision or ladder), each with a stable key, its
//! lines and its tokens without comments; and what changed between two outlines.
//!
//! `kap diff` shows the protocol-level change with it before the impact on documents: a
//! threshold edited in a rule is `changed rule eligibility.minor, line 372 → 372: 18 → 21`.
//! A part is matched by its key, so a part that moved is not a change; a part's text is
//! compared token by token, so a change of layout or of a comment is not one either.

use crate::format::lex::{self, Kind};
use crate::syntax::layout::{self, Piece};

/// One part of a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// What it is: `protocol`, `source`, `input`, `define`, `decision`, `ladder`, or the entry
    /// it is (`rule`, `verdict`, `list`, `value`, `alert`, `due`, `dose`, `cap`, ...).
    pub kind: String,
    /// What it is called, unique in its file: `patient.age`, `eligibility.minor`,
    /// `ketamine.dose intravenous L2`.
    pub key: String,
    /// Its first line (1-based).
    pub line: usize,
    /// Its tokens, as written, without comments.
    pub tokens: Vec<String>,
}

impl Part {
    /// Its text on one line: the tokens joined by spaces.
    pub fn text(&self) -> String {
        self.tokens.join(" ")
    }
}

/// The parts of `source`, in order. A part that does not start as any item does is left
/// out (the checker reports it; a file is outlined only once it compiles).
pub fn outline(source: &str) -> Vec<Part> {
    let (items, _) = layout::split(source);
    let mut parts = Vec::new();
    for item in items {
        let Some(head) = read(source, item.head) else { continue };
        let (kind, key) = item_key(&head.tokens);
        let owner = key.clone();
        parts.push(Part { kind, key, ..head });
        for entry in item.entries {
            if let Some(entry) = read(source, entry) {
                let (kind, name) = entry_key(&entry.tokens);
                parts.push(Part { kind, key: format!("{owner}.{name}"), ..entry });
            }
        }
    }
    parts
}

/// A piece's line and tokens, or `None` when it has no token.
fn read(source: &str, piece: Piece<'_>) -> Option<Part> {
    let line = source.get(..piece.offset).map_or(0, |before| before.matches('\n').count()) + 1;
    let tokens: Vec<String> =
        piece.text.lines().flat_map(|l| lex::line(l).tokens.into_iter().map(|t| t.text.to_string())).collect();
    (!tokens.is_empty()).then(|| Part { kind: String::new(), key: String::new(), line, tokens })
}

fn word(tokens: &[String], i: usize) -> &str {
    tokens.get(i).map_or("", String::as_str)
}

/// A top-level item's kind and key: `input patient.age` is (`input`, `patient.age`).
fn item_key(tokens: &[String]) -> (String, String) {
    match word(tokens, 0) {
        "protocol" => ("protocol".into(), "header".into()),
        kind => (kind.to_string(), word(tokens, 1).to_string()),
    }
}

/// The words after the first that name an entry, up to the first token that is not a
/// word or is a keyword that starts what the entry says.
fn words_after(tokens: &[String], from: usize, stop: &[&str]) -> String {
    let is_word = |t: &&String| lex::line(t).tokens.first().is_some_and(|t| t.kind == Kind::Word);
    tokens
        .iter()
        .skip(from)
        .take_while(|t| is_word(t) && !stop.contains(&t.as_str()))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An entry's kind and name within its decision or ladder: a rule is named by its id, a
/// verdict, list, value, alert or due item by its name, a ladder's dose by its route and
/// level, and an entry that occurs once by its keyword.
fn entry_key(tokens: &[String]) -> (String, String) {
    let first = word(tokens, 0);
    match first {
        "given" | "kinds" | "levels" | "route" | "weight" => (first.into(), first.into()),
        "verdict" | "list" | "value" | "alert" | "due" => (first.into(), format!("{first} {}", word(tokens, 1))),
        "missing" => (first.into(), format!("missing {}", words_after(tokens, 1, &["when"]))),
        // `dose 56 mg`: a numeric level, named by its amount.
        "dose" if word(tokens, 1).starts_with(|c: char| c.is_ascii_digit()) => {
            (first.into(), format!("dose {} {}", word(tokens, 1), word(tokens, 2)))
        }
        "dose" | "cap" | "round" | "limit" | "infusion" | "allow" => (
            first.into(),
            format!("{first} {}", words_after(tokens, 1, &["down", "when", "mg", "mg/kg"])).trim().into(),
        ),
        // A rule: `KIND id "message" when ...`.
        _ => ("rule".into(), word(tokens, 1).to_string()),
    }
}

/// How a part changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<'a> {
    /// Only in the new file.
    Added(&'a Part),
    /// Only in the old file.
    Removed(&'a Part),
    /// In both, with other tokens: the runs of tokens that differ, old then new.
    Changed {
        /// As it was.
        old: &'a Part,
        /// As it is.
        new: &'a Part,
        /// Each run of tokens that differs: what the old part had there, what the new has.
        edits: Vec<(String, String)>,
    },
}

/// What changed from `old` to `new`, in the new file's order, removed parts where they
/// stood. Parts with the same key and tokens are unchanged wherever they stand.
pub fn compare<'a>(old: &'a [Part], new: &'a [Part]) -> Vec<Change<'a>> {
    let mut changes = Vec::new();
    let find = |parts: &'a [Part], key: &str| parts.iter().find(|p| p.key == key);
    for o in old.iter().filter(|o| find(new, &o.key).is_none()) {
        changes.push((o.line, 0, Change::Removed(o)));
    }
    for n in new {
        match find(old, &n.key) {
            None => changes.push((n.line, 1, Change::Added(n))),
            Some(o) if o.tokens != n.tokens => {
                changes.push((n.line, 1, Change::Changed { old: o, new: n, edits: edits(&o.tokens, &n.tokens) }));
            }
            Some(_) => {}
        }
    }
    changes.sort_by_key(|(line, side, _)| (*line, *side));
    changes.into_iter().map(|(_, _, c)| c).collect()
}

/// The runs of tokens that differ between `a` and `b`, from a longest common subsequence.
fn edits(a: &[String], b: &[String]) -> Vec<(String, String)> {
    // Common ends first: most edits are one number in a long rule.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()).saturating_sub(prefix);
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count().min(room);
    let a = a.get(prefix..a.len().saturating_sub(suffix)).unwrap_or_default();
    let b = b.get(prefix..b.len().saturating_sub(suffix)).unwrap_or_default();
    // The longest common subsequence of a[i..] and b[j..], at i * (b.len() + 1) + j.
    let width = b.len() + 1;
    let mut lengths = vec![0usize; (a.len() + 1) * width];
    let at = |lengths: &[usize], i: usize, j: usize| lengths.get(i * width + j).copied().unwrap_or(0);
    for (i, x) in a.iter().enumerate().rev() {
        for (j, y) in b.iter().enumerate().rev() {
            let value = if x == y {
                at(&lengths, i + 1, j + 1) + 1
            } else {
                at(&lengths, i + 1, j).max(at(&lengths, i, j + 1))
            };
            if let Some(cell) = lengths.get_mut(i * width + j) {
                *cell = value;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut runs = Vec::new();
    let mut run: (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => break,
            (Some(x), Some(y)) if x == y => {
                flush(&mut run, &mut runs);
                i += 1;
                j += 1;
            }
            (x, Some(y)) if x.is_none() || at(&lengths, i, j + 1) >= at(&lengths, i + 1, j) => {
                run.1.push(y);
                j += 1;
            }
            (Some(x), _) => {
                run.0.push(x);
                i += 1;
            }
            (None, Some(_)) => break,
        }
    }
    flush(&mut run, &mut runs);
    runs
}

fn flush(run: &mut (Vec<&str>, Vec<&str>), runs: &mut Vec<(String, String)>) {
    if !run.0.is_empty() || !run.1.is_empty() {
        runs.push((run.0.join(" "), run.1.join(" ")));
        run.0.clear();
        run.1.clear();
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    const OLD: &str = "protocol \"P\" version \"1\"\n\
        input patient.age: integer years in 0..120 \"Age\"  # years\n\
        decision eligibility\n  list exclusions of exclude\n  verdict ineligible if any exclude\n  verdict eligible otherwise\n\
        \x20 exclude minor \"Under 18\" when patient.age < 18 years [K2]\n\
        \x20 exclude old \"Over 90\"\n    when patient.age > 90 years\n\
        ladder k\n  dose intravenous L1 0.5 mg/kg\n  dose intravenous L2 0.6 mg/kg\n  cap intravenous 60 mg\n";

    fn keys(parts: &[Part]) -> Vec<String> {
        parts.iter().map(|p| format!("{} {}@{}", p.kind, p.key, p.line)).collect()
    }

    #[test]
    fn every_part_has_a_key_and_its_line() {
        assert_eq!(
            keys(&outline(OLD)),
            [
                "protocol header@1",
                "input patient.age@2",
                "decision eligibility@3",
                "list eligibility.list exclusions@4",
                "verdict eligibility.verdict ineligible@5",
                "verdict eligibility.verdict eligible@6",
                "rule eligibility.minor@7",
                "rule eligibility.old@8",
                "ladder k@10",
                "dose k.dose intravenous L1@11",
                "dose k.dose intravenous L2@12",
                "cap k.cap intravenous@13",
            ]
        );
    }

    #[test]
    fn numeric_levels_are_named_by_their_amount() {
        let old = "ladder e\n  levels s[].level\n  dose 28 mg [S3]\n  dose 56 mg [S1]\n  dose 84 mg [S1]\n";
        let new = old.replace("84 mg [S1]", "84 mg [S3]");
        let parts = outline(old);
        assert_eq!(keys(&parts)[2..], ["dose e.dose 28 mg@3", "dose e.dose 56 mg@4", "dose e.dose 84 mg@5"]);
        let new_parts = outline(&new);
        let changes = compare(&parts, &new_parts);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        let Change::Changed { new, edits, .. } = &changes[0] else { panic!("{changes:#?}") };
        assert_eq!(new.key, "e.dose 84 mg");
        assert_eq!(edits, &[("S1".to_string(), "S3".to_string())]);
    }

    #[test]
    fn a_threshold_a_removed_rule_and_a_dose_are_told_apart_from_layout() {
        let new = OLD
            .replace("< 18 years", "< 21 years")
            .replace("  exclude old \"Over 90\"\n    when patient.age > 90 years\n", "")
            .replace("L2 0.6", "L2 0.65")
            .replace("  # years", "")
            .replace("verdict eligible otherwise", "verdict   eligible   otherwise");
        let (a, b) = (outline(OLD), outline(&new));
        let changes: Vec<String> = compare(&a, &b)
            .iter()
            .map(|c| match c {
                Change::Added(p) => format!("added {}", p.key),
                Change::Removed(p) => format!("removed {} {}", p.key, p.line),
                Change::Changed { old, new, edits } => {
                    format!("changed {} {}->{} {edits:?}", new.key, old.line, new.line)
                }
            })
            .collect();
        assert_eq!(
            changes,
            [
                r#"changed eligibility.minor 7->7 [("18", "21")]"#,
                "removed eligibility.old 8",
                r#"changed k.dose intravenous L2 12->10 [("0.6", "0.65")]"#,
            ]
        );
    }

    #[test]
    fn edits_are_the_runs_that_differ() {
        let t = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            edits(&t("a < 18 and b > 2"), &t("a < 21 and b > 3")),
            [("18".into(), "21".into()), ("2".into(), "3".into())]
        );
        assert_eq!(edits(&t("a b"), &t("a x b")), [(String::new(), "x".into())]);
        assert_eq!(edits(&t("a x b"), &t("a b")), [("x".into(), String::new())]);
        assert!(edits(&t("a b"), &t("a b")).is_empty());
    }

    #[test]
    fn the_shipped_protocol_has_one_part_per_key() {
        let parts = outline(include_str!("../../rules/kap-reference.kap"));
        let mut keys: Vec<&str> = parts.iter().map(|p| p.key.as_str()).collect();
        let all = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all);
        assert!(all > 300, "{all}");
        assert!(parts.iter().any(|p| p.key == "eligibility.minor" && p.kind == "rule"));
    }
}
