//! The input document: every rule of the mapping applied to the resources read, the values
//! of one input combined (a `true` from any source wins; otherwise the first rule in file
//! order that gives a value), checked against the declared range, and written at its path.

use super::resources::{self, Answer, CodeableConcept, Item, Parsed, Quantity, Resource};
use super::select::Taking;
use super::source::{Checked, CodeMatch, Kind, Rule, Source, Target};
use super::{select, sessions, units, Context, Mapped, Read};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;
use std::str::FromStr;
use time::OffsetDateTime;

/// Bundles nest at most this deep; deeper ones are ignored.
const MAX_DEPTH: usize = 4;

/// The typed resources read, each with its `Type/id`.
#[derive(Debug, Default)]
pub(super) struct Pool {
    /// The resources.
    pub items: Vec<(String, Resource)>,
    /// Whether a medication list was read: a MedicationStatement or MedicationRequest, or a
    /// searchset Bundle (possibly empty) whose `self` link is a search of one.
    pub medication_list: bool,
}

impl Pool {
    /// Reads `values`, flattening Bundles; what cannot be read becomes a note. Only the
    /// resources of one patient are kept (see [`Pool::keep_one_patient`]).
    pub fn read(values: &[Value], patient: Option<&str>, notes: &mut Vec<String>) -> Pool {
        let mut pool = Pool::default();
        for v in values {
            pool.add(v, notes, 0);
        }
        pool.keep_one_patient(patient, notes);
        pool
    }

    /// Keeps the resources of the patient `named` (or, when none is named, of the one Patient
    /// among them) and drops the others with a note: a Patient with another id, a resource
    /// about another patient, and a resource that names no patient at all (whose it is cannot
    /// be told). Fails closed: with several patients and none named, nothing is kept.
    fn keep_one_patient(&mut self, named: Option<&str>, notes: &mut Vec<String>) {
        let patients: Vec<String> = self
            .items
            .iter()
            .filter(|(_, r)| matches!(r, Resource::Patient(_)))
            .filter_map(|(label, _)| label.strip_prefix("Patient/").map(str::to_string))
            .collect();
        let target = match (named, patients.as_slice()) {
            (Some(id), _) => id.to_string(),
            (None, [one]) => one.clone(),
            (None, []) => {
                // No Patient and none named: the resources must all be about one patient.
                let mut subjects: Vec<&str> = self.items.iter().filter_map(|(_, r)| r.subject()).collect();
                subjects.sort_unstable();
                subjects.dedup();
                match subjects.as_slice() {
                    [] => return,
                    [one] => one.rsplit('/').next().unwrap_or_default().to_string(),
                    _ => {
                        notes.push(
                            "the resources are about several patients and none is named: nothing read".to_string(),
                        );
                        self.drop_all();
                        return;
                    }
                }
            }
            (None, _) => {
                notes.push("the resources hold several Patients and none is named: nothing read".to_string());
                self.drop_all();
                return;
            }
        };
        let reference = format!("Patient/{target}");
        let before = self.items.len();
        self.items.retain(|(label, r)| {
            let why = match r {
                Resource::Patient(_) if *label != reference => Some("another patient than the one decided for"),
                Resource::Patient(_) => None,
                _ => match r.subject() {
                    None => Some("it names no patient"),
                    Some(s) if s == reference || s.ends_with(&format!("/{reference}")) => None,
                    Some(_) => Some("about another patient than the one decided for"),
                },
            };
            if let Some(why) = why {
                notes.push(format!("{label} ignored: {why} ({reference})"));
            }
            why.is_none()
        });
        if self.items.len() < before {
            // A medication list read for someone else says nothing about this patient.
            self.medication_list = self.items.iter().any(|(_, r)| is_medication(r));
        }
        if named.is_some() && self.items.iter().all(|(_, r)| !matches!(r, Resource::Patient(_))) && !patients.is_empty()
        {
            notes.push(format!("no Patient resource for {reference} among the resources"));
        }
    }

    /// Reads nothing: neither the resources nor that a medication list was read.
    fn drop_all(&mut self) {
        self.items.clear();
        self.medication_list = false;
    }

