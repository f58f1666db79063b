//! Input documents: read strictly and validated against the declarations before anything is
//! evaluated. An unknown member, a wrong type, `null`, a number that is not finite, out of
//! range or not whole where it must be, a member named twice: each is an [`InputError`]
//! naming the input path and what was expected.

pub mod json;
pub mod time;

use crate::diagnostic::did_you_mean;
use crate::exact::Exact;
use crate::ir::expr::Value;
use crate::ir::schema::{Field, FieldType, ListDecl, Member, Required, Schema, Shape};
use crate::ir::{position, GroupId};
use crate::limits::{excerpt, MAX_DOCUMENT_BYTES};
use indexmap::IndexSet;
use json::Json;
use rust_decimal::Decimal;
use serde::Serialize;

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

/// Why an input document was refused.
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
pub(crate) fn read(schema: &Schema, text: &str) -> Result<Document, InputError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(error(
            InputCode::TooLarge,
            "",
            format!("the document is {} bytes, more than kap reads", text.len()),
            format!("a JSON document of at most {MAX_DOCUMENT_BYTES} bytes (1 MiB)"),
        ));
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
    object(schema, &schema.root, members, "", &mut root, &mut doc.groups)?;
    doc.root = root;
    structure(schema, &doc)?;
    Ok(doc)
}

/// Whether the object holding a top-level input or list (by its path) is in the document.
fn parent_present(schema: &Schema, doc: &Document, path: &str) -> bool {
    match path.rsplit_once('.') {
        None => true,
        Some((parent, _)) => {
            let group: Option<GroupId> = position(&schema.groups, |g| g == parent);
            group.and_then(|g| doc.groups.get(g.index())).copied().unwrap_or(false)
        }
    }
}

fn required_now(schema: &Schema, doc: &Document, required: &Required, path: &str) -> bool {
    match required {
        Required::No => false,
        Required::WithParent => parent_present(schema, doc, path),
        Required::WithGroups(groups) => groups.iter().any(|g| doc.groups.get(g.index()).copied().unwrap_or(false)),
    }
}

fn when(required: &Required, schema: &Schema, path: &str) -> String {
    match required {
        Required::WithGroups(groups) => {
            let names: Vec<&str> = groups.iter().filter_map(|g| schema.group(*g)).collect();
            format!("required when the document has {}", names.join(" or "))
        }
        _ => match path.rsplit_once('.') {
            Some((parent, _)) => format!("required whenever `{parent}` is given"),
            None => "required".to_string(),
        },
    }
}

