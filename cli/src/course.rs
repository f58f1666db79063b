//! `kap course`: a whole course at once. Starting from a patient document, the next session
//! is evaluated, a session that went well (from a plan file: the values a session that went
//! well records) is added, and so on until the course ends or a session is not given.
//! The table (or JSON) shows each session's verdict, the values the plan names, and reasons.
//!
//! This command knows no protocol: the plan file names the decision to read, the verdict
//! that means a session is given, the list a given session joins, the time input, the values
//! a given session records and the values shown (see [`plan`]).

use kap_engine::input::time::{format_utc, parse_rfc3339};
use kap_engine::Protocol;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// What a course plan file holds.
pub struct Plan {
    /// Time between sessions, in seconds.
    pub every: Decimal,
    /// The values a session that went well records (besides its time and `record`).
    pub session: Map<String, Value>,
    /// The most sessions to show.
    pub sessions: usize,
    /// The decision read for each session (`"session"`).
    pub decision: String,
    /// The verdict of that decision that means the session is given (`"proceed"`).
    pub given_when: String,
    /// The dotted path of the list a given session is appended to (`"course.sessions"`).
    pub list: String,
    /// The member holding a session's time: the document's top-level input set to each
    /// session's time, and the member of a given session that records it (`"at"`).
    pub time: String,
    /// Values of the decision a given session records, under the same names (`["level"]`).
    pub record: Vec<String>,
    /// Values of the decision shown, in order, with their headings in the table.
    pub columns: Vec<(String, String)>,
}

/// The members a plan must have besides `every` and `session`, each with what it is for.
const PLAN_NAMES: [(&str, &str); 6] = [
    ("decision", "the name of the decision read for each session"),
    ("given_when", "that decision's verdict when the session is given"),
    ("list", "the dotted path of the list a given session is appended to"),
    ("time", "the top-level time input: set to each session's time, and recorded in a given session"),
    ("record", "the names of the decision's values a given session records, a list"),
    ("columns", "the decision's values shown, each with its heading, an object"),
];

/// Reads a plan: `{"every": "72h", "sessions": 6, "decision": "session", "given_when":
/// "proceed", "list": "course.sessions", "time": "at", "record": ["level"], "columns":
/// {"level": "level"}, "session": {...}}`.
pub fn plan(text: &str) -> Result<Plan, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("the plan is not valid JSON: {e}"))?;
    let every = v.get("every").and_then(Value::as_str).ok_or("the plan needs \"every\", such as \"72h\" or \"3d\"")?;
    let (number, unit) = every.split_at(every.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len());
    let number: Decimal = number.trim().parse().map_err(|_| format!("\"every\": `{every}` is not a duration"))?;
    let seconds = match unit {
        "h" => Decimal::from(3600),
        "d" => Decimal::from(86_400),
        "min" => Decimal::from(60),
        _ => return Err(format!("\"every\": `{every}` needs a unit: min, h or d")),
    };
    let session = v
        .get("session")
        .and_then(Value::as_object)
        .cloned()
        .ok_or("the plan needs \"session\": the values of a session that went well")?;
    let sessions = v.get("sessions").and_then(Value::as_u64).map_or(6, |n| n as usize);
    let lacking: Vec<String> =
        PLAN_NAMES.iter().filter(|(k, _)| v.get(k).is_none()).map(|(k, what)| format!("\n  \"{k}\": {what}")).collect();
    if !lacking.is_empty() {
        return Err(format!(
            "the plan does not say which decision to read and how a given session is recorded; add:{}",
            lacking.concat()
        ));
    }
    let text =
        |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string).ok_or(format!("\"{key}\" must be a text"));
    let record = v
        .get("record")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|n| n.as_str().map(str::to_string)).collect::<Option<Vec<_>>>())
        .ok_or("\"record\" must be a list of value names")?;
    let columns = v
        .get("columns")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().map(|(k, h)| Some((k.clone(), h.as_str()?.to_string()))).collect::<Option<Vec<_>>>())
        .ok_or("\"columns\" must map value names to headings")?;
    Ok(Plan {
        every: number * seconds,
        session,
        sessions,
        decision: text("decision")?,
        given_when: text("given_when")?,
        list: text("list")?,
        time: text("time")?,
        record,
        columns,
    })
}

