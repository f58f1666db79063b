//! `kap eval --jsonl`: a stream of documents, one output line per input line, in order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{kap, root, text, RULES};
use std::io::Write;
use std::process::{Command, Stdio};

const DOCUMENTS: [&str; 2] =
    ["tests/corpus/examples/02-ineligible.json", "tests/corpus/examples/04-session3-im-escalate.json"];

/// `kap eval`'s JSON for a document, written compact: what its `--jsonl` line must be.
fn eval_compact(document: &str) -> String {
    let out = kap(&["eval", RULES, "--input", document]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    serde_json::to_string(&value).unwrap()
}

/// A document's text on one line.
fn one_line(document: &str) -> String {
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(document)).unwrap()).unwrap();
    serde_json::to_string(&value).unwrap()
}

fn run(args: &[&str], input: &str) -> std::process::Output {
    run_bytes(args, input.as_bytes().to_vec())
}

fn run_bytes(args: &[&str], input: Vec<u8>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kap"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Written from a thread: `kap` writes its output while it reads, and a full pipe on
    // either side would stop both.
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

#[test]
fn each_line_gives_its_line_in_order_and_an_invalid_one_an_error() {
    let input =
        format!("{}\n{{\"patient\": {{\"age\": \"x\"}}}}\n{}\n", one_line(DOCUMENTS[0]), one_line(DOCUMENTS[1]));
    let out = run(&["eval", RULES, "--jsonl", "-"], &input);
    assert_eq!(out.status.code(), Some(2), "a refused line gives exit status 2");
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0], eval_compact(DOCUMENTS[0]), "byte-identical to `kap eval`");
    assert_eq!(lines[2], eval_compact(DOCUMENTS[1]), "byte-identical to `kap eval`");
    let error: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(error["line"], 2);
    assert_eq!(error["error"]["kind"], "input");
    assert_eq!(error["error"]["code"], "wrong_type");
    assert_eq!(error["error"]["path"], "patient.age");
}

#[test]
fn many_lines_keep_their_order_across_threads_and_no_explain_keeps_the_decisions() {
    let docs: Vec<String> = (0..5000).map(|i| one_line(DOCUMENTS[i % 2])).collect();
    let mut input = docs.join("\n");
    input.push_str("\nnot json\n");
    let explained = run(&["eval", RULES, "--jsonl", "-"], &input);
    let quick = run(&["eval", RULES, "--jsonl", "-", "--no-explain"], &input);
    let (explained, quick) = (text(&explained.stdout), text(&quick.stdout));
    let expected = [eval_compact(DOCUMENTS[0]), eval_compact(DOCUMENTS[1])];
    let (explained, quick): (Vec<&str>, Vec<&str>) = (explained.lines().collect(), quick.lines().collect());
    assert_eq!((explained.len(), quick.len()), (5001, 5001));
    for (i, (e, q)) in explained.iter().zip(&quick).take(5000).enumerate() {
        assert_eq!(*e, expected[i % 2], "line {}", i + 1);
        let (e, q): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(e).unwrap(), serde_json::from_str(q).unwrap());
        assert_eq!(e["decisions"], q["decisions"], "line {}", i + 1);
        assert_eq!(q["explanation"], serde_json::json!([]));
    }
    for last in [explained[5000], quick[5000]] {
        let error: serde_json::Value = serde_json::from_str(last).unwrap();
        assert_eq!((error["line"].as_u64(), error["error"]["code"].as_str()), (Some(5001), Some("json_syntax")));
    }
}

/// A line that is not UTF-8, and one longer than a document may be (read no further than
/// that), each give an error object on their line, and the stream goes on past them.
#[test]
fn a_line_not_utf8_or_too_long_is_refused_on_its_line_and_the_stream_goes_on() {
    let good = one_line(DOCUMENTS[0]);
    let mut input: Vec<u8> = Vec::new();
    for _ in 0..5000 {
        input.extend_from_slice(good.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(b"{\"patient\": {\"mood_episode\": \"\xff\"}}\r\n");
    let long = format!("{{\"patient\": {{\"age\": 30}}}}{}", " ".repeat(kap_engine::limits::MAX_DOCUMENT_BYTES));
    input.extend_from_slice(long.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(good.as_bytes());
    let out = run_bytes(&["eval", RULES, "--jsonl", "-", "--no-explain"], input);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5003);
    let error = |line: &str| serde_json::from_str::<serde_json::Value>(line).unwrap();
    let not_utf8 = error(lines[5000]);
    assert_eq!((not_utf8["line"].as_u64(), not_utf8["error"]["code"].as_str()), (Some(5001), Some("json_syntax")));
    assert!(not_utf8["error"]["message"].as_str().unwrap().contains("not UTF-8 text at byte 30"), "{not_utf8}");
    let too_long = error(lines[5001]);
    assert_eq!((too_long["line"].as_u64(), too_long["error"]["code"].as_str()), (Some(5002), Some("too_large")));
    assert_eq!(too_long["error"]["message"], format!("the document is {} bytes, more than kap reads", long.len()));
    assert_eq!(error(lines[5002])["decisions"], error(lines[0])["decisions"]);
}

#[test]
fn text_output_is_refused_for_a_stream() {
    let out = kap(&["eval", RULES, "--jsonl", DOCUMENTS[0], "--format", "text"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("--format text is for one document"), "{}", text(&out.stderr));
}

#[test]
fn leaving_the_explanation_out_is_refused_for_one_document() {
    let out = kap(&["eval", RULES, "--input", DOCUMENTS[0], "--no-explain"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("--no-explain is for a stream"), "{}", text(&out.stderr));
}
