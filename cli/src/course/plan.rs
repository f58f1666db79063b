//! Reading a course plan, and checking what it names against the protocol.

use super::path;
use kap_engine::diagnostic::did_you_mean;
use kap_engine::schema::declared_path;
use kap_engine::Protocol;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// One phase of a course: a run of sessions the same time apart.
pub struct Phase {
    /// Its name, shown in place of its number (`"induction"`).
    pub name: Option<String>,
    /// How many sessions it plans.
    pub sessions: usize,
    /// The time from the previous session to each of its sessions, in seconds (the course's
    /// first session is at the document's time).
    pub every: Decimal,
    /// Inputs set on the document before each of its sessions, by dotted path, in order;
    /// they stay set in later phases unless those set them again.
    pub set: Vec<(String, Value)>,
}

/// What a course plan file holds.
pub struct Plan {
    /// The phases, in order: one when the plan is written with `every` and `sessions`.
    pub phases: Vec<Phase>,
    /// Whether the plan is written with `phases` (the output then shows each session's phase).
    pub phased: bool,
    /// The values a session that went well records (besides its time and `record`).
    pub session: Map<String, Value>,
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

/// The members a plan must have besides its schedule and `session`, each with what it is for.
const PLAN_NAMES: [(&str, &str); 6] = [
    ("decision", "the name of the decision read for each session"),
    ("given_when", "that decision's verdict when the session is given"),
    ("list", "the dotted path of the list a given session is appended to"),
    ("time", "the top-level time input: set to each session's time, and recorded in a given session"),
    ("record", "the names of the decision's values a given session records, a list"),
    ("columns", "the decision's values shown, each with its heading, an object"),
];

/// Every member a plan may have (`about` is for people).
const MEMBERS: [&str; 11] =
    ["about", "every", "sessions", "phases", "decision", "given_when", "list", "time", "record", "columns", "session"];

/// The members of a phase, each with what it is for.
const PHASE_NAMES: [(&str, &str); 4] = [
    ("sessions", "how many sessions the phase plans, 1 or more"),
    (
        "every",
        "the time from the previous session to each session of the phase: a number and a unit \
         (min, h, d or w), such as \"84h\", \"3.5d\" or \"2w\"",
    ),
    (
        "set",
        "optional: inputs set on the document before each session of the phase, from it on, \
         by dotted path, such as {\"today.requested_dose\": \"D84\"}",
    ),
    ("name", "optional: the phase's name, shown instead of its number"),
];

/// What a phase holds, for an error about one.
fn phase_help() -> String {
    let lines: Vec<String> = PHASE_NAMES.iter().map(|(k, what)| format!("\n  \"{k}\": {what}")).collect();
    format!(
        "\n\"phases\" is a list of phases, such as [{{\"name\": \"induction\", \"sessions\": 8, \"every\": \"3.5d\"}}, \
         {{\"sessions\": 4, \"every\": \"7d\"}}]; a phase has:{}",
        lines.concat()
    )
}

/// Reads a plan: `{"every": "72h", "sessions": 6, "decision": "session", "given_when":
/// "proceed", "list": "course.sessions", "time": "at", "record": ["level"], "columns":
/// {"level": "level"}, "session": {...}}`, or the same with `"phases": [{"sessions": 8,
/// "every": "3.5d", "set": {...}}, ...]` in place of `every` and `sessions`.
pub fn plan(text: &str) -> Result<Plan, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("the plan is not valid JSON: {e}"))?;
    let v = v.as_object().ok_or("the plan must be a JSON object")?;
    unknown_member(v, &MEMBERS, "the plan", "")?;
    let (phases, phased) = schedule(v)?;
    let session = v
        .get("session")
        .and_then(Value::as_object)
        .cloned()
        .ok_or("the plan needs \"session\": the values of a session that went well")?;
    let lacking: Vec<String> = PLAN_NAMES
        .iter()
        .filter(|(k, _)| v.get(*k).is_none())
        .map(|(k, what)| format!("\n  \"{k}\": {what}"))
        .collect();
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
        phases,
        phased,
        session,
        decision: text("decision")?,
        given_when: text("given_when")?,
        list: text("list")?,
        time: text("time")?,
        record,
        columns,
    })
}

