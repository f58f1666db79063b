//! The second step of validation: the members of each object against the declared shape,
//! read into records (fields by slot, lists item by item), with the groups present marked;
//! a member not declared is refused with the name it was likely meant to be.

use super::values::store_field;
use super::*;
use crate::flags::Flags;

/// Reads the members of an object of `shape` into `record`, marking the groups present.
///
/// A member that cannot be read as declared (not declared, given twice, `null`, of another
/// JSON type...) stops the reading at once. A field whose value is refused ([`is_value_error`]:
/// out of range, not whole...) is left empty and its error kept in `refused`, the first one
/// only, and the reading goes on: a document with both kinds of error is refused for the
/// member, so that whoever reads the error (a form opening a file) is told first what makes the
/// document mean something else than it seems to.
pub(super) fn object(
    schema: &Schema,
    shape: &Shape,
    members: &[(String, Json)],
    prefix: &Path<'_>,
    record: &mut Record,
    groups: &mut Vec<bool>,
    refused: &mut Option<InputError>,
) -> Result<(), InputError> {
    // Which members of the shape have been read, by their position in it.
    let mut seen = Flags::new(shape.members.len());
    let mut next = 0;
    for (name, value) in members {
        let path = Path::Member(prefix, name);
        let Some((index, member)) = shape.find(name, next) else {
            return Err(unknown_member(shape, prefix, name));
        };
        next = index.saturating_add(1);
        if !seen.insert(index) {
            return Err(error(
                InputCode::DuplicateMember,
                &path.render(),
                "this member is given twice",
                "each member once",
            ));
        }
        if matches!(value, Json::Null) {
            return Err(error(
                InputCode::NullValue,
                &path.render(),
                "`null` is not a value: leave the member out when it is unknown",
                expected(schema, member),
            ));
        }
        match member {
            Member::Field(index) => {
                let field = schema.field(*index).ok_or_else(|| {
                    error(InputCode::Internal, &path.render(), "undeclared field", "a declared input")
                })?;
                let slot = record.fields.get_mut(field.slot.index()).ok_or_else(|| {
                    error(InputCode::Internal, &path.render(), "a field outside its record", "a declared input")
                })?;
                match store_field(field, value, &path, slot) {
                    Err(e) if is_value_error(e.code) => {
                        refused.get_or_insert(e);
                    }
                    other => other?,
                }
            }
            Member::Group(inner) => {
                let Json::Object(inner_members) = value else {
                    return Err(error(
                        InputCode::NotAnObject,
                        &path.render(),
                        format!("found {}", found(value)),
                        "an object",
                    ));
                };
                if let Some(present) = inner.group.and_then(|g| groups.get_mut(g.index())) {
                    *present = true;
                }
                object(schema, inner, inner_members, &path, record, groups, refused)?;
            }
            Member::List(index) => {
                let list = schema
                    .list(*index)
                    .ok_or_else(|| error(InputCode::Internal, &path.render(), "undeclared list", "a declared list"))?;
                let records = list_items(schema, member, list, value, &path, refused)?;
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
fn unknown_member(shape: &Shape, prefix: &Path<'_>, name: &str) -> InputError {
    let prefix = prefix.render();
    let path = join(&prefix, &excerpt(name));
    let near = suggest(name, shape.members.keys().map(String::as_str));
    let message = match near {
        Some(n) => format!("no such input (did you mean `{}`?)", join(&prefix, n)),
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
    path: &Path<'_>,
    refused: &mut Option<InputError>,
) -> Result<Vec<Record>, InputError> {
    let Json::Array(items) = value else {
        return Err(error(
            InputCode::WrongType,
            &path.render(),
            format!("found {}", found(value)),
            expected(schema, member),
        ));
    };
    if let Some((lo, hi)) = list.range {
        let n = Decimal::from(items.len());
        if n < lo || n > hi {
            return Err(error(
                InputCode::OutOfRange,
                &path.render(),
                format!("{} items", items.len()),
                expected(schema, member),
            ));
        }
    }
    let mut records = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = Path::Item(path, i);
        let Json::Object(item_members) = item else {
            if matches!(item, Json::Null) {
                return Err(error(
                    InputCode::NullValue,
                    &item_path.render(),
                    "`null` is not a value: leave the item out",
                    "an object",
                ));
            }
            return Err(error(
                InputCode::NotAnObject,
                &item_path.render(),
                format!("found {}", found(item)),
                "an object",
            ));
        };
        let mut rec = Record { fields: vec![None; list.item_fields], lists: vec![None; list.item_lists] };
        let mut no_groups = Vec::new();
        object(schema, &list.item, item_members, &item_path, &mut rec, &mut no_groups, refused)?;
        records.push(rec);
    }
    Ok(records)
}

/// Whether an error refuses a field's value, given in the JSON type the field takes: the
/// errors [`object`] reports only when the document's members are otherwise read as declared.
fn is_value_error(code: InputCode) -> bool {
    matches!(
        code,
        InputCode::OutOfRange
            | InputCode::NotWhole
            | InputCode::TooPrecise
            | InputCode::NotFinite
            | InputCode::BadTimestamp
            | InputCode::UnknownChoice
    )
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
