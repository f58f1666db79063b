//! Cuts a rule file into independently parsed pieces, so that one syntax error never hides
//! the rest of the file.
//!
//! An item starts on a line whose first character is not white space (`input ...`,
//! `decision ...`); its indented lines continue it. A decision's body is cut again: each line
//! at the body's indentation starts an entry (a rule, a `verdict`, a `list` ...), and deeper
//! lines continue that entry.

use crate::diagnostic::{Diagnostic, Span};

/// The deepest nesting of brackets accepted in one item.
pub const MAX_NESTING: usize = 32;

/// A piece of the source and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    /// The text.
    pub text: &'a str,
    /// Byte offset of `text` in the whole file.
    pub offset: usize,
}

impl Piece<'_> {
    /// The span this piece covers in the file.
    pub fn span(&self) -> Span {
        Span::new(self.offset, self.offset + self.text.len())
    }
}

/// A top-level item: its head and, for a decision, its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPieces<'a> {
    /// The item (for a decision: its first line).
    pub head: Piece<'a>,
    /// A decision's entries.
    pub entries: Vec<Piece<'a>>,
}

#[derive(Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    offset: usize,
    indent: usize,
    blank: bool,
}

fn lines(source: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in source.split_inclusive('\n') {
        let body = raw.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start_matches([' ', '\t']);
        out.push(Line {
            text: raw,
            offset,
            indent: body.len() - trimmed.len(),
            blank: trimmed.is_empty() || trimmed.starts_with('#'),
        });
        offset += raw.len();
    }
    out
}

fn join<'a>(source: &'a str, group: &[Line<'a>]) -> Option<Piece<'a>> {
    let first = group.first()?;
    let last = group.last()?;
    let end = last.offset + last.text.len();
    Some(Piece { text: source.get(first.offset..end)?, offset: first.offset })
}

/// Splits `source` into items. Indented text before the first item is reported.
pub fn split(source: &str) -> (Vec<ItemPieces<'_>>, Vec<Diagnostic>) {
    let all = lines(source);
    let mut groups: Vec<Vec<Line<'_>>> = Vec::new();
    let mut diagnostics = Vec::new();
    for line in all {
        if !line.blank && line.indent == 0 {
            groups.push(vec![line]);
        } else if let Some(group) = groups.last_mut() {
            group.push(line);
        } else if !line.blank {
            let start = line.offset + line.indent;
            let end = line.offset + line.text.trim_end().len();
            diagnostics.push(
                Diagnostic::error("syntax", Span::new(start, end.max(start)), "indented text before the first item")
                    .with_hint("items (`protocol`, `source`, `input`, `define`, `decision`) start at the first column"),
            );
        }
    }
    let mut items = Vec::new();
    for group in groups {
        let is_decision = group
            .first()
            .and_then(|l| l.text.strip_prefix("decision"))
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'));
        if !is_decision {
            if let Some(head) = join(source, &group) {
                items.push(ItemPieces { head, entries: Vec::new() });
            }
            continue;
        }
        let (head_line, body) = group.split_at(1);
        let Some(head) = join(source, head_line) else {
            continue;
        };
        let body_indent = body.iter().filter(|l| !l.blank).map(|l| l.indent).min();
        let mut entries: Vec<Vec<Line<'_>>> = Vec::new();
        for line in body {
            let starts_entry = !line.blank && Some(line.indent) == body_indent;
            if starts_entry {
                entries.push(vec![*line]);
            } else if let Some(entry) = entries.last_mut() {
                entry.push(*line);
            }
        }
        let entries = entries.iter().filter_map(|e| join(source, e)).collect();
        items.push(ItemPieces { head, entries });
    }
    (items, diagnostics)
}

/// Reports brackets nested deeper than [`MAX_NESTING`] in `piece`, which the parser would
/// otherwise descend into without bound.
pub fn check_nesting(piece: Piece<'_>) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    for (i, c) in piece.text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let at = piece.offset + i;
                    return Some(
                        Diagnostic::error(
                            "too-deep",
                            Span::new(at, at + 1),
                            format!("brackets nested more than {MAX_NESTING} deep"),
                        )
                        .with_hint("split the expression with `define`"),
                    );
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_start_at_column_one_and_continue_when_indented() {
        let src = "# comment\nsource A \"a\"\ninput x: boolean\n  \"X\"\n\ndecision d\n  list l of k\n  k r \"m\"\n    when x\n  verdict v otherwise\n";
        let (items, diags) = split(src);
        assert!(diags.is_empty());
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].head.text, "source A \"a\"\n");
        assert_eq!(items[1].head.text, "input x: boolean\n  \"X\"\n\n");
        assert_eq!(items[2].head.text, "decision d\n");
        let entries: Vec<&str> = items[2].entries.iter().map(|p| p.text).collect();
        assert_eq!(entries, vec!["  list l of k\n", "  k r \"m\"\n    when x\n", "  verdict v otherwise\n"]);
        assert_eq!(&src[items[2].entries[1].offset..][..3], "  k");
    }

    #[test]
    fn a_word_starting_with_decision_is_not_a_decision() {
        let (items, _) = split("decisions x\n  y\n");
        assert_eq!(items.len(), 1);
        assert!(items[0].entries.is_empty());
    }

    #[test]
    fn indented_text_before_any_item_is_reported() {
        let (items, diags) = split("  stray\ninput x: boolean \"X\"\n");
        assert_eq!(items.len(), 1);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].span, Span::new(2, 7));
    }

    #[test]
    fn deep_nesting_is_refused_outside_strings_and_comments() {
        let deep = format!("define x = {}1{}", "(".repeat(40), ")".repeat(40));
        assert!(check_nesting(Piece { text: &deep, offset: 0 }).is_some());
        let quoted = format!("define x = 1 # {}\n", "(".repeat(40));
        assert!(check_nesting(Piece { text: &quoted, offset: 0 }).is_none());
    }
}
