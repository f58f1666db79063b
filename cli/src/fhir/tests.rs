//! The mapping function called directly: the test Bundles read by the typed R4 structs,
//! fail-closed medications, prefetch templates, and input that must never panic.

use super::resources::{self, Parsed};
use super::{Context, Mapping};
use serde_json::{json, Value};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn shipped() -> Mapping {
    let protocol = kap_engine::Protocol::compile(include_str!("../../../rules/kap-reference.kap")).unwrap();
    Mapping::compile(include_str!("../../../rules/fhir-mapping.toml"), "rules/fhir-mapping.toml", &protocol).unwrap()
}

fn context() -> Context {
    Context { now: "2026-12-01T09:00:00Z".to_string(), draft_orders: Vec::new(), patient: None }
}

const PATIENT: &str = r#"{"resourceType":"Patient","id":"p1","birthDate":"1985-04-12"}"#;

#[test]
fn every_test_bundle_is_r4_as_the_typed_reader_reads_it() {
    let mut files = 0;
    for entry in std::fs::read_dir(root().join("tests/fhir")).unwrap() {
        let path = entry.unwrap().path();
        let bundle: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Parsed::Bundle(b) = resources::parse(&bundle) else { panic!("{} is not a Bundle", path.display()) };
        assert!(["collection", "searchset"].contains(&b.kind.as_str()), "{}", path.display());
        for e in bundle["entry"].as_array().unwrap() {
            let r = &e["resource"];
            let full_url = e["fullUrl"].as_str().unwrap();
            assert!(full_url.ends_with(&resources::label(r)), "{full_url}");
            assert!(matches!(resources::parse(r), Parsed::Read(_)), "{} in {}", resources::label(r), path.display());
            let quantities = r
                .get("valueQuantity")
                .into_iter()
                .chain(r["component"].as_array().into_iter().flatten().filter_map(|c| c.get("valueQuantity")));
            for q in quantities {
                assert_eq!(q["system"], "http://unitsofmeasure.org", "{}", resources::label(r));
            }
        }
        files += 1;
    }
    assert!(files >= 7);
}

#[test]
fn a_medication_is_false_only_when_a_reconciled_list_was_read() {
    let mapping = shipped();
    let patient: Value = serde_json::from_str(PATIENT).unwrap();
    let alone = mapping.document(std::slice::from_ref(&patient), &context());
    assert!(alone.document["patient"].get("maoi").is_none(), "no list read: unknown");
    let empty_search = json!({"resourceType": "Bundle", "type": "searchset", "total": 0,
        "link": [{"relation": "self", "url": "http://ehr/fhir/MedicationStatement?patient=p1&status=active"}]});
    let reconciled = mapping.document(&[patient.clone(), empty_search], &context());
    assert_eq!(reconciled.document["patient"]["maoi"], false);
    let stopped = json!({"resourceType": "MedicationStatement", "id": "m1", "status": "stopped",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "8123"}]},
        "subject": {"reference": "Patient/p1"}});
    let taken = json!({"resourceType": "MedicationStatement", "id": "m2", "status": "active",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "N06AF03"}]},
        "subject": {"reference": "Patient/p1"}});
    assert_eq!(mapping.document(&[patient.clone(), stopped.clone()], &context()).document["patient"]["maoi"], false);
    let both = mapping.document(&[patient, stopped, taken], &context());
    assert_eq!(both.document["patient"]["maoi"], true);
    assert_eq!(both.read.iter().find(|r| r.path == "patient.maoi").unwrap().resource, "MedicationStatement/m2");
}

#[test]
fn a_resource_about_another_patient_is_ignored() {
    let mapping = shipped();
    let patient: Value = serde_json::from_str(PATIENT).unwrap();
    let other = json!({"resourceType": "Condition", "id": "c9",
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F20.9"}]},
        "subject": {"reference": "Patient/p2"}});
    let mapped = mapping.document(&[patient, other], &context());
    assert!(mapped.document["patient"].get("psychotic_disorder_history").is_none());
    assert!(mapped.notes.iter().any(|n| n.starts_with("Condition/c9 ignored: about another patient")));
}