/// The first member of `object` not in `known`, as an error naming the nearest known one.
fn unknown_member(object: &Map<String, Value>, known: &[&str], whose: &str, help: &str) -> Result<(), String> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(k) => {
            let near = did_you_mean(k, known.iter().copied()).map(|n| format!(" (did you mean `{n}`?)"));
            Err(format!(
                "{whose} has no member `{k}`{}; its members are: {}{help}",
                near.unwrap_or_default(),
                known.join(", ")
            ))
        }
    }
}

/// The phases of the plan, and whether it is written with `phases`: without, its `every` and
/// `sessions` (6 unless given) are its one phase.
fn schedule(v: &Map<String, Value>) -> Result<(Vec<Phase>, bool), String> {
    let Some(phases) = v.get("phases") else {
        let every = v
            .get("every")
            .ok_or("the plan needs \"every\" (with \"sessions\"), such as \"72h\", or \"phases\", such as [{\"sessions\": 8, \"every\": \"3.5d\"}, {\"sessions\": 4, \"every\": \"7d\"}]")?
            .as_str()
            .ok_or("\"every\" must be a text, such as \"72h\" or \"3d\"")?;
        let sessions = match v.get("sessions") {
            None => 6,
            Some(n) => count(n).ok_or("\"sessions\" must be a whole number, such as 6")?,
        };
        let phase = Phase { name: None, sessions, every: duration("\"every\"", every)?, set: Vec::new() };
        return Ok((vec![phase], false));
    };
    let both: Vec<&str> = ["every", "sessions"].into_iter().filter(|k| v.contains_key(*k)).collect();
    if !both.is_empty() {
        let shown = |k: &str, default: &str| v.get(k).map_or(default.to_string(), Value::to_string);
        let (every, sessions) = (shown("every", "\"72h\""), shown("sessions", "6"));
        return Err(format!(
            "the plan has both \"phases\" and a top-level {}: write one or the other; a top-level \"every\" and \
             \"sessions\" are one phase ({{\"every\": {every}, \"sessions\": {sessions}}} is \"phases\": \
             [{{\"sessions\": {sessions}, \"every\": {every}}}]), so put them in a phase or remove them",
            both.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(" and "),
        ));
    }
    let items = phases.as_array().ok_or_else(|| format!("\"phases\" must be a list{}", phase_help()))?;
    if items.is_empty() {
        return Err(format!("\"phases\" is empty: give at least one phase{}", phase_help()));
    }
    let phases = items.iter().zip(1..).map(|(p, n)| phase(n, p)).collect::<Result<Vec<_>, _>>()?;
    Ok((phases, true))
}

/// A whole number of sessions.
fn count(v: &Value) -> Option<usize> {
    v.as_u64().and_then(|n| usize::try_from(n).ok())
}

/// The phase `n` (from 1) of the plan.
fn phase(n: usize, v: &Value) -> Result<Phase, String> {
    let at = format!("phase {n}");
    let v = v.as_object().ok_or_else(|| format!("{at} must be an object{}", phase_help()))?;
    let names: Vec<&str> = PHASE_NAMES.iter().map(|(k, _)| *k).collect();
    unknown_member(v, &names, &at, &phase_help())?;
    let sessions = v
        .get("sessions")
        .ok_or_else(|| format!("{at} needs \"sessions\": how many sessions it plans, such as 4"))
        .and_then(|s| count(s).filter(|n| *n >= 1).ok_or(format!("{at}: \"sessions\" must be 1 or more, such as 4")))?;
    let every = v
        .get("every")
        .ok_or_else(|| {
            format!("{at} needs \"every\": the time from the previous session to each of its sessions, such as \"7d\"")
        })?
        .as_str()
        .ok_or_else(|| format!("{at}: \"every\" must be a text, such as \"7d\" or \"84h\""))?;
    let name = match v.get("name") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(format!("{at}: \"name\" must be a text, such as \"induction\"")),
    };
    let set = match v.get("set") {
        None => Vec::new(),
        Some(Value::Object(set)) => set.iter().map(|(k, value)| (k.clone(), value.clone())).collect(),
        Some(_) => {
            return Err(format!(
            "{at}: \"set\" must be an object of dotted paths and values, such as {{\"today.requested_dose\": \"D84\"}}"
        ))
        }
    };
    if let Some((bad, _)) = set.iter().find(|(k, _)| path::steps(k).is_none()) {
        return Err(format!(
            "{at}: \"set\": `{bad}` is not a dotted path: write a member's path, such as `today.requested_dose`, \
             and an item of a list by its index, such as `observations.readings[0].systolic` ([-1] is the last)"
        ));
    }
    Ok(Phase { name, sessions, every: duration(&format!("{at}: \"every\""), every)?, set })
}

