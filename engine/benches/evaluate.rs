//! Benchmarks: compiling the reference protocol, and evaluating one patient with it.
//!
//! Run with `cargo bench -p kap-engine`. Numbers are reported, never asserted.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion};
use kap_engine::input::json;
use kap_engine::Protocol;
use std::hint::black_box;

fn read(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    std::fs::read_to_string(format!("{root}/{path}")).unwrap()
}

fn benches(c: &mut Criterion) {
    let source = read("rules/kap-reference.kap");
    c.bench_function("compile reference protocol", |b| b.iter(|| Protocol::compile(black_box(&source)).unwrap()));

    let protocol = Protocol::compile(&source).unwrap();
    let intake = read("tests/corpus/examples/02-ineligible.json");
    c.bench_function("evaluate intake (JSON text in, decisions out)", |b| {
        b.iter(|| protocol.evaluate_json(black_box(&intake)).unwrap())
    });

    let parsed = json::parse(&intake).unwrap();
    c.bench_function("evaluate intake (parsed document)", |b| {
        b.iter(|| protocol.evaluate(black_box(&parsed)).unwrap())
    });

    let session = read("tests/corpus/examples/04-session3-im-escalate.json");
    c.bench_function("evaluate a session (eligibility, session, follow-up)", |b| {
        b.iter(|| protocol.evaluate_json(black_box(&session)).unwrap())
    });

    // Session 4, in progress: three sessions given, seven readings: all four decisions.
    let mut fourth: serde_json::Value =
        serde_json::from_str(&read("tests/corpus/examples/06-monitoring.json")).unwrap();
    let given = fourth["course"]["sessions"][0].clone();
    let mut earlier = vec![given.clone(), given.clone(), given];
    for (i, at) in ["2026-11-12T09:30:00Z", "2026-11-16T09:30:00Z", "2026-11-19T09:30:00Z"].iter().enumerate() {
        earlier[i]["at"] = serde_json::json!(at);
        earlier[i]["level"] = serde_json::json!(format!("L{}", i + 1));
    }
    fourth["course"]["sessions"] = serde_json::json!(earlier);
    let fourth = fourth.to_string();
    let out = protocol.evaluate_json(&fourth).unwrap();
    assert_eq!(out.decisions.len(), 4);
    assert_eq!(out.decisions["session"].value("number"), Some(&serde_json::json!(4)));
    c.bench_function("evaluate session 4 in progress (all four decisions)", |b| {
        b.iter(|| protocol.evaluate_json(black_box(&fourth)).unwrap())
    });

    let monitored = read("tests/corpus/examples/06-monitoring.json");
    c.bench_function("evaluate a monitored session (all decisions, 7 readings)", |b| {
        b.iter(|| protocol.evaluate_json(black_box(&monitored)).unwrap())
    });

    // The largest document the declarations allow: 6 sessions, 100 readings with every member.
    let largest = read("tests/large/largest-course.json");
    c.bench_function("evaluate the largest document (6 sessions, 100 readings)", |b| {
        b.iter(|| protocol.evaluate_json(black_box(&largest)).unwrap())
    });

    let missing = read("tests/corpus/examples/03-indeterminate.json");
    c.bench_function("evaluate intake with a missing input", |b| {
        b.iter(|| protocol.evaluate_json(black_box(&missing)).unwrap())
    });
}

criterion_group!(evaluate, benches);
criterion_main!(evaluate);
