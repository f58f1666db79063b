//! The one diagnostic type: every problem in a rule file, from syntax to units, is a
//! [`Diagnostic`] with a code, a message, a span and a hint.

pub use crate::diagnostic_code::Code;
use serde::Serialize;
use std::fmt::Write as _;

/// A byte range in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used.
    Error,
    /// The file can be used, but something looks wrong.
    Warning,
}

/// A problem found in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable machine-readable class, such as `unknown-name` or `unit-mismatch`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// How to fix it.
    pub hint: Option<String>,
    /// Other places that explain it, such as where a definition with the error is used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// A secondary place of a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// What this place has to do with the diagnostic.
    pub message: String,
    /// Where.
    pub span: Span,
}

impl Diagnostic {
    /// An error of class `code` at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: quoted(message.into()),
            span,
            hint: None,
            notes: Vec::new(),
        }
    }

    /// A warning of class `code` at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Warning,
            message: quoted(message.into()),
            span,
            hint: None,
            notes: Vec::new(),
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(quoted(hint.into()));
        self
    }

    /// Adds a secondary place.
    pub fn with_note(mut self, message: impl Into<String>, span: Span) -> Self {
        self.notes.push(Note { message: message.into(), span });
        self
    }

    /// Whether this diagnostic stops the file from compiling.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Locates this diagnostic in `source` (read from `file`).
    pub fn locate(&self, file: &str, source: &str) -> Located {
        let start = self.span.start.min(source.len());
        let (line, col, line_start) = line_col(source, start);
        let line_end =
            source.get(line_start..).and_then(|rest| rest.find('\n')).map_or(source.len(), |i| line_start + i);
        let text = source.get(line_start..line_end).unwrap_or("").trim_end_matches('\r').to_string();
        let end = self.span.end.clamp(start, line_end.max(start));
        let width = source.get(start..end).map_or(1, |s| s.chars().count().max(1));
        let notes = self
            .notes
            .iter()
            .map(|n| {
                let (line, column, _) = line_col(source, n.span.start);
                LocatedNote { message: n.message.clone(), line, column }
            })
            .collect();
        Located {
            notes,
            file: file.to_string(),
            line,
            column: col,
            end_line: line_col(source, self.span.end.min(source.len())).0,
            source_line: text,
            marker_width: width,
            diagnostic: self.clone(),
        }
    }
}

/// A message with every text it quotes between backticks (a name from the rule file) cut to
/// [`crate::limits::MAX_QUOTED_CHARS`] characters: a 1 MiB name is never echoed whole.
fn quoted(message: String) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    if parts.iter().skip(1).step_by(2).all(|q| q.chars().nth(crate::limits::MAX_QUOTED_CHARS).is_none()) {
        return message;
    }
    let cut: Vec<std::borrow::Cow<'_, str>> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { crate::limits::excerpt(p) } else { std::borrow::Cow::Borrowed(*p) })
        .collect();
    cut.join("`")
}

/// 1-based line and column (in characters) of byte `offset`, and the byte where its line starts.
pub fn line_col(source: &str, offset: usize) -> (usize, usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = source.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let col = source.get(line_start..offset).map_or(0, |s| s.chars().count()) + 1;
    (line, col, line_start)
}

/// A diagnostic with its file, line and column: what the CLI prints and `--format json` and
/// the WebAssembly API return.
#[derive(Debug, Clone, Serialize)]
pub struct Located {
    /// The file it is in.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 1-based line where the span ends.
    pub end_line: usize,
    /// The text of the line.
    pub source_line: String,
    /// How many characters the marker covers on that line.
    pub marker_width: usize,
    /// Its secondary places, located.
    #[serde(rename = "note_places", skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<LocatedNote>,
    /// The diagnostic.
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

/// A secondary place, with its line and column.
#[derive(Debug, Clone, Serialize)]
pub struct LocatedNote {
    /// What this place has to do with the diagnostic.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Located {
    /// Renders it for a terminal:
    ///
    /// ```text
    /// error[unknown-name]: no input or definition named `patient.agee`
    ///   --> rules/kap.kap:12:20
    ///    |
    /// 12 |   when patient.agee < 18 years
    ///    |        ^^^^^^^^^^^^
    ///    = hint: did you mean `patient.age`?
    /// ```
    pub fn render(&self) -> String {
        let d = &self.diagnostic;
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let mut out = String::new();
        let _ = writeln!(out, "{kind}[{}]: {}", d.code, d.message);
        let _ = writeln!(out, "{pad}--> {}:{}:{}", self.file, self.line, self.column);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{number} | {}", self.source_line);
        let lead: String = self
            .source_line
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{pad} | {lead}{}", "^".repeat(self.marker_width));
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "{pad} = hint: {hint}");
        }
        for note in &self.notes {
            let _ = writeln!(out, "{pad} = note: {} at {}:{}:{}", note.message, self.file, note.line, note.column);
        }
        out
    }
}

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest(word, &mut candidates.into_iter())
}

