//! `kap fmt` as a process: rewriting in place, `--check`, standard input, and refusal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const MESSY: &str = "input x:boolean \"X\"\ndecision d\n    list l of k\n\n\n    k a \"A\"\n         when not(x)\n";
const TIDY: &str = "input x: boolean \"X\"\ndecision d\n  list l of k\n\n  k a \"A\"\n    when not (x)\n";

fn kap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kap")).args(args).output().unwrap()
}

/// A fresh folder for one test's files.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kap-fmt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_names_the_files_that_would_change_and_shows_the_first_differences() {
    let dir = folder("check");
    let (messy, tidy) = (dir.join("messy.kap"), dir.join("tidy.kap"));
    std::fs::write(&messy, MESSY).unwrap();
    std::fs::write(&tidy, TIDY).unwrap();
    let out = kap(&["fmt", "--check", messy.to_str().unwrap(), tidy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("messy.kap: would be reformatted"), "{stdout}");
    assert!(!stdout.contains("tidy.kap: would"), "{stdout}");
    assert!(stdout.contains("-input x:boolean \"X\"\n+input x: boolean \"X\"\n"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY, "--check changes nothing");
    assert_eq!(kap(&["fmt", "--check", tidy.to_str().unwrap()]).status.code(), Some(0));
}

#[test]
fn a_file_is_rewritten_in_place() {
    let dir = folder("write");
    let file = dir.join("rules.kap");
    std::fs::write(&file, MESSY).unwrap();
    assert_eq!(kap(&["fmt", file.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), TIDY);
}

#[test]
fn a_dash_reads_standard_input_and_writes_standard_output() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kap"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(MESSY.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), TIDY);
}

#[test]
fn a_file_that_does_not_parse_is_left_alone_with_its_diagnostics() {
    let dir = folder("broken");
    let file = dir.join("broken.kap");
    std::fs::write(&file, "input x: boolen   \"X\"\n").unwrap();
    let out = kap(&["fmt", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.kap:1:"), "{stderr}");
    assert!(stderr.contains("does not parse"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "input x: boolen   \"X\"\n");
}
