//! Typed reading of the FHIR R4 resources the mapping uses: exactly the resources and the
//! elements it reads, with the elements R4 makes required (1..1) required here too, so a
//! resource that lacks one is refused rather than half read.
//!
//! Numbers are read as [`serde_json::Number`] and turned into exact decimals from their
//! text: serde_json's `arbitrary_precision` (which kap-engine turns on in every build that
//! links it) keeps that text, and no number goes through a float or an untagged enum.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Number, Value};
use std::str::FromStr;

/// A code from a code system (R4 `Coding`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Coding {
    /// The code system's URI.
    pub system: Option<String>,
    /// The code.
    pub code: Option<String>,
    /// Its name, for people (shown on cards, never logged).
    pub display: Option<String>,
}

/// Codes for one concept (R4 `CodeableConcept`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CodeableConcept {
    /// The codings.
    #[serde(default)]
    pub coding: Vec<Coding>,
    /// The concept as the clinician entered it.
    pub text: Option<String>,
}

impl CodeableConcept {
    /// The concept's name for people: its text, else the first coding's display.
    pub fn name(&self) -> Option<&str> {
        self.text.as_deref().or_else(|| self.coding.iter().find_map(|c| c.display.as_deref()))
    }
}

/// A measured amount (R4 `Quantity`).
#[derive(Debug, Clone, Deserialize)]
pub struct Quantity {
    /// The value, exact.
    pub value: Option<Number>,
    /// The unit's code system (UCUM: `http://unitsofmeasure.org`).
    pub system: Option<String>,
    /// The unit's code.
    pub code: Option<String>,
}

/// A reference to another resource.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// `Patient/123`.
    pub reference: Option<String>,
}

/// A time range.
#[derive(Debug, Clone, Deserialize)]
pub struct Period {
    /// Its start.
    pub start: Option<String>,
}

/// A patient (R4 `Patient`): only the birth date is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    /// `YYYY-MM-DD` (or a partial date, which is not read).
    pub birth_date: Option<String>,
}

/// The value elements shared by an Observation and its components (`value[x]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Values {
    /// valueQuantity.
    pub value_quantity: Option<Quantity>,
    /// valueCodeableConcept.
    pub value_codeable_concept: Option<CodeableConcept>,
    /// valueBoolean.
    pub value_boolean: Option<bool>,
    /// valueInteger.
    pub value_integer: Option<Number>,
    /// valueString.
    pub value_string: Option<String>,
}

/// One part of an Observation (R4 `Observation.component`).
#[derive(Debug, Clone, Deserialize)]
pub struct Component {
    /// What it is.
    pub code: CodeableConcept,
    /// Its value.
    #[serde(flatten)]
    pub values: Values,
}

/// A measurement or assessment (R4 `Observation`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    /// registered, preliminary, final, amended, corrected, cancelled, entered-in-error, unknown.
    pub status: String,
    /// What was observed.
    pub code: CodeableConcept,
    /// Whom it is about.
    pub subject: Option<Reference>,
    /// When (a time).
    pub effective_date_time: Option<String>,
    /// When (a period: its start is read).
    pub effective_period: Option<Period>,
    /// Its value.
    #[serde(flatten)]
    pub values: Values,
    /// Its parts (blood pressure panel, a dosing session).
    #[serde(default)]
    pub component: Vec<Component>,
}

/// A diagnosis or problem (R4 `Condition`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// active, recurrence, relapse, inactive, remission, resolved.
    pub clinical_status: Option<CodeableConcept>,
    /// unconfirmed, provisional, differential, confirmed, refuted, entered-in-error.
    pub verification_status: Option<CodeableConcept>,
    /// The diagnosis.
    pub code: Option<CodeableConcept>,
    /// Who has it (required in R4).
    pub subject: Reference,
    /// When it began.
    pub onset_date_time: Option<String>,
    /// When it ended.
    pub abatement_date_time: Option<String>,
    /// When it was recorded.
    pub recorded_date: Option<String>,
}

