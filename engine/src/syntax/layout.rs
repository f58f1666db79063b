//! Cuts a rule file into independently parsed pieces, so that one syntax error never hides
//! the rest of the file.
//!
//! An item starts on a line whose first character is not white space (`input ...`,
//! `decision ...`); its indented lines continue it. A decision's body is cut again: each line
//! at the body's indentation starts an entry (a rule, a `verdict`, a `list` ...), and deeper
//! lines continue that entry.

use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Span};

/// The deepest nesting of brackets and `choose` accepted in one item.
pub const MAX_NESTING: usize = crate::limits::MAX_BRACKET_NESTING;

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
    /// Indented with something other than spaces (a tab, a non-breaking space).
    odd_indent: bool,
    /// At the first column without starting an item: reported, and read as the line of the
    /// item above it that it was meant to be, at the indentation `indent` now holds.
    moved: bool,
}

/// The words an item starts with, at the first column.
const ITEM_WORDS: &[&str] = &["protocol", "source", "input", "define", "decision", "ladder", "schedule"];

/// Whether `text` starts with one of `words`, as a whole word.
fn starts_with_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|word| {
        text.strip_prefix(word).is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    })
}

/// Whether a line at the first column starts an item, or a misspelt one (`inptu`): the
/// parser says what is wrong with it.
fn looks_like_item(text: &str) -> bool {
    let word: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    starts_with_word(text, ITEM_WORDS) || crate::diagnostic::did_you_mean(&word, ITEM_WORDS.iter().copied()).is_some()
}

