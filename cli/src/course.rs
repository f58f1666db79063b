//! `kap course`: a whole course at once. Starting from a patient document, the next session
//! is evaluated, a session that went well (from a plan file: the values a session that went
//! well records) is added, and so on until the course ends or a session is not to proceed.
//! The table (or JSON) shows each session's verdict, level, change, dose and reasons.

use kap_engine::input::time::{format_utc, parse_rfc3339};
use kap_engine::Protocol;
use rust_decimal::Decimal;
use serde_json::Value;

/// What a course plan file holds.
pub struct Plan {
    /// Time between sessions, in seconds.
    pub every: Decimal,
    /// The values a session that went well records (everything but `at` and `level`).
    pub session: serde_json::Map<String, Value>,
    /// The most sessions to show.
    pub sessions: usize,
}

/// Reads a plan: `{"every": "72h", "sessions": 6, "session": {...}}`.
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
    Ok(Plan { every: number * seconds, session, sessions })
}

/// One planned session, as the protocol decided it.
pub struct Session {
    number: Value,
    at: String,
    verdict: Value,
    level: Value,
    change: Value,
    dose: Value,
    reasons: Vec<Value>,
    missing: Vec<Value>,
}

/// The widest the reasons column grows before it wraps onto further lines.
const REASONS_WIDTH: usize = 60;

/// What to add to a document that has no course, so that the protocol decides on a session.
const NO_SESSION: &str = "the protocol made no session decision for this document: \
add the `course` group, with `route` and `sessions` (the sessions already given, [] for none), \
and a top-level `at` (the time of the first session to plan)";

/// Simulates the course; an error names what went wrong.
pub fn simulate(protocol: &Protocol, document: &str, plan: &Plan) -> Result<Vec<Session>, String> {
    let mut doc: Value = serde_json::from_str(document).map_err(|e| format!("the document is not valid JSON: {e}"))?;
    if doc.get("course").is_none() {
        return Err(NO_SESSION.into());
    }
    let start = doc
        .get("at")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .ok_or("the document needs `at`: the time of the first session to plan")?;
    let mut planned = Vec::new();
    for step in 0..plan.sessions {
        let at = start + plan.every * Decimal::from(step);
        let at_text = format_utc(at).ok_or("a session time is out of range")?;
        doc.as_object_mut().ok_or("the document is not an object")?.insert("at".into(), Value::String(at_text.clone()));
        let out = protocol.evaluate_json(&doc.to_string()).map_err(|e| e.to_string())?;
        let out = serde_json::to_value(&out).map_err(|e| e.to_string())?;
        let session = out.pointer("/decisions/session").cloned().ok_or(NO_SESSION)?;
        let list = |pointer: &str| at_path(&session, pointer).as_array().cloned().unwrap_or_default();
        let proceed = at_path(&session, "/verdict") == "proceed";
        let level = at_path(&session, "/level").clone();
        planned.push(Session {
            number: at_path(&session, "/number").clone(),
            at: at_text.clone(),
            verdict: at_path(&session, "/verdict").clone(),
            level: level.clone(),
            change: at_path(&session, "/level_change").clone(),
            dose: at_path(&session, "/dose").clone(),
            reasons: list("/reasons"),
            missing: list("/missing"),
        });
        if !proceed {
            break;
        }
        let mut given = plan.session.clone();
        given.insert("at".into(), Value::String(at_text));
        given.insert("level".into(), level);
        let sessions = doc
            .pointer_mut("/course/sessions")
            .and_then(Value::as_array_mut)
            .ok_or("the document needs course.sessions")?;
        sessions.push(Value::Object(given));
    }
    Ok(planned)
}

/// The planned sessions as JSON: an array of objects, one a session.
pub fn json(sessions: &[Session]) -> Value {
    Value::Array(
        sessions
            .iter()
            .map(|s| {
                serde_json::json!({
                    "number": s.number,
                    "at": s.at,
                    "verdict": s.verdict,
                    "level": s.level,
                    "level_change": s.change,
                    "dose": s.dose,
                    "reasons": s.reasons,
                    "missing": s.missing,
                })
            })
            .collect(),
    )
}

/// The value at a JSON pointer, or null.
fn at_path<'a>(v: &'a Value, pointer: &str) -> &'a Value {
    v.pointer(pointer).unwrap_or(&Value::Null)
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

/// The planned sessions as a table; the reasons (ids) wrap onto further lines.
pub fn table(sessions: &[Session]) -> String {
    let header = ["#", "at", "verdict", "level", "change", "dose", "reasons"].map(str::to_string);
    let mut cells: Vec<[String; 7]> = Vec::new();
    for s in sessions {
        let dose = match (at_path(&s.dose, "/value"), at_path(&s.dose, "/unit")) {
            (Value::Null, _) => String::new(),
            (v, u) => {
                let minutes = at_path(&s.dose, "/infusion_minutes");
                let over = if minutes.is_null() { String::new() } else { format!(" over {minutes} min") };
                format!("{v} {}{over}", text(u))
            }
        };
        let mut reasons: Vec<String> = s.reasons.iter().map(text).collect();
        if let Some((first, rest)) = s.missing.split_first() {
            reasons.push(format!("missing: {}", text(first)));
            reasons.extend(rest.iter().map(text));
        }
        let mut lines = wrap(&reasons, REASONS_WIDTH).into_iter();
        let first = lines.next().unwrap_or_default();
        cells.push([text(&s.number), s.at.clone(), text(&s.verdict), text(&s.level), text(&s.change), dose, first]);
        for more in lines {
            cells.push([
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                more,
            ]);
        }
    }
    let mut widths = header.clone().map(|h| h.len());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String; 7]| {
        let parts: Vec<String> = cols.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(&header);
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}