    /// The id of the Patient kept, if any.
    fn patient_id(&self) -> Option<String> {
        self.items.iter().find_map(|(label, r)| match r {
            Resource::Patient(_) => label.strip_prefix("Patient/").map(str::to_string),
            _ => None,
        })
    }

    fn add(&mut self, value: &Value, notes: &mut Vec<String>, depth: usize) {
        match resources::parse(value) {
            Parsed::Read(r) => {
                if is_medication(&r) {
                    self.medication_list = true;
                }
                self.items.push((resources::label(value), *r));
            }
            Parsed::Bundle(b) if depth < MAX_DEPTH => {
                let search = |l: &resources::Link| {
                    l.relation == "self"
                        && (l.url.contains("MedicationStatement") || l.url.contains("MedicationRequest"))
                };
                if b.kind == "searchset" && b.link.iter().any(search) {
                    self.medication_list = true;
                }
                for e in b.entry.iter().filter_map(|e| e.resource.as_ref()) {
                    self.add(e, notes, depth + 1);
                }
            }
            Parsed::Bundle(_) => notes.push(format!("{} ignored: Bundles nested too deep", resources::label(value))),
            Parsed::Other => {}
            Parsed::Invalid(note) => notes.push(note),
        }
    }
}

/// Whether a resource is an entry of a medication list.
fn is_medication(r: &Resource) -> bool {
    matches!(r, Resource::MedicationStatement(_) | Resource::MedicationRequest(_))
}

/// One value an input could take, and where it was read.
struct Candidate {
    path: String,
    value: Value,
    read: Read,
}

/// Builds the input document.
pub(super) fn document(checked: &Checked, values: &[Value], context: &Context) -> Mapped {
    let mut notes = Vec::new();
    let Some(now) = select::instant(&context.now) else {
        notes.push("context.now is not an RFC 3339 time with a zone: nothing mapped".to_string());
        return Mapped { document: Value::Object(Map::new()), read: Vec::new(), notes };
    };
    let pool = Pool::read(values, context.patient.as_deref(), &mut notes);
    // The draft orders are for the same patient as the record.
    let patient = context.patient.clone().or_else(|| pool.patient_id());
    let drafts = Pool::read(&context.draft_orders, patient.as_deref(), &mut notes);
    let mut candidates = Vec::new();
    for rule in &checked.rules {
        candidates.extend(apply(rule, &pool, now, &mut notes));
    }
    let mut document = Map::new();
    document.insert("at".to_string(), Value::String(select::utc(now)));
    let mut read = Vec::new();
    for (path, (value, reads)) in combine(candidates) {
        insert(&mut document, &path, value);
        read.extend(reads);
    }
    if let Some((course, reads)) = sessions::course(checked, &pool, &drafts, now, &mut notes) {
        document.insert("course".to_string(), course);
        read.extend(reads);
    }
    Mapped { document: Value::Object(document), read, notes }
}

/// The value of each input: for booleans, `true` from any source, else `false` from any;
/// for the others, the first candidate in the mapping file's order.
fn combine(candidates: Vec<Candidate>) -> BTreeMap<String, (Value, Vec<Read>)> {
    let mut out: BTreeMap<String, (Value, Vec<Read>)> = BTreeMap::new();
    for c in candidates {
        match out.get_mut(&c.path) {
            None => {
                out.insert(c.path, (c.value, vec![c.read]));
            }
            Some((value, reads)) if *value == c.value => reads.push(c.read),
            Some((value, reads)) if *value == Value::Bool(false) && c.value == Value::Bool(true) => {
                *value = c.value;
                *reads = vec![c.read];
            }
            Some(_) => {}
        }
    }
    out
}

