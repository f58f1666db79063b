//! A test file (`.kaptest`) read with its own pest grammar into [`TestFile`]: base
//! documents, and cases that derive a document from one, edit it and state what the protocol
//! must decide for it. Every item and step keeps its span, so a failure names its line.

use super::ast::{Case, Check, DocumentBody, DocumentDecl, Edit, Expect, TestFile, TestValue};
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::input::json::{self, Json};
use crate::limits::{MAX_JSON_DEPTH, MAX_RULE_FILE_BYTES};
use pest::error::InputLocation;
use pest::iterators::Pair;
use pest::Parser as _;

mod grammar {
    #![allow(missing_docs)]
    #[derive(pest_derive::Parser)]
    #[grammar = "testing/kaptest.pest"]
    pub struct Grammar;
}
use grammar::{Grammar, Rule};

/// Reads a test file. A file that does not parse gives its diagnostics, with line and
/// column, as `kap check` gives those of a rule file.
pub fn parse(source: &str) -> Result<TestFile, Vec<Diagnostic>> {
    if source.len() > MAX_RULE_FILE_BYTES {
        let message = format!("the test file is {} bytes, more than kap reads", source.len());
        return Err(vec![Diagnostic::error(Code::FileTooLarge, Span::new(0, 0), message)
            .with_hint("split it into several test files in one folder")]);
    }
    if let Some(at) = too_deep(source) {
        let message = format!("brackets nested deeper than {MAX_JSON_DEPTH} levels");
        return Err(vec![Diagnostic::error(Code::TooDeep, Span::new(at, at + 1), message)]);
    }
    let mut pairs = Grammar::parse(Rule::file, source).map_err(|e| vec![syntax_error(source, &e)])?;
    let mut file = TestFile::default();
    let mut diagnostics = Vec::new();
    for pair in pairs.next().map(Pair::into_inner).into_iter().flatten() {
        match pair.as_rule() {
            Rule::document => match document(pair) {
                Ok(d) => file.documents.push(d),
                Err(d) => diagnostics.push(d),
            },
            Rule::case => match case(pair) {
                Ok(c) => file.cases.push(c),
                Err(d) => diagnostics.extend(d),
            },
            _ => {}
        }
    }
    if diagnostics.is_empty() {
        Ok(file)
    } else {
        Err(diagnostics)
    }
}

/// Where brackets outside text first nest deeper than the JSON reader reads, if they do:
/// a file is refused before the grammar could recurse that deep.
fn too_deep(source: &str) -> Option<usize> {
    let (mut depth, mut in_text, mut escaped) = (0usize, false, false);
    for (at, c) in source.char_indices() {
        match (in_text, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => in_text = !in_text,
            (false, _, '{' | '[') => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Some(at);
                }
            }
            (false, _, '}' | ']') => depth = depth.saturating_sub(1),
            (false, _, '\n') => in_text = false,
            _ => {}
        }
    }
    None
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

fn document(pair: Pair<'_, Rule>) -> Result<DocumentDecl, Diagnostic> {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let (name, body) = (inner.next(), inner.next());
    let name = name.map(|n| n.as_str().to_string()).unwrap_or_default();
    let body = match body {
        Some(b) if b.as_rule() == Rule::string => DocumentBody::Path(text(&b)?, span(&b)),
        Some(b) => match value(b)? {
            TestValue::Json(json) => DocumentBody::Inline(json),
            TestValue::Quantity(..) => {
                return Err(Diagnostic::error(Code::Syntax, whole, "a document is a JSON object"))
            }
        },
        None => return Err(Diagnostic::error(Code::Syntax, whole, "a document without a path or JSON")),
    };
    Ok(DocumentDecl { name, body, span: whole })
}

