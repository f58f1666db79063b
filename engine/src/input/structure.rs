//! The last step of validation: the document's structure as declared, over the values read:
//! inputs `required` (whenever their object, or a named group, is present), lists `ordered`
//! by a field, and timestamps `not after at`.

use super::*;

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
pub(super) fn structure(schema: &Schema, doc: &Document) -> Result<(), InputError> {
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
        // Most inputs are neither required, ordered nor bounded: nothing to check.
        if matches!(field.required, Required::No) && !field.ordered && field.not_after.is_none() {
            continue;
        }
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
                let name = || field.path.rsplit_once("[].").map_or(field.path.as_str(), |(_, n)| n);
                let mut previous: Option<Value> = None;
                for (i, item) in items.iter().enumerate() {
                    let path = || format!("{}[{i}].{}", list.path, name());
                    let value = item.fields.get(field.slot.index()).copied().flatten();
                    let Some(v) = value else {
                        if field.required != Required::No {
                            return Err(error(
                                InputCode::MissingRequired,
                                &path(),
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
                                    &path(),
                                    format!("{} is before the item above it ({})", show(v), show(p)),
                                    format!("items in order of `{}`, oldest first", name()),
                                ));
                            }
                        }
                        previous = Some(v);
                    }
                    if let Some((other, bound)) = limit {
                        if order(v, bound) == Some(std::cmp::Ordering::Greater) {
                            return Err(error(
                                InputCode::AfterLimit,
                                &path(),
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
