//! The CDS Hooks service as an EHR meets it: the real `kap` binary started on a free port
//! (`kap serve --cds`), called over HTTP with requests shaped as the CDS Hooks 2.0
//! specification's examples, with tokens signed by test keys (tests/fixtures/cds, test-only).
//!
//! What is asserted holds whatever the clinic's FHIR mapping covers: the cards' shape, the
//! indicator that follows the verdict, an indeterminate card naming missing inputs by their
//! labels, a minor excluded, the token checks, the limits. The prefetch sent is built from
//! the discovery document's templates, as an EHR would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The base URL the service is configured with: the `aud` of its tokens.
const BASE: &str = "https://cds.kap.test";
const ISS: &str = "https://ehr.kap.test";
const JWKS_ISS: &str = "https://other-ehr.kap.test";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cds")
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join(name)).unwrap()).unwrap()
}

/// A running `kap serve --cds`, stopped when dropped.
struct Service {
    child: Child,
    url: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a configuration (trusting the test EHRs unless `unsigned`) and starts the service
/// with the form, from the project's folder.
fn start(name: &str, unsigned: bool, extra: &str) -> Service {
    start_in(name, unsigned, extra, None)
}

/// Starts the service as [`start`] does; with `outside`, from that folder and without
/// `--dir`, as an installed service starts (`kap serve --cds /etc/kap/cds-service.toml`).
fn start_in(name: &str, unsigned: bool, extra: &str, outside: Option<&Path>) -> Service {
    let root = common::root();
    let dir = std::env::temp_dir().join(format!("kap-cds-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = fixtures();
    let config = format!(
        r#"
protocol = "{protocol}"
mapping = "{mapping}"
base_url = "{BASE}"
allow_unsigned = {unsigned}
{extra}

[[issuer]]
iss = "{ISS}"
keys = ["{pem}"]

[[issuer]]
iss = "{JWKS_ISS}"
jwks = "{jwks}"

[[service]]
id = "kap-eligibility"
hook = "patient-view"
decision = "eligibility"
title = "Eligibility"
description = "Eligibility for a course"

[[service]]
id = "kap-session-sign"
hook = "order-sign"
decision = "session"
title = "Session check"
description = "The next dosing session"
"#,
        protocol = root.join("rules/kap-reference.kap").display(),
        mapping = root.join("rules/fhir-mapping.toml").display(),
        pem = f.join("ehr-es384.pub.pem").display(),
        jwks = f.join("jwks.json").display(),
    );
    let path = dir.join("cds-service.toml");
    std::fs::write(&path, config).unwrap();
    let form: &[&str] = if outside.is_some() { &[] } else { &["--dir", "wasm/www"] };
    let mut child = Command::new(env!("CARGO_BIN_EXE_kap"))
        .args(["serve", "--port", "0"])
        .args(form)
        .arg("--cds")
        .arg(&path)
        .current_dir(outside.unwrap_or(&root))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("kap serve printed no discovery URL").unwrap();
        if let Some(at) = line.find("http://127.0.0.1:") {
            if line.contains("CDS Hooks discovery") {
                break line[at..].trim_end_matches("/cds-services").to_string();
            }
        }
    };
    // Keep reading standard output so that the service never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    Service { child, url }
}

static JTI: AtomicU64 = AtomicU64::new(0);

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A token signed with the key in `key_file`, with these claims over the defaults.
fn token_with(key_file: &str, kid: &str, claims: Value) -> String {
    let mut all = json!({
        "iss": ISS,
        "aud": format!("{BASE}/cds-services/kap-eligibility"),
        "exp": now() + 300,
        "iat": now(),
        "jti": format!("jti-{}-{}", std::process::id(), JTI.fetch_add(1, Ordering::SeqCst)),
        "tenant": "2ddd6c3a-8e9a-44c6-a305-52111ad302a2",
    });
    for (k, v) in claims.as_object().unwrap() {
        all[k] = v.clone();
    }
    let mut header = Header::new(Algorithm::ES384);
    header.kid = Some(kid.into());
    header.typ = Some("JWT".into());
    let pem = std::fs::read(fixtures().join(key_file)).unwrap();
    jsonwebtoken::encode(&header, &all, &EncodingKey::from_ec_pem(&pem).unwrap()).unwrap()
}

/// A valid token of the test EHR for the endpoint `path` (`/cds-services/...`).
fn token(path: &str) -> String {
    token_with("ehr-es384.key.pem", "test-ehr", json!({ "aud": format!("{BASE}{path}") }))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

/// POSTs `body` (JSON) to `path` with `token`; the status and the body as JSON (or text).
fn post(agent: &ureq::Agent, service: &Service, path: &str, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = agent.post(format!("{}{path}", service.url)).content_type("application/json");
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let mut response = request.send(body).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn discovery(service: &Service) -> Value {
    let mut response = agent()
        .get(format!("{}/cds-services", service.url))
        .header("Authorization", format!("Bearer {}", token("/cds-services")))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

/// The resources of a Bundle fixture.
fn resources(bundle: &str) -> Vec<Value> {
    let mut out: Vec<Value> =
        fixture(bundle)["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()).collect();
    // The minor is 14 on every day the test runs.
    let fourteen = time::OffsetDateTime::now_utc().date().replace_year(time::OffsetDateTime::now_utc().year() - 14);
    if let (Some(patient), Ok(born)) = (out.iter_mut().find(|r| r["resourceType"] == "Patient"), fourteen) {
        if bundle == "minor.bundle.json" {
            patient["birthDate"] = json!(format!("{:04}-{:02}-{:02}", born.year(), u8::from(born.month()), born.day()));
        }
    }
    out
}

/// What a FHIR server answers to `query` from `resources`: a read (`Patient/ID`) the
/// resource, a search (`Observation?...`) a searchset Bundle of that type.
fn answer(query: &str, resources: &[Value]) -> Value {
    let kind = query.split(['/', '?']).next().unwrap();
    let of_kind: Vec<&Value> = resources.iter().filter(|r| r["resourceType"] == kind).collect();
    if query.contains('?') || !query.contains('/') {
        let entries: Vec<Value> = of_kind.iter().map(|r| json!({ "resource": r })).collect();
        json!({ "resourceType": "Bundle", "type": "searchset", "total": entries.len(), "entry": entries })
    } else {
        of_kind.first().map_or(Value::Null, |r| (*r).clone())
    }
}

/// The prefetch an EHR sends for the service `id`: each template of the discovery document
/// answered from `resources`.
fn prefetch(discovered: &Value, id: &str, resources: &[Value]) -> Value {
    let service = discovered["services"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap();
    let mut prefetch = serde_json::Map::new();
    for (key, template) in service["prefetch"].as_object().unwrap() {
        prefetch.insert(key.clone(), answer(template.as_str().unwrap(), resources));
    }
    Value::Object(prefetch)
}

/// A patient-view request with the prefetch built from `bundle`.
fn patient_view(discovered: &Value, bundle: &str) -> String {
    let mut request = fixture("patient-view.json");
    request["prefetch"] = prefetch(discovered, "kap-eligibility", &resources(bundle));
    request.to_string()
}

fn the_card(answer: &Value) -> &Value {
    let cards = answer["cards"].as_array().unwrap_or_else(|| panic!("no cards: {answer}"));
    assert_eq!(cards.len(), 1, "{answer}");
    &cards[0]
}

/// The protocol's sha256, as `kap describe` gives it.
fn sha256() -> String {
    let out = common::kap(&["describe", common::RULES]);
    let about: Value = serde_json::from_slice(&out.stdout).unwrap();
    about["protocol"]["sha256"].as_str().unwrap().to_string()
}

/// What every card has: a UUID, a summary under 140 characters, an indicator, a Markdown
/// detail, and a source naming the protocol, its version and its sha256.
fn check_shape(card: &Value) {
    let uuid = card["uuid"].as_str().unwrap();
    assert!(uuid.len() == 36 && uuid.chars().filter(|c| *c == '-').count() == 4, "{uuid}");
    let summary = card["summary"].as_str().unwrap();
    assert!(!summary.is_empty() && summary.chars().count() < 140, "{summary}");
    assert!(["info", "warning", "critical"].contains(&card["indicator"].as_str().unwrap()));
    let detail = card["detail"].as_str().unwrap();
    let sha = sha256();
    assert!(detail.contains(&sha), "{detail}");
    assert!(card["source"]["label"].as_str().unwrap().starts_with("KAP reference 2027.1.0 (sha256 "), "{card}");
    assert!(
        sha.starts_with(card["source"]["label"].as_str().unwrap().trim_end_matches(')').rsplit(' ').next().unwrap())
    );
    assert_eq!(card["source"]["topic"]["code"], sha.as_str());
    assert_eq!(card["source"]["topic"]["display"], "KAP reference 2027.1.0");
}

/// The indicator a verdict gives (the summary says the verdict after the title).
fn indicator_of(summary: &str) -> &'static str {
    let verdict = summary.split_once(": ").unwrap().1;
    match verdict.split([':', ',']).next().unwrap().trim() {
        "ineligible" | "stop" => "critical",
        "eligible" | "proceed" | "complete" => "info",
        "hold" | "eligible with cautions" | "indeterminate" => "warning",
        other => panic!("unexpected verdict `{other}` in `{summary}`"),
    }
}

#[test]
fn discovery_lists_one_service_per_exposed_decision_with_its_prefetch() {
    let service = start("discovery", false, "");
    let discovered = discovery(&service);
    let services = discovered["services"].as_array().unwrap();
    assert_eq!(services.len(), 2, "{discovered}");
    assert_eq!(services[0]["id"], "kap-eligibility");
    assert_eq!(services[0]["hook"], "patient-view");
    assert_eq!(services[0]["title"], "Eligibility");
    assert_eq!(services[0]["description"], "Eligibility for a course");
    assert_eq!(services[1]["id"], "kap-session-sign");
    assert_eq!(services[1]["hook"], "order-sign");
    for s in services {
        let prefetch = s["prefetch"].as_object().unwrap();
        assert!(!prefetch.is_empty());
        assert!(prefetch.values().all(|t| t.as_str().unwrap().contains("{{context.patientId}}")), "{s}");
    }
    // Discovery holds no patient data: an EHR that sends no token gets it too.
    let mut open = agent().get(format!("{}/cds-services", service.url)).call().unwrap();
    assert_eq!(open.status().as_u16(), 200);
    assert!(open.body_mut().read_to_string().unwrap().contains("kap-eligibility"));
    // A token sent with it is verified: one for a service's endpoint is not for discovery.
    let wrong = agent()
        .get(format!("{}/cds-services", service.url))
        .header("Authorization", format!("Bearer {}", token("/cds-services/kap-eligibility")))
        .call()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
}

#[test]
fn a_minor_is_excluded_with_a_critical_card() {
    let service = start("minor", false, "");
    let body = patient_view(&discovery(&service), "minor.bundle.json");
    let (status, answer) =
        post(&agent(), &service, "/cds-services/kap-eligibility", Some(&token("/cds-services/kap-eligibility")), &body);
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    check_shape(card);
    assert_eq!(card["indicator"], "critical");
    let summary = card["summary"].as_str().unwrap();
    assert!(summary.starts_with("Eligibility for a course (intake): ineligible: "), "{summary}");
    let detail = card["detail"].as_str().unwrap();
    assert!(detail.contains("**Eligibility for a course (intake): ineligible**"), "{detail}");
    let reason = detail
        .lines()
        .find(|l| l.starts_with("- Younger than 18 (`minor`): read Age "))
        .unwrap_or_else(|| panic!("{detail}"));
    assert!(
        reason.contains(" years — [K2](https://journeyclinical"),
        "the age read stands beside the reason: {reason}"
    );
    assert!(detail.contains("- Age: "), "the age read is shown: {detail}");
}

/// The time the FHIR test records (tests/fhir, shared with `kap eval --fhir`'s tests) were
/// written for: their readings fall within the mapping's windows back from it.
const RECORDED_FOR: &str = "2026-12-01T09:00:00Z";

/// A FHIR test record moved in time so that it was written for now: the service decides at
/// its own clock, as it does under an EHR. Every date-time moves by the same amount and every
/// date by the same whole days, so ages, windows and intervals stay as written.
fn shifted(bundle: &str) -> Value {
    shifted_to(bundle, time::Duration::ZERO)
}

/// A FHIR test record moved in time as [`shifted`] does, then `ago` further into the past.
fn shifted_to(bundle: &str, ago: time::Duration) -> Value {
    use time::format_description::well_known::Rfc3339;
    use time::{Date, OffsetDateTime};
    let written = OffsetDateTime::parse(RECORDED_FOR, &Rfc3339).unwrap();
    let by = OffsetDateTime::now_utc() - ago - written;
    let days = time::Duration::days(by.whole_days());
    let date = time::format_description::parse_borrowed::<2>("[year]-[month]-[day]").unwrap();
    fn walk(v: &mut Value, f: &dyn Fn(&str) -> Option<String>) {
        match v {
            Value::String(s) => {
                if let Some(moved) = f(s) {
                    *s = moved;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|x| walk(x, f)),
            Value::Object(members) => members.values_mut().for_each(|x| walk(x, f)),
            _ => {}
        }
    }
    let mut record: Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("tests/fhir").join(bundle)).unwrap())
            .unwrap();
    walk(&mut record, &|s| {
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return Some((t + by).format(&Rfc3339).unwrap());
        }
        let d = Date::parse(s, &date).ok()?;
        Some((d + days).format(&date).unwrap())
    });
    record
}

/// The resources of a shifted FHIR test record.
fn shifted_resources(bundle: &str) -> Vec<Value> {
    shifted(bundle)["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()).collect()
}

/// A request of the fixture `request` for the patient of the FHIR test records, with the
/// prefetch of service `id` answered from `resources`.
fn request_for(discovered: &Value, request: &str, id: &str, resources: &[Value]) -> Value {
    let mut request = fixture(request);
    request["context"]["patientId"] = json!("p1");
    request["prefetch"] = prefetch(discovered, id, resources);
    request
}

#[test]
fn a_complete_eligible_record_gets_an_info_card_with_the_values_read() {
    let service = start("eligible", false, "");
    let body =
        request_for(&discovery(&service), "patient-view.json", "kap-eligibility", &shifted_resources("eligible.json"));
    let path = "/cds-services/kap-eligibility";
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &body.to_string());
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    check_shape(card);
    assert_eq!(card["indicator"], "info", "{card}");
    let summary = card["summary"].as_str().unwrap();
    assert!(summary.starts_with("Eligibility for a course (intake): eligible"), "{summary}");
    let detail = card["detail"].as_str().unwrap();
    assert!(detail.contains("**Values read**") && detail.contains("- Body weight: ") && detail.contains("- Age: "));
    assert!(detail.contains(" kg"), "values read come with their units: {detail}");
    assert!(!detail.contains("Missing to decide"), "a complete record misses nothing: {detail}");
}

#[test]
fn a_record_of_another_patient_than_the_call_names_is_never_read() {
    let service = start("wrong-patient", false, "");
    let mut body =
        request_for(&discovery(&service), "patient-view.json", "kap-eligibility", &shifted_resources("eligible.json"));
    body["context"]["patientId"] = json!("OTHER-123");
    let path = "/cds-services/kap-eligibility";
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &body.to_string());
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    assert_eq!(card["indicator"], "warning", "{card}");
    let summary = card["summary"].as_str().unwrap();
    assert!(summary.starts_with("Eligibility for a course (intake): indeterminate"), "{summary}");
    let detail = card["detail"].as_str().unwrap();
    assert!(
        detail.contains("Patient/p1 ignored: another patient than the one decided for (Patient/OTHER-123)"),
        "{detail}"
    );
}

#[test]
fn an_input_in_the_record_but_outside_its_window_is_named_with_why() {
    let service = start("stale", false, "");
    // The whole record 200 days old: the screening pressures (a 90-day window) no longer count.
    let old = shifted_to("eligible.json", time::Duration::days(200));
    let resources: Vec<Value> = old["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()).collect();
    let body = request_for(&discovery(&service), "patient-view.json", "kap-eligibility", &resources);
    let path = "/cds-services/kap-eligibility";
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &body.to_string());
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    assert!(card["summary"].as_str().unwrap().contains("indeterminate"), "{card}");
    let detail = card["detail"].as_str().unwrap();
    assert!(
        detail.contains("(`patient.screening_systolic`): Observation/bp-screen-1 and 1 more in the record, outside the mapping's window (within 90 days before the decision)"),
        "{detail}"
    );
}

#[test]
fn an_active_manic_episode_in_the_record_gets_a_critical_card() {
    let service = start("excluded", false, "");
    let body =
        request_for(&discovery(&service), "patient-view.json", "kap-eligibility", &shifted_resources("excluded.json"));
    let path = "/cds-services/kap-eligibility";
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &body.to_string());
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    check_shape(card);
    assert_eq!(card["indicator"], "critical", "{card}");
    assert!(card["summary"].as_str().unwrap().starts_with("Eligibility for a course (intake): ineligible"), "{card}");
}

#[test]
fn a_signed_ketamine_order_gets_the_session_card_with_its_dose_and_arithmetic() {
    let service = start("order-dose", false, "");
    let mut request =
        request_for(&discovery(&service), "order-sign.json", "kap-session-sign", &shifted_resources("session.json"));
    request["context"]["draftOrders"] = shifted("draft-order-im.json");
    let path = "/cds-services/kap-session-sign";
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &request.to_string());
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    check_shape(card);
    assert_eq!(card["indicator"], "info", "{card}");
    let summary = card["summary"].as_str().unwrap();
    assert!(summary.starts_with("The next dosing session: proceed"), "{summary}");
    // 72.5 kg x 0.6 mg/kg = 43.5 mg, rounded down to a multiple of 5 mg for IM (as `kap eval --fhir` gives).
    let detail = card["detail"].as_str().unwrap();
    assert!(detail.contains("40 mg"), "{detail}");
    assert!(detail.contains("72.5"), "the dose's arithmetic names the weight: {detail}");
}

#[test]
fn without_prefetch_or_fhir_server_the_card_is_indeterminate_and_names_what_is_missing() {
    let service = start("nothing", false, "");
    let body = fixture("patient-view.json").to_string();
    let (status, answer) =
        post(&agent(), &service, "/cds-services/kap-eligibility", Some(&token("/cds-services/kap-eligibility")), &body);
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    check_shape(card);
    assert_eq!(card["indicator"], "warning");
    let summary = card["summary"].as_str().unwrap();
    assert!(summary.starts_with("Eligibility for a course (intake): indeterminate"), "{summary}");
    let detail = card["detail"].as_str().unwrap();
    assert!(detail.contains("**Missing to decide**"), "{detail}");
    for label in ["- Age (`patient.age`)", "- Pregnant (`patient.pregnant`)", "- AUDIT score (`screening.audit`)"] {
        assert!(detail.contains(label), "{label} in {detail}");
    }
    assert!(detail.contains("was not prefetched and no FHIR server was given"), "{detail}");
}

#[test]
fn an_order_sign_call_answers_the_session_decision() {
    let service = start("order", false, "");
    let discovered = discovery(&service);
    let mut request = fixture("order-sign.json");
    request["prefetch"] = prefetch(&discovered, "kap-session-sign", &resources("adult.bundle.json"));
    let path = "/cds-services/kap-session-sign";
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &request.to_string());
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    check_shape(card);
    let summary = card["summary"].as_str().unwrap();
    assert!(summary.starts_with("The next dosing session: "), "{summary}");
    assert_eq!(card["indicator"], indicator_of(summary), "{card}");
    // An order hook needs the draft orders.
    request["context"].as_object_mut().unwrap().remove("draftOrders");
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &request.to_string());
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("draftOrders"));
}

