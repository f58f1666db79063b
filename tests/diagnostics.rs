//! `kap check` diagnostics: broken variants of the shipped rule file, one per class of
//! error, each reported at its line and column with the source line, a marker and a hint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kap_engine::diagnostic::line_col;
use kap_engine::{Protocol, Severity};
use kap_tests::reference_source;

/// A broken variant: replace `find` (first occurrence) with `replace` in the shipped file.
struct Broken {
    find: &'static str,
    replace: &'static str,
    code: &'static str,
    /// Text the diagnostic's span starts with, searched after the replacement point.
    at: &'static str,
    message: &'static str,
    hint: &'static str,
}

const BROKEN: &[Broken] = &[
    Broken {
        find: "when patient.age < 18 years [K2]",
        replace: "whenn patient.age < 18 years [K2]",
        code: "syntax",
        at: "whenn",
        message: "expected `when`",
        hint: "check the spelling",
    },
    Broken {
        find: "when patient.age < 18 years [K2]",
        replace: "when patient.agee < 18 years [K2]",
        code: "unknown-name",
        at: "patient.agee",
        message: "no input or definition named `patient.agee`",
        hint: "did you mean `patient.age`?",
    },
    Broken {
        find: "when patient.psychotic_disorder_history [K1]",
        replace: "when patient.weight [K1]",
        code: "type",
        at: "patient.weight",
        message: "a rule's condition must be true or false, but this is a number in kg",
        hint: "compare it",
    },
    Broken {
        find: "when patient.age < 18 years [K2]",
        replace: "when patient.age < 18 kg [K2]",
        code: "unit-mismatch",
        at: "patient.age < 18 kg",
        message: "unit mismatch: `patient.age` is years, `18 kg` is kg",
        hint: "measure different things",
    },
    Broken {
        // Inside a definition used twice: one error, at the definition, naming both sides.
        find: "  diastolic > 90 mmHg",
        replace: "  diastolic > 90 mg",
        code: "unit-mismatch",
        at: "diastolic > 90 mg",
        message: "unit mismatch: `diastolic` is mmHg, `90 mg` is mg",
        hint: "measure different things",
    },
    Broken {
        find: "when patient.age < 18 years [K2]",
        replace: "when patient.age < 18 [K2]",
        code: "unit-mismatch",
        at: "18 [K2]",
        message: "a number without unit against a number in years",
        hint: "give the number its unit: `18 years`",
    },
    Broken {
        find: "patient.benzodiazepine_dose > 8 mg/day",
        replace: "patient.benzodiazepine_dose > 8 mg/dya",
        code: "unknown-unit",
        at: "mg/dya",
        message: "unknown unit `dya`",
        hint: "did you mean `day`?",
    },
    Broken {
        find: "patient.glaucoma = uncontrolled",
        replace: "patient.glaucoma = uncontroled",
        code: "unknown-choice",
        at: "uncontroled",
        message: "`uncontroled` is not a choice of `patient.glaucoma`",
        hint: "did you mean `uncontrolled`?",
    },
    Broken {
        find: "{manic, hypomanic, mixed}",
        replace: "{manic, hypomanic, mixd}",
        code: "unknown-choice",
        at: "mixd",
        message: "`mixd` is not a choice of `patient.mood_episode`",
        hint: "did you mean `mixed`?",
    },
    Broken {
        find: "exclude cardiac \"Cardiac",
        replace: "exclude vascular \"Cardiac",
        code: "duplicate",
        at: "vascular \"Cardiac",
        message: "rule id `vascular` is used twice in decision `eligibility`",
        hint: "give each rule its own",
    },
    Broken {
        find: "when patient.epilepsy [K9]",
        replace: "when patient.epilepsy [K99]",
        code: "unknown-source",
        at: "K99",
        message: "source `K99` is not declared",
        hint: "did you mean",
    },
    Broken {
        find: "  caution epilepsy",
        replace: "  cuation epilepsy",
        code: "unknown-kind",
        at: "cuation",
        message: "no rule kind `cuation` in decision `eligibility`",
        hint: "did you mean `caution`?",
    },
    Broken {
        find: "  status draft\n",
        replace: "  status drafty\n",
        code: "header",
        at: "drafty",
        message: "unknown status `drafty`",
        hint: "did you mean `draft`?",
    },
    Broken {
        find: "  verdict eligible otherwise tone ok\n",
        replace: "  verdict eligible if any caution tone ok\n",
        code: "verdict",
        at: "eligibility \"Eligibility",
        message: "has no `otherwise` verdict",
        hint: "verdict NAME otherwise",
    },
    Broken {
        find: "then L0 otherwise L1",
        replace: "then L0 otherwise L9",
        code: "unknown-choice",
        at: "L9",
        message: "`L9` is not a choice of `course.sessions[].level`",
        hint: "did you mean `L0`? `course.sessions[].level` is one of L0, L1, L2, L3, L4, L5, L6, L7",
    },
    Broken {
        find: "when patient.lamotrigine [R3 R5]",
        replace: "when patient.lamotrigine > 2 [R3 R5]",
        code: "type",
        at: "patient.lamotrigine > 2",
        message: "cannot compare true or false with a number without unit",
        hint: "same type",
    },
    Broken {
        find: "when patient.child_pugh = C [S8]",
        replace: "when patient.child_pugh > B [S8]",
        code: "type",
        at: "patient.child_pugh > B",
        message: "`>` needs choices declared in order; `patient.child_pugh` is one of none, A, B, C",
        hint: "declare the order where `patient.child_pugh` is declared: `one of none < A < B < C`; or compare with `=`, `!=` or `in {...}`",
    },
    Broken {
        find: "required with course, observations",
        replace: "required with course, observatons",
        code: "unknown-name",
        at: "observatons",
        message: "no group of inputs named `observatons`",
        hint: "did you mean `observations`?",
    },
    Broken {
        find: "required ordered not after at \"Time of the reading\"",
        replace: "required ordered not after patient.age \"Time of the reading\"",
        code: "flag",
        at: "patient.age \"Time",
        message: "`patient.age` is not an input this one can be compared with",
        hint: "same type and unit",
    },
    Broken {
        find: "  verdict indeterminate if unknown exclude or unknown caution tone unknown\n",
        replace: "  verdict indeterminate if unknown caution tone unknown\n",
        code: "fail-open",
        at: "eligibility \"Eligibility",
        message: "a `exclude` rule that cannot be decided never changes the verdict",
        hint: "add `unknown exclude` to a verdict before `otherwise`",
    },
    Broken {
        find: "  exclude psychosis \"Lifetime",
        replace: "exclude psychosis \"Lifetime",
        code: "indentation",
        at: "exclude psychosis",
        message: "expected column 3",
        hint: "indent it by 2 spaces",
    },
    Broken {
        find: "  caution epilepsy \"Epilepsy\"\n    when patient.epilepsy [K9]",
        replace: " caution epilepsy \"Epilepsy\" when patient.epilepsy [K9]",
        code: "indentation",
        at: "caution epilepsy",
        message: "indented less than the decision's first entry",
        hint: "indent every entry of the decision by 2 spaces",
    },
    Broken {
        find: "when screening.audit >= 20 or",
        replace: "when screening.audit >= 20.00000000000000000000000000001 or",
        code: "number",
        at: "20.0000",
        message: "is not a number kap can represent exactly",
        hint: "never rounded",
    },
    Broken {
        find: "screening.audit in 8..19",
        replace: "screening.audit in 19..8",
        code: "range",
        at: "19..8",
        message: "empty range: 19 is above 8",
        hint: "lower end first",
    },
    Broken {
        find: "  verdict hold if any hold tone hold\n",
        replace: "  verdict hold if any hold tone hod\n",
        code: "unknown-tone",
        at: "hod",
        message: "unknown tone `hod`",
        hint: "did you mean `hold`? The tones are ok, caution, hold, stop, unknown, done",
    },
    Broken {
        find: "  verdict eligible otherwise tone ok\n",
        replace: "  verdict eligible otherwise tone green\n",
        code: "unknown-tone",
        at: "green",
        message: "unknown tone `green`",
        hint: "the tones are ok, caution, hold, stop, unknown, done",
    },
    Broken {
        find: "minutes after observations.t0 = observation_minutes",
        replace: "minutes after observations.t1 = observation_minutes",
        code: "unknown-name",
        at: "observations.t1",
        message: "unknown timestamp input `observations.t1`",
        hint: "did you mean `observations.t0`?",
    },
    Broken {
        find: "value number \"Session number\" = count",
        replace: "value number \"Session number\" minutes after patient.age = count",
        code: "unknown-name",
        at: "patient.age =",
        message: "unknown timestamp input `patient.age`",
        hint: "the timestamp inputs outside lists are at, ",
    },
    Broken {
        find: "value dose = dose(ketamine, session_level)",
        replace: "value dose \"Dose\" minutes after at = dose(ketamine, session_level)",
        code: "type",
        at: "at = dose",
        message: "only a number without unit, or a list of them, counts minutes",
        hint: "drop `minutes after`",
    },
    Broken {
        find: "when patient.epilepsy [K9]",
        replace: "when patient.epilepsy [K9 K9]",
        code: "duplicate",
        at: "K9]",
        message: "source `K9` is cited twice",
        hint: "once",
    },
];