/// Checks that what the plan names is in the protocol, with an error naming what is.
fn check_plan(protocol: &Protocol, plan: &Plan) -> Result<(), String> {
    let description = protocol.describe();
    let one_of = |what: &str, name: &str, known: Vec<&str>| -> Result<(), String> {
        match known.contains(&name) {
            true => Ok(()),
            false => Err(format!("the plan's {what} `{name}` is not in the protocol, which has: {}", known.join(", "))),
        }
    };
    let names = description.decisions.iter().map(|d| d.name.as_str()).collect();
    one_of("\"decision\"", &plan.decision, names)?;
    let decision = description.decisions.iter().find(|d| d.name == plan.decision).ok_or("no decision")?;
    one_of("\"given_when\" verdict", &plan.given_when, decision.verdicts.iter().map(String::as_str).collect())?;
    for name in plan.record.iter().chain(plan.columns.iter().map(|(k, _)| k)) {
        one_of("value", name, decision.outputs.iter().map(String::as_str).collect())?;
    }
    let inputs: Vec<_> = description.sections.iter().flat_map(|s| &s.inputs).collect();
    one_of("\"list\"", &plan.list, inputs.iter().filter(|i| i.kind == "list").map(|i| i.path.as_str()).collect())?;
    let times = inputs.iter().filter(|i| i.kind == "timestamp" && !i.path.contains('.')).map(|i| i.path.as_str());
    one_of("\"time\" input", &plan.time, times.collect())
}

/// One planned session, as the protocol decided it.
pub struct Session {
    /// Its place in the list of sessions, from 1.
    number: usize,
    at: String,
    verdict: Value,
    /// The values of [`Plan::columns`], in order.
    values: Vec<Value>,
    reasons: Vec<Value>,
    missing: Vec<Value>,
}

/// The widest the reasons column grows before it wraps onto further lines.
const REASONS_WIDTH: usize = 60;

/// What to add to a document for which the protocol makes no decision to read.
fn no_session(plan: &Plan) -> String {
    let (group, list) = plan.list.rsplit_once('.').unwrap_or(("", &plan.list));
    let group = if group.is_empty() { String::new() } else { format!("the `{group}` group, with ") };
    format!(
        "the protocol made no `{}` decision for this document: add {group}`{list}` (the sessions already given, \
         [] for none) and what else the decision is given, and a top-level `{}` (the time of the first session to plan)",
        plan.decision, plan.time
    )
}

/// Simulates the course; an error names what went wrong.
pub fn simulate(protocol: &Protocol, document: &str, plan: &Plan) -> Result<Vec<Session>, String> {
    check_plan(protocol, plan)?;
    let mut doc: Value = serde_json::from_str(document).map_err(|e| format!("the document is not valid JSON: {e}"))?;
    let list_pointer = format!("/{}", plan.list.replace('.', "/"));
    if !doc.pointer(&list_pointer).is_some_and(Value::is_array) {
        return Err(no_session(plan));
    }
    let start = doc
        .get(&plan.time)
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .ok_or(format!("the document needs `{}`: the time of the first session to plan", plan.time))?;
    let mut planned = Vec::new();
    for step in 0..plan.sessions {
        let at = start + plan.every * Decimal::from(step);
        let at_text = format_utc(at).ok_or("a session time is out of range")?;
        doc.as_object_mut()
            .ok_or("the document is not an object")?
            .insert(plan.time.clone(), Value::String(at_text.clone()));
        let out = protocol.evaluate_json(&doc.to_string()).map_err(|e| e.to_string())?;
        let out = serde_json::to_value(&out).map_err(|e| e.to_string())?;
        let session =
            out.get("decisions").and_then(|d| d.get(&plan.decision)).cloned().ok_or_else(|| no_session(plan))?;
        let member = |name: &str| session.get(name).cloned().unwrap_or(Value::Null);
        let list = |name: &str| member(name).as_array().cloned().unwrap_or_default();
        let given_list =
            doc.pointer_mut(&list_pointer).and_then(Value::as_array_mut).ok_or_else(|| no_session(plan))?;
        planned.push(Session {
            number: given_list.len() + 1,
            at: at_text.clone(),
            verdict: member("verdict"),
            values: plan.columns.iter().map(|(name, _)| member(name)).collect(),
            reasons: list("reasons"),
            missing: list("missing"),
        });
        if member("verdict") != plan.given_when.as_str() {
            break;
        }
        let mut given = plan.session.clone();
        given.insert(plan.time.clone(), Value::String(at_text));
        for name in &plan.record {
            given.insert(name.clone(), member(name));
        }
        given_list.push(Value::Object(given));
    }
    Ok(planned)
}