#[test]
fn tokens_are_verified_as_cds_hooks_requires() {
    let service = start("jwt", false, "");
    let path = "/cds-services/kap-eligibility";
    let body = fixture("patient-view.json").to_string();
    let agent = agent();
    let aud = format!("{BASE}{path}");
    // Accepted: the PEM-trusted EHR, and the JWK Set-trusted one (by kid).
    assert_eq!(post(&agent, &service, path, Some(&token(path)), &body).0, 200);
    let by_jwks = token_with("jwks-es384.key.pem", "test-jwks-key", json!({ "iss": JWKS_ISS, "aud": aud }));
    assert_eq!(post(&agent, &service, path, Some(&by_jwks), &body).0, 200);
    let refused = [
        ("no token", None),
        ("expired", Some(token_with("ehr-es384.key.pem", "k", json!({ "aud": aud, "exp": now() - 3600 })))),
        (
            "wrong audience",
            Some(token_with("ehr-es384.key.pem", "k", json!({ "aud": format!("{BASE}/cds-services/other") }))),
        ),
        (
            "unknown issuer",
            Some(token_with("ehr-es384.key.pem", "k", json!({ "aud": aud, "iss": "https://evil.test" }))),
        ),
        ("bad signature", Some(token_with("stranger-es384.key.pem", "k", json!({ "aud": aud })))),
        ("JWKS key of another issuer", Some(token_with("jwks-es384.key.pem", "test-jwks-key", json!({ "aud": aud })))),
        ("not a JWT", Some("not.a.jwt".to_string())),
    ];
    for (why, token) in refused {
        let (status, answer) = post(&agent, &service, path, token.as_deref(), &body);
        assert_eq!(status, 401, "{why}: {answer}");
        assert!(answer["error"].is_string(), "{why}: {answer}");
        assert!(!answer.to_string().contains("kap-test-patient"), "no patient data in errors");
    }
    // Replayed: the same token twice.
    let once = token(path);
    assert_eq!(post(&agent, &service, path, Some(&once), &body).0, 200);
    let (status, answer) = post(&agent, &service, path, Some(&once), &body);
    assert_eq!(status, 401, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("jti"), "{answer}");
}