fn apply(source: &str, b: &Broken) -> (String, usize) {
    let at = source.find(b.find).unwrap_or_else(|| panic!("`{}` is not in the shipped file", b.find));
    let broken = source.replacen(b.find, b.replace, 1);
    let span_start = broken[at..].find(b.at).map(|i| i + at).or_else(|| broken.find(b.at)).unwrap();
    (broken, span_start)
}

#[test]
fn the_shipped_protocol_has_no_diagnostic() {
    let source = reference_source();
    assert_eq!(Protocol::check(&source), vec![]);
}

#[test]
fn each_broken_variant_is_reported_where_it_is_with_a_hint() {
    let source = reference_source();
    for b in BROKEN {
        let (broken, start) = apply(&source, b);
        let diagnostics = match Protocol::compile(&broken) {
            Ok(_) => panic!("{}: the broken file compiled", b.replace),
            Err(d) => d,
        };
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(errors.len(), 1, "{}: one error expected, got {errors:#?}", b.replace);
        let d = errors[0];
        assert_eq!(d.code, b.code, "{}: {d:?}", b.replace);
        assert_eq!(d.span.start, start, "{}: {d:?} should start at `{}`", b.replace, b.at);
        assert!(d.message.contains(b.message), "{}: message {:?}", b.replace, d.message);
        let hint = d.hint.clone().unwrap_or_default();
        assert!(hint.contains(b.hint), "{}: hint {hint:?}", b.replace);
        // The rendered form names file:line:col, shows the line and marks the place.
        let (line, col, _) = line_col(&broken, start);
        let text = d.locate("rules/kap-reference.kap", &broken).render();
        assert!(text.contains(&format!("--> rules/kap-reference.kap:{line}:{col}")), "{text}");
        let source_line = broken.lines().nth(line - 1).unwrap();
        assert!(text.contains(&format!("{line} | {source_line}")), "{text}");
        assert!(text.contains(&format!("{}^", " ".repeat(col - 1))), "{text}");
        assert!(text.contains("= hint: "), "{text}");
    }
}

