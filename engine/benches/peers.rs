//! Benchmark against peers: the eligibility decision of the reference protocol (section 2 of
//! the clinical text) made by kap, by datalogic-rs (the same rules written in JSONLogic,
//! `eligibility.jsonlogic.json` beside this file) and by a hand-written Rust function over
//! serde structs (a ceiling, not an engine), in one process, on the same generated intake
//! documents.
//!
//! Before timing, every document is decided by all three and the bench stops at the first
//! document where the verdicts, the exclusions or the cautions (as sets of rule ids) differ.
//! Then it prints evaluations per second, from a parsed document and from JSON text, with the
//! ratios to datalogic-rs; and, for the whole reference protocol, a session-4 document
//! (all four decisions) and compiling the protocol.
//!
//! Run with `cargo bench -p kap-engine --bench peers`; `KAP_PEERS_DOCS=N` changes the number
//! of documents (10,000 by default). To profile one of kap's paths alone, set
//! `KAP_PEERS_PROFILE` to `input` (`Input::decide`), `read` (`Protocol::read` then
//! `decide`), `decide`, `evaluate`, `evaluate_json`, `session` (session 4, `evaluate`),
//! `session_input` (session 4, `Input::decide`) or `compile`: the bench checks the engines
//! agree, then runs that path for 10 s, prints the time of one run and stops, e.g.
//! `KAP_PEERS_PROFILE=decide perf record -g target/release/deps/peers-*`.
//! Numbers are reported, never asserted.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use kap_engine::input::json::{self, Json};
use kap_engine::Protocol;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn read(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    std::fs::read_to_string(format!("{root}/{path}")).unwrap()
}

// ------------------------------------------------------------------ documents

/// A linear congruential generator (Knuth's MMIX constants): the same documents every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    /// A whole number in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// A decimal with one digit after the point in `lo..=hi` (given in tenths).
    fn tenths(&mut self, lo: i64, hi: i64) -> f64 {
        self.int(lo, hi) as f64 / 10.0
    }
    fn pick<'a>(&mut self, weighted: &[(&'a str, u64)]) -> &'a str {
        let total = weighted.iter().map(|(_, w)| w).sum();
        let mut n = self.below(total);
        for (name, w) in weighted {
            if n < *w {
                return name;
            }
            n -= w;
        }
        weighted[0].0
    }
}