/// [`did_you_mean`] over any iterator, compiled once.
fn nearest<'a>(word: &str, candidates: &mut dyn Iterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    if length > crate::limits::MAX_QUOTED_CHARS {
        // No name worth suggesting is that far from a name this long; and comparing a huge
        // one with every candidate would cost its length times theirs.
        return None;
    }
    let limit = (length / 3).max(2);
    // The nearest; of names as near, one that begins as the word does (`yrs`: `years`, not
    // `s`), then one as long as the word (`dya`: `day`, not `dL`), then the first in order.
    let mut best: Option<(usize, bool, usize, &str)> = None;
    for c in candidates {
        // The distance is at least the difference in length.
        let longer = c.chars().count().abs_diff(length);
        if longer > limit {
            continue;
        }
        let d = edit_distance(word, c);
        let key = (d, c.as_bytes().first() != word.as_bytes().first(), longer, c);
        if d <= limit && best.is_none_or(|b| key < b) {
            best = Some(key);
        }
    }
    best.map(|(_, _, _, c)| c)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = i;
        let mut next = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            let deletion = row.get(j + 1).copied().unwrap_or(usize::MAX).saturating_add(1);
            let insertion = next.last().copied().unwrap_or(usize::MAX).saturating_add(1);
            diagonal = row.get(j + 1).copied().unwrap_or(0);
            next.push(substitution.min(deletion).min(insertion));
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let src = "ab\ncdé f\n";
        assert_eq!(line_col(src, 0), (1, 1, 0));
        assert_eq!(line_col(src, 3), (2, 1, 3));
        // 'f' is after a two-byte character: column counts characters.
        assert_eq!(line_col(src, 8), (2, 5, 3));
    }

    #[test]
    fn render_shows_file_line_marker_and_hint() {
        let src = "input x: boolean \"X\"\ndecision d\n  info a \"A\" when y [S]\n";
        let start = src.find("y [").unwrap_or(0);
        let d = Diagnostic::error(Code::UnknownName, Span::new(start, start + 1), "no input named `y`")
            .with_hint("did you mean `x`?");
        let text = d.locate("f.kap", src).render();
        assert!(text.contains("error[unknown-name]: no input named `y`"), "{text}");
        assert!(text.contains("--> f.kap:3:19"), "{text}");
        assert!(text.contains("3 |   info a \"A\" when y [S]"), "{text}");
        assert!(text.contains("  |                   ^\n"), "{text}");
        assert!(text.contains("= hint: did you mean `x`?"), "{text}");
    }

    #[test]
    fn suggestions_find_near_names_only() {
        let names = ["patient.age", "patient.weight", "screening.audit"];
        assert_eq!(did_you_mean("patient.agee", names), Some("patient.age"));
        assert_eq!(did_you_mean("screening.audt", names), Some("screening.audit"));
        assert_eq!(did_you_mean("course.route", names), None);
        // Of names as near, one that begins as the word does, though another sorts first.
        let units: Vec<&str> = crate::units::Unit::known_names().collect();
        assert_eq!(did_you_mean("yrs", units.iter().copied()), Some("years"));
        assert_eq!(did_you_mean("yr", units.iter().copied()), Some("year"));
        assert_eq!(did_you_mean("mgs", units.iter().copied()), Some("mg"));
        // Then one as long as the word.
        assert_eq!(did_you_mean("dya", units.iter().copied()), Some("day"));
        assert_eq!(did_you_mean("mmmol", units.iter().copied()), Some("mmol"));
    }
}
