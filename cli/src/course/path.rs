//! Setting a value at a dotted path of a patient document, as a test case's `set` does:
//! `today.requested_dose`, a group (`today`), or an item of a list by its index
//! (`observations.readings[0].systolic`; a negative index counts from the end, `[-1]` is
//! the last item, and the index one past the end appends an item). Members and lists the
//! document lacks on the way are created.

pub use kap_engine::testing::{steps, Step};
use serde_json::{Map, Value};

/// Sets `value` at `path` in `doc`; an error says why it cannot be set there.
pub fn set(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let steps = steps(path).ok_or_else(|| format!("`{path}` is not a dotted path"))?;
    set_at(doc, &steps, value)
}

/// Writes `value` at `steps` below `node`.
fn set_at(node: &mut Value, steps: &[Step], value: Value) -> Result<(), String> {
    let Some((first, rest)) = steps.split_first() else {
        *node = value;
        return Ok(());
    };
    let fresh = match rest.first() {
        Some(Step::Index(_)) => Value::Array(Vec::new()),
        Some(Step::Member(_)) => Value::Object(Map::new()),
        None => Value::Null,
    };
    match (node, first) {
        (Value::Object(members), Step::Member(name)) => {
            set_at(members.entry(name.clone()).or_insert(fresh), rest, value)
        }
        (Value::Array(items), Step::Index(index)) => {
            let len = items.len();
            let at = position(*index, len)
                .ok_or_else(|| format!("the list has {len} item{}", if len == 1 { "" } else { "s" }))?;
            if at == len {
                items.push(fresh);
            }
            set_at(items.get_mut(at).ok_or("no such item")?, rest, value)
        }
        (other, Step::Member(name)) => Err(format!("`{name}` is read in {}, not in an object", kind(other))),
        (other, Step::Index(_)) => Err(format!("an index is read in {}, not in a list", kind(other))),
    }
}

/// A list index as a position, at most one past the end: negative counts from the end.
fn position(index: i64, len: usize) -> Option<usize> {
    kap_engine::testing::position(index, len).filter(|at| *at <= len)
}

/// What a JSON value is, with its article.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_paths_as_a_test_case_does() {
        let member = |s: &str| Step::Member(s.to_string());
        assert_eq!(steps("today.requested_dose"), Some(vec![member("today"), member("requested_dose")]));
        assert_eq!(steps("a.b[-1].c"), Some(vec![member("a"), member("b"), Step::Index(-1), member("c")]));
        assert_eq!(steps("a[0][1]"), Some(vec![member("a"), Step::Index(0), Step::Index(1)]));
        for bad in ["", "a..b", "a[]", "a[x]", "a[0]b", ".a"] {
            assert_eq!(steps(bad), None, "{bad}");
        }
    }

    #[test]
    fn sets_members_items_and_creates_what_is_lacking() {
        let mut doc = json!({"today": {"systolic": 120}, "readings": [{"x": 1}, {"x": 2}]});
        set(&mut doc, "today.requested_dose", json!("84 mg")).unwrap();
        set(&mut doc, "today.systolic", json!(130)).unwrap();
        set(&mut doc, "readings[-1].x", json!(3)).unwrap();
        set(&mut doc, "readings[2].x", json!(4)).unwrap();
        set(&mut doc, "new.group.value", json!(true)).unwrap();
        assert_eq!(
            doc,
            json!({"today": {"systolic": 130, "requested_dose": "84 mg"}, "readings": [{"x": 1}, {"x": 3}, {"x": 4}],
                   "new": {"group": {"value": true}}})
        );
        assert_eq!(set(&mut doc, "readings[5].x", json!(1)).unwrap_err(), "the list has 3 items");
        assert_eq!(set(&mut doc, "readings[-4].x", json!(1)).unwrap_err(), "the list has 3 items");
        assert!(set(&mut doc, "today.systolic.x", json!(1)).unwrap_err().contains("in a number"));
    }
}
