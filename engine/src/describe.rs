//! Descriptions of a protocol for user interfaces and other tools: its inputs (grouped in
//! sections, with types, units, ranges, choices, labels and help), its decisions and its
//! sources, and a JSON Schema of its input documents. With them, the types of what
//! [`Protocol::value_shape`](crate::Protocol::value_shape) and
//! [`Protocol::hard_limits`](crate::Protocol::hard_limits) answer: how an output value is
//! written, and a dose ladder's hard limits.

use crate::input;
pub use crate::ir::decision::ValueShape;
use crate::ir::decision::{Decision, Output};
pub use crate::ir::ladder::Limit;
use crate::ir::schema::{Field, FieldType, ListDecl, Member, Shape};
pub use crate::ir::LadderId;
use crate::ir::Program;
use crate::output::{number, object, texts};
use serde::Serialize;
use serde_json::{Map, Value};

/// Everything a user interface needs to ask for a protocol's inputs and show its decisions.
#[derive(Debug, Clone, Serialize)]
pub struct Description {
    /// The protocol header and the hash of its source.
    pub protocol: ProtocolInfo,
    /// Inputs grouped by their first path segment, in declaration order.
    pub sections: Vec<Section>,
    /// The decisions, their rule kinds, verdicts and rules.
    pub decisions: Vec<DecisionInfo>,
    /// The citable sources.
    pub sources: Vec<SourceInfo>,
}

/// The protocol header.
#[derive(Debug, Clone, Serialize)]
pub struct ProtocolInfo {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// draft, testing, production or retired.
    pub status: String,
    /// Who signs it off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hex SHA-256 of the rule source.
    pub sha256: String,
}

/// A group of inputs: `patient`, `screening`, ... (`""` for top-level inputs such as `at`).
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// The first path segment.
    pub name: String,
    /// Its inputs, lists included, in declaration order.
    pub inputs: Vec<InputInfo>,
}

/// One declared input.
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    /// Dotted path; list item fields are written `list[].field`.
    pub path: String,
    /// boolean, integer, decimal, choice, timestamp or list.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The unit, for numbers that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Smallest admissible value (for a list, number of items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Value>,
    /// Largest admissible value (for a list, number of items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Value>,
    /// The choices, in declared order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    /// Label for people.
    pub label: String,
    /// Help text for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The list whose items hold this input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// What the input admits, in words.
    pub expects: String,
}

/// A decision.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionInfo {
    /// Its name in the output.
    pub name: String,
    /// Title for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The possible verdicts, in order.
    pub verdicts: Vec<String>,
    /// Rule kinds: `{kind, list, quiet, advisory}`.
    pub kinds: Vec<Value>,
    /// The fields the output has after `verdict`, in order (`missing` comes last).
    pub outputs: Vec<String>,
    /// Rules: `{id, kind, message, sources}`.
    pub rules: Vec<Value>,
    /// Display hints, each a JSON object, absent when the rule file gives none. `tones`: the
    /// tone of each verdict that has one (`{"hold": "hold"}`), one of ok, caution, hold, stop,
    /// unknown, done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tones: Option<Value>,
    /// `labels`: the label of each output that has one (`{"unmet": "Unmet criteria"}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Value>,
    /// `minutes_after`: the values counted in minutes after a timestamp input, with its path
    /// (`{"schedule": "observations.t0"}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes_after: Option<Value>,
}

/// A citable source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Where to read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Display hints as a JSON object, or none when there is none.
fn hints(map: Map<String, Value>) -> Option<Value> {
    (!map.is_empty()).then_some(Value::Object(map))
}

/// Describes a compiled program.
pub(crate) fn describe(program: &Program, sha256: &str) -> Description {
    let h = &program.header;
    Description {
        protocol: ProtocolInfo {
            name: h.name.clone(),
            version: h.version.clone(),
            status: h.status.clone(),
            owner: h.owner.clone(),
            description: h.description.clone(),
            sha256: sha256.to_string(),
        },
        sections: sections(program),
        decisions: program.decisions.iter().map(|d| decision_info(program, d)).collect(),
        sources: program
            .sources
            .iter()
            .map(|s| SourceInfo { key: s.key.clone(), title: s.title.clone(), url: s.url.clone() })
            .collect(),
    }
}

/// The inputs, in declaration order, grouped by their first path segment.
fn sections(program: &Program) -> Vec<Section> {
    let mut entries: Vec<(usize, InputInfo)> = Vec::new();
    for f in &program.schema.fields {
        entries.push((f.span.start, field_info(program, f)));
    }
    for l in &program.schema.lists {
        entries.push((l.span.start, list_info(program, l)));
    }
    entries.sort_by_key(|(at, _)| *at);
    let mut sections: Vec<Section> = Vec::new();
    for (_, info) in entries {
        let name = match info.path.split_once('.') {
            Some((first, _)) => first.trim_end_matches("[]").to_string(),
            None => String::new(),
        };
        match sections.iter_mut().find(|s| s.name == name) {
            Some(s) => s.inputs.push(info),
            None => sections.push(Section { name, inputs: vec![info] }),
        }
    }
    sections
}

