//! The course: the dosing sessions already given (one Observation each, with the clinic's
//! local code and a component per recorded field) and the route (from the ketamine order:
//! the draft order of an order hook first, else an active MedicationRequest).

use super::document::{in_range, matching, Pool};
use super::resources::{Observation, Resource, Values};
use super::source::{Checked, Kind, Route, Sessions, Target};
use super::{select, Read};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// The `course` object and what it read, when there is a course to decide on: sessions on
/// record, or a ketamine order. `None` (with a note) when sessions cannot be known.
pub(super) fn course(
    checked: &Checked,
    pool: &Pool,
    drafts: &Pool,
    now: OffsetDateTime,
    notes: &mut Vec<String>,
) -> Option<(Value, Vec<Read>)> {
    let spec = checked.sessions.as_ref()?;
    let mut read = Vec::new();
    let given = given(spec, pool, now, &mut read, notes);
    let route = checked.route.as_ref().and_then(|r| route(r, drafts, true).or_else(|| route(r, pool, false)));
    let ordered = route.is_some() || checked.route.as_ref().is_some_and(|r| ordered(r, drafts));
    if given.is_empty() && !ordered {
        return None;
    }
    if given.is_empty() && !spec.absent_means_none {
        notes.push(format!(
            "{}: no dosing session on record, and the mapping does not say that none means none; course left out",
            spec.path
        ));
        return None;
    }
    let max = spec.list_max.unwrap_or(usize::MAX);
    if given.len() > max {
        notes.push(format!("{}: more sessions on record than the protocol admits; course left out", spec.path));
        return None;
    }
    let mut course = Map::new();
    if let (Some(r), Some((choice, r_read))) = (&checked.route, route) {
        if let Some(field) = r.target.path.rsplit('.').next() {
            course.insert(field.to_string(), Value::String(choice));
            read.push(r_read);
        }
    }
    if let Some(field) = spec.path.rsplit('.').next() {
        course.insert(field.to_string(), Value::Array(given));
    }
    Some((Value::Object(course), read))
}

/// The sessions on record, oldest first.
fn given(
    spec: &Sessions,
    pool: &Pool,
    now: OffsetDateTime,
    read: &mut Vec<Read>,
    notes: &mut Vec<String>,
) -> Vec<Value> {
    let mut found: Vec<(OffsetDateTime, &String, &Observation)> = pool
        .items
        .iter()
        .filter_map(|(label, r)| match r {
            Resource::Observation(o) if matching(&o.code, std::slice::from_ref(&spec.code)).is_some() => {
                Some((select::observed_at(o)?, label, o))
            }
            _ => None,
        })
        .filter(|(at, _, o)| select::observation_counts(o) && select::in_window(*at, now, spec.within))
        .collect();
    found.sort_by_key(|f| f.0);
    let mut out = Vec::new();
    for (at, label, o) in found {
        let mut item = Map::new();
        item.insert("at".to_string(), Value::String(select::utc(at)));
        for (target, code) in &spec.fields {
            let Some(c) = o.component.iter().find(|c| matching(&c.code, std::slice::from_ref(code)).is_some()) else {
                continue;
            };
            if let Some(v) = field(target, &c.values, label, notes) {
                if let Some(name) = target.path.rsplit('.').next() {
                    item.insert(name.to_string(), v);
                }
            }
        }
        let shown = format!("dosing session on {}", select::day(at));
        read.push(Read { path: spec.path.clone(), resource: label.clone(), code: Some(code_text(spec)), shown });
        out.push(Value::Object(item));
    }
    out
}

fn code_text(spec: &Sessions) -> String {
    spec.code.token()
}

/// One recorded field of a session.
fn field(target: &Target, v: &Values, label: &str, notes: &mut Vec<String>) -> Option<Value> {
    match target.kind {
        Kind::Boolean => v.value_boolean.map(Value::Bool),
        Kind::Choice => {
            let text = v.value_string.clone().or_else(|| {
                v.value_codeable_concept.as_ref().and_then(|c| c.coding.iter().find_map(|c| c.code.clone()))
            })?;
            target.choices.contains(&text).then_some(Value::String(text))
        }
        _ => {
            let n = v.value_integer.as_ref().or(v.value_quantity.as_ref().and_then(|q| q.value.as_ref()))?;
            in_range(target, super::resources::decimal(n)?, label, notes)
        }
    }
}

/// Whether there is a ketamine order among `pool`'s MedicationRequests.
fn ordered(route: &Route, pool: &Pool) -> bool {
    pool.items.iter().any(|(_, r)| match r {
        Resource::MedicationRequest(m) => {
            m.medication_codeable_concept.as_ref().and_then(|c| matching(c, &route.medications)).is_some()
        }
        _ => false,
    })
}

/// The route of the first ketamine order in `pool` (drafts: any status; otherwise active).
fn route(route: &Route, pool: &Pool, drafts: bool) -> Option<(String, Read)> {
    pool.items.iter().find_map(|(label, r)| {
        let Resource::MedicationRequest(m) = r else { return None };
        if !drafts && !select::request_counts(m) {
            return None;
        }
        m.medication_codeable_concept.as_ref().and_then(|c| matching(c, &route.medications))?;
        m.dosage_instruction.iter().filter_map(|d| d.route.as_ref()).find_map(|c| {
            c.codes().find_map(|(s, code)| {
                let (_, choice) = route.values.iter().find(|(m, _)| m.matches(s, code))?;
                let shown = format!("{choice} ({} ketamine order)", if drafts { "draft" } else { "active" });
                let read = Read {
                    path: route.target.path.clone(),
                    resource: label.clone(),
                    code: Some(format!("{s}|{code}")),
                    shown,
                };
                Some((choice.clone(), read))
            })
        })
    })
}