/// The indentation a line moved to the first column was meant to have, in `group` (an item
/// so far). In a decision, a line starting an entry (`given`, `list`, `verdict` or a rule kind
/// its lists name) is meant at the entries' indentation. Other lines continue: at the
/// indentation of the continuation lines above, or two spaces deeper than the line above.
fn meant_indent(group: &[Line<'_>], text: &str) -> usize {
    let decision = group.first().is_some_and(|l| starts_with_word(l.text, &["decision", "ladder"]));
    let mut body = group.iter().skip(1).filter(|l| !l.blank);
    let first = body.clone().next().map(|l| l.indent);
    let last = body.next_back().map(|l| l.indent);
    if decision {
        let entry = first.unwrap_or(2);
        let kinds: Vec<&str> = group
            .iter()
            .filter_map(|l| {
                let mut words = l.text.split_whitespace();
                (words.next() == Some("list")).then(|| words.skip_while(|w| *w != "of").nth(1)).flatten()
            })
            .collect();
        let first_word = text.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default();
        if ["given", "list", "verdict"].contains(&first_word) || kinds.contains(&first_word) {
            return entry;
        }
        return match last {
            Some(last) if last > entry => last,
            _ => entry + 2,
        };
    }
    last.unwrap_or(2)
}

fn lines(source: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in source.split_inclusive('\n') {
        // A byte order mark at the start of the file is not text.
        let (raw, bom) = match raw.strip_prefix('\u{feff}') {
            Some(rest) if offset == 0 => (rest, '\u{feff}'.len_utf8()),
            _ => (raw, 0),
        };
        offset += bom;
        let body = raw.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start_matches(|c: char| c.is_whitespace());
        let indent = body.len() - trimmed.len();
        out.push(Line {
            text: raw,
            offset,
            indent,
            blank: trimmed.is_empty() || trimmed.starts_with('#'),
            odd_indent: body.get(..indent).is_some_and(|lead| lead.chars().any(|c| c != ' ')),
            moved: false,
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
    let mut diagnostics = Vec::new();
    let groups = group_items(lines(source), &mut diagnostics);
    let mut items = Vec::new();
    for group in groups {
        // Decisions and ladders are made of entries.
        let is_decision = group.first().is_some_and(|l| starts_with_word(l.text, &["decision", "ladder"]));
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
        let mut entries = Vec::new();
        for e in &split_body(body, &mut diagnostics) {
            entries.extend(join(source, e));
        }
        items.push(ItemPieces { head, entries });
    }
    (items, diagnostics)
}

/// The lines of each item: a line at the first column starts one, the lines below it
/// continue it. Odd indentation, a line moved to the first column and indented text before
/// the first item are reported.
fn group_items<'a>(all: Vec<Line<'a>>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Vec<Line<'a>>> {
    let mut groups: Vec<Vec<Line<'_>>> = Vec::new();
    for line in all {
        if !line.blank && line.odd_indent {
            let span = Span::new(line.offset, line.offset + line.indent);
            diagnostics.push(
                Diagnostic::error(Code::Indentation, span, "this line is indented with tabs or other white space")
                    .with_hint("indent with spaces only, so that every line lines up the same way for everyone"),
            );
        }
        if !line.blank && line.indent == 0 && !looks_like_item(line.text) {
            if let Some(group) = groups.last_mut() {
                // A line of the item above, moved to the first column: said once, here, and
                // read where it was meant to be, so that neither item is cut short.
                let indent = meant_indent(group, line.text);
                diagnostics.push(moved_line(&line, indent));
                group.push(Line { indent, moved: true, ..line });
                continue;
            }
        }
        if !line.blank && line.indent == 0 {
            groups.push(vec![line]);
        } else if let Some(group) = groups.last_mut() {
            group.push(line);
        } else if !line.blank {
            let start = line.offset + line.indent;
            let end = line.offset + line.text.trim_end().len();
            diagnostics.push(
                Diagnostic::error(
                    Code::Syntax,
                    Span::new(start, end.max(start)),
                    "indented text before the first item",
                )
                .with_hint("items (`protocol`, `source`, `input`, `define`, `decision`) start at the first column"),
            );
        }
    }
    groups
}

/// A line at the first column that does not start an item, read at `indent`.
fn moved_line(line: &Line<'_>, indent: usize) -> Diagnostic {
    let end = line.offset + line.text.trim_end().len();
    Diagnostic::error(
        Code::Indentation,
        Span::new(line.offset, end.max(line.offset)),
        format!("this line starts at column 1 but does not start an item; expected column {}", indent + 1),
    )
    .with_hint(format!(
        "indent it by {indent} spaces to continue the item above; only `protocol`, `source`, `input`, \
         `define`, `decision`, `ladder` and `schedule` start at column 1"
    ))
}

/// The lines of each entry of a decision's (or a ladder's) body.
fn split_body<'a>(body: &[Line<'a>], diagnostics: &mut Vec<Diagnostic>) -> Vec<Vec<Line<'a>>> {
    // The first line of the body sets its indentation: a line at that indentation starts
    // an entry, a deeper one continues it, and a shallower one is a mistake that would
    // otherwise drop rules without a word.
    let body_indent = body.iter().find(|l| !l.blank).map(|l| l.indent);
    let continuation = continuation_indent(body, body_indent);
    let mut entries: Vec<Vec<Line<'_>>> = Vec::new();
    // After a line indented too little, its own continuation lines are skipped too.
    let mut skipping = false;
    for line in body {
        let mut line = *line;
        if let (Some(entry), Some(cont)) = (body_indent, continuation) {
            if !line.blank && !line.moved && line.indent > entry && line.indent < cont {
                diagnostics.push(between_entry_and_continuation(&line, entry, cont));
                // Read where it is nearer to: an entry when as near to both.
                line.indent = if line.indent - entry <= cont - line.indent { entry } else { cont };
            }
        }
        let starts_entry = !line.blank && Some(line.indent) == body_indent;
        if starts_entry {
            entries.push(vec![line]);
            skipping = false;
        } else if !line.blank && body_indent.is_some_and(|b| line.indent < b) {
            let start = line.offset + line.indent;
            let end = line.offset + line.text.trim_end().len();
            diagnostics.push(
                Diagnostic::error(
                    Code::Indentation,
                    Span::new(start.min(end), end.max(start)),
                    "this line is indented less than the decision's first entry",
                )
                .with_hint(format!(
                    "indent every entry of the decision by {} spaces, like its first one",
                    body_indent.unwrap_or(0)
                )),
            );
            skipping = true;
        } else if skipping {
            continue;
        } else if let Some(entry) = entries.last_mut() {
            entry.push(line);
        }
    }
    entries
}