/// A field input.
fn field_info(program: &Program, f: &Field) -> InputInfo {
    let (kind, unit, choices) = match &f.ty {
        FieldType::Boolean => ("boolean", None, None),
        FieldType::Timestamp => ("timestamp", None, None),
        FieldType::Choice(c) => ("choice", None, Some(c.clone())),
        FieldType::Number { integer, unit } => {
            (if *integer { "integer" } else { "decimal" }, (!unit.is_none()).then(|| unit.to_string()), None)
        }
    };
    InputInfo {
        path: f.path.clone(),
        kind,
        unit,
        min: f.range.map(|r| number(r.0)),
        max: f.range.map(|r| number(r.1)),
        choices,
        label: f.label.clone(),
        help: f.help.clone(),
        list: f.list.and_then(|l| program.schema.list(l)).map(|l| l.path.clone()),
        expects: input::describe(f),
    }
}

/// A list input.
fn list_info(program: &Program, l: &ListDecl) -> InputInfo {
    let expects = match l.range {
        Some((lo, hi)) => format!("a list of {lo}..{hi} items"),
        None => "a list of items".to_string(),
    };
    InputInfo {
        path: l.path.clone(),
        kind: "list",
        unit: None,
        min: l.range.map(|r| number(r.0)),
        max: l.range.map(|r| number(r.1)),
        choices: None,
        label: l.label.clone(),
        help: l.help.clone(),
        list: l.list.and_then(|p| program.schema.list(p)).map(|p| p.path.clone()),
        expects,
    }
}

/// Display hints from `(name, hint)` pairs, or none when there is none.
fn hint_map<'h>(pairs: impl Iterator<Item = (&'h String, &'h str)>) -> Option<Value> {
    hints(pairs.map(|(name, hint)| (name.clone(), Value::from(hint))).collect())
}

/// A decision: its verdicts, outputs, rule kinds, rules and display hints.
fn decision_info(program: &Program, d: &Decision) -> DecisionInfo {
    DecisionInfo {
        name: d.name.clone(),
        title: d.title.clone(),
        verdicts: d.tiers.iter().map(|t| t.verdict.clone()).collect(),
        tones: hint_map(d.tiers.iter().filter_map(|t| t.tone.as_ref().map(|tone| (&t.verdict, tone.as_str())))),
        labels: hint_map(d.labels.iter().map(|(name, label)| (name, label.as_str()))),
        minutes_after: hint_map(
            d.values.iter().filter_map(|v| v.minutes_after.as_ref().map(|p| (&v.name, p.as_str()))),
        ),
        outputs: d
            .outputs
            .iter()
            .filter_map(|o| match o {
                Output::Kind(k) => d.kinds.get(*k).map(|k| k.list.clone()),
                Output::Reasons(name) => Some(name.clone()),
                Output::Value(v) => d.values.get(*v).map(|v| v.name.clone()),
                Output::Due => Some("due".to_string()),
                Output::Alerts => Some("alerts".to_string()),
            })
            .collect(),
        kinds: d
            .kinds
            .iter()
            .map(|k| {
                object(vec![
                    ("kind", k.name.clone().into()),
                    ("list", k.list.clone().into()),
                    ("quiet", k.quiet.into()),
                    ("advisory", k.advisory.into()),
                ])
            })
            .collect(),
        rules: d
            .rules
            .iter()
            .map(|r| {
                let sources: Vec<Value> =
                    r.sources.iter().filter_map(|s| program.source(*s)).map(|s| s.key.as_str().into()).collect();
                object(vec![
                    ("id", r.id.clone().into()),
                    ("kind", d.kinds.get(r.kind).map(|k| k.name.as_str()).unwrap_or_default().into()),
                    ("message", r.message.clone().into()),
                    ("help", r.help.clone().into()),
                    ("sources", Value::Array(sources)),
                ])
            })
            .collect(),
    }
}

/// A JSON Schema (draft 2020-12) of the protocol's input documents. It states types,
/// ranges, choices and the absence of other members; a few rules stay with the engine
/// (exact decimals beyond 28 digits, members named twice).
pub(crate) fn json_schema(program: &Program) -> Value {
    let mut root = object_schema(program, &program.schema.root);
    if let Value::Object(map) = &mut root {
        map.insert("$schema".into(), "https://json-schema.org/draft/2020-12/schema".into());
        map.insert("title".into(), format!("{} {} input document", program.header.name, program.header.version).into());
    }
    root
}