fn case(pair: Pair<'_, Rule>) -> Result<Case, Vec<Diagnostic>> {
    let whole = span(&pair);
    let mut case = Case { span: whole, ..Case::default() };
    let mut diagnostics = Vec::new();
    for part in pair.into_inner() {
        let at = span(&part);
        let step = match part.as_rule() {
            Rule::string => text(&part).map(|name| case.name = name),
            Rule::citations => {
                case.sources = part.into_inner().map(|k| (k.as_str().to_string(), span(&k))).collect();
                Ok(())
            }
            Rule::from => {
                let name = part.into_inner().next().map(|n| (n.as_str().to_string(), span(&n)));
                match (&case.from, case.edits.is_empty()) {
                    (None, true) => {
                        case.from = name;
                        Ok(())
                    }
                    (Some(_), _) => Err(Diagnostic::error(Code::Duplicate, at, "a case derives from one document")),
                    (None, false) => Err(Diagnostic::error(Code::Syntax, at, "`from` comes before `set` and `remove`")),
                }
            }
            Rule::set => set(part).map(|e| case.edits.push(e)),
            Rule::remove => {
                let path = part.into_inner().next().map(|p| p.as_str().to_string()).unwrap_or_default();
                case.edits.push(Edit::Remove { path, span: at });
                Ok(())
            }
            Rule::expect => expect(part).map(|e| case.expects.push(e)),
            _ => Ok(()),
        };
        if let Err(d) = step {
            diagnostics.push(d);
        }
    }
    if case.expects.is_empty() && diagnostics.is_empty() {
        let d = Diagnostic::error(Code::Syntax, Span::new(whole.start, whole.start + 4), "a case without `expect`")
            .with_hint("say what the protocol must decide: `expect eligibility.verdict = eligible`");
        diagnostics.push(d);
    }
    if diagnostics.is_empty() {
        Ok(case)
    } else {
        Err(diagnostics)
    }
}

fn set(pair: Pair<'_, Rule>) -> Result<Edit, Diagnostic> {
    let at = span(&pair);
    let mut inner = pair.into_inner();
    let path = inner.next().map(|p| p.as_str().to_string()).unwrap_or_default();
    let value = match inner.next().map(value).transpose()? {
        Some(TestValue::Json(j)) => j,
        Some(TestValue::Quantity(n, unit)) => {
            let message = format!("a document holds numbers without units: write `{n}`, not `{n} {unit}`");
            return Err(Diagnostic::error(Code::UnitMismatch, at, message).with_hint(format!(
                "the rule file declares the unit of each input; a numeric level is a text: `\"{n} {unit}\"`"
            )));
        }
        None => return Err(Diagnostic::error(Code::Syntax, at, "`set` without a value")),
    };
    Ok(Edit::Set { path, value, span: at })
}

fn expect(pair: Pair<'_, Rule>) -> Result<Expect, Diagnostic> {
    let at = span(&pair);
    let mut inner = pair.into_inner();
    let path = inner.next().map(|p| p.as_str().to_string()).unwrap_or_default();
    let Some(check) = inner.next() else { return Err(Diagnostic::error(Code::Syntax, at, "`expect` what?")) };
    let rule = check.as_rule();
    let mut parts = check.into_inner();
    let operand = parts.next().map(value).transpose()?;
    let check = match (rule, operand) {
        (Rule::equals, Some(v)) => Check::Equals(v),
        (Rule::contains, Some(v)) => Check::Contains(v, parts.next().map(|t| t.as_str().to_string())),
        (Rule::lacks, Some(v)) => Check::Lacks(v),
        _ => Check::Absent,
    };
    Ok(Expect { path, check, span: at })
}

/// A value as written: JSON, a list of values, a quantity, or a bare word (a number, `true`
/// or `false`, else a text such as a choice or an id).
fn value(pair: Pair<'_, Rule>) -> Result<TestValue, Diagnostic> {
    let pair = match pair.as_rule() {
        Rule::value => match pair.into_inner().next() {
            Some(p) => p,
            None => return Ok(TestValue::Json(Json::Null)),
        },
        _ => pair,
    };
    let at = span(&pair);
    let json = |text: &str| {
        json::parse(text).map_err(|e| {
            let offset = at.start + e.offset;
            Diagnostic::error(Code::Syntax, Span::new(offset, offset + 1), format!("not valid JSON: {}", e.message))
        })
    };
    Ok(TestValue::Json(match pair.as_rule() {
        Rule::object => json(pair.as_str())?,
        Rule::string => Json::String(text(&pair)?),
        Rule::list => {
            let mut items = Vec::new();
            for item in pair.into_inner() {
                match value(item)? {
                    TestValue::Json(j) => items.push(j),
                    TestValue::Quantity(..) => return Err(Diagnostic::error(Code::Syntax, at, "a quantity in a list")),
                }
            }
            Json::Array(items)
        }
        Rule::quantity => {
            let mut inner = pair.into_inner();
            let number = inner.next().map(|n| n.as_str().to_string()).unwrap_or_default();
            let unit = inner.next().map(|u| u.as_str().to_string()).unwrap_or_default();
            return Ok(TestValue::Quantity(number, unit));
        }
        _ => bare(pair.as_str()),
    }))
}