/// A complete intake document: every input of `patient` and `screening` present and within
/// its declared range, most patients eligible, each exclusion and caution firing now and then.
fn document(r: &mut Lcg) -> String {
    let age = match r.below(25) {
        0 => r.int(14, 17),
        1..=4 => r.int(65, 90),
        _ => r.int(18, 64),
    };
    let systolic = if r.one_in(8) { r.int(135, 175) } else { r.int(95, 138) };
    let diastolic = if r.one_in(12) { r.int(85, 105) } else { r.int(55, 88) };
    let audit = if r.one_in(6) { r.int(8, 32) } else { r.int(0, 7) };
    let dast10 = if r.one_in(8) { r.int(3, 9) } else { r.int(0, 2) };
    let ideation = match r.below(20) {
        0 => r.int(4, 5),
        1..=5 => r.int(1, 3),
        _ => 0,
    };
    let benzodiazepine = if r.one_in(6) { r.tenths(5, 300) } else { 0.0 };
    let doc = json!({
        "at": "2026-11-20T09:30:00Z",
        "patient": {
            "age": age,
            "weight": r.tenths(450, 1400),
            "bmi": if r.one_in(8) { r.tenths(351, 450) } else { r.tenths(170, 350) },
            "childbearing_potential": r.one_in(2),
            "pregnant": r.one_in(25),
            "breastfeeding": r.one_in(40),
            "ivf": r.one_in(40),
            "psychotic_disorder_history": r.one_in(40),
            "first_degree_relative_psychosis": r.one_in(15),
            "mood_episode": r.pick(&[("none", 40), ("depressive", 52), ("manic", 3), ("hypomanic", 3), ("mixed", 2)]),
            "bipolar": r.one_in(8),
            "days_since_mood_elevation": r.int(0, 720),
            "ketamine_or_pcp_use_disorder_history": r.one_in(50),
            "substance_use_disorder_past_90_days": r.one_in(30),
            "vascular_contraindication": r.one_in(60),
            "ketamine_hypersensitivity": r.one_in(80),
            "raised_icp_or_open_globe": r.one_in(80),
            "glaucoma": r.pick(&[("none", 90), ("controlled", 7), ("uncontrolled", 3)]),
            "screening_systolic": systolic,
            "screening_diastolic": diastolic,
            "cardiac_event_past_180_days": r.one_in(60),
            "child_pugh": r.pick(&[("none", 85), ("A", 8), ("B", 5), ("C", 2)]),
            "benzodiazepine_dose": benzodiazepine,
            "maoi": r.one_in(40),
            "stimulant": r.one_in(15),
            "opioid_or_cns_depressant": r.one_in(15),
            "lamotrigine": r.one_in(10),
            "epilepsy": r.one_in(40),
            "stroke_or_tia_history": r.one_in(50),
            "heart_failure_or_valve_disease": r.one_in(50),
            "hyperthyroidism_uncontrolled": r.one_in(60),
            "pulmonary_insufficiency": r.one_in(40),
            "theophylline": r.one_in(80),
            "ketamine_uropathy_history": r.one_in(80),
            "stop_bang": if r.one_in(6) { r.int(3, 8) } else { r.int(0, 2) },
        },
        "screening": {
            "phq9": r.int(5, 27),
            "cssrs_ideation": ideation,
            "cssrs_behavior_past_3_months": r.one_in(40),
            "mdq_positive": r.one_in(10),
            "audit": audit,
            "dast10": dast10,
        },
    });
    doc.to_string()
}

// ------------------------------------------------------------------ the common outcome

/// What all three must agree on.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    verdict: String,
    exclusions: BTreeSet<String>,
    cautions: BTreeSet<String>,
}

fn from_kap(out: &kap_engine::Evaluation) -> Outcome {
    let eligibility = &out.decisions["eligibility"];
    assert!(eligibility.missing.is_empty(), "a complete document has nothing missing: {:?}", eligibility.missing);
    let set = |name: &str| eligibility.list(name).unwrap().iter().cloned().collect();
    Outcome { verdict: eligibility.verdict.clone(), exclusions: set("exclusions"), cautions: set("cautions") }
}

/// What a batch reads of a kap evaluation without building its output: the verdict and the
/// two lists, read from what the evaluation recorded.
fn from_decided(d: &kap_engine::Decided<'_>) -> Outcome {
    assert!(d.is_complete(), "a complete document has nothing missing");
    let set = |name: &str| d.list("eligibility", name).unwrap().into_iter().map(str::to_string).collect();
    Outcome {
        verdict: d.verdict("eligibility").unwrap().to_string(),
        exclusions: set("exclusions"),
        cautions: set("cautions"),
    }
}

/// The verdict and lists of a kap evaluation, read as a batch reads them (timed).
fn read_decided(d: &kap_engine::Decided<'_>) -> usize {
    let n = |name: &str| d.list("eligibility", name).map_or(0, |l| l.len());
    d.verdict("eligibility").map_or(0, str::len) + n("exclusions") + n("cautions")
}

fn from_datalogic(out: &datalogic_rs::DataValue<'_>) -> Outcome {
    // `[[verdict, exclusions, cautions]]`: the rule maps over a one-item list to name its lists.
    let row = out.as_array().unwrap()[0].as_array().unwrap();
    let set = |v: &datalogic_rs::DataValue<'_>| {
        v.as_array().unwrap().iter().map(|id| id.as_str().unwrap().to_string()).collect()
    };
    Outcome { verdict: row[0].as_str().unwrap().to_string(), exclusions: set(&row[1]), cautions: set(&row[2]) }
}

