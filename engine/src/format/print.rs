//! Prints a rule file line by line in the canonical layout: the author's line breaks and
//! comments stay, the indentation and the spaces between tokens are chosen here.
//!
//! Indentation, as the shipped protocol writes it:
//! - an item at the first column; the entries of a decision or a ladder at two spaces;
//! - a continuation line two spaces deeper than its item or entry;
//! - inside a bracket opened on an earlier line, one column after that bracket;
//! - the `when` and `otherwise` lines of a `choose` four spaces deeper than the line holding
//!   the `choose`, their own continuation lines two spaces deeper again;
//! - an `and` or `or` line continuing a condition that starts a line with `when` (or
//!   `unless`) ends its keyword where that keyword ends: `and` one column to the right of
//!   `when`, `or` two;
//! - an own-line comment at the indentation of the line it comes before.

use super::lex::{self, Kind, Token};

/// The words that are keywords of the language (a `(` after one of them opens a bracket,
/// not a call's arguments; a `-` after one is a negation).
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "is",
    "known",
    "missing",
    "when",
    "true",
    "false",
    "of",
    "otherwise",
    "any",
    "unknown",
    "help",
    "if",
    "given",
    "url",
    "required",
    "with",
    "ordered",
    "after",
    "where",
    "for",
    "choose",
    "then",
    "unless",
    "within",
    "action",
    "tone",
];

/// Words that end a `choose` whose `otherwise` has been read.
const ENDS_CHOOSE: &[&str] = &["when", "then", "otherwise", "for", "help", "action", "tone", "unless", "after"];

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// An open bracket or `choose` of the item or entry being printed.
#[derive(Debug, Clone, Copy)]
enum Frame {
    /// A bracket, at this column.
    Bracket(usize),
    /// A `choose` on a line at this indentation; whether its `otherwise` has been read.
    Choose(usize, bool),
}

/// The state of the item or entry being printed.
#[derive(Debug, Default)]
struct Unit<'a> {
    /// The indentation of its continuation lines.
    cont: usize,
    stack: Vec<Frame>,
    /// The column and length of the `when` or `unless` that started the last line.
    clause: Option<(usize, usize)>,
    /// The token printed last, and whether it was a negation.
    last: Option<(Token<'a>, bool)>,
}

impl<'a> Unit<'a> {
    fn new(indent: usize) -> Self {
        Unit { cont: indent + 2, ..Unit::default() }
    }

    /// Drops the `choose` frames whose `otherwise` has been read, when `word` ends them.
    fn end_chooses(&mut self, word: &str) {
        if !ENDS_CHOOSE.contains(&word) {
            return;
        }
        while let Some(Frame::Choose(_, true)) = self.stack.last() {
            self.stack.pop();
        }
    }

    /// The indentation of a continuation line starting with `first` (then `second`).
    fn indent(&mut self, first: Token<'_>, second: Option<Token<'_>>) -> usize {
        if first.kind == Kind::Word {
            self.end_chooses(first.text);
        }
        let word = |w: &str| first.kind == Kind::Word && first.text == w;
        let indent = match self.stack.last() {
            Some(Frame::Bracket(col)) if first.kind == Kind::Close => *col,
            Some(Frame::Bracket(col)) => col + 1,
            Some(Frame::Choose(line, _)) if word("when") || word("otherwise") => line + 4,
            Some(Frame::Choose(line, _)) => line + 6,
            None => {
                let or_when = word("or") && second.is_some_and(|t| t.text == "when");
                match self.clause {
                    Some((col, len)) if (word("and") || word("or")) && !or_when => {
                        (col + len).saturating_sub(first.text.len()).max(self.cont)
                    }
                    _ => self.cont,
                }
            }
        };
        if self.stack.is_empty() {
            if word("when") || word("unless") {
                self.clause = Some((indent, first.text.len()));
            } else if !(word("and") || word("or")) || second.is_some_and(|t| t.text == "when") {
                self.clause = None;
            }
        }
        indent
    }

    /// Whether a `-` after the last token is a negation.
    fn negation_follows(&self) -> bool {
        match self.last {
            None => true,
            Some((t, _)) => match t.kind {
                Kind::Word => is_keyword(t.text),
                Kind::Number | Kind::Text | Kind::Close => false,
                _ => true,
            },
        }
    }

    /// Whether a space goes between the last token and `next`.
    fn space_before(&self, next: Token<'_>) -> bool {
        let Some((prev, negation)) = self.last else { return false };
        if negation || matches!(prev.kind, Kind::Open | Kind::Range) {
            return false;
        }
        match next.kind {
            Kind::Close | Kind::Comma | Kind::Colon | Kind::Range => false,
            Kind::Open if next.text == "(" && prev.kind == Kind::Word => is_keyword(prev.text) && prev.text != "any",
            _ => true,
        }
    }