/// A bare word: `true`, `false`, a JSON number, or else a text.
fn bare(word: &str) -> Json {
    match word {
        "true" => Json::Bool(true),
        "false" => Json::Bool(false),
        _ => match json::parse(word) {
            Ok(Json::Number(n)) => Json::Number(n),
            _ => Json::String(word.to_string()),
        },
    }
}

/// A quoted text, its escapes decoded as in JSON.
fn text(pair: &Pair<'_, Rule>) -> Result<String, Diagnostic> {
    match json::parse(pair.as_str()) {
        Ok(Json::String(s)) => Ok(s),
        _ => Err(Diagnostic::error(Code::Syntax, span(pair), "a text that cannot be read")
            .with_hint("escape `\"` and `\\` with `\\`, as in JSON")),
    }
}

fn syntax_error(source: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match error.location {
        InputLocation::Pos(p) => (p, p + 1),
        InputLocation::Span((a, b)) => (a, b),
    };
    let found = source.get(start..).and_then(|rest| rest.split_whitespace().next()).unwrap_or("the end");
    let mut expected: Vec<&str> = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.iter().map(|r| describe(*r)).collect(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.sort_unstable();
    expected.dedup();
    let span = Span::new(start, end.min(source.len()).max(start));
    // Text left over after a complete line (`from base extra`): say what the line takes.
    let line_start = source.get(..start).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
    let before = source.get(line_start..start).unwrap_or("").trim();
    let ends_a_line =
        expected.iter().all(|e| *e == "the end of the file" || e.starts_with("`document`") || e.starts_with("a step"));
    if !before.is_empty() && ends_a_line {
        let first = before.split_whitespace().next().unwrap_or("");
        let message = format!("unexpected `{found}` after `{before}`");
        return Diagnostic::error(Code::Syntax, span, message).with_hint(step_form(first));
    }
    // A line that starts as a step or an item but does not read as one (`set patient.age 17`):
    // say how that line is written rather than what else could start there.
    if before.is_empty() && ["from", "set", "remove", "expect", "case", "document"].contains(&found) {
        let message = format!("cannot read this `{found}` line");
        return Diagnostic::error(Code::Syntax, span, message).with_hint(step_form(found));
    }
    let message = if expected.is_empty() {
        format!("unexpected `{found}`")
    } else {
        format!("expected {}, found `{found}`", expected.join(" or "))
    };
    let hint = if before.is_empty() {
        "items (`document`, `case`) start at the first column; a case's steps (`from`, `set`, `remove`, `expect`) are indented under it"
    } else {
        step_form(before.split_whitespace().next().unwrap_or(""))
    };
    Diagnostic::error(Code::Syntax, span, message).with_hint(hint)
}

/// How a line that starts with `word` is written.
fn step_form(word: &str) -> &'static str {
    match word {
        "from" => "`from` names one document: `from intake`",
        "set" => "`set PATH = VALUE`, such as `set patient.age = 17` or `set today.systolic = 150`",
        "remove" => "`remove PATH`, such as `remove patient.pregnant`",
        "expect" => "`expect PATH = VALUE`, `expect PATH contains NAME`, `lacks NAME` or `absent`",
        "case" => "`case \"its name\"`, then its sources in brackets if any: `case \"age 17\" [K2]`",
        "document" => "`document NAME \"file.json\"`, or `document NAME` followed by a JSON object",
        _ => "a line is one item or one step; items (`document`, `case`) start at the first column, steps are indented under a case",
    }
}

/// A grammar rule as a reader of the file knows it.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::document | Rule::case => "`document` or `case`",
        Rule::from | Rule::set | Rule::remove | Rule::expect => "a step (`from`, `set`, `remove`, `expect`)",
        Rule::equals | Rule::contains | Rule::lacks | Rule::absent => "`=`, `contains`, `lacks` or `absent`",
        Rule::path => "a path such as `patient.age`",
        Rule::name => "a name",
        Rule::string => "a quoted text",
        Rule::citations | Rule::key => "source keys in brackets",
        Rule::value | Rule::list | Rule::quantity | Rule::number | Rule::bare | Rule::object => "a value",
        Rule::unit => "a unit",
        Rule::EOI => "the end of the file",
        _ => "more text",
    }
}
