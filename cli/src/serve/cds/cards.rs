//! The card answering a call: the decision's verdict as the indicator, a summary under 140
//! characters, and a Markdown detail with the reasons (rule ids, messages, sources), the
//! values read with their units, the dose and its arithmetic, and, when the verdict is
//! indeterminate, the missing inputs by their labels. The source names the protocol, its
//! version and its sha256.

use super::config::ServiceConfig;
use super::State;
use crate::fhir::Mapped;
use kap_engine::decision::{DecisionOutcome, DoseTrace, OutputField};
use kap_engine::describe::{DecisionInfo, Description};
use kap_engine::{Error, Evaluation};
use serde_json::{json, Value};

/// The longest summary, in characters (CDS Hooks: fewer than 140).
const SUMMARY_MAX: usize = 139;

/// The card for the service's decision on the mapped document.
pub fn card(state: &State, service: &ServiceConfig, mapped: &Mapped, notes: &[String]) -> Value {
    let notes: Vec<String> = notes.iter().chain(&mapped.notes).cloned().collect();
    let evaluated = evaluate(state, &mapped.document);
    let body = match evaluated {
        Ok(eval) => match eval.decisions.get(&service.decision) {
            Some(outcome) => decided(state, service, &eval, outcome, mapped, &notes),
            None => fill_in(state, service, mapped, &notes),
        },
        Err(Error::Input(e)) => {
            let label = label(&state.about, &e.path);
            let text = format!("{label} (`{}`) from the record cannot be used: {}.", e.path, e.message);
            undecided(state, service, "the record gives a value the protocol does not accept", &text, &notes)
        }
        Err(Error::Evaluation(_)) => {
            let text = "The evaluation failed on this record (an arithmetic limit). Decide without kap.";
            undecided(state, service, "the evaluation failed", text, &notes)
        }
    };
    finish(state, body)
}

/// A card's summary, indicator and detail, before its id and source are added.
struct Body {
    summary: String,
    indicator: &'static str,
    detail: String,
}

fn evaluate(state: &State, document: &Value) -> Result<Evaluation, Error> {
    // The document is the mapping's own JSON: serialising it cannot fail on a `Value`.
    let text = serde_json::to_string(document).unwrap_or_else(|_| "{}".into());
    state.protocol.evaluate_json(&text)
}

/// When the decision does not apply to the document (none of the groups it decides on is
/// there), evaluates again with each missing group present and empty: the decision then
/// says which of its inputs are missing. When no such document is accepted, the card names
/// the inputs the engine asked for.
fn fill_in(state: &State, service: &ServiceConfig, mapped: &Mapped, notes: &[String]) -> Body {
    let mut asked = Vec::new();
    let present = mapped.document.as_object().cloned().unwrap_or_default();
    for section in state.about.sections.iter().filter(|s| !s.name.is_empty() && !present.contains_key(&s.name)) {
        let mut document = present.clone();
        document.insert(section.name.clone(), json!({}));
        match evaluate(state, &Value::Object(document)) {
            Ok(eval) => {
                if let Some(outcome) = eval.decisions.get(&service.decision) {
                    return decided(state, service, &eval, outcome, mapped, notes);
                }
            }
            Err(Error::Input(e)) if !e.path.is_empty() => asked.push(e.path),
            Err(_) => {}
        }
    }
    let mut text = String::from("The record lacks what this decision starts from:\n\n");
    for path in &asked {
        text.push_str(&format!("- {} (`{path}`)\n", label(&state.about, path)));
    }
    undecided(state, service, "not enough in the record to decide", &text, notes)
}

/// The card of a decision that could not be made: a warning, its reason and the notes.
fn undecided(state: &State, service: &ServiceConfig, why: &str, text: &str, notes: &[String]) -> Body {
    let title = title(info(&state.about, &service.decision), &service.decision);
    let mut detail = format!("**{title}: indeterminate** ({why})\n\n{text}\n");
    push_notes(&mut detail, notes);
    Body { summary: shorten(&format!("{title}: indeterminate, {why}")), indicator: "warning", detail }
}

