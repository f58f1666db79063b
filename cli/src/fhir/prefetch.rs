//! CDS Hooks prefetch templates: for one decision, the FHIR searches that return exactly the
//! resources its mapped inputs read.

use super::source::{Checked, CodeMatch, Source};
use std::collections::BTreeSet;

/// The patient placeholder of CDS Hooks prefetch templates.
const PATIENT: &str = "{{context.patientId}}";

/// `(key, query)` pairs for `decision`, sorted by key; empty for a decision not listed.
pub(super) fn prefetch(checked: &Checked, decision: &str) -> Vec<(String, String)> {
    let Some((_, groups)) = checked.decisions.iter().find(|(name, _)| name == decision) else {
        return Vec::new();
    };
    let reads = |path: &str| groups.iter().any(|g| path.split('.').next() == Some(g.as_str()));
    let mut observation_codes = BTreeSet::new();
    let mut questionnaires = BTreeSet::new();
    let (mut patient, mut conditions, mut medications) = (false, false, false);
    for rule in checked.rules.iter().filter(|r| reads(&r.target.path)) {
        match &rule.source {
            Source::Age => patient = true,
            Source::Observation { codes, panels, .. } => {
                observation_codes.extend(codes.iter().chain(panels).filter(|c| !c.prefix).map(CodeMatch::token));
            }
            Source::Condition { .. } => conditions = true,
            Source::Medication { .. } => medications = true,
            Source::Answer { questionnaire, .. } => {
                questionnaires.insert(questionnaire.clone());
            }
        }
    }
    let mut ordered = false;
    if let Some(s) = checked.sessions.as_ref().filter(|s| reads(&s.path)) {
        observation_codes.insert(s.code.token());
        ordered = checked.route.is_some();
    }
    let mut out = Vec::new();
    if patient {
        out.push(("patient".to_string(), format!("Patient/{PATIENT}")));
    }
    if !observation_codes.is_empty() {
        let codes: Vec<String> = observation_codes.into_iter().collect();
        out.push(("observations".to_string(), format!("Observation?patient={PATIENT}&code={}", codes.join(","))));
    }
    if conditions {
        out.push(("conditions".to_string(), format!("Condition?patient={PATIENT}")));
    }
    if medications {
        out.push(("medicationStatements".to_string(), format!("MedicationStatement?patient={PATIENT}&status=active")));
    }
    if medications || ordered {
        out.push(("medicationRequests".to_string(), format!("MedicationRequest?patient={PATIENT}&status=active")));
    }
    if !questionnaires.is_empty() {
        let q: Vec<String> = questionnaires.into_iter().collect();
        let query = format!("QuestionnaireResponse?patient={PATIENT}&questionnaire={}", q.join(","));
        out.push(("questionnaireResponses".to_string(), query));
    }
    out.sort();
    out
}
