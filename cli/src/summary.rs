//! `kap eval --format text`: an evaluation for people, in the words of the rule file (each
//! decision's title, each list's label, each rule's message, each missing input's label),
//! then the explanation.

use kap_engine::decision::OutputField;
use kap_engine::Evaluation;

/// An output value for people on one line: `50 mg` for a quantity, text without quotes, a
/// list joined by commas, an item with an id as `id at TIME: its other members`.
pub fn show(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "unknown".into(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        Value::Object(map) => {
            let rest = |skip: &[&str]| -> Vec<(&String, &Value)> {
                map.iter().filter(|(k, _)| !skip.contains(&k.as_str())).collect()
            };
            let pairs = |members: &[(&String, &Value)]| {
                members.iter().map(|(k, v)| format!("{k} {}", show(v))).collect::<Vec<_>>().join(", ")
            };
            if let (Some(v), Some(Value::String(u))) = (map.get("value"), map.get("unit")) {
                let others = rest(&["value", "unit"]);
                let more = if others.is_empty() { String::new() } else { format!(" ({})", pairs(&others)) };
                return format!("{v} {u}{more}");
            }
            let mut text = String::new();
            let mut skip = Vec::new();
            if let Some(id) = map.get("id") {
                text.push_str(&show(id));
                skip.push("id");
                if let Some(severity) = map.get("severity") {
                    text.push_str(&format!(" ({})", show(severity)));
                    skip.push("severity");
                }
                if let Some(at) = map.get("at") {
                    text.push_str(&format!(" at {}", show(at)));
                    skip.push("at");
                }
            }
            let others = rest(&skip);
            let body = match others.as_slice() {
                [(_, v @ Value::Array(_))] if !skip.is_empty() => show(v),
                // An alert's action reads as what to do: `bp_urgent (warning) at T: Recheck...`.
                [(k, v @ Value::String(_))] if k.as_str() == "action" && !skip.is_empty() => show(v),
                _ => pairs(&others),
            };
            match (text.is_empty(), body.is_empty()) {
                (_, true) => text,
                (true, false) => body,
                (false, false) => format!("{text}: {body}"),
            }
        }
        other => other.to_string(),
    }
}

/// One output field for people, at `indent`: a list of records one item a line, a nested
/// decision (an object with a verdict) as its verdict and then its own fields; empty lists
/// are left out.
fn render_field(text: &mut String, indent: &str, name: &str, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            text.push_str(&format!("{indent}{name}:\n"));
            for item in items {
                text.push_str(&format!("{indent}  - {}\n", show(item)));
            }
        }
        Value::Object(map) if map.contains_key("verdict") => {
            let verdict = map.get("verdict").map(show).unwrap_or_default();
            text.push_str(&format!("{indent}{name}: {}\n", verdict.replace('_', " ").to_uppercase()));
            let deeper = format!("{indent}  ");
            for (k, v) in map.iter().filter(|(k, _)| k.as_str() != "verdict") {
                render_field(text, &deeper, k, v);
            }
        }
        other => text.push_str(&format!("{indent}{name}: {}\n", show(other))),
    }
}

/// The label the rule file gives the input at `path` (a list item's field as
/// `list[].field`), if it declares one.
pub fn input_label<'a>(about: &'a kap_engine::describe::Description, path: &str) -> Option<&'a str> {
    let declared = kap_engine::schema::declared_path(path);
    about.sections.iter().flat_map(|s| &s.inputs).find(|i| i.path == declared).map(|i| i.label.as_str())
}

/// A readable summary of an evaluation, in the words of the rule file: each decision's
/// title, each list's label, each rule's message and each missing input's label.
pub fn summary(out: &Evaluation, about: &kap_engine::describe::Description) -> String {
    let mut text = format!("{} {} (sha256 {})\n", out.protocol.name, out.protocol.version, out.protocol.sha256);
    if out.decisions.is_empty() {
        text.push_str("\nNo decision applies: the document has none of the groups the protocol decides on.\n");
    }
    let input_label = |path: &str| input_label(about, path).map(str::to_string);
    for (name, decision) in &out.decisions {
        let info = about.decisions.iter().find(|d| &d.name == name);
        let title = info.and_then(|d| d.title.as_deref()).map(|t| format!(" ({t})")).unwrap_or_default();
        let verdict = decision.verdict.replace('_', " ").to_uppercase();
        if verdict.is_empty() {
            text.push_str(&format!("\n{name}{title}:\n"));
        } else {
            text.push_str(&format!("\n{name}{title}: {verdict}\n"));
        }
        for (field, value) in &decision.fields {
            let label = info
                .and_then(|d| d.labels.as_ref())
                .and_then(|l| l.get(field))
                .and_then(|l| l.as_str())
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            match value {
                OutputField::Ids(ids) if !ids.is_empty() => {
                    text.push_str(&format!("  {field}{label}:\n"));
                    for id in ids {
                        let message = info
                            .and_then(|d| d.rules.iter().find(|r| r["id"] == id.as_str()))
                            .and_then(|r| r["message"].as_str())
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default();
                        text.push_str(&format!("    - {id}{message}\n"));
                    }
                }
                OutputField::Ids(_) => {}
                OutputField::Value(v) => render_field(&mut text, "  ", field, v),
            }
        }
        if !decision.missing.is_empty() {
            text.push_str("  missing:\n");
            for path in &decision.missing {
                let label = input_label(path).map(|l| format!(" ({l})")).unwrap_or_default();
                text.push_str(&format!("    - {path}{label}\n"));
            }
        }
    }
    if !out.explanation.is_empty() {
        text.push_str("\nWhy:\n");
        for e in &out.explanation {
            text.push_str(&format!("  - {}\n", e.text));
        }
    }
    text
}