/// The eligible test record's resources, and the same record for another patient.
fn two_patients() -> (Vec<Value>, Vec<Value>) {
    let bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fhir/eligible.json")).unwrap()).unwrap();
    let mine: Vec<Value> = bundle["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()).collect();
    let text = serde_json::to_string(&mine)
        .unwrap()
        .replace("Patient/p1", "Patient/p2")
        .replace(r#""id":"p1""#, r#""id":"p2""#);
    (mine, serde_json::from_str(&text).unwrap())
}

#[test]
fn only_the_named_patients_resources_are_read() {
    let mapping = shipped();
    let (p1, p2) = two_patients();
    let mut both = p1.clone();
    both.extend(p2);
    // Named: p1's record decides, p2's resources are dropped with a note.
    let named = mapping.document(&both, &Context { patient: Some("p1".to_string()), ..context() });
    let alone = mapping.document(&p1, &context());
    assert_eq!(named.document, alone.document);
    assert!(named.notes.iter().any(|n| n.starts_with("Patient/p2 ignored")), "{:?}", named.notes);
    // Another patient named than the record's: nothing of the record is read.
    let other = mapping.document(&p1, &Context { patient: Some("someone-else".to_string()), ..context() });
    assert_eq!(other.document.as_object().unwrap().keys().collect::<Vec<_>>(), ["at"], "{}", other.document);
    // Two patients and none named: nothing is read, never a mix of both.
    let mixed = mapping.document(&both, &context());
    assert_eq!(mixed.document.as_object().unwrap().keys().collect::<Vec<_>>(), ["at"], "{}", mixed.document);
    assert!(mixed.notes.iter().any(|n| n.contains("several Patients and none is named")), "{:?}", mixed.notes);
    // A resource that names no patient cannot be told apart: it is not read.
    let mut anonymous = p1[1].clone();
    anonymous.as_object_mut().unwrap().remove("subject");
    let label = resources::label(&anonymous);
    let read = mapping.document(&[p1[0].clone(), anonymous], &context());
    assert!(
        read.notes.iter().any(|n| n.starts_with(&format!("{label} ignored: it names no patient"))),
        "{:?}",
        read.notes
    );
}

#[test]
fn a_draft_order_for_another_patient_is_not_read() {
    let mapping = shipped();
    let (p1, _) = two_patients();
    let mut order: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fhir/draft-order-im.json")).unwrap()).unwrap();
    let mine = mapping.document(&p1, &Context { draft_orders: vec![order.clone()], ..context() });
    assert!(mine.document["course"].get("route").is_some(), "{}", mine.document);
    let text = serde_json::to_string(&order).unwrap().replace("Patient/p1", "Patient/p2");
    order = serde_json::from_str(&text).unwrap();
    let theirs = mapping.document(&p1, &Context { draft_orders: vec![order], ..context() });
    assert!(theirs.document.get("course").and_then(|c| c.get("route")).is_none(), "{}", theirs.document);
    assert!(theirs.notes.iter().any(|n| n.contains("about another patient")), "{:?}", theirs.notes);
}

#[test]
fn medicines_outside_the_obvious_classes_are_caught_never_false() {
    // Each is an MAOI, an opioid or CNS depressant, a stimulant or a xanthine that the
    // obvious ATC class alone would miss, so a reconciled list would have said `false`.
    let mapping = shipped();
    let patient: Value = serde_json::from_str(PATIENT).unwrap();
    for (atc, path) in [
        ("J01XX08", "maoi"),                     // linezolid
        ("V03AB17", "maoi"),                     // methylene blue
        ("L01XB01", "maoi"),                     // procarbazine
        ("R05DA04", "opioid_or_cns_depressant"), // codeine, as a cough suppressant
        ("N03AX16", "opioid_or_cns_depressant"), // pregabalin
        ("N05CA01", "opioid_or_cns_depressant"), // a barbiturate
        ("A08AA01", "stimulant"),                // phentermine
        ("R03DA02", "theophylline"),             // choline theophyllinate
    ] {
        let taken = json!({"resourceType": "MedicationStatement", "id": "m", "status": "active",
            "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": atc}]},
            "subject": {"reference": "Patient/p1"}});
        let mapped = mapping.document(&[patient.clone(), taken], &context());
        assert_eq!(mapped.document["patient"][path], true, "{atc} -> {path}: {}", mapped.document);
    }
}

