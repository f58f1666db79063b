//! `kap fmt`: one canonical layout for rule files.
//!
//! The formatter keeps every token, the order of everything, the author's line breaks and
//! every comment (on its own line or at the end of a line); it chooses the indentation, the
//! spaces between tokens and the blank lines:
//!
//! - indentation as `print` describes it (items at the first column, entries at two spaces,
//!   continuation lines two deeper, lines inside a bracket one column after it, the arms of
//!   a `choose` four deeper than its line, `and` and `or` under a `when` ending where it ends);
//! - one space between tokens, none inside brackets, before `,` and `:`, around `..`, after a
//!   negation, nor between a function's name and its `(`; no trailing white space;
//! - an end-of-line comment keeps its column when the code before it leaves two spaces or
//!   more (comments aligned in a column stay aligned), else it stands two spaces after the
//!   code;
//! - a run of blank lines becomes one, kept only between items or entries (not inside one,
//!   nor at the start or end of the file); the file ends with one line break.
//!
//! No line is joined or wrapped: where the author broke a long expression stays the
//! author's choice, since a clinician's line often groups one clinical idea.
//!
//! A file that does not parse is refused with its diagnostics. The formatted text is parsed
//! again and must give the same syntax tree, spans aside; if it ever did not, the file is
//! refused rather than changed.

pub(crate) mod lex;
mod print;

use crate::diagnostic::Diagnostic;
use crate::syntax::{self, ast::RuleFile};

/// Why a file was not formatted.
#[derive(Debug, Clone)]
pub enum FormatError {
    /// The file does not parse: its error diagnostics.
    Syntax(Vec<Diagnostic>),
    /// The canonical layout would not read back as the same syntax tree (a defect of the
    /// formatter, never of the file): the file is left as it is.
    Changed,
}

/// The source in the canonical layout, or why it cannot be formatted.
///
/// ```
/// let source = "input x:boolean \"X\"\ndecision d\n    list l of k\n    k a \"A\"   when not(x)\n";
/// let formatted = kap_engine::format::format(source).map_err(|e| format!("{e:?}"))?;
/// assert_eq!(formatted, "input x: boolean \"X\"\ndecision d\n  list l of k\n  k a \"A\" when not (x)\n");
/// # Ok::<(), String>(())
/// ```
pub fn format(source: &str) -> Result<String, FormatError> {
    let (before, diagnostics) = syntax::parse(source);
    let errors: Vec<Diagnostic> = diagnostics.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    let formatted = print::layout(source);
    let (after, diagnostics) = syntax::parse(&formatted);
    if diagnostics.iter().any(Diagnostic::is_error) || shape(&before) != shape(&after) {
        return Err(FormatError::Changed);
    }
    Ok(formatted)
}

/// The syntax tree as text, without its spans: two files with the same shape mean the same.
fn shape(file: &RuleFile) -> String {
    let text = format!("{:?}", file.items);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push_str("Span");
        let after = rest.get(at..).unwrap_or_default();
        rest = after.find('}').and_then(|end| after.get(end + 1..)).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
