//! `kap course`: a whole course at once. Starting from a patient document, the next session
//! is evaluated, a session that went well (from a plan file: the values a session that went
//! well records) is added, and so on until the course ends or a session is not given.
//! The table (or JSON) shows each session's verdict, the values the plan names, and reasons.
//!
//! This command knows no protocol: the plan file names the decision to read, the verdict
//! that means a session is given, the list a given session joins, the time input, the values
//! a given session records and the values shown (see [`plan`]).
//!
//! The plan's schedule is either `"every"` (the time between sessions) and `"sessions"` (how
//! many, 6 unless given), or `"phases"`, a list of runs of sessions, such as induction then
//! maintenance:
//!
//! ```json
//! "phases": [
//!   {"name": "induction", "sessions": 8, "every": "3.5d", "set": {"today.requested_dose": "D84"}},
//!   {"sessions": 4, "every": "7d"},
//!   {"sessions": 6, "every": "14d"}
//! ]
//! ```
//!
//! A phase has `"sessions"` (how many sessions it plans, 1 or more), `"every"` (the time
//! from the previous session to each of its sessions: a number and a unit, `min`, `h`, `d`
//! or `w`; the course's first session is at the document's time), and optionally `"set"`
//! (inputs set on the document before each of its sessions, by dotted path as in a test
//! case's `set`, `[0]` or `[-1]` for an item of a list; they stay set in later phases unless
//! those set them again) and `"name"` (shown in place of the phase's number). With phases,
//! the output shows each session's phase. A `set` path must be an input the protocol
//! declares, outside the list of sessions the course builds and other than the time input.

mod path;
mod plan;

pub use plan::{plan, Phase, Plan};

use kap_engine::input::time::{format_utc, parse_rfc3339};
use kap_engine::Protocol;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// One planned session, as the protocol decided it.
pub struct Session {
    /// Its place in the list of sessions, from 1.
    number: usize,
    /// Its phase's number, from 1.
    phase: usize,
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

/// Simulates the course, phase by phase; an error names what went wrong.
pub fn simulate(protocol: &Protocol, document: &str, plan: &Plan) -> Result<Vec<Session>, String> {
    plan::check(protocol, plan)?;
    let mut doc: Value = serde_json::from_str(document).map_err(|e| format!("the document is not valid JSON: {e}"))?;
    if !doc.pointer(&list_pointer(plan)).is_some_and(Value::is_array) {
        return Err(no_session(plan));
    }
    let mut at = doc
        .get(&plan.time)
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .ok_or(format!("the document needs `{}`: the time of the first session to plan", plan.time))?;
    let mut planned: Vec<Session> = Vec::new();
    for (phase, number) in plan.phases.iter().zip(1..) {
        for _ in 0..phase.sessions {
            if !planned.is_empty() {
                at = at.checked_add(phase.every).ok_or("a session time is out of range")?;
            }
            for (path, value) in &phase.set {
                path::set(&mut doc, path, value.clone())
                    .map_err(|e| format!("phase {number}: \"set\": cannot set `{path}` in the document: {e}"))?;
            }
            let session = decide(protocol, &mut doc, plan, at, (phase, number))?;
            let given = session.verdict == plan.given_when.as_str();
            planned.push(session);
            if !given {
                return Ok(planned);
            }
        }
    }
    Ok(planned)
}

/// The JSON pointer of the list of sessions (`/course/sessions`).
fn list_pointer(plan: &Plan) -> String {
    format!("/{}", plan.list.replace('.', "/"))
}

/// Decides the session at `at` (seconds) of a phase (with its number); when it is given,
/// adds a session that went well to the document's list of sessions.
fn decide(
    protocol: &Protocol,
    doc: &mut Value,
    plan: &Plan,
    at: Decimal,
    (phase, number): (&Phase, usize),
) -> Result<Session, String> {
    let at_text = format_utc(at).ok_or("a session time is out of range")?;
    doc.as_object_mut().ok_or("the document is not an object")?.insert(plan.time.clone(), at_text.clone().into());
    let out = protocol.evaluate_json(&doc.to_string()).map_err(|e| match phase.set.is_empty() {
        true => e.to_string(),
        false => format!("{e}\n  (the session at {at_text}, after phase {number}'s \"set\")"),
    })?;
    let out = serde_json::to_value(&out).map_err(|e| e.to_string())?;
    let session = out.get("decisions").and_then(|d| d.get(&plan.decision)).cloned().ok_or_else(|| no_session(plan))?;
    let member = |name: &str| session.get(name).cloned().unwrap_or(Value::Null);
    let list = |name: &str| member(name).as_array().cloned().unwrap_or_default();
    let given_list =
        doc.pointer_mut(&list_pointer(plan)).and_then(Value::as_array_mut).ok_or_else(|| no_session(plan))?;
    let planned = Session {
        number: given_list.len() + 1,
        phase: number,
        at: at_text.clone(),
        verdict: member("verdict"),
        values: plan.columns.iter().map(|(name, _)| member(name)).collect(),
        reasons: list("reasons"),
        missing: list("missing"),
    };
    if planned.verdict == plan.given_when.as_str() {
        let mut given = plan.session.clone();
        given.insert(plan.time.clone(), Value::String(at_text));
        for name in &plan.record {
            given.insert(name.clone(), member(name));
        }
        given_list.push(Value::Object(given));
    }
    Ok(planned)
}

/// A session's phase as shown in the table: the phase's name, else its number.
fn phase_label(plan: &Plan, session: &Session) -> String {
    let name = plan.phases.get(session.phase.saturating_sub(1)).and_then(|p| p.name.clone());
    name.unwrap_or_else(|| session.phase.to_string())
}

/// The planned sessions as JSON: an array of objects, one a session (`number`; with phases,
/// `phase`, its number from 1, and `phase_name` when it has one; the time, `verdict`, the
/// plan's columns by value name, `reasons`, `missing`).
pub fn json(plan: &Plan, sessions: &[Session]) -> Value {
    Value::Array(
        sessions
            .iter()
            .map(|s| {
                let mut o = Map::new();
                o.insert("number".into(), s.number.into());
                if plan.phased {
                    o.insert("phase".into(), s.phase.into());
                    let name = plan.phases.get(s.phase.saturating_sub(1)).and_then(|p| p.name.clone());
                    if let Some(name) = name {
                        o.insert("phase_name".into(), name.into());
                    }
                }
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

/// A value for a cell: an amount (a dose) with its unit and infusion time, a list as its
/// items joined by commas, else as [`text`].
fn cell(v: &Value) -> String {
    match (v.get("value"), v.get("unit")) {
        (Some(amount), Some(unit)) => {
            let over = v.get("infusion_minutes").map(|m| format!(" over {m} min")).unwrap_or_default();
            format!("{amount} {}{over}", text(unit))
        }
        _ => match v.as_array() {
            Some(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
            None => text(v),
        },
    }
}

/// The planned sessions as a table; the reasons (ids) wrap onto further lines.
pub fn table(plan: &Plan, sessions: &[Session]) -> String {
    let mut header = vec!["#".to_string()];
    if plan.phased {
        header.push("phase".to_string());
    }
    header.extend([plan.time.clone(), "verdict".to_string()]);
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
        let mut row = vec![s.number.to_string()];
        if plan.phased {
            row.push(phase_label(plan, s));
        }
        row.extend([s.at.clone(), text(&s.verdict)]);
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