#[test]
fn a_substance_use_disorder_in_remission_does_not_count_as_active() {
    let mapping = shipped();
    let patient: Value = serde_json::from_str(PATIENT).unwrap();
    let condition = |code: &str| {
        json!({"resourceType": "Condition", "id": "sud", "clinicalStatus": {"coding": [{"code": "active"}]},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}]},
            "subject": {"reference": "Patient/p1"}})
    };
    let active = mapping.document(&[patient.clone(), condition("F10.20")], &context());
    assert_eq!(active.document["patient"]["substance_use_disorder_past_90_days"], true);
    let remission = mapping.document(&[patient, condition("F10.21")], &context());
    assert!(
        remission.document["patient"].get("substance_use_disorder_past_90_days").is_none(),
        "{}",
        remission.document
    );
}

#[test]
fn prefetch_asks_for_exactly_what_the_decision_reads() {
    let mapping = shipped();
    let eligibility = mapping.prefetch("eligibility");
    let keys: Vec<&str> = eligibility.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "conditions",
            "medicationRequests",
            "medicationStatements",
            "observations",
            "patient",
            "questionnaireResponses"
        ]
    );
    let query = |p: &[(String, String)], key: &str| p.iter().find(|(k, _)| k == key).unwrap().1.clone();
    let observations = query(&eligibility, "observations");
    assert!(observations.starts_with("Observation?patient={{context.patientId}}&code="));
    assert!(observations.contains("http://loinc.org|29463-7") && observations.contains("http://loinc.org|85354-9"));
    assert!(!observations.contains("8867-4"), "heart rate is read only for today's session");
    assert!(!query(&eligibility, "questionnaireResponses").contains("pre-session"));
    let session = mapping.prefetch("session");
    assert!(query(&session, "observations").contains("http://example.org/kap/codes|dosing-session"));
    assert!(query(&session, "observations").contains("http://loinc.org|8867-4"));
    assert_eq!(query(&session, "patient"), "Patient/{{context.patientId}}");
    assert!(mapping.prefetch("monitoring").is_empty());
}

#[test]
fn nonsense_never_panics_and_never_becomes_a_value() {
    let mapping = shipped();
    let junk = [
        json!(1),
        json!(null),
        json!({"resourceType": "Observation", "id": "x"}),
        json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Condition"}}, {}]}),
        json!({"resourceType": "Observation", "id": "y", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
            "effectiveDateTime": "2026-11-30", "valueQuantity": {"value": 70, "system": "http://unitsofmeasure.org", "code": "kg"}}),
        json!({"resourceType": "Observation", "id": "z", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
            "effectiveDateTime": "2026-11-30T10:00:00Z", "valueQuantity": {"value": 7000, "system": "http://unitsofmeasure.org", "code": "kg"}}),
    ];
    let mapped = mapping.document(&junk, &context());
    assert_eq!(mapped.document, json!({"at": "2026-12-01T09:00:00Z"}));
    assert!(mapped
        .notes
        .iter()
        .any(|n| n.contains("Observation/z ignored for patient.weight: outside the protocol's range")));
    let bad_now =
        mapping.document(&junk, &Context { now: "yesterday".to_string(), draft_orders: Vec::new(), patient: None });
    assert_eq!(bad_now.document, json!({}));
}