/// A medication the patient takes (R4 `MedicationStatement`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationStatement {
    /// active, completed, entered-in-error, intended, stopped, on-hold, unknown, not-taken.
    pub status: String,
    /// The medication, coded.
    pub medication_codeable_concept: Option<CodeableConcept>,
    /// Who takes it (required in R4).
    pub subject: Reference,
}

/// How a medication is to be taken (R4 `Dosage`): only the route is read.
#[derive(Debug, Clone, Deserialize)]
pub struct Dosage {
    /// The route.
    pub route: Option<CodeableConcept>,
}

/// A prescription or order (R4 `MedicationRequest`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    /// active, on-hold, cancelled, completed, entered-in-error, stopped, draft, unknown.
    pub status: String,
    /// proposal, plan, order, ...
    pub intent: String,
    /// The medication, coded.
    pub medication_codeable_concept: Option<CodeableConcept>,
    /// Who it is for (required in R4).
    pub subject: Reference,
    /// How it is to be taken.
    #[serde(default)]
    pub dosage_instruction: Vec<Dosage>,
}

/// An answer of a questionnaire item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// valueBoolean.
    pub value_boolean: Option<bool>,
    /// valueInteger.
    pub value_integer: Option<Number>,
    /// valueDecimal.
    pub value_decimal: Option<Number>,
    /// valueCoding.
    pub value_coding: Option<Coding>,
    /// valueQuantity.
    pub value_quantity: Option<Quantity>,
    /// Items nested under this answer.
    #[serde(default)]
    pub item: Vec<Item>,
}

/// A questionnaire item with its answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The item's linkId in its Questionnaire.
    pub link_id: String,
    /// Its answers.
    #[serde(default)]
    pub answer: Vec<Answer>,
    /// Nested items (groups).
    #[serde(default)]
    pub item: Vec<Item>,
}

/// A completed form (R4 `QuestionnaireResponse`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse {
    /// The Questionnaire's canonical URL.
    pub questionnaire: Option<String>,
    /// in-progress, completed, amended, entered-in-error, stopped.
    pub status: String,
    /// Whom it is about.
    pub subject: Option<Reference>,
    /// When it was answered.
    pub authored: Option<String>,
    /// The answered items.
    #[serde(default)]
    pub item: Vec<Item>,
}

/// A link of a Bundle (`self` names the search that made a searchset).
#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    /// self, next, ...
    pub relation: String,
    /// The URL.
    pub url: String,
}

/// An entry of a Bundle.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The resource.
    pub resource: Option<Value>,
}

/// A collection of resources (R4 `Bundle`).
#[derive(Debug, Clone, Deserialize)]
pub struct Bundle {
    /// collection, searchset, ... (required in R4).
    #[serde(rename = "type")]
    pub kind: String,
    /// Links.
    #[serde(default)]
    pub link: Vec<Link>,
    /// Entries.
    #[serde(default)]
    pub entry: Vec<Entry>,
}

/// One resource the mapping reads.
#[derive(Debug, Clone)]
pub enum Resource {
    /// A Patient.
    Patient(Patient),
    /// An Observation.
    Observation(Observation),
    /// A Condition.
    Condition(Condition),
    /// A MedicationStatement.
    MedicationStatement(MedicationStatement),
    /// A MedicationRequest.
    MedicationRequest(MedicationRequest),
    /// A QuestionnaireResponse.
    QuestionnaireResponse(QuestionnaireResponse),
}

/// What became of one resource JSON object.
#[derive(Debug)]
pub enum Parsed {
    /// A resource the mapping reads.
    Read(Box<Resource>),
    /// A Bundle.
    Bundle(Bundle),
    /// A resource type the mapping does not read.
    Other,
    /// Not a resource, or not valid R4 for its type.
    Invalid(String),
}

/// The `resourceType` of a JSON object, if it has one.
pub fn resource_type(value: &Value) -> Option<&str> {
    value.get("resourceType").and_then(Value::as_str)
}