/// The usual indentation of continuation lines in a body whose entries stand at
/// `body_indent` (the commonest, the shallowest of equals): a line between it and the
/// entries' is a mistake, said once at the line.
fn continuation_indent(body: &[Line<'_>], body_indent: Option<usize>) -> Option<usize> {
    let mut deeper: Vec<(usize, usize)> = Vec::new();
    for line in body.iter().filter(|l| !l.blank && !l.moved && body_indent.is_some_and(|b| l.indent > b)) {
        match deeper.iter_mut().find(|(indent, _)| *indent == line.indent) {
            Some((_, count)) => *count += 1,
            None => deeper.push((line.indent, 1)),
        }
    }
    deeper.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|&(indent, _)| indent)
}

/// A line deeper than the entries (at `entry`) and shallower than their continuation lines
/// (at `cont`).
fn between_entry_and_continuation(line: &Line<'_>, entry: usize, cont: usize) -> Diagnostic {
    let start = line.offset + line.indent;
    let end = line.offset + line.text.trim_end().len();
    Diagnostic::error(
        Code::Indentation,
        Span::new(start, end.max(start)),
        format!(
            "this line starts at column {}, between the decision's entries (column {}) and \
             their continuation lines (column {})",
            line.indent + 1,
            entry + 1,
            cont + 1
        ),
    )
    .with_hint(format!(
        "start an entry at column {} ({entry} spaces), or continue the entry above at column {} \
         ({cont} spaces)",
        entry + 1,
        cont + 1
    ))
}

/// Reports what the grammar would read but must not, the first of: brackets and `choose`
/// expressions nested deeper than [`MAX_NESTING`] in `piece`, which the parser would otherwise
/// descend into without bound (on WebAssembly, where the parser cannot see how much stack is
/// left, until the stack overflows); and an escape in a quoted text other than `\"`, `\\`,
/// `\n` and `\t` (`C:\new` would otherwise be read with a line break in it).
///
/// A `choose` is counted from its keyword to the end of the innermost bracket around it (or
/// of the item): its `otherwise` expression runs as far as it can, so a `choose` written
/// after another one's `otherwise` is nested in it.
pub fn check_piece(piece: Piece<'_>) -> Option<Diagnostic> {
    // For each open bracket (and the item itself), how many `choose` began within it.
    let mut chooses: Vec<usize> = vec![0];
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    let mut word_start: Option<usize> = None;
    let too_deep = |at: usize| {
        let at = piece.offset + at;
        Diagnostic::error(
            Code::TooDeep,
            Span::new(at, at + 1),
            format!("brackets and `choose` nested more than {MAX_NESTING} deep"),
        )
        .with_hint("split the expression with `define`")
    };
    for (i, c) in piece.text.char_indices().chain(std::iter::once((piece.text.len(), '\n'))) {
        if let Some(start) = word_start {
            if c.is_ascii_alphanumeric() || c == '_' {
                continue;
            }
            word_start = None;
            if piece.text.get(start..i) == Some("choose") {
                if let Some(count) = chooses.last_mut() {
                    *count += 1;
                }
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(too_deep(start));
                }
            }
        }
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                '"' | '\\' | 'n' | 't' if escaped => escaped = false,
                _ if escaped => return Some(unknown_escape(piece, i.saturating_sub(1), c)),
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
                chooses.push(0);
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(too_deep(i));
                }
            }
            ')' | ']' | '}' if chooses.len() > 1 => {
                depth = depth.saturating_sub(1 + chooses.pop().unwrap_or(0));
            }
            c if c.is_ascii_alphabetic() || c == '_' => word_start = Some(i),
            _ => {}
        }
    }
    None
}