fn decided(
    state: &State,
    service: &ServiceConfig,
    eval: &Evaluation,
    outcome: &DecisionOutcome,
    mapped: &Mapped,
    notes: &[String],
) -> Body {
    let about = &state.about;
    let info = info(about, &service.decision);
    let title = title(info, &service.decision);
    let verdict = if outcome.verdict.is_empty() { "decided".to_string() } else { outcome.verdict.replace('_', " ") };
    let mut detail = format!("**{title}: {verdict}**\n\n");
    let mut headline = None;
    for (field, value) in &outcome.fields {
        let heading = info
            .and_then(|d| d.labels.as_ref())
            .and_then(|l| l.get(field))
            .and_then(Value::as_str)
            .map_or_else(|| capitalised(field), str::to_string);
        match value {
            OutputField::Ids(ids) if !ids.is_empty() => {
                detail.push_str(&format!("**{heading}**\n\n"));
                for id in ids {
                    let line = reason(about, info, id, &rule_readings(about, eval, &service.decision, id));
                    headline.get_or_insert_with(|| rule_message(info, id).unwrap_or_else(|| id.clone()));
                    detail.push_str(&format!("- {line}\n"));
                }
                detail.push('\n');
            }
            OutputField::Ids(_) => {}
            OutputField::Value(v) => detail.push_str(&format!("**{heading}**: {}\n\n", crate::summary::show(v))),
        }
    }
    let doses: Vec<&DoseTrace> =
        eval.explanation.iter().filter(|e| e.decision == service.decision).filter_map(|e| e.dose.as_ref()).collect();
    for dose in &doses {
        detail.push_str(&format!("**Dose arithmetic**: {}\n\n", arithmetic(dose)));
    }
    if !outcome.missing.is_empty() {
        detail.push_str(if outcome.verdict == "indeterminate" {
            "**Missing to decide** (not found in the record, unless said)\n\n"
        } else {
            "**Not in the record** (the rules that read these stayed undecided)\n\n"
        });
        for path in &outcome.missing {
            // Found, but not usable (outside the mapping's window, fewer readings than a
            // mean needs): the mapping's note on it says so beside it.
            let why = mapped.notes.iter().find_map(|n| n.strip_prefix(path.as_str())?.strip_prefix(": "));
            let why = why.map(|w| format!(": {}", w.trim_start_matches("left out: "))).unwrap_or_default();
            detail.push_str(&format!("- {} (`{path}`){why}\n", label(about, path)));
        }
        detail.push('\n');
    }
    push_read(&mut detail, about, eval, &service.decision, mapped);
    push_notes(&mut detail, notes);
    let more = match (outcome.missing.len(), headline, doses.first()) {
        (n, _, _) if n > 0 && outcome.verdict == "indeterminate" => {
            format!(": {n} input{} missing", if n == 1 { "" } else { "s" })
        }
        (_, Some(message), _) => format!(": {message}"),
        (_, None, Some(dose)) => format!(": {} mg ({}, {})", dose.dose_mg, dose.route, dose.level),
        _ => String::new(),
    };
    Body {
        summary: shorten(&format!("{title}: {verdict}{more}")),
        indicator: indicator(info, &outcome.verdict),
        detail,
    }
}

/// The card's indicator from the verdict's tone in the rule file (stop: critical; ok and
/// done: info; hold, caution, unknown: warning), or from the verdict's name without one.
pub fn indicator(info: Option<&DecisionInfo>, verdict: &str) -> &'static str {
    let tone = info.and_then(|d| d.tones.as_ref()).and_then(|t| t.get(verdict)).and_then(Value::as_str);
    match (tone, verdict) {
        (Some("stop"), _) | (None, "ineligible" | "stop") => "critical",
        (Some("ok" | "done"), _) | (None, "eligible" | "proceed" | "") => "info",
        _ => "warning",
    }
}

fn info<'a>(about: &'a Description, decision: &str) -> Option<&'a DecisionInfo> {
    about.decisions.iter().find(|d| d.name == decision)
}

fn title(info: Option<&DecisionInfo>, decision: &str) -> String {
    info.and_then(|d| d.title.clone()).unwrap_or_else(|| decision.to_string())
}

fn rule_message(info: Option<&DecisionInfo>, id: &str) -> Option<String> {
    let rule = info?.rules.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(id))?;
    rule.get("message").and_then(Value::as_str).map(str::to_string)
}

/// A rule that holds, for people: its message, its id and its sources with their titles.
fn reason(about: &Description, info: Option<&DecisionInfo>, id: &str, read: &str) -> String {
    let rule = info.and_then(|d| d.rules.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(id)));
    let message = rule_message(info, id).unwrap_or_default();
    let keys: Vec<&str> = rule
        .and_then(|r| r.get("sources"))
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let sources: Vec<String> = keys
        .iter()
        .map(|key| match about.sources.iter().find(|s| s.key == *key) {
            Some(s) => match &s.url {
                Some(url) => format!("[{key}]({url}) {}", s.title),
                None => format!("{key} {}", s.title),
            },
            None => (*key).to_string(),
        })
        .collect();
    let cited = if sources.is_empty() { String::new() } else { format!(" — {}", sources.join("; ")) };
    format!("{message} (`{id}`){read}{cited}")
}

