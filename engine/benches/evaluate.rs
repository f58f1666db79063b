//! Benchmarks: compiling the reference protocol, and evaluating one patient with it.
//!
//! Run with `cargo bench -p kap-engine`. Numbers are reported, never asserted.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

    let monitored = read("tests/corpus/examples/06-monitoring.json");
    c.bench_function("evaluate a monitored session (all decisions, 7 readings)", |b| {
        b.iter(|| protocol.evaluate_json(black_box(&monitored)).unwrap())
    });

    let missing = read("tests/corpus/examples/03-indeterminate.json");
    c.bench_function("evaluate intake with a missing input", |b| {
        b.iter(|| protocol.evaluate_json(black_box(&missing)).unwrap())
    });
}

criterion_group!(evaluate, benches);
criterion_main!(evaluate);