#[test]
fn three_independent_errors_give_three_diagnostics() {
    let source = reference_source()
        .replacen("when patient.age < 18 years [K2]", "when patient.age < 18 yeers [K2]", 1)
        .replacen("input patient.weight: decimal kg", "input patient.weight: decimel kg", 1)
        .replacen("when patient.epilepsy [K9]", "when patient.epilepsy [K9", 1);
    let diagnostics = Protocol::compile(&source).unwrap_err();
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, vec!["syntax", "unknown-unit", "syntax"], "{diagnostics:#?}");
    let lines: Vec<usize> = diagnostics.iter().map(|d| line_col(&source, d.span.start).0).collect();
    let expected: Vec<usize> =
        ["decimel kg", "yeers", "[K9\n"].iter().map(|t| line_col(&source, source.find(t).unwrap()).0).collect();
    let mut sorted = expected.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted);
}

#[test]
fn a_syntax_error_does_not_hide_a_type_error_elsewhere() {
    let source = reference_source()
        .replacen(
            "input patient.bmi: decimal kg/m2 in 10..80 \"Body mass index\"",
            "input patient.bmi decimal kg/m2 in 10..80 \"Body mass index\"",
            1,
        )
        .replacen("when patient.maoi or patient.stimulant [S1]", "when patient.maoi or patient.stimulant > 1 [S1]", 1);
    let diagnostics = Protocol::compile(&source).unwrap_err();
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    // The bmi input did not parse, so the airway rule's use of it is also reported.
    assert!(codes.contains(&"syntax") && codes.contains(&"type"), "{diagnostics:#?}");
}

#[test]
fn a_rule_without_source_is_a_warning_not_an_error() {
    let source = reference_source().replacen("when patient.epilepsy [K9]", "when patient.epilepsy", 1);
    let protocol = Protocol::compile(&source).unwrap();
    assert_eq!(protocol.warnings().len(), 1);
    assert_eq!(protocol.warnings()[0].code, "no-source");
}