/// The planned sessions as JSON: an array of objects, one a session (`number`, the time,
/// `verdict`, the plan's columns by value name, `reasons`, `missing`).
pub fn json(plan: &Plan, sessions: &[Session]) -> Value {
    Value::Array(
        sessions
            .iter()
            .map(|s| {
                let mut o = Map::new();
                o.insert("number".into(), s.number.into());
                o.insert(plan.time.clone(), s.at.clone().into());
                o.insert("verdict".into(), s.verdict.clone());
                for ((name, _), v) in plan.columns.iter().zip(&s.values) {
                    o.insert(name.clone(), v.clone());
                }
                o.insert("reasons".into(), s.reasons.clone().into());
                o.insert("missing".into(), s.missing.clone().into());
                Value::Object(o)
            })
            .collect(),
    )
}

/// A value for the table: text without quotes, nothing for null.
fn text(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| if v.is_null() { String::new() } else { v.to_string() })
}

/// Ids joined by commas, wrapped onto lines of at most `width` characters (an id longer
/// than that has a line of its own).
fn wrap(items: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() { format!("{item},") } else { item.clone() };
        if !line.is_empty() && line.chars().count() + 1 + piece.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A value for a cell: an amount (a dose) with its unit and infusion time, else as [`text`].
fn cell(v: &Value) -> String {
    match (v.get("value"), v.get("unit")) {
        (Some(amount), Some(unit)) => {
            let over = v.get("infusion_minutes").map(|m| format!(" over {m} min")).unwrap_or_default();
            format!("{amount} {}{over}", text(unit))
        }
        _ => text(v),
    }
}

/// The planned sessions as a table; the reasons (ids) wrap onto further lines.
pub fn table(plan: &Plan, sessions: &[Session]) -> String {
    let mut header = vec!["#".to_string(), plan.time.clone(), "verdict".to_string()];
    header.extend(plan.columns.iter().map(|(_, h)| h.clone()));
    header.push("reasons".to_string());
    let mut cells: Vec<Vec<String>> = Vec::new();
    for s in sessions {
        let mut reasons: Vec<String> = s.reasons.iter().map(text).collect();
        if let Some((first, rest)) = s.missing.split_first() {
            reasons.push(format!("missing: {}", text(first)));
            reasons.extend(rest.iter().map(text));
        }
        let mut lines = wrap(&reasons, REASONS_WIDTH).into_iter();
        let mut row = vec![s.number.to_string(), s.at.clone(), text(&s.verdict)];
        row.extend(s.values.iter().map(cell));
        row.push(lines.next().unwrap_or_default());
        cells.push(row);
        for more in lines {
            let mut row = vec![String::new(); header.len().saturating_sub(1)];
            row.push(more);
            cells.push(row);
        }
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let parts: Vec<String> = cols.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(&header);
    out.push_str(&line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>()));
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}