#[test]
fn a_coded_hcg_result_gives_the_choice_and_its_time_and_a_preliminary_one_counts_for_nothing() {
    let mapping = shipped();
    let hcg = |id: &str, status: &str, at: &str, result: &str| {
        json!({"resourceType": "Observation", "id": id, "status": status,
            "code": {"coding": [{"system": "http://loinc.org", "code": "2106-3"}]},
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": at,
            "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": result}]}})
    };
    let resources = [
        serde_json::from_str(PATIENT).unwrap(),
        hcg("h1", "final", "2026-11-28T08:00:00+01:00", "260385009"),
        hcg("h2", "preliminary", "2026-11-30T08:00:00Z", "10828004"),
    ];
    let mapped = mapping.document(&resources, &context());
    assert_eq!(mapped.document["today"]["hcg"], "negative");
    assert_eq!(mapped.document["today"]["hcg_at"], "2026-11-28T07:00:00Z", "written in UTC");
    let read = mapped.read.iter().find(|r| r.path == "today.hcg").unwrap();
    assert_eq!(read.resource, "Observation/h1");
    assert_eq!(read.code.as_deref(), Some("http://loinc.org|2106-3"));
}

#[test]
fn a_medication_the_rule_cannot_classify_leaves_the_input_out_never_false() {
    let mapping = shipped();
    // A medication coded only by an RxNorm product (clinical drug) code, as EHRs send them:
    // no ingredient code of the rules matches it and it carries no ATC code, so it cannot be
    // said not to be an MAOI. (The code here stands for any such product code.)
    let product = json!({"resourceType": "MedicationStatement", "id": "m3", "status": "active",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "313447"}]},
        "subject": {"reference": "Patient/p1"}});
    let on_hold = json!({"resourceType": "MedicationStatement", "id": "m4", "status": "on-hold",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "N03AX09"}]},
        "subject": {"reference": "Patient/p1"}});
    let mapped = mapping.document(&[serde_json::from_str(PATIENT).unwrap(), product, on_hold], &context());
    let patient = &mapped.document["patient"];
    for path in ["maoi", "stimulant", "lamotrigine"] {
        assert!(patient.get(path).is_none(), "{path}: {patient}");
    }
    assert!(mapped.notes.iter().any(|n| n.starts_with("MedicationStatement/m3: not classifiable as `patient.maoi`")));
    assert!(mapped
        .notes
        .iter()
        .any(|n| n.starts_with("MedicationStatement/m3: not classifiable as `patient.lamotrigine`")));
}

#[test]
fn absent_means_false_without_a_classifying_system_is_refused_as_fail_open() {
    let protocol = kap_engine::Protocol::compile(include_str!("../../../rules/kap-reference.kap")).unwrap();
    let text = include_str!("../../../rules/fhir-mapping.toml").replacen("classified_by = \"atc\"\n", "", 1);
    let problems = Mapping::compile(&text, "m.toml", &protocol).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, kap_engine::Code::FailOpen);
    let located = problems[0].locate("m.toml", &text);
    assert_eq!(located.source_line, "absent_means_false = true");
}

#[test]
fn the_route_of_a_draft_order_comes_from_its_snomed_route_code() {
    let mapping = shipped();
    let order = |route: &str| {
        json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
            "resourceType": "MedicationRequest", "id": "o1", "status": "draft", "intent": "order",
            "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6130"}]},
            "subject": {"reference": "Patient/p1"},
            "dosageInstruction": [{"route": {"coding": [{"system": "http://snomed.info/sct", "code": route}]}}]}}]})
    };
    let route_of = |code: &str| {
        let context =
            Context { now: "2026-12-01T09:00:00Z".to_string(), draft_orders: vec![order(code)], patient: None };
        mapping.document(&[], &context).document["course"].get("route").cloned()
    };
    assert_eq!(route_of("37839007"), Some(json!("sublingual")));
    assert_eq!(route_of("78421000"), Some(json!("intramuscular")));
    assert_eq!(route_of("47625008"), Some(json!("intravenous")));
    // 37161004 is the rectal route ("Per rectum"), not a route of the protocol: no route.
    assert_eq!(route_of("37161004"), None);
}