#[test]
fn definitions_cannot_refer_to_themselves() {
    let source = "protocol \"P\" version \"1\" status draft\ninput a: boolean \"A\"\ndefine x = y and a\ndefine y = x\ndecision d\n  list l of k\n  verdict v otherwise\n  k r \"R\" when x [S]\nsource S \"s\"\n";
    let diagnostics = Protocol::compile(source).unwrap_err();
    assert!(diagnostics.iter().any(|d| d.code == "cycle"), "{diagnostics:#?}");
}

#[test]
fn changing_a_threshold_in_the_rule_file_changes_the_verdict() {
    let doc =
        std::fs::read_to_string(kap_tests::root().join("tests/corpus/eligibility/002-adult-age-18.json")).unwrap();
    let shipped = Protocol::compile(&reference_source()).unwrap();
    let edited =
        Protocol::compile(&reference_source().replacen("patient.age < 18 years", "patient.age < 21 years", 1)).unwrap();
    assert_eq!(shipped.evaluate_json(&doc).unwrap().decisions["eligibility"].verdict, "eligible");
    let out = edited.evaluate_json(&doc).unwrap();
    assert_eq!(out.decisions["eligibility"].verdict, "ineligible");
    assert_eq!(out.decisions["eligibility"].list("exclusions"), Some(&["minor".to_string()][..]));
    assert_ne!(shipped.sha256(), edited.sha256());
}

#[test]
fn lints_warn_about_rules_that_cannot_mean_what_they_say() {
    let warnings = |source: &str| -> Vec<(&'static str, String)> {
        let p = Protocol::compile(source).unwrap_or_else(|d| panic!("{d:#?}"));
        p.warnings().iter().map(|w| (w.code.as_str(), w.message.clone())).collect()
    };
    let shipped = reference_source();
    let w = warnings(&shipped.replacen("patient.age < 18 years", "patient.age < 130 years", 1));
    assert_eq!(
        w,
        [(
            "range",
            "this comparison is always true for an admissible value: `patient.age` is declared in 0..120 years"
                .to_string()
        )]
    );
    let w = warnings(&shipped.replacen("screening.audit >= 20", "screening.audit >= 41", 1));
    assert_eq!(w[0].1, "this comparison is never true for an admissible value: `screening.audit` is declared in 0..40");
    let w = warnings(&shipped.replacen("when patient.epilepsy [K9]", "when 5 mmHg > 3 mmHg [K9]", 1));
    assert_eq!(w, [("constant", "this condition is always true".to_string())]);
    let w = warnings(&format!("{shipped}\ndefine spare = patient.age > 3 years\n"));
    assert_eq!(w, [("unused", "definition `spare` is never used".to_string())]);
    let w = warnings(&shipped.replacen("list info of info quiet", "list info of info", 1));
    assert_eq!(w, [("unused-kind", "`info` rules never change the verdict of `eligibility`".to_string())]);
    assert!(warnings(&shipped.replacen("list info of info quiet", "list info of info advisory", 1)).is_empty());
}

#[test]
fn definitions_cannot_hide_groups_or_functions() {
    let shipped = reference_source();
    for (define, what) in [
        ("define patient = true", "a group of inputs"),
        ("define min(a, b) = a", "a built-in function"),
        ("define twice(x, x) = x", "parameter `x` is listed twice"),
    ] {
        let d = Protocol::compile(&format!("{shipped}\n{define}\n")).unwrap_err();
        assert!(d.iter().any(|d| d.code == "duplicate" && (d.message.ends_with(what) || d.message == what)), "{d:#?}");
    }
}

#[test]
fn a_declaration_with_a_syntax_error_is_reported_once() {
    let source = reference_source().replacen(
        "input patient.screening_systolic: integer mmHg",
        "input patient.screening_systolic: integr mmHg",
        1,
    );
    let d = Protocol::compile(&source).unwrap_err();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "syntax");
}