#[test]
fn unsigned_calls_are_accepted_only_when_configured() {
    let service = start("unsigned", true, "");
    let body = fixture("patient-view.json").to_string();
    assert_eq!(post(&agent(), &service, "/cds-services/kap-eligibility", None, &body).0, 200);
}

/// Sends raw bytes and returns the answer's head and body as text.
fn raw(service: &Service, request: &[u8]) -> String {
    let address = service.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = stream.write_all(request); // the service may answer before the whole body is sent
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn bad_requests_get_the_right_4xx_and_the_service_keeps_serving() {
    let service = start("bad", false, "");
    let path = "/cds-services/kap-eligibility";
    let agent = agent();
    let good = fixture("patient-view.json");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v.to_string()
    };
    let cases: Vec<(&str, String, u16)> = vec![
        ("not JSON", "{\"hook\": ".to_string(), 400),
        ("not an object", "[1, 2]".to_string(), 400),
        ("another hook", with(&|v| v["hook"] = json!("order-sign")), 400),
        ("no hookInstance", with(&|v| drop(v.as_object_mut().unwrap().remove("hookInstance"))), 400),
        ("hookInstance not a UUID", with(&|v| v["hookInstance"] = json!("12")), 400),
        ("no context", with(&|v| drop(v.as_object_mut().unwrap().remove("context"))), 400),
        ("no patientId", with(&|v| drop(v["context"].as_object_mut().unwrap().remove("patientId"))), 400),
        ("prefetch not an object", with(&|v| v["prefetch"] = json!("x")), 400),
    ];
    for (why, body, expected) in cases {
        let (status, answer) = post(&agent, &service, path, Some(&token(path)), &body);
        assert_eq!(status, expected, "{why}: {answer}");
        assert!(answer["error"].is_string(), "{why}: {answer}");
    }
    let (status, _) = post(&agent, &service, "/cds-services/nothing-here", Some(&token(path)), "{}");
    assert_eq!(status, 404);
    // Not sent as JSON: 415.
    let mut response = agent
        .post(format!("{}{path}", service.url))
        .header("Authorization", format!("Bearer {}", token(path)))
        .content_type("text/plain")
        .send(good.to_string())
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    assert!(response.body_mut().read_to_string().unwrap().contains("\"error\""));
    // Larger than the limit (1 MiB): 413, told before the body is sent.
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        token(path),
        2 * 1024 * 1024
    );
    let answer = raw(&service, request.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 413"), "{}", &answer[..answer.len().min(200)]);
    assert!(answer.contains("\"error\""), "{answer}");
    // And it still serves.
    assert_eq!(post(&agent, &service, path, Some(&token(path)), &good.to_string()).0, 200);
    assert_eq!(discovery(&service)["services"].as_array().unwrap().len(), 2);
}