/// What a rule read, beside its reason (`: read Systolic blood pressure today 182 mmHg`),
/// so the value that decided is next to the decision; empty when it read nothing known.
fn rule_readings(about: &Description, eval: &Evaluation, decision: &str, id: &str) -> String {
    let read: Vec<String> = eval
        .explanation
        .iter()
        .filter(|e| e.decision == decision && e.rule == id)
        .flat_map(|e| &e.read)
        .filter_map(|r| {
            let value = r.value.as_ref()?;
            let unit = r.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
            Some(format!("{} {value}{unit}", label(about, &r.path)))
        })
        .collect();
    if read.is_empty() {
        String::new()
    } else {
        format!(": read {}", read.join(", "))
    }
}

/// A dose's arithmetic: amount × weight = raw, rounded, capped; each amount once (a fixed
/// dose is its amount; a rounding that changes nothing is not written).
fn arithmetic(dose: &DoseTrace) -> String {
    let mut text = format!("{} {} at {}: ", dose.ladder, dose.route, dose.level);
    let rounded = dose.round_down_to_mg.as_ref().filter(|_| dose.raw_mg != dose.dose_mg);
    if dose.weight_kg.is_some() || rounded.is_some() {
        text.push_str(&dose.amount);
        if let Some(weight) = &dose.weight_kg {
            text.push_str(&format!(" × {weight} kg"));
        }
        if let Some(step) = rounded {
            if dose.weight_kg.is_some() {
                text.push_str(&format!(" = {} mg", dose.raw_mg));
            }
            text.push_str(&format!(", rounded down to a multiple of {step} mg"));
        }
        text.push_str(" = ");
    }
    text.push_str(&format!("**{} mg**", dose.dose_mg));
    if let Some(cap) = &dose.cap_mg {
        text.push_str(&format!(" (cap for this patient: {cap} mg)"));
    }
    text
}

/// The values read: from the record, as the mapping shows them, then those the rules read
/// with their units.
fn push_read(detail: &mut String, about: &Description, eval: &Evaluation, decision: &str, mapped: &Mapped) {
    let mut lines = Vec::new();
    let mut shown = std::collections::HashSet::new();
    for read in &mapped.read {
        shown.insert(read.path.clone());
        lines.push(format!("- {}: {} ({})", label(about, &read.path), read.shown, read.resource));
    }
    for reading in eval.explanation.iter().filter(|e| e.decision == decision).flat_map(|e| &e.read) {
        let Some(value) = &reading.value else { continue };
        if shown.insert(reading.path.clone()) {
            let unit = reading.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
            lines.push(format!("- {}: {value}{unit}", label(about, &reading.path)));
        }
    }
    if !lines.is_empty() {
        detail.push_str("**Values read**\n\n");
        detail.push_str(&lines.join("\n"));
        detail.push_str("\n\n");
    }
}

fn push_notes(detail: &mut String, notes: &[String]) {
    if !notes.is_empty() {
        detail.push_str("**Notes**\n\n");
        for note in notes {
            detail.push_str(&format!("- {note}\n"));
        }
        detail.push('\n');
    }
}

/// An input's label, by its path (list items as `list[].field`), or the path itself.
fn label(about: &Description, path: &str) -> String {
    crate::summary::input_label(about, path).unwrap_or(path).to_string()
}

/// `name` with its first letter in capitals: an output's name as a heading.
fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default().replace('_', " ")
}