#[test]
fn definitions_that_expand_exponentially_are_refused_quickly() {
    let mut source = String::from("protocol \"P\" version \"1\" status draft\nsource S \"s\"\ninput p.a: integer in 0..10 \"A\"\ndefine c0 = p.a\n");
    for i in 1..40 {
        source.push_str(&format!("define c{i} = c{} + c{}\n", i - 1, i - 1));
    }
    source.push_str("decision d\n  list l of k\n  verdict v if any k\n  verdict u if unknown k\n  verdict w otherwise\n  k r \"R\" when c39 > 3 [S]\n");
    let d = Protocol::compile(&source).unwrap_err();
    assert!(d.iter().filter(|d| d.is_error()).all(|d| matches!(d.code.as_str(), "too-large" | "too-deep")), "{d:#?}");
    let mut source = String::from("protocol \"P\" version \"1\" status draft\nsource S \"s\"\ninput p.a: integer in 0..10 \"A\"\ndefine f0(x) = x > 1\n");
    for i in 1..40 {
        source.push_str(&format!("define f{i}(x) = f{}(x) and f{}(x)\n", i - 1, i - 1));
    }
    source.push_str("decision d\n  list l of k\n  verdict v if any k\n  verdict u if unknown k\n  verdict w otherwise\n  k r \"R\" when f39(p.a) [S]\n");
    let d = Protocol::compile(&source).unwrap_err();
    assert!(d.iter().filter(|d| d.is_error()).all(|d| matches!(d.code.as_str(), "too-large" | "too-deep")), "{d:#?}");
}

#[test]
fn the_readme_language_tour_is_a_valid_rule_file() {
    let readme = std::fs::read_to_string(kap_tests::root().join("README.md")).unwrap();
    let tour = readme
        .split("```kap\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```kap block in the README");
    let diagnostics = Protocol::check(tour);
    assert_eq!(diagnostics, vec![], "the README's language tour must pass kap check");
}

#[test]
fn an_error_inside_a_definition_names_where_it_is_used() {
    let source = reference_source().replacen(
        "when hypertensive(patient.screening_systolic, patient.screening_diastolic)",
        "when hypertensive(patient.screening_systolic, patient.weight)",
        1,
    );
    let d = Protocol::compile(&source).unwrap_err();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "unit-mismatch");
    let use_site = source.find("hypertensive(patient.screening_systolic, patient.weight)").unwrap();
    assert_eq!(d[0].notes.len(), 1);
    assert_eq!(d[0].notes[0].message, "in `hypertensive`, used here");
    assert_eq!(d[0].notes[0].span.start, use_site);
    let text = d[0].locate("k.kap", &source).render();
    let (line, col, _) = line_col(&source, use_site);
    assert!(text.contains(&format!("= note: in `hypertensive`, used here at k.kap:{line}:{col}")), "{text}");
}

/// The diagnostics of `kap check` for the shipped file with one replacement.
fn checked(find: &str, replace: &str) -> Vec<kap_engine::Diagnostic> {
    let source = reference_source();
    assert!(source.contains(find), "{find}");
    Protocol::check(&source.replacen(find, replace, 1))
}

#[test]
fn the_shipped_ladders_are_proved_safe() {
    assert!(Protocol::check(&reference_source()).is_empty());
}

#[test]
fn an_unsafe_dose_is_refused_with_a_counterexample() {
    let d =
        checked("cap intravenous min(0.8 mg/kg * weight, 80 mg)", "cap intravenous min(0.9 mg/kg * weight, 100 mg)");
    assert!(d.is_empty(), "a looser cap alone gives no higher dose: {d:#?}");
    let source = reference_source()
        .replacen(
            "cap intravenous min(0.8 mg/kg * weight, 80 mg)",
            "cap intravenous min(0.9 mg/kg * weight, 100 mg)",
            1,
        )
        .replacen("dose intravenous L4 0.8 mg/kg [R15]", "dose intravenous L4 0.9 mg/kg [R15]", 1);
    let d = Protocol::check(&source);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "dose-limit");
    assert_eq!(
        d[0].message,
        "L4 on `intravenous` can give 81 mg, above the limit of 80 mg: for example with patient.weight = 90"
    );
    assert_eq!(d[0].notes[0].message, "the limit");
    let text = d[0].locate("k.kap", &source).render();
    assert!(text.contains("dose intravenous L4 0.9 mg/kg"), "{text}");
}

#[test]
fn a_per_kg_limit_is_proved_or_broken_too() {
    let d = checked("dose intramuscular L5 1.0 mg/kg [R16]", "dose intramuscular L5 60 mg [R16]");
    // 60 mg for a 20 kg patient is 3 mg/kg, and the 1.0 mg/kg cap forbids it: still safe.
    assert!(d.is_empty(), "{d:#?}");
    let source = reference_source()
        .replacen("dose intramuscular L5 1.0 mg/kg [R16]", "dose intramuscular L5 60 mg [R16]", 1)
        .replacen("cap intramuscular min(1.0 mg/kg * weight, 100 mg)", "cap intramuscular 100 mg", 1);
    let d = Protocol::check(&source);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "L5 on `intramuscular` can give 60 mg, above the limit of 1 mg/kg: for example with patient.weight = 20"
    );
}