/// Writes `value` at a dotted `path`, creating the objects on the way.
fn insert(document: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            document.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = document.entry(head.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

fn apply(rule: &Rule, pool: &Pool, now: OffsetDateTime, notes: &mut Vec<String>) -> Vec<Candidate> {
    match &rule.source {
        Source::Age => age(&rule.target, pool, now, notes),
        Source::Observation { .. } => observation(rule, pool, now, notes),
        Source::Condition { codes, except, counts, onset_within, abated_within, value } => {
            let mut out = Vec::new();
            for (label, r) in &pool.items {
                let Resource::Condition(c) = r else { continue };
                let Some(code) = c.code.as_ref().and_then(|cc| matching(cc, codes)) else { continue };
                if c.code.as_ref().and_then(|cc| matching(cc, except)).is_some() {
                    continue;
                }
                if select::condition_counts(c, *counts, *onset_within, *abated_within, now) {
                    let v = value.clone().map_or(Value::Bool(true), Value::String);
                    let status = c.clinical_status.as_ref().and_then(|s| s.coding.first()?.code.clone());
                    let said = match &v {
                        Value::String(choice) => choice.clone(),
                        _ => "yes".to_string(),
                    };
                    let name =
                        c.code.as_ref().and_then(CodeableConcept::name).map(|n| format!(" ({n})")).unwrap_or_default();
                    let status = status.as_deref().unwrap_or("not given");
                    let short = code.rsplit('|').next().unwrap_or_default();
                    let shown = format!("{said}: Condition {short}{name}, clinical status {status}");
                    out.push(candidate(&rule.target, v, label, Some(code.clone()), shown));
                }
            }
            out
        }
        Source::Medication { codes, classified_by } => {
            medication(&rule.target, codes, classified_by.as_deref(), pool, notes)
        }
        Source::Answer { .. } => answer(rule, pool, now, notes).into_iter().collect(),
    }
}

fn candidate(target: &Target, value: Value, label: &str, code: Option<String>, shown: String) -> Candidate {
    Candidate {
        path: target.path.clone(),
        value,
        read: Read { path: target.path.clone(), resource: label.to_string(), code, shown },
    }
}

/// The first code of `concept` that one of `codes` matches, as `system|code`.
pub(super) fn matching(concept: &CodeableConcept, codes: &[CodeMatch]) -> Option<String> {
    concept.codes().find(|(s, c)| codes.iter().any(|m| m.matches(s, c))).map(|(s, c)| format!("{s}|{c}"))
}

/// The choice that a coded value maps to.
fn choice(concept: &CodeableConcept, values: &[(CodeMatch, String)]) -> Option<(String, String)> {
    concept.codes().find_map(|(s, c)| {
        values.iter().find(|(m, _)| m.matches(s, c)).map(|(_, choice)| (choice.clone(), format!("{s}|{c}")))
    })
}

fn age(target: &Target, pool: &Pool, now: OffsetDateTime, notes: &mut Vec<String>) -> Vec<Candidate> {
    for (label, r) in &pool.items {
        let Resource::Patient(p) = r else { continue };
        let Some(birth) = p.birth_date.as_deref() else { continue };
        match select::date(birth).and_then(|b| select::age(b, now.date())) {
            Some(years) => {
                if let Some(v) = in_range(target, Decimal::from(years), label, notes) {
                    return vec![candidate(target, v, label, None, format!("born {birth}: {years} years"))];
                }
            }
            None => notes.push(format!("{label}: birthDate is not a full date; {} left out", target.path)),
        }
    }
    Vec::new()
}

/// The value as a JSON number of the target's kind, when whole enough and in range.
pub(super) fn in_range(target: &Target, value: Decimal, label: &str, notes: &mut Vec<String>) -> Option<Value> {
    if target.kind == Kind::Integer && !value.fract().is_zero() {
        notes.push(format!("{label} ignored for {}: not a whole number", target.path));
        return None;
    }
    if target.min.is_some_and(|m| value < m) || target.max.is_some_and(|m| value > m) {
        notes.push(format!("{label} ignored for {}: outside the protocol's range", target.path));
        return None;
    }
    number(value)
}

/// An exact decimal as a JSON number (its text kept under `arbitrary_precision`).
pub(super) fn number(value: Decimal) -> Option<Value> {
    Number::from_str(&value.normalize().to_string()).ok().map(Value::Number)
}

/// A quantity converted to the UCUM unit `to`; a unitless target takes a quantity without a
/// unit code. `None` with the reason otherwise.
fn quantity(q: &Quantity, to: Option<&str>) -> Result<(Decimal, String), String> {
    let value = q.value.as_ref().and_then(resources::decimal).ok_or("no value")?;
    let code = q.code.as_deref();
    if code.is_some() && q.system.as_deref() != Some(units::UCUM) {
        return Err("unit is not a UCUM code".to_string());
    }
    match (code, to) {
        (None, None | Some("{score}" | "1")) => Ok((value, value.normalize().to_string())),
        (None, Some(_)) => Err("no UCUM unit code".to_string()),
        (Some(from), to) => {
            let to = to.unwrap_or("1");
            let converted =
                units::convert(value, from, to).ok_or_else(|| format!("unit '{from}' not convertible to {to}"))?;
            let shown = if from == to || converted == value {
                units::with_unit(value.normalize(), from)
            } else {
                format!(
                    "{} = {}",
                    units::with_unit(value.normalize(), from),
                    units::with_unit(converted.normalize(), to)
                )
            };
            Ok((converted, shown))
        }
    }
}

/// One observed value: when, what it shows, which resource and code.
struct Seen {
    at: OffsetDateTime,
    value: Result<(Decimal, String), (String, String)>,
    label: String,
    code: String,
}

fn observation(rule: &Rule, pool: &Pool, now: OffsetDateTime, notes: &mut Vec<String>) -> Vec<Candidate> {
    let Source::Observation { codes, panels, within, unit, earliest, mean_of, values, time_path } = &rule.source else {
        return Vec::new();
    };
    let mut seen = Vec::new();
    let mut outside = Vec::new();
    for (label, r) in &pool.items {
        let Resource::Observation(o) = r else { continue };
        let Some(at) = select::observed_at(o) else { continue };
        if !select::observation_counts(o) {
            continue;
        }
        let current = select::in_window(at, now, *within);
        let mut parts: Vec<(&CodeableConcept, &resources::Values)> = vec![(&o.code, &o.values)];
        if panels.is_empty() || matching(&o.code, panels).is_some() {
            parts.extend(o.component.iter().map(|c| (&c.code, &c.values)));
        }
        for (code, v) in parts {
            let Some(code) = matching(code, codes) else { continue };
            if !current {
                outside.push(label.as_str());
                continue;
            }
            let value = if values.is_empty() {
                observed_number(v, unit.as_deref()).map_err(|e| (e, String::new()))
            } else {
                let coded = v.value_codeable_concept.as_ref().and_then(|c| choice(c, values));
                coded.map(|(c, _)| (Decimal::ZERO, c)).ok_or(("no mapped coded value".to_string(), String::new()))
            };
            seen.push(Seen { at, value, label: label.clone(), code });
        }
    }
    seen.sort_by(|a, b| if *earliest { a.at.cmp(&b.at) } else { b.at.cmp(&a.at) });
    let mut usable = Vec::new();
    for s in seen {
        match &s.value {
            Ok(_) => usable.push(s),
            Err((why, _)) => notes.push(format!("{} ignored for {}: {why}", s.label, rule.target.path)),
        }
    }
    let found = if values.is_empty() {
        numeric(rule, usable, *mean_of, unit.as_deref(), notes)
    } else {
        coded(rule, usable, time_path.as_ref())
    };
    if found.is_empty() {
        outside_note(&rule.target.path, &outside, *within, notes);
    }
    found
}

/// The note that says why an input found in the record was left out: its resources are
/// outside the rule's window (older, or after the decision's time). Ids, never values.
fn outside_note(path: &str, labels: &[&str], within: time::Duration, notes: &mut Vec<String>) {
    let mut labels = labels.to_vec();
    labels.dedup();
    let Some(first) = labels.first() else { return };
    let more = match labels.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    notes.push(format!(
        "{path}: left out: {first}{more} in the record, outside the mapping's window (within {} before the decision)",
        select::window_text(within)
    ));
}

fn observed_number(v: &resources::Values, unit: Option<&str>) -> Result<(Decimal, String), String> {
    if let Some(q) = &v.value_quantity {
        return quantity(q, unit);
    }
    match (&v.value_integer, unit) {
        (Some(n), None | Some("{score}" | "1")) => {
            let d = resources::decimal(n).ok_or("no value")?;
            Ok((d, d.to_string()))
        }
        (Some(_), Some(_)) => Err("an integer without a unit".to_string()),
        (None, _) => Err("no numeric value".to_string()),
    }
}

fn numeric(
    rule: &Rule,
    usable: Vec<Seen>,
    mean_of: Option<u8>,
    unit: Option<&str>,
    notes: &mut Vec<String>,
) -> Vec<Candidate> {
    let take = usize::from(mean_of.unwrap_or(1).max(1));
    let chosen: Vec<&Seen> = usable.iter().take(take).collect();
    if chosen.len() < take {
        if !chosen.is_empty() {
            notes.push(format!("{}: fewer than {take} readings within the window; left out", rule.target.path));
        }
        return Vec::new();
    }
    let values: Vec<Decimal> = chosen.iter().filter_map(|s| s.value.as_ref().ok().map(|v| v.0)).collect();
    let sum = values.iter().try_fold(Decimal::ZERO, |a, v| a.checked_add(*v));
    let Some(mut value) = sum.and_then(|s| s.checked_div(Decimal::from(values.len().max(1)))) else {
        return Vec::new();
    };
    if take > 1 && rule.target.kind == Kind::Integer {
        value = value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    }
    let label = chosen.first().map_or(String::new(), |s| s.label.clone());
    let Some(json) = in_range(&rule.target, value, &label, notes) else { return Vec::new() };
    chosen
        .iter()
        .map(|s| {
            let shown = s.value.as_ref().map_or(String::new(), |v| v.1.clone());
            let shown = match unit {
                Some(u) if !shown.contains(' ') => units::with_unit(&shown, u),
                _ => shown,
            };
            let shown = format!("{shown} on {}", select::day(s.at));
            candidate(&rule.target, json.clone(), &s.label, Some(s.code.clone()), shown)
        })
        .collect()
}

fn coded(rule: &Rule, usable: Vec<Seen>, time_path: Option<&Target>) -> Vec<Candidate> {
    let Some(s) = usable.into_iter().next() else { return Vec::new() };
    let Ok((_, choice)) = &s.value else { return Vec::new() };
    let shown = format!("{choice} on {}", select::day(s.at));
    let mut out = vec![candidate(&rule.target, Value::String(choice.clone()), &s.label, Some(s.code.clone()), shown)];
    if let Some(t) = time_path {
        let shown = format!("taken {}", select::utc(s.at));
        out.push(candidate(t, Value::String(select::utc(s.at)), &s.label, Some(s.code.clone()), shown));
    }
    out
}

/// `true` from an active medication of the set. `false` only when the rule names the code
/// system every medication of the list is classified in (`classified_by`), a medication
/// list was read, and every medication on it that is not plainly stopped carries a code of
/// that system and none is doubtful (on hold, intended, unknown): a medication the rule
/// cannot classify, or one that may be taken, leaves the input out.
fn medication(
    target: &Target,
    codes: &[CodeMatch],
    classified_by: Option<&str>,
    pool: &Pool,
    notes: &mut Vec<String>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut doubt: Option<&str> = None;
    for (label, r) in &pool.items {
        let (concept, taking) = match r {
            Resource::MedicationStatement(m) => (m.medication_codeable_concept.as_ref(), select::statement_taking(m)),
            Resource::MedicationRequest(m) => (m.medication_codeable_concept.as_ref(), select::request_taking(m)),
            _ => continue,
        };
        match (taking, concept.and_then(|c| matching(c, codes))) {
            (Taking::No, _) => {}
            (Taking::Yes, Some(code)) => {
                out.push(candidate(target, Value::Bool(true), label, Some(code), "active".to_string()))
            }
            (Taking::Doubtful, Some(_)) => doubt = doubt.or(Some(label)),
            (_, None) => {
                let classified = concept.is_some_and(|c| c.codes().any(|(s, _)| Some(s) == classified_by));
                if !classified {
                    doubt = doubt.or(Some(label));
                }
            }
        }
    }
    if out.is_empty() && classified_by.is_some() && pool.medication_list {
        match doubt {
            None => {
                let shown = "none of these in the reconciled medication list".to_string();
                out.push(candidate(target, Value::Bool(false), "medication list", None, shown));
            }
            Some(label) => notes.push(format!(
                "{label}: not classifiable as `{}` (no code of the classifying system, or its status is in doubt); left out",
                target.path
            )),
        }
    }
    out
}

fn find_item<'a>(items: &'a [Item], link_id: &str) -> Option<&'a Item> {
    items.iter().find_map(|i| {
        if i.link_id == link_id {
            return Some(i);
        }
        find_item(&i.item, link_id).or_else(|| i.answer.iter().find_map(|a| find_item(&a.item, link_id)))
    })
}

