//! FHIR R4 to kap input documents, by a mapping file the clinic controls
//! (`rules/fhir-mapping.toml`): which LOINC, SNOMED CT, ICD-10-CM, RxNorm and ATC codes, and
//! which questionnaire answers, give which declared input.
//!
//! Fail closed: a boolean input becomes `true` from a counting Condition, medication or
//! answer, and `false` only from an explicit negative (an answer `false`, or a medication
//! rule with `absent_means_false` once a medication list was read, every medication on it
//! classified by the rule's `classified_by` system). Anything else is left
//! out of the document, so the engine answers `indeterminate` and names it.
//!
//! The FHIR resources are read by typed serde structs for exactly the resources and
//! elements used ([`resources`]), not a FHIR crate: fhirbolt 0.4 (R4) took 145 s to build
//! clean here and could not read a decimal under serde_json's `arbitrary_precision`, which
//! kap-engine turns on (README, "FHIR mapping").

pub mod command;
mod document;
mod mapping;
mod prefetch;
pub mod resources;
mod select;
mod sessions;
mod source;
mod units;

use kap_engine::{Diagnostic, Protocol};
use serde_json::Value;

/// A checked mapping from FHIR R4 resources to a protocol's inputs.
#[derive(Debug, Clone)]
pub struct Mapping {
    checked: source::Checked,
}

/// What the mapping is given besides the resources.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Now, RFC 3339: becomes the document's `at`, and the end of every window.
    pub now: String,
    /// The draft orders of an order hook (`context.draftOrders`): a Bundle, or its resources.
    pub draft_orders: Vec<Value>,
    /// The id of the patient the decision is about (CDS Hooks' `context.patientId`). Only
    /// that patient's resources are read. `None`: the one Patient among the resources; with
    /// several patients and none named, nothing is read.
    pub patient: Option<String>,
}

/// An input document made from FHIR resources.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The input document for kap_engine.
    pub document: Value,
    /// What was read, for the explanation.
    pub read: Vec<Read>,
    /// What was ignored and why, by resource id (never a value).
    pub notes: Vec<String>,
}

/// One value read from one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// The input it gave.
    pub path: String,
    /// The resource, `Observation/abc`.
    pub resource: String,
    /// The code that matched, `http://loinc.org|8480-6`.
    pub code: Option<String>,
    /// The value as read, with its unit and date: `152 mm[Hg] on 2026-11-30`.
    pub shown: String,
}

impl Mapping {
    /// Parses a mapping file and checks it against the compiled protocol: every mapped path
    /// declared, types and units compatible, code sets non-empty. Errors carry the line and
    /// column in the mapping file: each diagnostic's span is a byte range of `text`, so
    /// `diagnostic.locate(file, text)` gives `file:line:column` and the marked line, as for
    /// a rule file. (`file` is not read here; it is the name to locate them with.)
    pub fn compile(text: &str, file: &str, protocol: &Protocol) -> Result<Mapping, Vec<Diagnostic>> {
        let _ = file;
        let parsed = mapping::parse(text)?;
        let checked = mapping::check(&parsed, protocol)?;
        Ok(Mapping { checked })
    }

    /// The protocol file a mapping text names, without checking the rest (to find the
    /// protocol before compiling the mapping against it).
    pub fn protocol_of(text: &str) -> Result<(String, kap_engine::Span), Vec<Diagnostic>> {
        mapping::protocol_of(text)
    }

    /// The decisions the mapping file lists, in its order.
    #[allow(dead_code, reason = "the CDS Hooks service lists the decisions it exposes")]
    pub fn decisions(&self) -> impl Iterator<Item = &str> {
        self.checked.decisions.iter().map(|(name, _)| name.as_str())
    }

    /// The CDS Hooks prefetch templates the decision needs (key -> FHIR query with
    /// `{{context.patientId}}`), exactly the resources its mapped inputs read. Empty for a
    /// decision the mapping file does not list.
    #[allow(dead_code, reason = "the CDS Hooks service's discovery answer calls it")]
    pub fn prefetch(&self, decision: &str) -> Vec<(String, String)> {
        prefetch::prefetch(&self.checked, decision)
    }

    /// Maps FHIR resources to the protocol's input document. `resources` are resource JSON
    /// objects; Bundles among them are flattened here (entry[].resource). Never panics,
    /// never invents a value.
    pub fn document(&self, resources: &[Value], context: &Context) -> Mapped {
        document::document(&self.checked, resources, context)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests;