/// A weight range as wide as a rule file can write overflows the count of values to search
/// (the check stopped there once): the proof does not search it, the shipped limits, bounded
/// by their caps, are still proved, and only the weights of 0 kg or less are refused.
#[test]
fn a_range_too_wide_to_search_stops_nothing() {
    let most = "9999999999999999999999999999";
    let d = checked(
        "input patient.weight: decimal kg in 20..300",
        &format!("input patient.weight: decimal kg in -{most}..{most}"),
    );
    assert!(d.len() == 1 && d[0].code == "dose-step", "{d:#?}");
    // A range of one value of 28 significant digits, where a step of a tenth is rounded away
    // (the search once never ended): not searched either.
    let d = checked(
        "input patient.weight: decimal kg in 20..300",
        &format!("input patient.weight: decimal kg in {most}..{most}"),
    );
    assert!(d.is_empty(), "{d:#?}");
}

/// A number of 29 significant digits (the largest decimal, 79228162514264337593543950335) is
/// refused in a rule file, as a document refuses it: a rule file never declares a bound that
/// no document can hold.
#[test]
fn a_number_a_document_cannot_hold_is_refused_in_a_rule_file() {
    for (number, refused) in [
        ("79228162514264337593543950335", true),
        ("9999999999999999999999999999", false),
        ("10000000000000000000000000000", false),
        ("0.0000000000000000000000000001", false),
    ] {
        let d = checked(
            "input patient.weight: decimal kg in 20..300",
            &format!("input patient.weight: decimal kg in 20..{number}"),
        );
        assert_eq!(d.iter().any(|d| d.code == "number"), refused, "{number}: {d:#?}");
        assert_eq!(kap_engine::input::number(number).is_err(), refused, "{number}");
    }
}

/// A dosing weight that can be 0 kg or less makes a dose per kg 0 mg or less: refused, naming
/// the lightest admissible weight.
#[test]
fn a_dosing_weight_that_can_be_zero_or_less_is_refused() {
    for (range, lightest) in [("-100..300", "-100"), ("0..300", "0")] {
        let d = checked(
            "input patient.weight: decimal kg in 20..300",
            &format!("input patient.weight: decimal kg in {range}"),
        );
        assert_eq!(d.len(), 1, "{range}: {d:#?}");
        assert_eq!(d[0].code, "dose-step");
        assert!(d[0].message.contains(&format!("can be {lightest} kg for an admissible patient")), "{}", d[0].message);
    }
    assert!(checked("input patient.weight: decimal kg in 20..300", "input patient.weight: decimal kg in 0.1..300")
        .is_empty());
}

#[test]
fn a_level_no_patient_can_reach_is_reported() {
    let d = checked("dose intramuscular L5 1.0 mg/kg [R16]", "dose intramuscular L5 10 mg/kg [R16]");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "dose-unreachable");
    assert!(d[0].message.starts_with("no admissible patient is ever allowed L5 on `intramuscular`"));
    assert!(d[0].hint.as_deref().unwrap_or_default().contains("10 mg/kg written for 1.0"));
}

#[test]
fn doses_that_do_not_rise_with_the_level_are_reported() {
    let d = checked("dose sublingual L3 200 mg [P]", "dose sublingual L3 140 mg [P]");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "dose-order");
    assert_eq!(d[0].message, "on `sublingual`, L3 is not above L2: the doses of a ladder rise with the level");
}

#[test]
fn a_level_that_could_rise_more_than_one_step_is_refused() {
    let d = checked(
        "when allowed(ketamine, next(previous_level)) then next(previous_level)",
        "when allowed(ketamine, next(next(previous_level))) then next(next(previous_level))",
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "dose-step");
    assert_eq!(d[0].message, "`level` of `session` can rise 2 levels above the previous session's");
    // A fixed level is a start only where no session was given.
    let d = checked(
        "when today.phq9 <= screening.phq9 / 2 then previous_level",
        "when today.phq9 <= screening.phq9 / 2 then L5",
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.starts_with("kap cannot bound how far `level` of `session` rises"), "{d:#?}");
}