#[test]
fn the_service_starts_outside_the_project_without_the_form() {
    let elsewhere = std::env::temp_dir().join(format!("kap-cds-elsewhere-{}", std::process::id()));
    std::fs::create_dir_all(&elsewhere).unwrap();
    let service = start_in("elsewhere", false, "", Some(&elsewhere));
    assert!(discovery(&service)["services"].as_array().unwrap().len() == 2);
    let page = agent().get(format!("{}/", service.url)).call().unwrap();
    assert_eq!(page.status().as_u16(), 404, "no form is served from a folder without one");
}

#[test]
fn browser_ehrs_may_call_across_origins() {
    let service = start("cors", false, "");
    let answer = raw(
        &service,
        b"OPTIONS /cds-services/kap-eligibility HTTP/1.1\r\nHost: x\r\nOrigin: https://ehr.example.org\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type\r\nConnection: close\r\n\r\n",
    )
    .to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(answer.contains("access-control-allow-origin: *"), "{answer}");
    assert!(answer.contains("authorization"), "{answer}");
}

/// The requests a test FHIR server saw: target and Authorization header.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A FHIR server in a thread: answers from `resources` when the bearer token is `token`,
/// 401 otherwise; records each request's target and Authorization header.
fn fhir_server(resources: Vec<Value>, token: &'static str) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/fhir", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let mut auth = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                    break;
                }
                if let Some((name, value)) = h.split_once(':') {
                    if name.eq_ignore_ascii_case("authorization") {
                        auth = value.trim().to_string();
                    }
                }
            }
            log.lock().unwrap().push((target.clone(), auth.clone()));
            let query = target.trim_start_matches("/fhir/");
            let (status, body) = if auth == format!("Bearer {token}") {
                ("200 OK", answer(query, &resources).to_string())
            } else {
                ("401 Unauthorized", json!({"resourceType": "OperationOutcome"}).to_string())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/fhir+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn without_prefetch_the_resources_are_fetched_from_the_fhir_server_with_its_token() {
    let service = start("fetch", false, "");
    let (fhir, seen) = fhir_server(resources("minor.bundle.json"), "fhir-token-123");
    let path = "/cds-services/kap-eligibility";
    let mut request = fixture("patient-view.json");
    request["fhirServer"] = json!(fhir);
    request["fhirAuthorization"] = json!({
        "access_token": "fhir-token-123",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/Patient.read patient/Observation.read",
        "subject": "cds-service4"
    });
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &request.to_string());
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    check_shape(card);
    assert_eq!(card["indicator"], "critical", "the minor's record was fetched: {card}");
    let requests = seen.lock().unwrap().clone();
    let templates = discovery(&service)["services"][0]["prefetch"].as_object().unwrap().len();
    assert_eq!(requests.len(), templates, "{requests:?}");
    for (target, auth) in &requests {
        assert!(target.starts_with("/fhir/") && target.contains("kap-test-patient"), "{target}");
        assert_eq!(auth, "Bearer fhir-token-123");
    }
    // A token the FHIR server refuses: no data, an indeterminate card, never an error.
    request["fhirAuthorization"]["access_token"] = json!("stale-token");
    let (status, answer) = post(&agent(), &service, path, Some(&token(path)), &request.to_string());
    assert_eq!(status, 200, "{answer}");
    let card = the_card(&answer);
    assert_eq!(card["indicator"], "warning");
    assert!(card["detail"].as_str().unwrap().contains("the FHIR server answered 401"), "{card}");
}