fn answer(rule: &Rule, pool: &Pool, now: OffsetDateTime, notes: &mut Vec<String>) -> Option<Candidate> {
    let Source::Answer { questionnaire, link_id, within, unit, values } = &rule.source else { return None };
    let responses: Vec<(OffsetDateTime, &String, &resources::QuestionnaireResponse)> = pool
        .items
        .iter()
        .filter_map(|(label, r)| match r {
            Resource::QuestionnaireResponse(q) => Some((select::instant(q.authored.as_deref()?)?, label, q)),
            _ => None,
        })
        .filter(|(_, _, q)| {
            let canonical = q.questionnaire.as_deref().map(|c| c.split('|').next().unwrap_or(c));
            canonical == Some(questionnaire.as_str()) && matches!(q.status.as_str(), "completed" | "amended")
        })
        .collect();
    let (current, outside): (Vec<_>, Vec<_>) =
        responses.into_iter().partition(|(at, _, _)| select::in_window(*at, now, *within));
    let mut responses = current;
    let outside: Vec<&str> = outside
        .iter()
        .filter(|(_, _, q)| find_item(&q.item, link_id).is_some_and(|i| !i.answer.is_empty()))
        .map(|(_, label, _)| label.as_str())
        .collect();
    responses.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (at, label, q) in responses {
        let Some(a) = find_item(&q.item, link_id).and_then(|i| i.answer.first()) else { continue };
        match answered(&rule.target, a, unit.as_deref(), values, label, notes) {
            Some((value, shown)) => {
                let shown = format!("{shown} (answer '{link_id}') on {}", select::day(at));
                return Some(candidate(&rule.target, value, label, None, shown));
            }
            None => continue,
        }
    }
    outside_note(&rule.target.path, &outside, *within, notes);
    None
}

fn answered(
    target: &Target,
    a: &Answer,
    unit: Option<&str>,
    values: &[(CodeMatch, String)],
    label: &str,
    notes: &mut Vec<String>,
) -> Option<(Value, String)> {
    match target.kind {
        Kind::Boolean => a.value_boolean.map(|b| (Value::Bool(b), if b { "yes" } else { "no" }.to_string())),
        Kind::Choice => {
            let c = a.value_coding.as_ref()?;
            let concept = CodeableConcept { coding: vec![c.clone()], text: None };
            choice(&concept, values).map(|(choice, _)| (Value::String(choice.clone()), choice))
        }
        _ => {
            let (d, shown) = if let Some(q) = &a.value_quantity {
                match quantity(q, unit) {
                    Ok(v) => v,
                    Err(why) => {
                        notes.push(format!("{label} ignored for {}: {why}", target.path));
                        return None;
                    }
                }
            } else {
                let n = a.value_integer.as_ref().or(a.value_decimal.as_ref())?;
                let d = resources::decimal(n)?;
                (d, unit.map_or_else(|| d.normalize().to_string(), |u| units::with_unit(d.normalize(), u)))
            };
            in_range(target, d, label, notes).map(|v| (v, shown))
        }
    }
}