// ------------------------------------------------------------------ the hand-written ceiling

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum MoodEpisode {
    None,
    Depressive,
    Manic,
    Hypomanic,
    Mixed,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Glaucoma {
    None,
    Controlled,
    Uncontrolled,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
enum ChildPugh {
    #[serde(rename = "none")]
    None,
    A,
    B,
    C,
}

/// The inputs of section 2 (types checked by serde; ranges and unknown members not checked).
#[derive(Deserialize)]
struct Patient {
    age: i64,
    bmi: f64,
    childbearing_potential: bool,
    pregnant: bool,
    breastfeeding: bool,
    ivf: bool,
    psychotic_disorder_history: bool,
    first_degree_relative_psychosis: bool,
    mood_episode: MoodEpisode,
    bipolar: bool,
    days_since_mood_elevation: i64,
    ketamine_or_pcp_use_disorder_history: bool,
    substance_use_disorder_past_90_days: bool,
    vascular_contraindication: bool,
    ketamine_hypersensitivity: bool,
    raised_icp_or_open_globe: bool,
    glaucoma: Glaucoma,
    screening_systolic: i64,
    screening_diastolic: i64,
    cardiac_event_past_180_days: bool,
    child_pugh: ChildPugh,
    benzodiazepine_dose: f64,
    maoi: bool,
    stimulant: bool,
    opioid_or_cns_depressant: bool,
    epilepsy: bool,
    stroke_or_tia_history: bool,
    heart_failure_or_valve_disease: bool,
    hyperthyroidism_uncontrolled: bool,
    pulmonary_insufficiency: bool,
    theophylline: bool,
    ketamine_uropathy_history: bool,
    stop_bang: i64,
}

#[derive(Deserialize)]
struct Screening {
    cssrs_ideation: i64,
    cssrs_behavior_past_3_months: bool,
    mdq_positive: bool,
    audit: i64,
    dast10: i64,
}

#[derive(Deserialize)]
struct Intake {
    patient: Patient,
    screening: Screening,
}

const EXCLUSIONS: [&str; 16] = [
    "minor",
    "psychosis",
    "mania",
    "recent_mania",
    "ketamine_use_disorder",
    "substance_use_disorder",
    "severe_substance_use",
    "pregnancy",
    "vascular",
    "hypersensitivity",
    "raised_pressure",
    "hypertension",
    "cardiac",
    "hepatic",
    "suicide_risk",
    "ketamine_uropathy",
];

const CAUTIONS: [&str; 17] = [
    "bipolar_remission",
    "mdq_positive",
    "family_psychosis",
    "hazardous_substance_use",
    "benzodiazepine",
    "pressor_interaction",
    "cns_depressant",
    "older_adult",
    "airway_risk",
    "hepatic_moderate",
    "suicidal_ideation",
    "epilepsy",
    "cerebrovascular",
    "heart_failure_or_valve",
    "hyperthyroidism",
    "pulmonary_insufficiency",
    "theophylline",
];

/// The hand-written outcome: the verdict, and the lists as bit sets over `EXCLUSIONS` and
/// `CAUTIONS`.
#[derive(Clone, Copy)]
struct Hand {
    verdict: &'static str,
    exclusions: u32,
    cautions: u32,
}

fn bits(conditions: &[bool]) -> u32 {
    conditions.iter().enumerate().fold(0, |set, (i, &c)| set | (u32::from(c) << i))
}

fn hand(d: &Intake) -> Hand {
    let (p, s) = (&d.patient, &d.screening);
    let exclusions = bits(&[
        p.age < 18,
        p.psychotic_disorder_history,
        matches!(p.mood_episode, MoodEpisode::Manic | MoodEpisode::Hypomanic | MoodEpisode::Mixed),
        p.bipolar && p.days_since_mood_elevation < 90,
        p.ketamine_or_pcp_use_disorder_history,
        p.substance_use_disorder_past_90_days,
        s.audit >= 20 || s.dast10 >= 6,
        p.breastfeeding || (p.childbearing_potential && (p.pregnant || p.ivf)),
        p.vascular_contraindication,
        p.ketamine_hypersensitivity,
        p.raised_icp_or_open_globe || p.glaucoma == Glaucoma::Uncontrolled,
        p.screening_diastolic > 90 || p.screening_systolic > 150 || (p.age < 65 && p.screening_systolic > 140),
        p.cardiac_event_past_180_days,
        p.child_pugh == ChildPugh::C,
        s.cssrs_ideation >= 4 || s.cssrs_behavior_past_3_months,
        p.ketamine_uropathy_history,
    ]);
    let cautions = bits(&[
        p.bipolar && p.days_since_mood_elevation >= 90,
        s.mdq_positive,
        p.first_degree_relative_psychosis,
        (8..=19).contains(&s.audit) || (3..=5).contains(&s.dast10),
        p.benzodiazepine_dose > 8.0,
        p.maoi || p.stimulant,
        p.opioid_or_cns_depressant,
        p.age >= 65,
        p.bmi > 35.0 || p.stop_bang >= 3,
        p.child_pugh == ChildPugh::B,
        (1..=3).contains(&s.cssrs_ideation),
        p.epilepsy,
        p.stroke_or_tia_history,
        p.heart_failure_or_valve_disease,
        p.hyperthyroidism_uncontrolled,
        p.pulmonary_insufficiency,
        p.theophylline,
    ]);
    let verdict = if exclusions != 0 {
        "ineligible"
    } else if cautions != 0 {
        "eligible_with_cautions"
    } else {
        "eligible"
    };
    Hand { verdict, exclusions, cautions }
}

fn from_hand(h: Hand) -> Outcome {
    let set = |ids: &[&str], bits: u32| {
        ids.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, id)| (*id).to_string()).collect()
    };
    Outcome {
        verdict: h.verdict.to_string(),
        exclusions: set(&EXCLUSIONS, h.exclusions),
        cautions: set(&CAUTIONS, h.cautions),
    }
}