#[test]
fn the_first_session_is_recognised_by_meaning_not_spelling() {
    // Equivalent ways to say "no session was given yet" start the course.
    for start in ["not (count(course.sessions) >= 1)", "count(course.sessions) < 1", "0 = count(course.sessions)"] {
        let d = checked("    when count(course.sessions) = 0 then\n", &format!("    when {start} then\n"));
        assert!(d.is_empty(), "{start}: {d:#?}");
    }
    // A condition that also holds after a session is not a start.
    let d = checked("    when count(course.sessions) = 0 then\n", "    when count(course.sessions) <= 1 then\n");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "dose-step");
}

#[test]
fn changing_a_ladder_amount_or_a_schedule_changes_the_output() {
    let doc = std::fs::read_to_string(kap_tests::root().join("tests/corpus/examples/06-monitoring.json")).unwrap();
    let out = |source: &str| {
        let p = Protocol::compile(source).unwrap_or_else(|d| panic!("{d:#?}"));
        serde_json::to_value(p.evaluate_json(&doc).unwrap()).unwrap()["decisions"].clone()
    };
    let shipped = out(&reference_source());
    assert_eq!(shipped["session"]["dose"]["value"], 49);
    assert_eq!(shipped["monitoring"]["schedule"][4], 55);
    let edited = reference_source()
        .replacen("dose intravenous L2 0.6 mg/kg [P]", "dose intravenous L2 0.55 mg/kg [P]", 1)
        .replacen("otherwise [10, 20, 30, 40, 55, 70, 85, 100, 120]", "otherwise [10, 20, 30, 40, 50, 60, 90, 120]", 1);
    let edited = out(&edited);
    // 0.55 mg/kg x 82 kg = 45.1 mg, rounded down to 45 mg.
    assert_eq!(edited["session"]["dose"]["value"], 45);
    assert_eq!(edited["monitoring"]["schedule"], serde_json::json!([10, 20, 30, 40, 50, 60, 90, 120]));
}

#[test]
fn a_huge_unknown_name_is_quoted_by_an_excerpt() {
    // A name of 100,000 characters: the diagnostic quotes its first 60 and `…`, and no
    // suggestion is searched for (comparing it with every name would cost its length times
    // theirs).
    let name = format!("patient.{}", "a".repeat(100_000));
    let source = reference_source().replacen("patient.age < 18 years", &format!("{name} < 18 years"), 1);
    let d = Protocol::check(&source);
    let unknown = d.iter().find(|d| d.code == "unknown-name").expect("an unknown name");
    assert!(unknown.message.chars().count() < 200, "{} characters", unknown.message.chars().count());
    assert!(unknown.message.contains(&format!("`{}…`", &name[..60])), "{}", unknown.message);
    assert!(!unknown.hint.clone().unwrap_or_default().contains("did you mean"));
    // A short misspelling still gets its suggestion.
    let d = Protocol::check(&reference_source().replacen("patient.age < 18 years", "patient.agee < 18 years", 1));
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `patient.age`?"));
}

#[test]
fn a_mistake_inside_a_definition_is_reported_once_naming_every_use() {
    let source = reference_source().replacen("  diastolic > 90 mmHg", "  diastolic > 90 mg", 1);
    let diagnostics = Protocol::check(&source);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d.code, "unit-mismatch");
    assert_eq!(d.message, "unit mismatch: `diastolic` is mmHg, `90 mg` is mg");
    let uses = source.matches("hypertensive(patient.").count() + source.matches("hypertensive(today.").count();
    assert!(uses >= 2, "the shipped file uses `hypertensive` {uses} time(s)");
    assert_eq!(d.notes.len(), uses, "{d:#?}");
    assert!(d.notes.iter().all(|n| n.message == "in `hypertensive`, used here"), "{d:#?}");
}