/// An escape `\c` at `at` in `piece` that a quoted text does not have.
fn unknown_escape(piece: Piece<'_>, at: usize, c: char) -> Diagnostic {
    let at = piece.offset + at;
    let what = if c == '\n' { "a backslash at the end of a line".to_string() } else { format!("`\\{c}`") };
    Diagnostic::error(Code::Syntax, Span::new(at, at + 1 + c.len_utf8()), format!("{what} in a quoted text is not an escape"))
        .with_hint("the escapes are \\\" (a quote), \\\\ (a backslash), \\n (a line break) and \\t (a tab): write \\\\ for a backslash itself")
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
    fn a_shallower_line_in_a_decision_is_an_error_not_dropped() {
        let src = "decision d\n    k a \"A\" when x\n  list l of k\n";
        let (items, diags) = split(src);
        assert_eq!(items[0].entries.len(), 1);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "indentation");
        assert_eq!(&src[diags[0].span.start..diags[0].span.end], "list l of k");
    }

    #[test]
    fn tabs_and_odd_spaces_in_indentation_are_errors() {
        let (_, diags) = split("decision d\n\tk a \"A\" when x\n  \u{a0}k b \"B\" when x\n");
        assert_eq!(diags.iter().filter(|d| d.code == "indentation").count(), 2, "{diags:?}");
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let src = "\u{feff}source A \"a\"\n";
        let (items, diags) = split(src);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(items[0].head.text, "source A \"a\"\n");
        assert_eq!(items[0].head.offset, 3);
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
        assert!(check_piece(Piece { text: &deep, offset: 0 }).is_some());
        let quoted = format!("define x = 1 # {}\n", "(".repeat(40));
        assert!(check_piece(Piece { text: &quoted, offset: 0 }).is_none());
        let quoted = format!("define x = \"{}\"\n", "(".repeat(40));
        assert!(check_piece(Piece { text: &quoted, offset: 0 }).is_none());
    }

    #[test]
    fn choose_nests_until_the_bracket_around_it_closes() {
        let nested =
            |n: usize| format!("define x = {}1{}\n", "choose when a then ".repeat(n), " otherwise 2".repeat(n));
        assert!(check_piece(Piece { text: &nested(MAX_NESTING), offset: 0 }).is_none());
        let d = check_piece(Piece { text: &nested(MAX_NESTING + 1), offset: 0 });
        assert_eq!(d.as_ref().map(|d| d.code.as_str()), Some("too-deep"));
        // `otherwise choose ...` nests too.
        let chain = format!("define x = {}3\n", "choose when a then 1 otherwise ".repeat(MAX_NESTING + 1));
        assert!(check_piece(Piece { text: &chain, offset: 0 }).is_some());
        // Each bracket ends the `choose` expressions begun in it.
        let side_by_side = format!("define x = {}0\n", "(choose when a then 1 otherwise 2) + ".repeat(100));
        assert!(check_piece(Piece { text: &side_by_side, offset: 0 }).is_none());
        // Not a keyword: a longer word, a string, a comment.
        let words = format!("define x = {} \"choose\" # choose\n", "chooser ".repeat(100));
        assert!(check_piece(Piece { text: &words, offset: 0 }).is_none());
    }

    #[test]
    fn a_quoted_text_has_four_escapes_and_no_other() {
        let piece = |text: &'static str| Piece { text, offset: 10 };
        for ok in [r#"source S "a \" b \\ c \n d \t""#, r#"source S "a" # \q in a comment"#, r#"source S "\\q""#] {
            assert!(check_piece(piece(ok)).is_none(), "{ok}");
        }
        // `\n` and `\t` are escapes: the last backslash of each is the unknown one.
        for (bad, found) in [
            (r#"source S "C:\new\temp\q""#, "`\\q`"),
            (r#"source S "\u{41}""#, "`\\u`"),
            (r#"source S "é\é""#, "`\\é`"),
            ("source S \"a\\\nb\"", "a backslash at the end of a line"),
        ] {
            let d = check_piece(piece(bad)).unwrap_or_else(|| panic!("{bad}"));
            let at = 10 + bad.rfind('\\').unwrap_or(0);
            assert_eq!((d.code.as_str(), d.span.start), ("syntax", at), "{bad}");
            assert!(
                d.message.starts_with(found) && d.message.ends_with("in a quoted text is not an escape"),
                "{}",
                d.message
            );
        }
    }
}