// ------------------------------------------------------------------ timing

/// One timed path: how many evaluations a pass makes, and the pass.
type Pass<'a> = (usize, Box<dyn FnMut() + 'a>);

/// Evaluations per second of each pass: one warm-up pass each, then `ROUNDS` rounds that run
/// every pass in turn, each repeated for at least 0.3 s, the best round kept. Interleaving the
/// passes spreads the load of a shared machine over all of them alike.
fn rates(passes: &mut [Pass<'_>]) -> Vec<f64> {
    const ROUNDS: usize = 7;
    passes.iter_mut().for_each(|(_, pass)| pass());
    let mut best = vec![0.0f64; passes.len()];
    for _ in 0..ROUNDS {
        for ((n, pass), best) in passes.iter_mut().zip(&mut best) {
            let (start, mut count) = (Instant::now(), 0u32);
            while start.elapsed() < Duration::from_millis(300) {
                pass();
                count += 1;
            }
            *best = best.max((*n as f64 * f64::from(count)) / start.elapsed().as_secs_f64());
        }
    }
    best
}

fn human(per_second: f64) -> String {
    if per_second >= 1e6 {
        format!("{:.2} M", per_second / 1e6)
    } else if per_second >= 1e3 {
        format!("{:.1} K", per_second / 1e3)
    } else {
        format!("{per_second:.0}")
    }
}

/// The session-4 document of the `evaluate` bench: three sessions given, seven readings.
/// The input documents of the test corpus that the protocol evaluates.
fn corpus_documents(protocol: &Protocol) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json")
                && !path.to_string_lossy().ends_with(".expected.json")
            {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus"), &mut files);
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .filter(|text| protocol.evaluate_json(text).is_ok())
        .collect()
}

fn session_four() -> String {
    let mut fourth: Value = serde_json::from_str(&read("tests/corpus/examples/06-monitoring.json")).unwrap();
    let given = fourth["course"]["sessions"][0].clone();
    let mut earlier = vec![given.clone(), given.clone(), given];
    for (i, at) in ["2026-11-12T09:30:00Z", "2026-11-16T09:30:00Z", "2026-11-19T09:30:00Z"].iter().enumerate() {
        earlier[i]["at"] = json!(at);
        earlier[i]["level"] = json!(format!("L{}", i + 1));
    }
    fourth["course"]["sessions"] = json!(earlier);
    fourth.to_string()
}

fn main() {
    let n: usize = match std::env::var("KAP_PEERS_DOCS") {
        Ok(s) => s.parse().unwrap_or_else(|_| panic!("KAP_PEERS_DOCS: `{s}` is not a number of documents")),
        Err(_) => 10_000,
    };
    let mut random = Lcg(0x6b61_7020_7065_6572);
    let texts: Vec<String> = (0..n).map(|_| document(&mut random)).collect();

    // kap: the reference protocol, compiled once.
    let source = read("rules/kap-reference.kap");
    let protocol = Protocol::compile(&source).unwrap();
    let parsed: Vec<Json> = texts.iter().map(|t| json::parse(t).unwrap()).collect();
    let inputs: Vec<kap_engine::Input<'_>> = texts.iter().map(|t| protocol.read(t).unwrap()).collect();

    // datalogic-rs: the JSONLogic rules, compiled once; each document parsed once.
    let engine = datalogic_rs::Engine::new();
    let rules = read("engine/benches/eligibility.jsonlogic.json");
    let logic = engine.compile(rules.as_str()).unwrap();
    let data: Vec<datalogic_rs::ParsedData> =
        texts.iter().map(|t| datalogic_rs::ParsedData::from_json(t).unwrap()).collect();
    let mut session = engine.session();

    // The ceiling: serde structs.
    let structs: Vec<Intake> = texts.iter().map(|t| serde_json::from_str(t).unwrap()).collect();

    // Same verdict, exclusions and cautions from all three, on every document.
    let (mut verdicts, mut fired) = (BTreeSet::new(), BTreeSet::new());
    for (i, text) in texts.iter().enumerate() {
        let kap = from_kap(&protocol.decide(&parsed[i]).unwrap());
        let decided = from_decided(&inputs[i].decide().unwrap());
        let decided_text = from_decided(&protocol.read(text).unwrap().decide().unwrap());
        let explained = from_kap(&protocol.evaluate(&parsed[i]).unwrap());
        let from_text = from_kap(&protocol.evaluate_json(text).unwrap());
        let datalogic = from_datalogic(session.eval_borrowed(&logic, &data[i]).unwrap());
        session.reset();
        let datalogic_text = from_datalogic(session.eval_borrowed(&logic, text.as_str()).unwrap());
        session.reset();
        let ceiling = from_hand(hand(&structs[i]));
        let ceiling_text = from_hand(hand(&serde_json::from_str(text).unwrap()));
        for (engine, other) in [
            ("kap Input::decide", &decided),
            ("kap read then decide", &decided_text),
            ("kap evaluate", &explained),
            ("kap evaluate_json", &from_text),
            ("datalogic-rs", &datalogic),
            ("datalogic-rs from text", &datalogic_text),
            ("hand-written", &ceiling),
            ("hand-written from text", &ceiling_text),
        ] {
            if *other != kap {
                eprintln!("document {i}: {text}");
                eprintln!("kap decide: {kap:?}");
                eprintln!("{engine}: {other:?}");
                std::process::exit(1);
            }
        }
        verdicts.insert(kap.verdict.clone());
        fired.extend(kap.exclusions.iter().chain(&kap.cautions).cloned());
    }
    let never: Vec<&str> = EXCLUSIONS.iter().chain(&CAUTIONS).copied().filter(|id| !fired.contains(*id)).collect();
    if n >= 1000 && (!never.is_empty() || verdicts.len() != 3) {
        eprintln!("the documents are not varied enough: never fired {never:?}, verdicts {verdicts:?}");
        std::process::exit(1);
    }
    println!(
        "{n} documents, all three engines equal on each; verdicts {verdicts:?}, every exclusion and caution fires"
    );
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("mean document: {} bytes\n", bytes / n.max(1));

    if let Ok(path) = std::env::var("KAP_PEERS_PROFILE") {
        let fourth = json::parse(&session_four()).unwrap();
        let fourth_input = protocol.input(&fourth).unwrap();
        let (start, mut rounds) = (Instant::now(), 0u32);
        while start.elapsed() < Duration::from_secs(10) {
            rounds += 1;
            for ((doc, text), input) in parsed.iter().zip(&texts).zip(&inputs) {
                match path.as_str() {
                    "input" => {
                        black_box(read_decided(&black_box(input).decide().unwrap()));
                    }
                    "read" => {
                        black_box(read_decided(&protocol.read(black_box(text)).unwrap().decide().unwrap()));
                    }
                    "decide" => drop(black_box(protocol.decide(black_box(doc)).unwrap())),
                    "evaluate" => drop(black_box(protocol.evaluate(black_box(doc)).unwrap())),
                    "evaluate_json" => drop(black_box(protocol.evaluate_json(black_box(text)).unwrap())),
                    "session" => drop(black_box(protocol.evaluate(black_box(&fourth)).unwrap())),
                    "session_input" => drop(black_box(black_box(&fourth_input).decide().unwrap())),
                    "compile" => drop(black_box(Protocol::compile(black_box(&source)).unwrap())),
                    other => panic!(
                        "KAP_PEERS_PROFILE: no path `{other}` (input, read, decide, evaluate, evaluate_json, session, session_input, compile)"
                    ),
                };
            }
        }
        let each = start.elapsed().as_secs_f64() * 1e6 / (f64::from(rounds) * n as f64);
        println!("{path}: {each:.2} µs each");
        return;
    }

    // The documents of the test corpus that are evaluated: the web tests time the same work in
    // WebAssembly (`evaluateJson`), to compare with this native figure.
    let corpus = corpus_documents(&protocol);
    let corpus = &corpus;
    let fourth = session_four();
    let fourth_parsed = json::parse(&fourth).unwrap();
    assert_eq!(protocol.evaluate(&fourth_parsed).unwrap().decisions.len(), 4);
    let fourth_input = protocol.input(&fourth_parsed).unwrap();
    let fourth_input = &fourth_input;
    let (protocol, engine, logic) = (&protocol, &engine, &logic);
    let (parsed, texts, data, structs, inputs) = (&parsed, &texts, &data, &structs, &inputs);
    let (fourth, fourth_parsed, source) = (&fourth, &fourth_parsed, &source);
    // Each datalogic-rs pass owns an arena, reset after each evaluation (as a `Session` does).
    let (mut arena, mut text_arena) = (datalogic_rs::bumpalo::Bump::new(), datalogic_rs::bumpalo::Bump::new());
    let mut passes: Vec<Pass<'_>> = vec![
        (
            n,
            Box::new(move || {
                inputs.iter().for_each(|i| {
                    black_box(read_decided(&i.decide().unwrap()));
                })
            }),
        ),
        (
            n,
            Box::new(move || {
                texts.iter().for_each(|t| {
                    black_box(read_decided(&protocol.read(black_box(t)).unwrap().decide().unwrap()));
                })
            }),
        ),
        (n, Box::new(move || parsed.iter().for_each(|doc| drop(black_box(protocol.decide(black_box(doc)).unwrap()))))),
        (
            n,
            Box::new(move || {
                texts
                    .iter()
                    .for_each(|t| drop(black_box(protocol.decide(&json::parse(black_box(t)).unwrap()).unwrap())))
            }),
        ),
        (
            n,
            Box::new(move || parsed.iter().for_each(|doc| drop(black_box(protocol.evaluate(black_box(doc)).unwrap())))),
        ),
        (
            n,
            Box::new(move || texts.iter().for_each(|t| drop(black_box(protocol.evaluate_json(black_box(t)).unwrap())))),
        ),
        (
            n,
            Box::new(move || {
                for doc in data {
                    black_box(engine.evaluate(logic, black_box(doc), &arena).unwrap());
                    arena.reset();
                }
            }),
        ),
        (
            n,
            Box::new(move || {
                for text in texts {
                    black_box(engine.evaluate(logic, black_box(text.as_str()), &text_arena).unwrap());
                    text_arena.reset();
                }
            }),
        ),
        (
            n,
            Box::new(move || {
                structs.iter().for_each(|doc| {
                    black_box(hand(black_box(doc)));
                })
            }),
        ),
        (
            n,
            Box::new(move || {
                for text in texts {
                    let doc: Intake = serde_json::from_str(black_box(text)).unwrap();
                    black_box(hand(&doc));
                }
            }),
        ),
        (1, Box::new(move || drop(black_box(protocol.evaluate(black_box(fourth_parsed)).unwrap())))),
        (1, Box::new(move || drop(black_box(protocol.decide(black_box(fourth_parsed)).unwrap())))),
        (1, Box::new(move || drop(black_box(black_box(fourth_input).decide().unwrap())))),
        (1, Box::new(move || drop(black_box(protocol.evaluate_json(black_box(fourth)).unwrap())))),
        (1, Box::new(move || drop(black_box(Protocol::compile(black_box(source)).unwrap())))),
        (
            corpus.len(),
            Box::new(move || {
                for text in corpus {
                    black_box(serde_json::to_string(&protocol.evaluate_json(black_box(text)).unwrap()).unwrap());
                }
            }),
        ),
    ];
    let r = rates(&mut passes);
    let [kap_input, kap_read, kap_decide, kap_decide_text, kap_evaluate, kap_evaluate_text, datalogic_parsed, datalogic_text, hand_parsed, hand_text, session_evaluate, session_decide, session_input, session_text, compiles, corpus_rate] =
        r[..]
    else {
        unreachable!()
    };

    println!("eligibility (section 2), evaluations per second, best of 7 interleaved rounds:\n");
    println!("| engine | parsed document | from JSON text | ÷ datalogic-rs (parsed, text) |");
    println!("|---|---:|---:|---:|");
    let row = |name: &str, parsed: f64, text: f64| {
        println!(
            "| {name} | {} | {} | {:.2}×, {:.2}× |",
            human(parsed),
            human(text),
            parsed / datalogic_parsed,
            text / datalogic_text
        );
    };
    row("hand-written Rust over serde structs (ceiling)", hand_parsed, hand_text);
    row("datalogic-rs 5.4 (compiled JSONLogic)", datalogic_parsed, datalogic_text);
    row(
        "kap `Input::decide`, verdict and lists read (validated document; from text: `Protocol::read`)",
        kap_input,
        kap_read,
    );
    row(
        "kap `Protocol::decide`, the JSON contract without explanation (parsed `Json`, validated each time)",
        kap_decide,
        kap_decide_text,
    );
    row("kap `evaluate` (explained)", kap_evaluate, kap_evaluate_text);
    println!("\nkap from text: `json::parse` then `decide`; `evaluate_json`.");

    println!("\nthe whole reference protocol:\n");
    println!("| what | per second | each |");
    println!("|---|---:|---:|");
    for (what, per_second) in [
        ("session 4, all four decisions: `evaluate` (parsed document)", session_evaluate),
        ("session 4, all four decisions: `decide` (parsed document)", session_decide),
        ("session 4, all four decisions: `Input::decide` (validated document)", session_input),
        ("session 4, all four decisions: `evaluate_json`", session_text),
        ("compiling the reference protocol", compiles),
        ("corpus documents, evaluated to JSON text (`evaluate_json`; the web tests time WebAssembly's `evaluateJson` on the same)", corpus_rate),
    ] {
        let each = 1e6 / per_second;
        println!("| {what} | {} | {each:.1} µs |", human(per_second));
    }
}