/// The one diagnostic of the shipped file with `find` replaced by `replace`: an indentation
/// error at the start of `at` (line and column in the rendered form), with a hint.
fn one_indentation_error(find: &str, replace: &str, at: &str, column: usize, expected: &str) {
    let source = reference_source();
    assert!(source.contains(find), "{find}");
    let broken = source.replacen(find, replace, 1);
    let diagnostics = Protocol::check(&broken);
    assert_eq!(diagnostics.len(), 1, "{replace:?}: {diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d.code, "indentation", "{d:#?}");
    let start = broken.find(replace).unwrap() + replace.find(at).unwrap();
    assert_eq!(d.span.start, start, "{d:#?}");
    assert!(d.message.contains(expected), "{d:#?}");
    let (line, col, _) = line_col(&broken, start);
    assert_eq!(col, column);
    let text = d.locate("k.kap", &broken).render();
    assert!(text.contains(&format!("--> k.kap:{line}:{column}")), "{text}");
    assert!(text.contains("= hint: "), "{text}");
}

#[test]
fn a_rule_indented_one_space_too_far_is_one_indentation_error() {
    one_indentation_error(
        "  exclude minor \"Younger than 18\"\n",
        "   exclude minor \"Younger than 18\"\n",
        "exclude",
        4,
        "between the decision's entries (column 3) and their continuation lines (column 5)",
    );
}

#[test]
fn a_continuation_line_moved_to_the_first_column_is_one_indentation_error() {
    one_indentation_error(
        "    when patient.age < 18 years [K2]\n",
        "when patient.age < 18 years [K2]\n",
        "when",
        1,
        "expected column 5",
    );
    one_indentation_error(
        "  help \"Days since the last manic",
        "help \"Days since the last manic",
        "help",
        1,
        "expected column 3",
    );
}

#[test]
fn diagnostics_are_the_same_on_every_run() {
    // Found by fuzzing: the list of an item's fields in a hint followed a hash map's order.
    let source = reference_source().replacen("s.distress", "s.qqqqqqqq", 1);
    let first = Protocol::check(&source);
    assert!(first.iter().any(|d| d.code == "unknown-name"), "{first:#?}");
    for _ in 0..8 {
        assert_eq!(Protocol::check(&source), first);
    }
}

#[test]
fn floor_of_something_not_a_number_says_what_to_do_with_it() {
    let head = "protocol \"P\" version \"1\" status draft timezone \"Europe/Paris\"\nsource S \"s\"\ninput p.w: decimal kg in 20..300 \"W\"\ninput p.c: one of a, b \"C\"\ninput p.t: timestamp \"T\"\n";
    for (arg, hint) in
        [("p.w", "divide a quantity by its unit"), ("p.t", "count days with `day`"), ("p.c", "`floor` takes a number")]
    {
        let d = Protocol::check(&format!("{head}define x = floor({arg})\n"));
        let e = d.iter().find(|d| d.code == "type").unwrap_or_else(|| panic!("{arg}: {d:#?}"));
        assert!(e.message.starts_with("`floor` needs a plain number"), "{arg}: {e:#?}");
        assert!(e.hint.as_deref().is_some_and(|h| h.starts_with(hint)), "{arg}: {e:#?}");
    }
}

#[test]
fn a_quoted_text_left_open_or_with_an_unknown_escape_is_named_as_such() {
    let shipped = reference_source();
    let open = shipped.replacen("\"Body weight\"", "\"Body weight", 1);
    let d = Protocol::check(&open);
    let e = d.iter().find(|d| d.is_error()).unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!((e.code.as_str(), e.message.as_str()), ("syntax", "this quoted text has no closing quote"), "{e:#?}");
    assert_eq!(open.get(e.span.start..e.span.start + 12), Some("\"Body weight"));
    let escaped = shipped.replacen("\"Body weight\"", "\"Body\\q weight\"", 1);
    let d = Protocol::check(&escaped);
    let e = d.iter().find(|d| d.is_error()).unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!((e.code.as_str(), e.message.as_str()), ("syntax", "`\\q` in a quoted text is not an escape"), "{e:#?}");
    assert_eq!(escaped.get(e.span.start..e.span.end), Some("\\q"));
    // The four escapes are texts as ever.
    let fine = shipped.replacen("\"Body weight\"", "\"Body \\\"weight\\\" \\\\ \\n \\t\"", 1);
    assert_eq!(Protocol::check(&fine).iter().filter(|d| d.is_error()).count(), 0);
}

/// A verdict's condition written as a bare expression: the syntax error names the three ways
/// a condition begins, `when CONDITION` among them (a verdict on an expression is `if when`).
#[test]
fn a_verdicts_condition_is_said_to_begin_with_any_unknown_or_when() {
    let source = reference_source().replacen(
        "  verdict ineligible if any exclude tone stop\n",
        "  verdict ineligible if patient.age < 18 years tone stop\n",
        1,
    );
    let d = Protocol::check(&source);
    let syntax = d.iter().find(|d| d.code == "syntax").expect("a syntax error");
    assert_eq!(
        syntax.message, "expected `any KIND`, `unknown KIND` or `when CONDITION`, found `patient.age`",
        "{d:#?}"
    );
    let fixed = source.replacen("if patient.age < 18 years tone stop", "if when patient.age < 18 years tone stop", 1);
    assert!(!Protocol::check(&fixed).iter().any(|d| d.code == "syntax"));
}
