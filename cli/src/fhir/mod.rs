// Stand-in until the FHIR mapping lands; replaced at merge.
//! The FHIR R4 mapping (stand-in): a deliberately small body behind the mapping's API, so
//! that the CDS Hooks service builds and runs before the real module lands.
#![allow(dead_code)]

use serde_json::Value;

/// A compiled FHIR mapping: which resources become which inputs.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    _file: String,
}

/// What the mapping knows besides the resources: the time of the call and the orders.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// RFC 3339; becomes `at`.
    pub now: String,
    /// The draft orders of an order hook (`context.draftOrders` entries).
    pub draft_orders: Vec<Value>,
}

/// The input document built from FHIR resources, with what was read to build it.
#[derive(Debug, Clone, Default)]
pub struct Mapped {
    /// The input document.
    pub document: Value,
    /// Each value read, with the resource it came from.
    pub read: Vec<Read>,
    /// Remarks for people (a resource skipped, a unit converted).
    pub notes: Vec<String>,
}

/// One input read from a resource.
#[derive(Debug, Clone, Default)]
pub struct Read {
    /// The input's path.
    pub path: String,
    /// The resource, `Observation/abc`.
    pub resource: String,
    /// The code read, when there is one.
    pub code: Option<String>,
    /// The value as shown to people, `152 mm[Hg] on 2026-11-30`.
    pub shown: String,
}

impl Mapping {
    /// Compiles a mapping file against a protocol (the stand-in accepts any text).
    pub fn compile(
        _text: &str,
        file: &str,
        _protocol: &kap_engine::Protocol,
    ) -> Result<Mapping, Vec<kap_engine::Diagnostic>> {
        Ok(Mapping { _file: file.to_string() })
    }

    /// CDS Hooks prefetch templates the decision needs (key -> FHIR query with
    /// `{{context.patientId}}`).
    pub fn prefetch(&self, _decision: &str) -> Vec<(String, String)> {
        vec![
            ("patient".into(), "Patient/{{context.patientId}}".into()),
            ("observations".into(), "Observation?patient={{context.patientId}}".into()),
        ]
    }

    /// Maps FHIR resources (resource JSON objects; Bundles flattened inside) to the input
    /// document.
    pub fn document(&self, resources: &[Value], context: &Context) -> Mapped {
        let mut flat = Vec::new();
        for r in resources {
            flatten(r, &mut flat);
        }
        let mut patient = serde_json::Map::new();
        let mut read = Vec::new();
        for r in flat {
            let id = format!("{}/{}", text(r, "resourceType"), text(r, "id"));
            match text(r, "resourceType").as_str() {
                "Patient" => {
                    if let Some(age) = age(&text(r, "birthDate"), &context.now) {
                        patient.insert("age".into(), Value::from(age));
                        read.push(Read {
                            path: "patient.age".into(),
                            resource: id,
                            code: None,
                            shown: format!("born {}", text(r, "birthDate")),
                        });
                    }
                }
                "Observation" if is_weight(r) => {
                    let q = r.get("valueQuantity");
                    let value = q.and_then(|q| q.get("value")).cloned();
                    if let Some(value) = value {
                        let unit = q.and_then(|q| q.get("unit")).and_then(Value::as_str).unwrap_or("kg");
                        read.push(Read {
                            path: "patient.weight".into(),
                            resource: id,
                            code: Some("http://loinc.org|29463-7".into()),
                            shown: format!("{value} {unit} on {}", text(r, "effectiveDateTime")),
                        });
                        patient.insert("weight".into(), value);
                    }
                }
                _ => {}
            }
        }
        let mut document = serde_json::Map::new();
        if !patient.is_empty() {
            document.insert("patient".into(), Value::Object(patient));
        }
        Mapped { document: Value::Object(document), read, notes: Vec::new() }
    }
}

/// The resources of `value`, Bundles opened.
fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    if value.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
        for entry in value.get("entry").and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = entry.get("resource") {
                flatten(r, out);
            }
        }
    } else if value.is_object() {
        out.push(value);
    }
}

fn text(r: &Value, key: &str) -> String {
    r.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn is_weight(r: &Value) -> bool {
    let codings = r.get("code").and_then(|c| c.get("coding")).and_then(Value::as_array);
    codings.into_iter().flatten().any(|c| c.get("code").and_then(Value::as_str) == Some("29463-7"))
}

/// Whole years from a `YYYY-MM-DD` birth date to an RFC 3339 time.
fn age(birth: &str, now: &str) -> Option<i64> {
    let part = |s: &str, a: usize, b: usize| s.get(a..b).and_then(|p| p.parse::<i64>().ok());
    let (by, bm, bd) = (part(birth, 0, 4)?, part(birth, 5, 7)?, part(birth, 8, 10)?);
    let (ny, nm, nd) = (part(now, 0, 4)?, part(now, 5, 7)?, part(now, 8, 10)?);
    let years = ny - by - i64::from((nm, nd) < (bm, bd));
    (years >= 0).then_some(years)
}
