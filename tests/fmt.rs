//! `kap fmt`'s properties: formatting is idempotent, canonical (spacing and indentation
//! perturbed give the same text), and never changes what a file means (the same protocol
//! description, the same diagnostics, the same output on every corpus document).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::format::{format, FormatError};
use kap_engine::Protocol;
use kap_tests::{cases, reference_source, root};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// Every `.kap` file under `dir`, recursively.
fn kap_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            kap_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "kap") {
            out.push(path);
        }
    }
}

/// The string literals of the Rust files in `dir` (`r#"..."#`, and `"..."` with its escapes
/// read) that look like rule texts.
fn rule_texts(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rule_texts(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut literals: Vec<String> = Vec::new();
        for piece in text.split("r#\"").skip(1) {
            if let Some(end) = piece.find("\"#") {
                literals.push(piece[..end].to_string());
            }
        }
        literals.extend(escaped_literals(&text));
        for (n, rules) in literals.into_iter().enumerate() {
            let looks_like_rules = ["decision ", "input ", "define "].iter().any(|w| rules.contains(w));
            if looks_like_rules && rules.contains('\n') {
                out.push((format!("{}#{n}", path.display()), rules));
            }
        }
    }
}

/// The ordinary string literals of a Rust source, escapes read (roughly: a text that is not
/// a rule file is refused by the formatter and skipped).
fn escaped_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        if c != '"' || previous == '\'' || previous == '#' || previous == 'r' {
            previous = c;
            continue;
        }
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => literal.push('\n'),
                    Some('t') => literal.push('\t'),
                    Some('r') => literal.push('\r'),
                    Some('\n') => {
                        while chars.peek().is_some_and(|c| c.is_whitespace()) {
                            chars.next();
                        }
                    }
                    Some('u') => {
                        let code: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                        literal.extend(u32::from_str_radix(&code, 16).ok().and_then(char::from_u32));
                    }
                    Some(other) => literal.push(other),
                    None => break,
                },
                c => literal.push(c),
            }
        }
        out.push(literal);
        previous = '"';
    }
    out
}

/// Every rule text of the repository: the shipped rules, the `.kap` files of the tests and
/// the fuzz corpus, and the rule texts written in the tests.
fn every_rule_text() -> Vec<(String, String)> {
    let root = root();
    let mut files = Vec::new();
    for dir in ["rules", "tests", "fuzz/corpus", "fuzz/regressions"] {
        kap_files(&root.join(dir), &mut files);
    }
    let mut texts: Vec<(String, String)> =
        files.iter().map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap())).collect();
    for dir in ["engine/tests", "engine/src", "tests", "cli"] {
        rule_texts(&root.join(dir), &mut texts);
    }
    texts
}

/// What a compiled protocol is, for comparison: its description (but the source's digest)
/// and its diagnostics' codes and severities.
fn meaning(source: &str) -> (String, Vec<String>) {
    let checked = Protocol::check(source).iter().map(|d| format!("{:?} {:?}", d.code, d.severity)).collect();
    match Protocol::compile(source) {
        Ok(p) => {
            // The source's digest is the one thing that changes with the text.
            let mut description = serde_json::to_value(p.describe()).unwrap();
            description["protocol"]["sha256"] = serde_json::Value::Null;
            (description.to_string(), checked)
        }
        Err(_) => (String::new(), checked),
    }
}

#[test]
fn formatting_is_idempotent_and_keeps_the_meaning_of_every_rule_text() {
    let texts = every_rule_text();
    let mut formatted = 0;
    for (name, source) in &texts {
        match format(source) {
            Ok(once) => {
                assert_eq!(format(&once).ok().as_ref(), Some(&once), "{name}: not idempotent");
                assert_eq!(meaning(source), meaning(&once), "{name}: the meaning changed");
                formatted += 1;
            }
            Err(FormatError::Syntax(d)) => assert!(!d.is_empty()),
            Err(FormatError::Changed) => panic!("{name}: the formatter would change its meaning"),
        }
    }
    assert!(formatted > 50, "only {formatted} of {} rule texts formatted", texts.len());
}

#[test]
fn the_shipped_rules_are_formatted() {
    let source = reference_source();
    assert_eq!(format(&source).ok(), Some(source));
}

/// `source` with its spacing and indentation perturbed, as `seed` says: spaces doubled or
/// tripled, spaces added after `(` and `{` and before `,`, trailing spaces, blank lines
/// doubled, and entries and continuation lines indented deeper. Strings, comments and the
/// space before an end-of-line comment are left alone.
fn perturb(source: &str, seed: u64) -> String {
    let mut state = seed | 1;
    let mut roll = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let (entry_shift, cont_shift) = (roll(3) as usize, roll(4) as usize);
    let mut out = String::new();
    for line in source.lines() {
        let body = line.trim_start();
        let indent = line.len() - body.len();
        let extra = match indent {
            0 => 0,
            2 => entry_shift,
            _ => entry_shift + cont_shift,
        };
        out.push_str(&" ".repeat(indent + extra));
        let mut in_string = false;
        let chars: Vec<char> = body.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if !in_string && c == '#' {
                out.extend(&chars[i..]);
                break;
            }
            let before_comment = chars[i..].iter().find(|c| **c != ' ') == Some(&'#');
            match c {
                '"' if i == 0 || chars[i - 1] != '\\' => in_string = !in_string,
                ' ' if !in_string && !before_comment => out.push_str(&" ".repeat(1 + roll(3) as usize)),
                ',' if !in_string && roll(3) == 0 => out.push(' '),
                _ => {}
            }
            out.push(c);
            if !in_string && (c == '(' || c == '{') && roll(3) == 0 {
                out.push(' ');
            }
        }
        out.push_str(&" ".repeat(roll(2) as usize));
        out.push('\n');
        if body.is_empty() && roll(2) == 0 {
            out.push('\n');
        }
    }
    out
}

/// The texts without end-of-line comments (whose column the formatter keeps).
fn perturbable() -> Vec<(String, String)> {
    every_rule_text().into_iter().filter(|(_, s)| format(s).is_ok() && s.lines().all(|l| !l.contains(" #"))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn perturbed_spacing_and_indentation_format_back_the_same(seed in any::<u64>(), pick in any::<prop::sample::Index>()) {
        let texts = perturbable();
        let (name, source) = pick.get(&texts);
        let canonical = format(source).unwrap();
        let perturbed = perturb(source, seed);
        match format(&perturbed) {
            Ok(again) => prop_assert_eq!(again, canonical, "{}:\n{}", name, perturbed),
            Err(e) => prop_assert!(false, "{}: {:?}\n{}", name, e, perturbed),
        }
    }
}

#[test]
fn the_shipped_rules_perturbed_and_formatted_decide_every_corpus_document_the_same() {
    let source = reference_source();
    let perturbed = perturb(&source, 0x5eed);
    assert_ne!(perturbed, source);
    let formatted = format(&perturbed).unwrap();
    let (before, after) = (Protocol::compile(&source).unwrap(), Protocol::compile(&formatted).unwrap());
    let corpus = cases(&root().join("tests/corpus"));
    assert!(corpus.len() > 250);
    for case in corpus {
        let text = std::fs::read_to_string(&case.input).unwrap();
        let out = |p: &Protocol| {
            let mut v = serde_json::to_value(p.evaluate_json(&text).unwrap()).unwrap();
            v["protocol"]["sha256"] = serde_json::Value::Null;
            v
        };
        assert_eq!(out(&before), out(&after), "{}", case.name);
    }
}