/// `Type/id` of a resource, for notes and the explanation (never a value).
pub fn label(value: &Value) -> String {
    let kind = resource_type(value).unwrap_or("resource");
    match value.get("id").and_then(Value::as_str) {
        Some(id) => format!("{kind}/{id}"),
        None => format!("{kind} without id"),
    }
}

/// Reads one resource JSON object into its typed form.
pub fn parse(value: &Value) -> Parsed {
    fn typed<T: serde::de::DeserializeOwned>(value: &Value, wrap: fn(T) -> Resource) -> Parsed {
        match T::deserialize(value) {
            Ok(r) => Parsed::Read(Box::new(wrap(r))),
            Err(_) => Parsed::Invalid(format!("{} ignored: not a valid R4 resource of its type", label(value))),
        }
    }
    match resource_type(value) {
        Some("Patient") => typed(value, Resource::Patient),
        Some("Observation") => typed(value, Resource::Observation),
        Some("Condition") => typed(value, Resource::Condition),
        Some("MedicationStatement") => typed(value, Resource::MedicationStatement),
        Some("MedicationRequest") => typed(value, Resource::MedicationRequest),
        Some("QuestionnaireResponse") => typed(value, Resource::QuestionnaireResponse),
        Some("Bundle") => match Bundle::deserialize(value) {
            Ok(b) => Parsed::Bundle(b),
            Err(_) => Parsed::Invalid(format!("{} ignored: not a valid R4 Bundle", label(value))),
        },
        Some(_) => Parsed::Other,
        None => Parsed::Invalid("a JSON value without resourceType ignored".to_string()),
    }
}

/// The exact decimal a JSON number writes.
pub fn decimal(number: &Number) -> Option<Decimal> {
    let text = number.to_string();
    Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)).ok()
}

impl CodeableConcept {
    /// `system|code` of each coding that has both.
    pub fn codes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.coding.iter().filter_map(|c| Some((c.system.as_deref()?, c.code.as_deref()?)))
    }

    /// Whether one of its codings has this code in a FHIR status code system (any system).
    pub fn has_code(&self, code: &str) -> bool {
        self.coding.iter().any(|c| c.code.as_deref() == Some(code))
    }
}

impl Resource {
    /// The patient reference it is about (`Patient/123`), when it names one.
    pub fn subject(&self) -> Option<&str> {
        let r = match self {
            Resource::Patient(_) => None,
            Resource::Observation(o) => o.subject.as_ref(),
            Resource::Condition(c) => Some(&c.subject),
            Resource::MedicationStatement(m) => Some(&m.subject),
            Resource::MedicationRequest(m) => Some(&m.subject),
            Resource::QuestionnaireResponse(q) => q.subject.as_ref(),
        };
        r.and_then(|r| r.reference.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEIGHT: &str = r#"{"resourceType":"Observation","id":"w","status":"final",
        "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},
        "valueQuantity":{"value":154.35,"unit":"lb","system":"http://unitsofmeasure.org","code":"[lb_av]"}}"#;

    #[test]
    fn decimals_survive_arbitrary_precision_from_text_and_from_a_value() {
        // kap-engine turns on serde_json's arbitrary_precision in this build: a number read
        // through a Value is then a map inside serde; the typed structs must still read it.
        let value: Value = serde_json::from_str(WEIGHT).unwrap();
        let Parsed::Read(r) = parse(&value) else { panic!("not read") };
        let Resource::Observation(o) = *r else { panic!("not an Observation") };
        let q = o.values.value_quantity.unwrap();
        assert_eq!(decimal(&q.value.unwrap()), Some(Decimal::new(15435, 2)));
        let direct: Observation = serde_json::from_str(WEIGHT).unwrap();
        let n = direct.values.value_quantity.unwrap().value.unwrap();
        assert_eq!(decimal(&n).map(|d| d.to_string()), Some("154.35".to_string()));
    }

    #[test]
    fn a_resource_without_a_required_element_is_refused() {
        let value: Value =
            serde_json::from_str(r#"{"resourceType":"Observation","id":"x","code":{"coding":[]}}"#).unwrap();
        assert!(matches!(parse(&value), Parsed::Invalid(_)));
    }
}