/// A duration in seconds: a number and a unit, `min`, `h`, `d` or `w` (`"84h"`, `"3.5d"`).
fn duration(what: &str, text: &str) -> Result<Decimal, String> {
    let (number, unit) = text.split_at(text.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len());
    let write = "write a number and a unit (min, h, d or w), such as \"84h\", \"3.5d\" or \"2w\"";
    let number: Decimal = number.trim().parse().map_err(|_| format!("{what}: `{text}` is not a duration; {write}"))?;
    let seconds = match unit {
        "min" => Decimal::from(60),
        "h" => Decimal::from(3600),
        "d" => Decimal::from(86_400),
        "w" => Decimal::from(604_800),
        "" => return Err(format!("{what}: `{text}` has no unit; {write}")),
        _ => return Err(format!("{what}: `{text}`: `{unit}` is not a unit; {write}")),
    };
    match number > Decimal::ZERO {
        true => number.checked_mul(seconds).ok_or_else(|| format!("{what}: `{text}` is too long")),
        false => Err(format!("{what}: `{text}` must be longer than 0; {write}")),
    }
}

/// Checks that what the plan names is in the protocol, with an error naming what is.
pub fn check(protocol: &Protocol, plan: &Plan) -> Result<(), String> {
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
    one_of("\"time\" input", &plan.time, times.collect())?;
    check_sets(protocol, plan)
}

/// Checks that each path a phase sets is an input the protocol declares, outside the list
/// of sessions the course builds and other than the time input, which the plan sets itself.
fn check_sets(protocol: &Protocol, plan: &Plan) -> Result<(), String> {
    let schema = protocol.schema();
    let mut known: Vec<String> = schema.fields.iter().map(|f| f.path.clone()).collect();
    for list in &schema.lists {
        known.push(list.path.clone());
        known.push(format!("{}[]", list.path));
    }
    known.extend(schema.groups.iter().cloned());
    for (phase, n) in plan.phases.iter().zip(1..) {
        for (path, _) in &phase.set {
            check_set(plan, &known, path).map_err(|e| format!("phase {n}: \"set\": `{path}` {e}"))?;
        }
    }
    Ok(())
}

/// Why a phase may not set `path`, given the paths the protocol declares.
fn check_set(plan: &Plan, known: &[String], path: &str) -> Result<(), String> {
    let declared = declared_path(path);
    if !known.contains(&declared) {
        let near = did_you_mean(&declared, known.iter().map(String::as_str));
        let near = near.map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
        return Err(format!(
            "is not an input the protocol declares{near}; set a declared input by its dotted path \
             (`kap describe RULES` lists them)"
        ));
    }
    let list = plan.list.as_str();
    let inside = |outer: &str, inner: &str| {
        inner == outer || inner.starts_with(&format!("{outer}.")) || inner.starts_with(&format!("{outer}["))
    };
    let place = match (inside(list, &declared), inside(&declared, list)) {
        (true, _) => "is in",
        (false, true) => "holds",
        (false, false) if declared == plan.time => {
            return Err("is each session's time, which the plan sets; change a phase's \"every\" instead".into())
        }
        (false, false) => return Ok(()),
    };
    Err(format!(
        "{place} the list of sessions the course builds (`{list}`), to which each given session adds the plan's \
         \"session\" and \"record\"; set inputs outside that list, such as today's"
    ))
}