fn object_schema(program: &Program, shape: &Shape) -> Value {
    let mut properties = Map::new();
    for (name, member) in &shape.members {
        let schema = match member {
            Member::Group(inner) => object_schema(program, inner),
            Member::Field(i) => match program.schema.field(*i) {
                Some(f) => {
                    let mut s = match &f.ty {
                        FieldType::Boolean => object(vec![("type", "boolean".into())]),
                        FieldType::Timestamp => object(vec![("type", "string".into()), ("format", "date-time".into())]),
                        FieldType::Choice(c) => object(vec![("type", "string".into()), ("enum", texts(c))]),
                        FieldType::Number { integer: true, .. } => object(vec![("type", "integer".into())]),
                        FieldType::Number { .. } => object(vec![("type", "number".into())]),
                    };
                    if let (Value::Object(map), Some((lo, hi))) = (&mut s, f.range) {
                        map.insert("minimum".into(), number(lo));
                        map.insert("maximum".into(), number(hi));
                    }
                    if let Value::Object(map) = &mut s {
                        map.insert("title".into(), f.label.clone().into());
                        if let Some(h) = &f.help {
                            map.insert("description".into(), h.clone().into());
                        }
                    }
                    s
                }
                None => Value::Object(Map::new()),
            },
            Member::List(i) => match program.schema.list(*i) {
                Some(l) => {
                    let mut s = object(vec![
                        ("type", "array".into()),
                        ("title", l.label.clone().into()),
                        ("items", object_schema(program, &l.item)),
                    ]);
                    if let (Value::Object(map), Some((lo, hi))) = (&mut s, l.range) {
                        map.insert("minItems".into(), number(lo));
                        map.insert("maxItems".into(), number(hi));
                    }
                    s
                }
                None => Value::Object(Map::new()),
            },
        };
        properties.insert(name.clone(), schema);
    }
    object(vec![
        ("type", "object".into()),
        ("properties", Value::Object(properties)),
        ("additionalProperties", false.into()),
    ])
}

#[cfg(test)]
mod tests {
    use crate::Protocol;

    const SOURCE: &str = "protocol \"P\" version \"1\" status draft\nsource S \"s\"\ninput at: timestamp \"Now\"\ninput patient.age: integer years in 0..120 \"Age\" help \"Completed years\"\ninput patient.sex: one of f, m \"Sex\"\ninput course.sessions: list in 0..6 \"Sessions\"\ninput course.sessions[].dose: decimal mg in 0..400 \"Dose\"\ndecision d\n  list l of k\n  verdict v otherwise\n  k r \"R\" when patient.age > 3 years [S]\n";

    #[test]
    fn inputs_are_grouped_by_section_with_their_types() {
        let p = Protocol::compile(SOURCE).unwrap();
        let d = serde_json::to_value(p.describe()).unwrap();
        let names: Vec<&str> = d["sections"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["", "patient", "course"]);
        let age = &d["sections"][1]["inputs"][0];
        assert_eq!(age["type"], "integer");
        assert_eq!(age["unit"], "years");
        assert_eq!(age["min"], 0);
        assert_eq!(age["max"], 120);
        assert_eq!(age["help"], "Completed years");
        assert_eq!(age["expects"], "an integer in 0..120 years");
        assert_eq!(d["sections"][1]["inputs"][1]["choices"], serde_json::json!(["f", "m"]));
        let dose = &d["sections"][2]["inputs"][1];
        assert_eq!(dose["list"], "course.sessions");
        assert_eq!(d["decisions"][0]["rules"][0]["sources"], serde_json::json!(["S"]));
    }

    #[test]
    fn display_hints_are_described_only_where_given() {
        let src = SOURCE.replace("  list l of k\n  verdict v otherwise\n", "  list l \"Ell\" of k\n  verdict u if any k or unknown k tone stop\n  verdict v otherwise tone ok\n  value n \"Number\" minutes after at = 3\n  value m = [1, 2]\n");
        let p = Protocol::compile(&src).unwrap();
        let d = serde_json::to_value(p.describe()).unwrap();
        let d = &d["decisions"][0];
        assert_eq!(d["tones"], serde_json::json!({"u": "stop", "v": "ok"}));
        assert_eq!(d["labels"], serde_json::json!({"l": "Ell", "n": "Number"}));
        assert_eq!(d["minutes_after"], serde_json::json!({"n": "at"}));
        // Without hints, no member at all.
        let plain = serde_json::to_value(Protocol::compile(SOURCE).unwrap().describe()).unwrap();
        for key in ["tones", "labels", "minutes_after"] {
            assert!(plain["decisions"][0].get(key).is_none(), "{key}");
        }
    }

    #[test]
    fn the_json_schema_closes_every_object() {
        let p = Protocol::compile(SOURCE).unwrap();
        let s = p.json_schema();
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["properties"]["patient"]["properties"]["age"]["maximum"], 120);
        assert_eq!(s["properties"]["course"]["properties"]["sessions"]["maxItems"], 6);
        assert_eq!(s["properties"]["course"]["properties"]["sessions"]["items"]["additionalProperties"], false);
        assert_eq!(s["properties"]["at"]["format"], "date-time");
    }
}
