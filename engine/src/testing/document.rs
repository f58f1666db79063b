//! A case's document: its base document with the case's `set` and `remove` steps applied,
//! on the engine's exact JSON values (numbers keep the text they were written with).

use super::ast::Edit;
use crate::input::json::Json;

/// One step of a path: a member, or a list index (negative from the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A member of an object.
    Member(String),
    /// An item of a list.
    Index(i64),
}

/// `course.sessions[-1].level` as its steps; `None` when it is not a path (an empty member,
/// an index that is not a whole number, `[]` with no index). Test cases' `set` and `remove`
/// read paths so, and `kap course`'s plans too.
pub fn steps(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        if name.is_empty() {
            return None;
        }
        steps.push(Step::Member(name.to_string()));
        while !rest.is_empty() {
            let (index, after) = rest.split_once(']')?;
            steps.push(Step::Index(index.parse().ok()?));
            rest = after.strip_prefix('[').unwrap_or(after);
            if !after.is_empty() && !after.starts_with('[') {
                return None;
            }
        }
    }
    Some(steps)
}

/// A list index as a position: negative counts from the end; `len` is one past it.
pub fn position(index: i64, len: usize) -> Option<usize> {
    if index < 0 {
        len.checked_sub(usize::try_from(index.unsigned_abs()).ok()?)
    } else {
        usize::try_from(index).ok()
    }
}

/// Applies the edits in order; the message of the first that cannot be applied.
pub(crate) fn apply(mut doc: Json, edits: &[Edit]) -> Result<Json, (usize, String)> {
    for (i, edit) in edits.iter().enumerate() {
        let (path, value) = match edit {
            Edit::Set { path, value, .. } => (path, Some(value.clone())),
            Edit::Remove { path, .. } => (path, None),
        };
        let steps = steps(path).ok_or_else(|| (i, format!("`{path}` is not a path")))?;
        edit_at(&mut doc, &steps, value).map_err(|m| (i, format!("cannot {} `{path}`: {m}", verb(edit))))?;
    }
    Ok(doc)
}

fn verb(edit: &Edit) -> &'static str {
    match edit {
        Edit::Set { .. } => "set",
        Edit::Remove { .. } => "remove",
    }
}

/// Writes (`Some`) or removes (`None`) the value at `steps` below `node`.
fn edit_at(node: &mut Json, steps: &[Step], value: Option<Json>) -> Result<(), String> {
    let Some((first, rest)) = steps.split_first() else { return Err("an empty path".into()) };
    let last = rest.is_empty();
    match (node, first) {
        (Json::Object(members), Step::Member(name)) => {
            let found = members.iter().position(|(n, _)| n == name);
            match (found, last, value) {
                (Some(i), true, None) => {
                    members.remove(i);
                    Ok(())
                }
                (None, _, None) => Err(format!("the document has no `{name}` there")),
                (Some(i), true, Some(v)) => {
                    if let Some(member) = members.get_mut(i) {
                        member.1 = v;
                    }
                    Ok(())
                }
                (None, true, Some(v)) => {
                    members.push((name.clone(), v));
                    Ok(())
                }
                (found, false, value) => {
                    let i = match found {
                        Some(i) => i,
                        None => {
                            let empty = if matches!(rest.first(), Some(Step::Index(_))) {
                                Json::Array(Vec::new())
                            } else {
                                Json::Object(Vec::new())
                            };
                            members.push((name.clone(), empty));
                            members.len() - 1
                        }
                    };
                    let child = members.get_mut(i).map(|m| &mut m.1).ok_or("no such member")?;
                    edit_at(child, rest, value)
                }
            }
        }
        (Json::Array(items), Step::Index(index)) => {
            let len = items.len();
            let at = position(*index, len).filter(|p| *p < len || (*p == len && value.is_some()));
            let at = at.ok_or_else(|| format!("the list has {len} item{}", if len == 1 { "" } else { "s" }))?;
            match (last, value) {
                (true, None) => {
                    items.remove(at);
                    Ok(())
                }
                (true, Some(v)) if at == len => {
                    items.push(v);
                    Ok(())
                }
                (false, value) if at == len => {
                    items.push(Json::Object(Vec::new()));
                    let child = items.last_mut().ok_or("no such item")?;
                    edit_at(child, rest, value)
                }
                (true, Some(v)) => {
                    if let Some(item) = items.get_mut(at) {
                        *item = v;
                    }
                    Ok(())
                }
                (false, value) => edit_at(items.get_mut(at).ok_or("no such item")?, rest, value),
            }
        }
        (other, Step::Member(name)) => Err(format!("`{name}` is read in {}, not in an object", article(other))),
        (other, Step::Index(_)) => Err(format!("an index is read in {}, not in a list", article(other))),
    }
}

fn article(json: &Json) -> String {
    match json.kind() {
        k @ ("object" | "true/false") => format!("an {k}"),
        k => format!("a {k}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::diagnostic::Span;
    use crate::input::json::parse;

    fn set(path: &str, value: &str) -> Edit {
        Edit::Set { path: path.into(), value: parse(value).unwrap(), span: Span::default() }
    }

    #[test]
    fn set_and_remove_edit_members_and_list_items() {
        let doc =
            parse(r#"{"patient": {"age": 40, "weight": 70}, "course": {"sessions": [{"level": "L1"}]}}"#).unwrap();
        let edits = [
            set("patient.age", "17"),
            Edit::Remove { path: "patient.weight".into(), span: Span::default() },
            set("course.sessions[-1].level", "\"L2\""),
            set("course.sessions[1]", r#"{"level": "L3"}"#),
            set("today.spo2", "97"),
        ];
        let out = apply(doc, &edits).unwrap();
        assert_eq!(
            out.to_text(),
            r#"{"patient":{"age":17},"course":{"sessions":[{"level":"L2"},{"level":"L3"}]},"today":{"spo2":97}}"#
        );
    }

    #[test]
    fn an_edit_that_cannot_apply_says_why() {
        let doc = parse(r#"{"course": {"sessions": []}}"#).unwrap();
        let err = apply(doc.clone(), &[set("course.sessions[3].level", "\"L1\"")]).unwrap_err();
        assert_eq!(err, (0, "cannot set `course.sessions[3].level`: the list has 0 items".into()));
        let err = apply(doc, &[Edit::Remove { path: "patient.age".into(), span: Span::default() }]).unwrap_err();
        assert_eq!(err.1, "cannot remove `patient.age`: the document has no `patient` there");
    }
}