    /// Appends `tokens` to `out`, whose last line is `indent` columns deep so far.
    fn print(&mut self, out: &mut String, indent: usize, tokens: &[Token<'a>]) {
        let line_start = out.len() - indent;
        for (i, &token) in tokens.iter().enumerate() {
            if i > 0 && self.space_before(token) {
                out.push(' ');
            }
            let col = out.get(line_start..).map_or(0, |l| l.chars().count());
            out.push_str(token.text);
            let negation = token.kind == Kind::Minus && self.negation_follows();
            self.last = Some((token, negation));
            self.track(token, indent, col);
        }
    }

    /// Opens and closes the brackets and `choose` expressions `token` opens or closes.
    fn track(&mut self, token: Token<'_>, indent: usize, col: usize) {
        match token.kind {
            Kind::Open => self.stack.push(Frame::Bracket(col)),
            Kind::Close => {
                while let Some(frame) = self.stack.pop() {
                    if matches!(frame, Frame::Bracket(_)) {
                        break;
                    }
                }
            }
            Kind::Word => {
                self.end_chooses(token.text);
                match token.text {
                    "choose" => self.stack.push(Frame::Choose(indent, false)),
                    "otherwise" => {
                        if let Some(Frame::Choose(_, seen)) = self.stack.last_mut() {
                            *seen = true;
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// A line of the source, read.
enum Source<'a> {
    Blank,
    Comment(&'a str),
    Code(usize, lex::Line<'a>),
}

/// What a line of code is in the file's layout.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Item,
    Entry,
    Continuation,
}

fn read(source: &str) -> Vec<Source<'_>> {
    source
        .split('\n')
        .map(|raw| {
            let text = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = text.trim_start();
            if trimmed.is_empty() {
                Source::Blank
            } else if trimmed.starts_with('#') {
                Source::Comment(trimmed.trim_end())
            } else {
                Source::Code(text.len() - trimmed.len(), lex::line(trimmed))
            }
        })
        .collect()
}

/// The role of each line of code, as `syntax::layout` cuts the file: a line at the first
/// column starts an item; in a decision or a ladder, a line at the indentation of its first
/// entry starts an entry; any other line continues.
fn roles(lines: &[Source<'_>]) -> Vec<Role> {
    let mut roles = Vec::new();
    let mut body: Option<Option<usize>> = None;
    for line in lines {
        let Source::Code(indent, code) = line else {
            roles.push(Role::Continuation);
            continue;
        };
        let role = if *indent == 0 {
            let head = code.tokens.first().map(|t| t.text);
            body = matches!(head, Some("decision" | "ladder")).then_some(None);
            Role::Item
        } else {
            match &mut body {
                Some(entries @ None) => {
                    *entries = Some(*indent);
                    Role::Entry
                }
                Some(Some(entries)) if *entries == *indent => Role::Entry,
                _ => Role::Continuation,
            }
        };
        roles.push(role);
    }
    roles
}

/// Comments and blank lines waiting for the line of code after them.
#[derive(Default)]
struct Pending<'a> {
    /// `None` for a blank line.
    lines: Vec<Option<&'a str>>,
}

impl<'a> Pending<'a> {
    /// Writes the waiting lines before a line at `indent`: comments at that indentation, a
    /// run of blank lines as one, and none at the start of the file or inside an item or
    /// entry (`keep_blank` false).
    fn flush(&mut self, out: &mut String, indent: usize, keep_blank: bool) {
        let mut blank = false;
        for line in self.lines.drain(..) {
            match line {
                None => blank = true,
                Some(comment) => {
                    if blank && keep_blank && !out.is_empty() {
                        out.push('\n');
                    }
                    blank = false;
                    out.push_str(&" ".repeat(indent));
                    out.push_str(comment);
                    out.push('\n');
                }
            }
        }
        if blank && keep_blank && !out.is_empty() {
            out.push('\n');
        }
    }
}

/// The source in the canonical layout (see the module's documentation).
pub fn layout(source: &str) -> String {
    let lines = read(source.strip_prefix('\u{feff}').unwrap_or(source));
    let roles = roles(&lines);
    let mut out = String::new();
    let mut pending = Pending::default();
    let mut unit = Unit::new(0);
    for (line, role) in lines.iter().zip(roles) {
        let (original, code) = match line {
            Source::Blank => {
                pending.lines.push(None);
                continue;
            }
            Source::Comment(text) => {
                pending.lines.push(Some(text));
                continue;
            }
            Source::Code(original, code) => (*original, code),
        };
        let Some(&first) = code.tokens.first() else {
            // A line holding only a comment was read as one; nothing else is empty.
            continue;
        };
        let indent = match role {
            Role::Item | Role::Entry => {
                let indent = if role == Role::Item { 0 } else { 2 };
                unit = Unit::new(indent);
                indent
            }
            Role::Continuation => unit.indent(first, code.tokens.get(1).copied()),
        };
        pending.flush(&mut out, indent, role != Role::Continuation);
        out.push_str(&" ".repeat(indent));
        unit.print(&mut out, indent, &code.tokens);
        if let Some((column, comment)) = code.comment {
            // Where the author put it, if the code leaves room: aligned comments stay so.
            let written = original + column;
            let end = out.rsplit('\n').next().map_or(0, |l| l.chars().count());
            out.push_str(&" ".repeat(written.saturating_sub(end).max(2)));
            out.push_str(comment);
        }
        out.push('\n');
    }
    // Comments after the last line of code stay, at the first column; blank lines go.
    while pending.lines.last() == Some(&None) {
        pending.lines.pop();
    }
    pending.flush(&mut out, 0, true);
    out
}
