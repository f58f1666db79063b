//! Diagnostics of the parser: pest's errors in the words of the rule language.

use super::Rule;
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Span};
use crate::limits::{excerpt, MAX_RULE_FILE_BYTES};
use crate::syntax::layout::Piece;
use pest::error::{ErrorVariant, InputLocation};

/// The diagnostic of a source over [`MAX_RULE_FILE_BYTES`], at the start of the file.
pub(super) fn too_large(source: &str) -> Diagnostic {
    Diagnostic::error(
        Code::FileTooLarge,
        Span::new(0, 0),
        format!("this rule file is {} bytes, more than kap reads ({MAX_RULE_FILE_BYTES} bytes, 1 MiB)", source.len()),
    )
    .with_hint("a protocol is far smaller than this: check that this is the intended file, or split the protocol")
}

/// A piece the grammar did not accept: what was expected, and what was found instead.
pub(super) fn syntax_error(piece: Piece<'_>, error: pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match error.location {
        InputLocation::Pos(p) => (p, p + 1),
        InputLocation::Span((a, b)) => (a, b),
    };
    // An error at the end of the item is shown just after its last word, not on the blank
    // or comment lines that follow it.
    let content_end = content_end(piece.text);
    let start = start.min(content_end);
    let end = end.clamp(start, content_end.max(start));
    let found = piece.text.get(start..).and_then(|rest| rest.split_whitespace().next()).unwrap_or("");
    let expected = expected(&error.variant);
    // pest stops, rather than overflow, when the stack runs low (natively) or at a call limit.
    if let ErrorVariant::CustomError { message } = &error.variant {
        if message.contains("limit reached") {
            let at = piece.offset + start;
            return Diagnostic::error(
                Code::TooDeep,
                Span::new(at, at + 1),
                "this item is nested too deeply to be read",
            )
            .with_hint("split the expression into named parts with `define`");
        }
    }
    if piece.text.get(start..).is_some_and(unclosed_quote) {
        let at = piece.offset + start;
        return Diagnostic::error(Code::Syntax, Span::new(at, at + 1), "this quoted text has no closing quote")
            .with_hint("end it with `\"` on the same line (a quoted text is one line; `\\\"` is a quote within it)");
    }
    let found_text = if found.is_empty() { "the end of the item".to_string() } else { format!("`{}`", excerpt(found)) };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", expected.join(" or "))
    };
    let hint = if piece.text.trim_start().starts_with(|c: char| c.is_alphabetic()) && start == 0 {
        "an item starts with `protocol`, `source`, `input`, `define` or `decision`; a decision entry with `given`, `list`, `verdict` or a rule kind".to_string()
    } else {
        "check the spelling and the order of the words here; continuation lines must be indented".to_string()
    };
    Diagnostic::error(
        Code::Syntax,
        Span::new(piece.offset + start, piece.offset + end.max(start + 1).min(piece.text.len().max(start))),
        message,
    )
    .with_hint(hint)
}

/// What the grammar would have accepted, described for people, sorted and without repeats.
fn expected(variant: &ErrorVariant<Rule>) -> Vec<&'static str> {
    match variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
            names.sort_unstable();
            names.dedup();
            if names.len() > 1 {
                names.retain(|n| *n != "more text");
            }
            names
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    }
}

/// Whether `rest` starts with a quote that its line does not close.
fn unclosed_quote(rest: &str) -> bool {
    let Some(line) = rest.strip_prefix('"').map(|r| r.split('\n').next().unwrap_or("")) else { return false };
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return false,
            _ => {}
        }
    }
    true
}

/// Byte length of `text` without its trailing white space and comment lines.
fn content_end(text: &str) -> usize {
    let mut end = text.trim_end().len();
    loop {
        let body = text.get(..end).unwrap_or("");
        let line_start = body.rfind('\n').map_or(0, |i| i + 1);
        let line = body.get(line_start..).unwrap_or("");
        if line.trim_start().starts_with('#') && line_start > 0 {
            end = text.get(..line_start).unwrap_or("").trim_end().len();
        } else {
            return end;
        }
    }
}

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::predicate => "an expression",
        Rule::sum | Rule::product | Rule::unary | Rule::primary => "a value",
        Rule::compare_tail | Rule::cmp_op => "a comparison",
        Rule::name | Rule::ident => "a name",
        Rule::path | Rule::decl_path => "a dotted path",
        Rule::string => "a quoted text",
        Rule::number | Rule::signed_number | Rule::quantity => "a number",
        Rule::unit => "a unit",
        Rule::type_expr => "a type (boolean, integer, decimal, one of, timestamp, list)",
        Rule::decl_range | Rule::range => "a range `lo..hi`",
        Rule::kw_when => "`when`",
        Rule::kw_of => "`of`",
        Rule::kw_in => "`in`",
        Rule::kw_if => "`if`",
        Rule::kw_otherwise => "`otherwise`",
        Rule::kw_help => "`help`",
        Rule::kw_url => "`url`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_is => "`is`",
        Rule::kw_known | Rule::kw_missing => "`known` or `missing`",
        Rule::tier_cond | Rule::tier_term => "`any KIND`, `unknown KIND` or `when CONDITION`",
        Rule::cites => "sources in brackets `[K1 S5]`",
        Rule::header_field | Rule::header_key => "a header field (version, status, owner, description)",
        Rule::EOI => "the end of the item",
        Rule::set => "a set `{a, b}`",
        Rule::add_op | Rule::mul_op => "an operator",
        _ => "more text",
    }
}

/// A pair the builder did not expect: the grammar and the builder disagree.
pub(super) fn internal(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Syntax, span, "this item could not be read")
        .with_hint("report this rule file to the kap developers")
}