/// The structural rules declared with `required`, `ordered` and `not after`.
fn structure(schema: &Schema, doc: &Document) -> Result<(), InputError> {
    for list in schema.lists.iter().filter(|l| l.list.is_none()) {
        let absent = doc.root.lists.get(list.slot.index()).is_none_or(Option::is_none);
        if absent && required_now(schema, doc, &list.required, &list.path) {
            let expected = match list.range {
                Some((lo, hi)) => format!("a list of {lo}..{hi} objects (possibly empty)"),
                None => "a list of objects (possibly empty)".to_string(),
            };
            return Err(error(
                InputCode::MissingRequired,
                &list.path,
                when(&list.required, schema, &list.path),
                expected,
            ));
        }
    }
    for field in &schema.fields {
        let limit = field.not_after.and_then(|t| {
            let other = schema.field(t)?;
            Some((other, doc.root.fields.get(other.slot.index()).copied().flatten()?))
        });
        match field.list {
            None => {
                let value = doc.root.fields.get(field.slot.index()).copied().flatten();
                if value.is_none() && required_now(schema, doc, &field.required, &field.path) {
                    return Err(error(
                        InputCode::MissingRequired,
                        &field.path,
                        when(&field.required, schema, &field.path),
                        describe(field),
                    ));
                }
                if let (Some(v), Some((other, bound))) = (value, limit) {
                    if order(v, bound) == Some(std::cmp::Ordering::Greater) {
                        return Err(error(
                            InputCode::AfterLimit,
                            &field.path,
                            format!("{} is after `{}` ({})", show(v), other.path, show(bound)),
                            format!("a value no later than `{}`", other.path),
                        ));
                    }
                }
            }
            Some(l) => {
                let Some(list) = schema.list(l).filter(|l| l.list.is_none()) else { continue };
                let items =
                    doc.root.lists.get(list.slot.index()).and_then(Option::as_ref).map_or(&[][..], Vec::as_slice);
                let name = field.path.rsplit_once("[].").map_or(field.path.as_str(), |(_, n)| n);
                let mut previous: Option<Value> = None;
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{}[{i}].{name}", list.path);
                    let value = item.fields.get(field.slot.index()).copied().flatten();
                    let Some(v) = value else {
                        if field.required != Required::No {
                            return Err(error(
                                InputCode::MissingRequired,
                                &path,
                                "required in every item",
                                describe(field),
                            ));
                        }
                        continue;
                    };
                    if field.ordered {
                        if let Some(p) = previous {
                            if order(v, p) == Some(std::cmp::Ordering::Less) {
                                return Err(error(
                                    InputCode::OutOfOrder,
                                    &path,
                                    format!("{} is before the item above it ({})", show(v), show(p)),
                                    format!("items in order of `{name}`, oldest first"),
                                ));
                            }
                        }
                        previous = Some(v);
                    }
                    if let Some((other, bound)) = limit {
                        if order(v, bound) == Some(std::cmp::Ordering::Greater) {
                            return Err(error(
                                InputCode::AfterLimit,
                                &path,
                                format!("{} is after `{}` ({})", show(v), other.path, show(bound)),
                                format!("a value no later than `{}`", other.path),
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn order(a: Value, b: Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) | (Value::Time(x), Value::Time(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

fn show(v: Value) -> String {
    match v {
        Value::Time(t) => time::format_utc(t).unwrap_or_else(|| t.to_string()),
        Value::Num(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Choice(c) => c.to_string(),
        Value::Text(t) | Value::List(t) => t.to_string(),
    }
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

/// Reads the members of an object of `shape` into `record`, marking the groups present.
fn object(
    schema: &Schema,
    shape: &Shape,
    members: &[(String, Json)],
    prefix: &str,
    record: &mut Record,
    groups: &mut Vec<bool>,
) -> Result<(), InputError> {
    let mut seen = IndexSet::new();
    for (name, value) in members {
        let path = join(prefix, name);
        if !seen.insert(name.as_str()) {
            return Err(error(InputCode::DuplicateMember, &path, "this member is given twice", "each member once"));
        }
        let Some(member) = shape.members.get(name) else {
            return Err(unknown_member(shape, prefix, name));
        };
        if matches!(value, Json::Null) {
            return Err(error(
                InputCode::NullValue,
                &path,
                "`null` is not a value: leave the member out when it is unknown",
                expected(schema, member),
            ));
        }
        match member {
            Member::Field(index) => {
                let field = schema
                    .field(*index)
                    .ok_or_else(|| error(InputCode::Internal, &path, "undeclared field", "a declared input"))?;
                let v = field_value(field, value, &path)?;
                if let Some(slot) = record.fields.get_mut(field.slot.index()) {
                    *slot = Some(v);
                }
            }
            Member::Group(inner) => {
                let Json::Object(inner_members) = value else {
                    return Err(error(InputCode::NotAnObject, &path, format!("found {}", found(value)), "an object"));
                };
                if let Some(present) = inner.group.and_then(|g| groups.get_mut(g.index())) {
                    *present = true;
                }
                object(schema, inner, inner_members, &path, record, groups)?;
            }
            Member::List(index) => {
                let list = schema
                    .list(*index)
                    .ok_or_else(|| error(InputCode::Internal, &path, "undeclared list", "a declared list"))?;
                let records = list_items(schema, member, list, value, &path)?;
                if let Some(slot) = record.lists.get_mut(list.slot.index()) {
                    *slot = Some(records);
                }
            }
        }
    }
    Ok(())
}

/// The error for a member `name` that `shape` does not declare; its path quotes at most an
/// excerpt of the name.
fn unknown_member(shape: &Shape, prefix: &str, name: &str) -> InputError {
    let path = join(prefix, &excerpt(name));
    let near = suggest(name, shape.members.keys().map(String::as_str));
    let message = match near {
        Some(n) => format!("no such input (did you mean `{}`?)", join(prefix, n)),
        None => "no such input".to_string(),
    };
    let known: Vec<&str> = shape.members.keys().map(String::as_str).collect();
    error(InputCode::UnknownMember, &path, message, format!("one of: {}", known.join(", ")))
}

/// The items of `list` (the declaration of `member`), each a record.
fn list_items(
    schema: &Schema,
    member: &Member,
    list: &ListDecl,
    value: &Json,
    path: &str,
) -> Result<Vec<Record>, InputError> {
    let Json::Array(items) = value else {
        return Err(error(InputCode::WrongType, path, format!("found {}", found(value)), expected(schema, member)));
    };
    if let Some((lo, hi)) = list.range {
        let n = Decimal::from(items.len());
        if n < lo || n > hi {
            return Err(error(InputCode::OutOfRange, path, format!("{} items", items.len()), expected(schema, member)));
        }
    }
    let mut records = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let Json::Object(item_members) = item else {
            if matches!(item, Json::Null) {
                return Err(error(
                    InputCode::NullValue,
                    &item_path,
                    "`null` is not a value: leave the item out",
                    "an object",
                ));
            }
            return Err(error(InputCode::NotAnObject, &item_path, format!("found {}", found(item)), "an object"));
        };
        let mut rec = Record { fields: vec![None; list.item_fields], lists: vec![None; list.item_lists] };
        let mut no_groups = Vec::new();
        object(schema, &list.item, item_members, &item_path, &mut rec, &mut no_groups)?;
        records.push(rec);
    }
    Ok(records)
}

/// What a member admits, for people: "an integer in 0..120 years".
fn expected(schema: &Schema, member: &Member) -> String {
    match member {
        Member::Field(i) => schema.field(*i).map_or_else(|| "a value".to_string(), describe),
        Member::Group(_) => "an object".to_string(),
        Member::List(i) => match schema.list(*i).and_then(|l| l.range) {
            Some((lo, hi)) => format!("a list of {lo}..{hi} objects"),
            None => "a list of objects".to_string(),
        },
    }
}

/// Describes what a field admits, for people: "an integer in 0..120 years".
pub(crate) fn describe(field: &Field) -> String {
    match &field.ty {
        FieldType::Boolean => "true or false".to_string(),
        FieldType::Timestamp => "an RFC 3339 timestamp such as \"2026-11-22T09:00:00Z\"".to_string(),
        FieldType::Choice(choices) => {
            let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
            format!("one of {}", quoted.join(", "))
        }
        FieldType::Number { integer, unit } => {
            let kind = if *integer { "an integer" } else { "a number" };
            let unit = if unit.is_none() { String::new() } else { format!(" {unit}") };
            match field.range {
                Some((lo, hi)) => format!("{kind} in {lo}..{hi}{unit}"),
                None if unit.is_empty() => kind.to_string(),
                None => format!("{kind} in{unit}"),
            }
        }
    }
}

fn field_value(field: &Field, json: &Json, path: &str) -> Result<Value, InputError> {
    let wrong = || error(InputCode::WrongType, path, format!("found {}", found(json)), describe(field));
    match (&field.ty, json) {
        (FieldType::Boolean, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (FieldType::Choice(choices), Json::String(s)) => match choices.iter().position(|c| c == s) {
            Some(i) => Ok(Value::Choice(u16::try_from(i).map_err(|_| wrong())?)),
            None => {
                let near = suggest(s, choices.iter().map(String::as_str));
                let message = match near {
                    Some(n) => format!("\"{}\" is not a choice (did you mean \"{n}\"?)", excerpt(s)),
                    None => format!("\"{}\" is not a choice", excerpt(s)),
                };
                Err(error(InputCode::UnknownChoice, path, message, describe(field)))
            }
        },
        (FieldType::Timestamp, Json::String(s)) => time::parse_rfc3339(s).map(Value::Time).ok_or_else(|| {
            error(
                InputCode::BadTimestamp,
                path,
                format!("\"{}\" is not an RFC 3339 timestamp", excerpt(s)),
                describe(field),
            )
        }),
        (FieldType::Number { integer, .. }, Json::Number(text)) => {
            let quoted = || excerpt(text);
            let n = number(text).map_err(|code| {
                let message = match code {
                    InputCode::NotFinite => format!("{} is too large to be a finite exact number", quoted()),
                    _ => format!("{} has more digits than kap keeps exactly (28)", quoted()),
                };
                error(code, path, message, describe(field))
            })?;
            if *integer && !n.fract().is_zero() {
                return Err(error(
                    InputCode::NotWhole,
                    path,
                    format!("{} is not a whole number", quoted()),
                    describe(field),
                ));
            }
            if let Some((lo, hi)) = field.range {
                if n < lo || n > hi {
                    return Err(error(
                        InputCode::OutOfRange,
                        path,
                        format!("{} is out of range", quoted()),
                        describe(field),
                    ));
                }
            }
            Ok(Value::Num(n.normalize()))
        }
        _ => Err(wrong()),
    }
}

/// Reads a JSON number's text as an exact decimal.
///
/// Errors are `not_finite` (too large for 28 digits) and `too_precise` (digits below the
/// 28th decimal place that are not zero).
pub fn number(text: &str) -> Result<Decimal, InputCode> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => {
            let exp = rest.get(at + 1..).unwrap_or("");
            let exp: i64 = exp.parse().unwrap_or(if exp.starts_with('-') { i64::MIN } else { i64::MAX });
            (rest.get(..at).unwrap_or(""), exp)
        }
        None => (rest, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = format!("{int_part}{frac_part}");
    let mut exponent = exponent.saturating_sub(i64::try_from(frac_part.len()).unwrap_or(i64::MAX));
    // Normalise: no leading zeros, no trailing zeros (moved into the exponent).
    let trimmed = digits.trim_start_matches('0');
    digits = trimmed.to_string();
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    while digits.ends_with('0') {
        digits.pop();
        exponent = exponent.saturating_add(1);
    }
    if digits.len() > 28 {
        return Err(if exponent.saturating_add(i64::try_from(digits.len()).unwrap_or(i64::MAX)) > 28 {
            InputCode::NotFinite
        } else {
            InputCode::TooPrecise
        });
    }
    let magnitude = i64::try_from(digits.len()).unwrap_or(0).saturating_add(exponent);
    if magnitude > 29 {
        return Err(InputCode::NotFinite);
    }
    let mut m: i128 = digits.parse().map_err(|_| InputCode::NotFinite)?;
    if negative {
        m = -m;
    }
    if exponent >= 0 {
        let mut value = Decimal::try_from_i128_with_scale(m, 0).map_err(|_| InputCode::NotFinite)?;
        for _ in 0..exponent {
            value = value.mul_exact(Decimal::TEN).ok_or(InputCode::NotFinite)?;
        }
        Ok(value)
    } else {
        let scale = u32::try_from(exponent.unsigned_abs()).map_err(|_| InputCode::TooPrecise)?;
        if scale > 28 {
            return Err(InputCode::TooPrecise);
        }
        Decimal::try_from_i128_with_scale(m, scale).map_err(|_| InputCode::NotFinite)
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
