//! Input documents: read strictly and validated against the declarations before anything is
//! evaluated. An unknown member, a wrong type, `null`, a number that is not finite, out of
//! range or not whole where it must be, a member named twice: each is an [`InputError`]
//! naming the input path and what was expected.
//!
//! The steps, in order: [`json`] reads the text strictly; `members` reads each object's members
//! into records against the declared shape, and `values` each field's value against its type;
//! `structure` then checks what is declared of the whole document (`required`, `ordered`,
//! `not after at`). [`time`] reads and writes the timestamps.

mod direct;
pub mod json;
mod members;
mod structure;
pub mod time;
mod values;

use crate::diagnostic::did_you_mean;
use crate::exact::Exact;
use crate::ir::expr::Value;
use crate::ir::schema::{Field, FieldType, ListDecl, Member, Required, Schema, Shape};
use crate::ir::{position, GroupId};
use crate::limits::{excerpt, MAX_DOCUMENT_BYTES};
use json::Json;
use members::object;
use rust_decimal::Decimal;
use serde::Serialize;
use structure::structure;
pub(crate) use values::describe;
pub use values::number;

/// A validated document: the value of each field slot (absent ones are `None`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Document {
    /// The document root's fields and lists.
    pub root: Record,
    /// For each group outside lists, whether the document has it.
    pub groups: Vec<bool>,
}

/// The fields and lists of one object: the document root or a list item.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Record {
    /// Field values by slot.
    pub fields: Vec<Option<Value>>,
    /// List items by list slot; `None` when the list is absent.
    pub lists: Vec<Option<Vec<Record>>>,
}

/// The class of an input error: stable, written as its snake_case name in JSON
/// (`"out_of_range"`), so that forms and other programs can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputCode {
    /// The text is larger than kap reads.
    TooLarge,
    /// The text is not JSON (or nests deeper than kap reads).
    JsonSyntax,
    /// An object was expected: the document, a group, or a list item.
    NotAnObject,
    /// A member the rule file does not declare.
    UnknownMember,
    /// A value of another JSON type than the input's.
    WrongType,
    /// `null`, which is not a value: leave the member out instead.
    NullValue,
    /// A number too large to be held exactly.
    NotFinite,
    /// A number with more significant digits than kap keeps exactly.
    TooPrecise,
    /// A number outside the input's declared range (or a list with too many items).
    OutOfRange,
    /// A fraction where the input is an integer.
    NotWhole,
    /// A member named twice in one object.
    DuplicateMember,
    /// A text that is not an RFC 3339 timestamp.
    BadTimestamp,
    /// A text that is not one of the input's choices.
    UnknownChoice,
    /// A member the rule file requires is absent.
    MissingRequired,
    /// A list item's time before the one before it.
    OutOfOrder,
    /// A time after the time it may not pass (`not after at`).
    AfterLimit,
    /// The engine's own schema is inconsistent: never a fault of the document.
    Internal,
}

impl InputCode {
    /// The code as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            InputCode::TooLarge => "too_large",
            InputCode::JsonSyntax => "json_syntax",
            InputCode::NotAnObject => "not_an_object",
            InputCode::UnknownMember => "unknown_member",
            InputCode::WrongType => "wrong_type",
            InputCode::NullValue => "null_value",
            InputCode::NotFinite => "not_finite",
            InputCode::TooPrecise => "too_precise",
            InputCode::OutOfRange => "out_of_range",
            InputCode::NotWhole => "not_whole",
            InputCode::DuplicateMember => "duplicate_member",
            InputCode::BadTimestamp => "bad_timestamp",
            InputCode::UnknownChoice => "unknown_choice",
            InputCode::MissingRequired => "missing_required",
            InputCode::OutOfOrder => "out_of_order",
            InputCode::AfterLimit => "after_limit",
            InputCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for InputCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for InputCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Why an input document was refused: one error, of a document with several a member that
/// cannot be read as declared (not declared, given twice, `null`, of another JSON type) before
/// a value refused (out of range, not whole...), otherwise the first in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}{message}; expected {expected}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct InputError {
    /// Its class.
    pub code: InputCode,
    /// The dotted input path (list items with their 0-based index); empty for the document.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What was expected there.
    pub expected: String,
}

fn error(code: InputCode, path: &str, message: impl Into<String>, expected: impl Into<String>) -> InputError {
    InputError { code, path: path.to_string(), message: message.into(), expected: expected.into() }
}