/// `text` cut to [`SUMMARY_MAX`] characters, an ellipsis marking the cut.
fn shorten(text: &str) -> String {
    if text.chars().count() <= SUMMARY_MAX {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(SUMMARY_MAX - 1).collect();
    cut.push('…');
    cut
}

/// The whole card: id, summary, indicator, detail and source.
fn finish(state: &State, body: Body) -> Value {
    let p = &state.about.protocol;
    let mut detail = body.detail;
    detail.push_str(&format!(
        "---\n{} {} ({}), sha256 `{}`; kap engine {}.",
        p.name,
        p.version,
        p.status,
        p.sha256,
        kap_engine::ENGINE_VERSION
    ));
    let mut source = json!({
        "label": format!("{} {} (sha256 {})", p.name, p.version, p.sha256.get(..12).unwrap_or(&p.sha256)),
        "topic": {"system": "urn:kap:protocol-sha256", "code": p.sha256, "display": format!("{} {}", p.name, p.version)},
    });
    if let (Some(url), Some(object)) = (&state.config.source_url, source.as_object_mut()) {
        object.insert("url".into(), Value::String(url.clone()));
    }
    json!({
        "uuid": uuid::Uuid::new_v4().to_string(),
        "summary": body.summary,
        "indicator": body.indicator,
        "detail": detail,
        "source": source,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn summaries_stay_under_140_characters() {
        let long = "é".repeat(300);
        assert_eq!(shorten(&long).chars().count(), SUMMARY_MAX);
        assert!(shorten(&long).ends_with('…'));
        assert_eq!(shorten("Eligible"), "Eligible");
    }

    #[test]
    fn indicators_follow_the_verdicts_tones() {
        let protocol = kap_engine::Protocol::compile(include_str!("../../../../rules/kap-reference.kap")).unwrap();
        let about = protocol.describe();
        let expected = [
            ("eligibility", "ineligible", "critical"),
            ("eligibility", "indeterminate", "warning"),
            ("eligibility", "eligible_with_cautions", "warning"),
            ("eligibility", "eligible", "info"),
            ("session", "stop", "critical"),
            ("session", "hold", "warning"),
            ("session", "indeterminate", "warning"),
            ("session", "proceed", "info"),
        ];
        for (decision, verdict, indicator_expected) in expected {
            assert_eq!(indicator(info(&about, decision), verdict), indicator_expected, "{decision} {verdict}");
        }
        assert_eq!(indicator(None, "stop"), "critical");
        assert_eq!(indicator(None, "hold"), "warning");
    }
}

/// Cards made from documents as a mapping would give them (the conformance corpus's worked
/// examples), so that each verdict's card is checked whatever the FHIR mapping covers.
#[cfg(test)]
mod corpus_cards {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::fhir::Read;

    fn service() -> super::super::Service {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
        let dir = std::env::temp_dir().join(format!("kap-cards-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = format!(
            "protocol = \"{}\"\nmapping = \"{}\"\nbase_url = \"https://cds.kap.test\"\nallow_unsigned = true\n\
             source_url = \"https://clinic.example.org/kap\"\n\
             [[service]]\nid = \"e\"\nhook = \"patient-view\"\ndecision = \"eligibility\"\ntitle = \"E\"\ndescription = \"E\"\n\
             [[service]]\nid = \"s\"\nhook = \"order-sign\"\ndecision = \"session\"\ntitle = \"S\"\ndescription = \"S\"\n",
            root.join("rules/kap-reference.kap").display(),
            root.join("rules/fhir-mapping.toml").display()
        );
        // A file of its own for each call: tests run at once in one process, and one writing
        // the file while another reads it gave the reader an empty file.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file = dir.join(format!("config-{call}.toml"));
        std::fs::write(&file, config).unwrap();
        super::super::Service::load(&file).unwrap()
    }

    fn corpus(name: &str) -> Value {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/corpus/examples").join(name)).unwrap()).unwrap()
    }

    fn card_for(decision: usize, document: Value, read: Vec<Read>) -> Value {
        let service = service();
        let state = &service.0;
        let mapped = Mapped { document, read, notes: vec!["a note".into()] };
        card(state, &state.config.services[decision], &mapped, &[])
    }

    #[test]
    fn an_eligible_patient_gets_an_info_card() {
        let read = vec![Read {
            path: "patient.weight".into(),
            resource: "Observation/weight-1".into(),
            code: Some("http://loinc.org|29463-7".into()),
            shown: "70 kg on 2026-11-30".into(),
        }];
        let card = card_for(0, corpus("01-eligible-intake.json"), read);
        assert_eq!(card["indicator"], "info");
        assert_eq!(card["summary"], "Eligibility for a course (intake): eligible");
        let detail = card["detail"].as_str().unwrap();
        assert!(detail.starts_with("**Eligibility for a course (intake): eligible**\n\n"), "{detail}");
        assert!(
            detail.contains("**Values read**\n\n- Body weight: 70 kg on 2026-11-30 (Observation/weight-1)"),
            "{detail}"
        );
        assert!(detail.contains("**Notes**\n\n- a note"), "{detail}");
        assert!(!detail.contains("Missing to decide"), "{detail}");
        assert_eq!(card["source"]["url"], "https://clinic.example.org/kap");
        assert!(card["source"]["label"].as_str().unwrap().starts_with("KAP reference 2027.1.0 (sha256 "));
        assert_eq!(card["source"]["topic"]["code"].as_str().unwrap().len(), 64);
        assert_eq!(card["uuid"].as_str().unwrap().len(), 36);
    }

    #[test]
    fn an_ineligible_patient_gets_a_critical_card_with_reasons_and_sources() {
        let card = card_for(0, corpus("02-ineligible.json"), vec![]);
        assert_eq!(card["indicator"], "critical");
        let summary = card["summary"].as_str().unwrap();
        assert!(summary.starts_with("Eligibility for a course (intake): ineligible: "), "{summary}");
        let detail = card["detail"].as_str().unwrap();
        assert!(detail.contains("**Exclusions**\n\n- "), "{detail}");
        assert!(detail.contains("— [K"), "sources are linked: {detail}");
        assert!(detail.contains("**Values read**"), "{detail}");
    }

    #[test]
    fn an_indeterminate_patient_gets_a_warning_naming_the_missing_inputs_by_label() {
        let card = card_for(0, corpus("03-indeterminate.json"), vec![]);
        assert_eq!(card["indicator"], "warning");
        let summary = card["summary"].as_str().unwrap();
        assert!(summary.starts_with("Eligibility for a course (intake): indeterminate: "), "{summary}");
        assert!(summary.ends_with("missing"), "{summary}");
        let detail = card["detail"].as_str().unwrap();
        assert!(detail.contains("**Missing to decide** (not found in the record, unless said)\n\n- "), "{detail}");
    }

    #[test]
    fn a_session_that_proceeds_shows_its_dose_and_arithmetic() {
        let card = card_for(1, corpus("04-session3-im-escalate.json"), vec![]);
        assert_eq!(card["indicator"], "info");
        let summary = card["summary"].as_str().unwrap();
        assert!(summary.starts_with("The next dosing session: proceed: "), "{summary}");
        let detail = card["detail"].as_str().unwrap();
        assert!(detail.contains("**Dose**: 40 mg") && detail.contains("**Level**: L2"), "{detail}");
        assert!(detail.contains("**Dose arithmetic**: ketamine intramuscular at L2: 0.6 mg/kg × "), "{detail}");
        assert!(
            detail.contains("0.6 mg/kg × 70 kg = 42 mg, rounded down to a multiple of 5 mg = **40 mg**"),
            "{detail}"
        );
    }

    #[test]
    fn the_dose_arithmetic_writes_each_amount_once() {
        let dose = |weight: Option<&str>, amount: &str, raw: &str, round: Option<&str>, dose: &str| DoseTrace {
            ladder: "ketamine".into(),
            route: "intramuscular".into(),
            level: "L2".into(),
            amount: amount.into(),
            weight_kg: weight.map(Into::into),
            raw_mg: raw.into(),
            round_down_to_mg: round.map(Into::into),
            dose_mg: dose.into(),
            cap_mg: None,
        };
        for (trace, text) in [
            (
                dose(Some("77"), "0.6 mg/kg", "46.2", Some("5"), "45"),
                "0.6 mg/kg × 77 kg = 46.2 mg, rounded down to a multiple of 5 mg = **45 mg**",
            ),
            (dose(Some("75"), "0.6 mg/kg", "45", Some("5"), "45"), "0.6 mg/kg × 75 kg = **45 mg**"),
            (dose(Some("75"), "0.6 mg/kg", "45", None, "45"), "0.6 mg/kg × 75 kg = **45 mg**"),
            (dose(None, "102 mg", "102", Some("5"), "100"), "102 mg, rounded down to a multiple of 5 mg = **100 mg**"),
            (dose(None, "100 mg", "100", Some("5"), "100"), "**100 mg**"),
            (dose(None, "100 mg", "100", None, "100"), "**100 mg**"),
        ] {
            assert_eq!(arithmetic(&trace), format!("ketamine intramuscular at L2: {text}"));
        }
    }

    #[test]
    fn a_held_session_gets_a_warning() {
        let card = card_for(1, corpus("05-session-hold.json"), vec![]);
        assert_eq!(card["indicator"], "warning");
        assert!(card["summary"].as_str().unwrap().starts_with("The next dosing session: hold: "), "{card}");
        // The value that decided stands beside the reason, not only in the list of values read.
        let detail = card["detail"].as_str().unwrap();
        let reason = detail
            .lines()
            .find(|l| l.starts_with("- ") && l.contains("(`no_escort`)"))
            .unwrap_or_else(|| panic!("{detail}"));
        assert!(reason.contains(": read Escort home confirmed false — [S3]"), "{reason}");
    }
}
