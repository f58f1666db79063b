//! `kap course`: a whole course at once. Starting from a patient document, the next session
//! is evaluated, a session that went well (from a plan file: the values a session that went
//! well records) is added, and so on until the course ends or a session is not to proceed.
//! The table shows each session's verdict, level, change and dose.

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

/// One row of the table.
struct Row {
    number: String,
    at: String,
    verdict: String,
    level: String,
    change: String,
    dose: String,
    reasons: String,
}

/// Simulates the course and renders it as a table; an error names what went wrong.
pub fn simulate(protocol: &Protocol, document: &str, plan: &Plan) -> Result<String, String> {
    let mut doc: Value = serde_json::from_str(document).map_err(|e| format!("the document is not valid JSON: {e}"))?;
    let start = doc
        .get("at")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .ok_or("the document needs `at`: the time of the first session to plan")?;
    let mut rows = Vec::new();
    for step in 0..plan.sessions {
        let at = start + plan.every * Decimal::from(step);
        let at_text = format_utc(at).ok_or("a session time is out of range")?;
        doc.as_object_mut().ok_or("the document is not an object")?.insert("at".into(), Value::String(at_text.clone()));
        let out = protocol.evaluate_json(&doc.to_string()).map_err(|e| e.to_string())?;
        let out = serde_json::to_value(&out).map_err(|e| e.to_string())?;
        let session = out
            .pointer("/decisions/session")
            .cloned()
            .ok_or("the protocol made no session decision for this document (does it have a course?)")?;
        let text = |v: &Value| {
            v.as_str().map(str::to_string).unwrap_or_else(|| if v.is_null() { String::new() } else { v.to_string() })
        };
        let dose = match (at_path(&session, "/dose/value"), at_path(&session, "/dose/unit")) {
            (Value::Null, _) => String::new(),
            (v, u) => {
                let minutes = at_path(&session, "/dose/infusion_minutes");
                let over = if minutes.is_null() { String::new() } else { format!(" over {minutes} min") };
                format!("{v} {}{over}", text(u))
            }
        };
        let mut reasons: Vec<String> =
            at_path(&session, "/reasons").as_array().map(|r| r.iter().map(text).collect()).unwrap_or_default();
        if let Some(m) = at_path(&session, "/missing").as_array().filter(|m| !m.is_empty()) {
            reasons.push(format!("missing: {}", m.iter().map(text).collect::<Vec<_>>().join(", ")));
        }
        rows.push(Row {
            number: text(at_path(&session, "/number")),
            at: at_text.clone(),
            verdict: text(at_path(&session, "/verdict")),
            level: text(at_path(&session, "/level")),
            change: text(at_path(&session, "/level_change")),
            dose,
            reasons: reasons.join(", "),
        });
        if at_path(&session, "/verdict") != "proceed" {
            break;
        }
        let mut given = plan.session.clone();
        given.insert("at".into(), Value::String(at_text));
        given.insert("level".into(), at_path(&session, "/level").clone());
        let sessions = doc
            .pointer_mut("/course/sessions")
            .and_then(Value::as_array_mut)
            .ok_or("the document needs course.sessions")?;
        sessions.push(Value::Object(given));
    }
    Ok(table(&rows))
}

/// The value at a JSON pointer, or null.
fn at_path<'a>(v: &'a Value, pointer: &str) -> &'a Value {
    v.pointer(pointer).unwrap_or(&Value::Null)
}

fn table(rows: &[Row]) -> String {
    let header = ["#", "at", "verdict", "level", "change", "dose", "reasons"];
    let cells: Vec<[&str; 7]> =
        rows.iter().map(|r| [r.number.as_str(), &r.at, &r.verdict, &r.level, &r.change, &r.dose, &r.reasons]).collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: [&str; 7]| {
        let parts: Vec<String> = cols.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    out.push_str(&line(widths.map(|w| "-".repeat(w)).each_ref().map(String::as_str)));
    for row in cells {
        out.push_str(&line(row));
    }
    out
}
