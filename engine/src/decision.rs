//! The output model: what an evaluation returns, serialised as the JSON contract.

use indexmap::IndexMap;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// How restrictive a verdict's tone is, from 0 (`stop`), then `hold` and `done`, `unknown`,
/// `caution`, to 4 (`ok`): a verdict of a higher rank lets more through (`hold -> proceed`,
/// `ineligible -> eligible`). Tones are the rule file's display hints; a verdict without one
/// (or of another tone) is not ranked.
pub fn tone_rank(tone: &str) -> Option<u8> {
    match tone {
        "stop" => Some(0),
        "hold" | "done" => Some(1),
        "unknown" => Some(2),
        "caution" => Some(3),
        "ok" => Some(4),
        _ => None,
    }
}

/// The result of evaluating one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Which protocol decided, down to the hash of its source.
    pub protocol: ProtocolRef,
    /// The engine's version.
    pub engine: &'static str,
    /// Each decision made, by name, in the protocol's order.
    pub decisions: IndexMap<String, DecisionOutcome>,
    /// Each rule that fired or stayed undetermined, with what it read and why it matters.
    pub explanation: Vec<Explanation>,
}

/// Identifies the protocol that made a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtocolRef {
    /// The protocol's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Hex SHA-256 of the rule source.
    pub sha256: String,
}

/// One decision's outcome: `verdict`, then its lists and values in declaration order, then
/// `missing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionOutcome {
    /// The verdict; empty for a decision without verdicts, which writes neither `verdict`
    /// nor `missing`.
    pub verdict: String,
    /// Output lists (`exclusions`, `cautions`, `reasons`...: ids of true rules, sorted by
    /// code point) and values (`number`, `dose`...; left out when unknown), in order.
    pub fields: Vec<(String, OutputField)>,
    /// Sorted paths of absent inputs that left a rule of this decision unknown.
    pub missing: Vec<String>,
    /// Whether `missing` is written: always with a verdict, and for a decision without one
    /// when it has rules or alerts that can be undecided.
    pub reports_missing: bool,
}

/// A field of a decision's output after its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputField {
    /// Rule ids.
    Ids(Vec<String>),
    /// A value.
    Value(serde_json::Value),
}

impl DecisionOutcome {
    /// The ids in the output list `name`.
    pub fn list(&self, name: &str) -> Option<&[String]> {
        self.fields.iter().find_map(|(n, f)| match f {
            OutputField::Ids(ids) if n == name => Some(ids.as_slice()),
            _ => None,
        })
    }

    /// The output value `name`.
    pub fn value(&self, name: &str) -> Option<&serde_json::Value> {
        self.fields.iter().find_map(|(n, f)| match f {
            OutputField::Value(v) if n == name => Some(v),
            _ => None,
        })
    }
}

impl DecisionOutcome {
    /// The JSON object its serialisation writes: how a decision `within` another becomes a
    /// field of that one's output. Built here rather than by `serde_json::to_value`, whose
    /// serialiser the .wasm then does not hold.
    pub(crate) fn into_value(self) -> serde_json::Value {
        let has_verdict = !self.verdict.is_empty();
        let mut map = serde_json::Map::new();
        if has_verdict {
            map.insert("verdict".into(), self.verdict.into());
        }
        for (name, field) in self.fields {
            let value = match field {
                OutputField::Ids(ids) => ids.into(),
                OutputField::Value(v) => v,
            };
            map.insert(name, value);
        }
        if has_verdict || self.reports_missing {
            map.insert("missing".into(), self.missing.into());
        }
        serde_json::Value::Object(map)
    }
}

impl Serialize for DecisionOutcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A decision without verdicts (a schedule) writes only its fields.
        let has_verdict = !self.verdict.is_empty();
        let mut map = serializer.serialize_map(Some(self.fields.len() + 2))?;
        if has_verdict {
            map.serialize_entry("verdict", &self.verdict)?;
        }
        for (name, field) in &self.fields {
            match field {
                OutputField::Ids(ids) => map.serialize_entry(name, ids)?,
                OutputField::Value(v) => map.serialize_entry(name, v)?,
            }
        }
        if has_verdict || self.reports_missing {
            map.serialize_entry("missing", &self.missing)?;
        }
        map.end()
    }
}

/// Whether a rule's condition was true or could not be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleResult {
    /// The condition holds: the rule fired.
    Fired,
    /// The condition depends on absent inputs.
    Undetermined,
    /// A value the decision computed (a dose).
    Computed,
}

/// Why a rule fired or stayed undetermined, for a clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The decision it belongs to.
    pub decision: String,
    /// The rule's kind (`exclude`, `caution`, ...).
    pub kind: String,
    /// The rule's id.
    pub rule: String,
    /// Fired or undetermined.
    pub result: RuleResult,
    /// The rule's message.
    pub message: String,
    /// The rule's help text, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The sources it cites.
    pub sources: Vec<Citation>,
    /// The inputs its condition reads, with their values.
    pub read: Vec<Reading>,
    /// The absent inputs that left it undetermined.
    pub missing: Vec<String>,
    /// All of the above in one sentence.
    pub text: String,
    /// For a dose: the arithmetic, step by step, so it can be checked by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dose: Option<DoseTrace>,
}

/// How a dose was computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseTrace {
    /// The ladder.
    pub ladder: String,
    /// The route.
    pub route: String,
    /// The level.
    pub level: String,
    /// The amount at that level: mg, or mg/kg.
    pub amount: String,
    /// The dosing weight used, for a dose per kg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<String>,
    /// Amount × weight, before rounding.
    pub raw_mg: String,
    /// Rounded down to a multiple of this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_down_to_mg: Option<String>,
    /// The dose.
    pub dose_mg: String,
    /// The route's cap for this patient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_mg: Option<String>,
}

/// A cited source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Its key.
    pub key: String,
    /// Its title.
    pub title: String,
    /// Where to read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// An input a rule read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// Its path.
    pub path: String,
    /// Its value (`"155"`, `"true"`, `"manic"`; numbers without trailing zeros,
    /// timestamps in UTC); left out when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Its unit, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{DecisionOutcome, OutputField};

    #[test]
    fn an_outcome_as_a_value_is_its_serialisation() {
        let dose: serde_json::Value = serde_json::from_str(r#"{"value": 49.5, "unit": "mg"}"#).unwrap();
        let fields = vec![
            ("exclusions".to_string(), OutputField::Ids(vec!["b".into(), "a".into()])),
            ("dose".to_string(), OutputField::Value(dose)),
        ];
        for (verdict, reports_missing) in [("go", false), ("", true), ("", false)] {
            let outcome = DecisionOutcome {
                verdict: verdict.to_string(),
                fields: fields.clone(),
                missing: vec!["patient.age".into()],
                reports_missing,
            };
            let value = outcome.clone().into_value();
            assert_eq!(value, serde_json::to_value(&outcome).unwrap());
            assert_eq!(serde_json::to_string(&value).unwrap(), serde_json::to_string(&outcome).unwrap());
        }
    }
}