/// Reads and validates a JSON text. A text over [`MAX_DOCUMENT_BYTES`] is refused
/// (`too_large`) without being parsed.
/// The error for a document of `bytes` bytes, more than kap reads ([`MAX_DOCUMENT_BYTES`]):
/// for a reader that stops reading it before the end (`kap eval --jsonl`).
pub fn too_large(bytes: u64) -> InputError {
    error(
        InputCode::TooLarge,
        "",
        format!("the document is {bytes} bytes, more than kap reads"),
        format!("a JSON document of at most {MAX_DOCUMENT_BYTES} bytes (1 MiB)"),
    )
}

/// The error for a text that is not UTF-8 (JSON text is), at byte `offset`: for a reader of
/// bytes (`kap eval --jsonl`).
pub fn not_utf8(offset: usize) -> InputError {
    error(InputCode::JsonSyntax, "", format!("not UTF-8 text at byte {offset}: JSON text is UTF-8"), "a JSON object")
}

pub(crate) fn read(schema: &Schema, text: &str) -> Result<Document, InputError> {
    // The common document straight into its slots; anything else the full way, which
    // says what is wrong.
    if let Some(doc) = direct::read(schema, text) {
        return Ok(doc);
    }
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(too_large(text.len() as u64));
    }
    let json = json::parse(text).map_err(|e| {
        error(
            InputCode::JsonSyntax,
            "",
            format!("not valid JSON at line {}, column {}: {}", e.line, e.column, e.message),
            "a JSON object",
        )
    })?;
    validate(schema, &json)
}

/// Validates a parsed JSON value against the schema.
pub(crate) fn validate(schema: &Schema, json: &Json) -> Result<Document, InputError> {
    let Json::Object(members) = json else {
        return Err(error(InputCode::NotAnObject, "", format!("the document is {}", found(json)), "a JSON object"));
    };
    let mut doc = Document {
        root: Record { fields: vec![None; schema.root_fields], lists: vec![None; schema.root_lists] },
        groups: vec![false; schema.groups.len()],
    };
    let mut root = std::mem::take(&mut doc.root);
    let mut refused = None;
    object(schema, &schema.root, members, &Path::Root, &mut root, &mut doc.groups, &mut refused)?;
    if let Some(e) = refused {
        return Err(e);
    }
    doc.root = root;
    structure(schema, &doc)?;
    Ok(doc)
}

/// The declared name `word` is likely a typo of, as [`did_you_mean`] finds it. A word more
/// than twice as long as every candidate (plus two) is none's typo, and is not compared: the
/// comparison takes time in proportion to the word's length.
fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let longest = candidates.clone().map(|c| c.chars().count()).max().unwrap_or(0);
    if word.chars().count() > 2 * longest + 2 {
        return None;
    }
    did_you_mean(word, candidates)
}

/// "a list", "an object", "null"...: a JSON value's kind with its article.
fn found(json: &Json) -> String {
    match json {
        Json::Null => "null".to_string(),
        Json::Bool(_) => "true or false".to_string(),
        Json::Number(n) => format!("the number {}", excerpt(n)),
        Json::String(s) => format!("the text \"{}\"", excerpt(s)),
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "an object".to_string(),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Where a value is in the document, written out only for an error: validating a document
/// that has none builds no path.
#[derive(Debug, Clone, Copy)]
enum Path<'a> {
    /// The document itself.
    Root,
    /// Member `name` of the object at the path.
    Member(&'a Path<'a>, &'a str),
    /// Item `index` (0-based) of the list at the path.
    Item(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// The dotted path: `course.sessions[2].at`; empty for the document.
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Item(parent, index) => {
                parent.write(out);
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{number, InputCode};
    use rust_decimal::Decimal;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn numbers_are_read_exactly() {
        assert_eq!(number("40"), Ok(d("40")));
        assert_eq!(number("40.0"), Ok(d("40")));
        assert_eq!(number("4e1"), Ok(d("40")));
        assert_eq!(number("4E+1"), Ok(d("40")));
        assert_eq!(number("68.50"), Ok(d("68.5")));
        assert_eq!(number("-0.5"), Ok(d("-0.5")));
        assert_eq!(number("0"), Ok(Decimal::ZERO));
        assert_eq!(number("0.000"), Ok(Decimal::ZERO));
        assert_eq!(number("35.00000000000000001"), Ok(d("35.00000000000000001")));
        assert_eq!(number("125e-2"), Ok(d("1.25")));
    }

    #[test]
    fn unrepresentable_numbers_are_refused() {
        assert_eq!(number("1e400"), Err(InputCode::NotFinite));
        assert_eq!(number("1e29"), Err(InputCode::NotFinite));
        assert_eq!(number("1e-40"), Err(InputCode::TooPrecise));
        assert_eq!(number("1.00000000000000000000000000001"), Err(InputCode::TooPrecise));
        assert_eq!(number("1e99999999999999999999"), Err(InputCode::NotFinite));
    }
}