#[test]
fn feedback_is_accepted() {
    let service = start("feedback", false, "");
    let path = "/cds-services/kap-eligibility/feedback";
    let (status, _) = post(&agent(), &service, path, Some(&token(path)), &fixture("feedback.json").to_string());
    assert_eq!(status, 200);
    let (status, _) = post(&agent(), &service, path, Some(&token(path)), "{\"feedback\": 3}");
    assert_eq!(status, 400);
}

/// Load: 1,000 calls from 50 concurrent clients, each with its own signed token, against the
/// service built for tests (debug). Prints throughput and latency percentiles; asserts only
/// that no call failed.
#[test]
fn load_1000_calls_from_50_clients_without_an_error() {
    const CLIENTS: usize = 50;
    const CALLS: usize = 20;
    let service = start("load", false, "");
    let body =
        request_for(&discovery(&service), "patient-view.json", "kap-eligibility", &shifted_resources("eligible.json"))
            .to_string();
    let path = "/cds-services/kap-eligibility";
    let tokens: Vec<Vec<String>> = (0..CLIENTS).map(|_| (0..CALLS).map(|_| token(path)).collect()).collect();
    let started = Instant::now();
    let results: Vec<(usize, Vec<Duration>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = tokens
            .iter()
            .map(|tokens| {
                let (service, body) = (&service, &body);
                scope.spawn(move || {
                    let agent = agent();
                    let mut errors = 0;
                    let mut times = Vec::new();
                    for token in tokens {
                        let t = Instant::now();
                        let (status, answer) = post(&agent, service, path, Some(token), body);
                        times.push(t.elapsed());
                        if status != 200 || answer["cards"].as_array().map_or(0, Vec::len) != 1 {
                            errors += 1;
                        }
                    }
                    (errors, times)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    let errors: usize = results.iter().map(|r| r.0).sum();
    let mut times: Vec<Duration> = results.into_iter().flat_map(|r| r.1).collect();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
    println!(
        "load: {} calls from {CLIENTS} clients in {:.2} s: {:.0} calls/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {errors} errors",
        times.len(),
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        times.last().unwrap().as_secs_f64() * 1000.0,
    );
    assert_eq!(times.len(), CLIENTS * CALLS);
    assert_eq!(errors, 0);
}
