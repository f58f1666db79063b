//! The mapping file (TOML) as written, with the place of every value, and its check against
//! the compiled protocol: every mapped path declared, types and units compatible, code sets
//! non-empty, windows readable. The checked form is [`super::source`].

use super::source::{Checked, CodeMatch, Counts, Kind, Route, Rule, Sessions, Source, Target};
use super::units;
use kap_engine::diagnostic::{Code, Diagnostic, Span};
use kap_engine::Protocol;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use toml::Spanned;

/// A text with its place in the mapping file.
type Text = Spanned<String>;

/// The mapping file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    /// The protocol file, relative to the mapping file (read by [`protocol_of`]).
    #[allow(dead_code, reason = "read by protocol_of; declared here so that the file's shape is complete")]
    protocol: Text,
    #[serde(default)]
    systems: BTreeMap<String, Text>,
    #[serde(default)]
    decision: Vec<DecisionRule>,
    age: Option<AgeRule>,
    #[serde(default)]
    observation: Vec<ObservationRule>,
    #[serde(default)]
    condition: Vec<ConditionRule>,
    #[serde(default)]
    medication: Vec<MedicationRule>,
    #[serde(default)]
    answer: Vec<AnswerRule>,
    sessions: Option<SessionsRule>,
    route: Option<RouteRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionRule {
    name: Text,
    reads: Vec<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgeRule {
    path: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObservationRule {
    path: Text,
    codes: Spanned<Vec<Text>>,
    #[serde(default)]
    panels: Vec<Text>,
    within: Text,
    unit: Option<Text>,
    #[serde(default)]
    earliest: bool,
    mean_of: Option<Spanned<u8>>,
    #[serde(default)]
    values: BTreeMap<String, Text>,
    time_path: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionRule {
    path: Text,
    codes: Spanned<Vec<Text>>,
    #[serde(default)]
    except: Vec<Text>,
    counts: Text,
    onset_within: Option<Text>,
    abated_within: Option<Text>,
    value: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MedicationRule {
    path: Text,
    codes: Spanned<Vec<Text>>,
    #[serde(default)]
    absent_means_false: Option<Spanned<bool>>,
    classified_by: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerRule {
    path: Text,
    questionnaire: Text,
    link_id: Text,
    within: Text,
    unit: Option<Text>,
    #[serde(default)]
    values: BTreeMap<String, Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionsRule {
    path: Text,
    code: Text,
    within: Text,
    #[serde(default)]
    absent_means_none: bool,
    fields: BTreeMap<String, Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteRule {
    path: Text,
    medications: Spanned<Vec<Text>>,
    values: BTreeMap<String, Text>,
}

/// Where problems go while checking.
struct Checker<'a> {
    systems: BTreeMap<String, String>,
    inputs: BTreeMap<String, Target>,
    decisions: Vec<String>,
    problems: &'a mut Vec<Diagnostic>,
}

fn span(t: &Text) -> Span {
    let r = t.span();
    Span::new(r.start, r.end)
}

/// Parses the TOML text; a syntax or shape error becomes one diagnostic at its place.
pub(super) fn parse(text: &str) -> Result<File, Vec<Diagnostic>> {
    toml::from_str::<File>(text).map_err(|e| {
        let place = e.span().map_or(Span::default(), |r| Span::new(r.start, r.end));
        vec![Diagnostic::error(Code::Syntax, place, e.message().trim_end().to_string())
            .with_hint("see the header of rules/fhir-mapping.toml for the file's shape")]
    })
}

/// Checks the parsed file against the protocol.
pub(super) fn check(file: &File, protocol: &Protocol) -> Result<Checked, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let description = protocol.describe();
    let inputs = description.sections.iter().flat_map(|s| &s.inputs).map(|i| (i.path.clone(), target(i))).collect();
    let mut checker = Checker {
        systems: file.systems.iter().map(|(k, v)| (k.clone(), v.get_ref().clone())).collect(),
        inputs,
        decisions: description.decisions.iter().map(|d| d.name.clone()).collect(),
        problems: &mut problems,
    };
    let checked = checker.file(file);
    if problems.iter().any(Diagnostic::is_error) {
        Err(problems)
    } else {
        Ok(checked)
    }
}

fn target(info: &kap_engine::describe::InputInfo) -> Target {
    let kind = match info.kind {
        "boolean" => Kind::Boolean,
        "integer" => Kind::Integer,
        "decimal" => Kind::Decimal,
        "choice" => Kind::Choice,
        "timestamp" => Kind::Timestamp,
        _ => Kind::List,
    };
    let bound = |v: &Option<serde_json::Value>| v.as_ref().and_then(|v| Decimal::from_str(&v.to_string()).ok());
    Target {
        path: info.path.clone(),
        kind,
        unit: info.unit.clone(),
        min: bound(&info.min),
        max: bound(&info.max),
        choices: info.choices.clone().unwrap_or_default(),
    }
}

impl Checker<'_> {
    fn file(&mut self, file: &File) -> Checked {
        let mut out = Checked::default();
        for d in &file.decision {
            if !self.decisions.contains(d.name.get_ref()) {
                self.error(Code::UnknownName, &d.name, format!("the protocol has no decision `{}`", d.name.get_ref()));
            }
            let groups: Vec<String> = d.reads.iter().map(|g| g.get_ref().clone()).collect();
            for g in &d.reads {
                if !self.inputs.keys().any(|p| p.split('.').next() == Some(g.get_ref().as_str())) {
                    self.error(Code::UnknownName, g, format!("the protocol declares no input under `{}`", g.get_ref()));
                }
            }
            out.decisions.push((d.name.get_ref().clone(), groups));
        }
        if let Some(age) = &file.age {
            if let Some(t) = self.input(&age.path, &[Kind::Integer]) {
                self.unit(&age.path, &t, "a");
                out.rules.push(Rule { target: t, source: Source::Age });
            }
        }
        for o in &file.observation {
            out.rules.extend(self.observation(o));
        }
        for c in &file.condition {
            out.rules.extend(self.condition(c));
        }
        for m in &file.medication {
            out.rules.extend(self.medication(m));
        }
        for a in &file.answer {
            out.rules.extend(self.answer(a));
        }
        out.sessions = file.sessions.as_ref().and_then(|s| self.sessions(s));
        out.route = file.route.as_ref().and_then(|r| self.route(r));
        out
    }

    fn error(&mut self, code: Code, at: &Text, message: String) {
        self.problems.push(Diagnostic::error(code, span(at), message));
    }

    /// The declared input at `path`, of one of `kinds`.
    fn input(&mut self, path: &Text, kinds: &[Kind]) -> Option<Target> {
        let Some(t) = self.inputs.get(path.get_ref()).cloned() else {
            let d = Diagnostic::error(
                Code::UnknownName,
                span(path),
                format!("the protocol declares no input `{}`", path.get_ref()),
            )
            .with_hint(
                match kap_engine::diagnostic::did_you_mean(path.get_ref(), self.inputs.keys().map(String::as_str)) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "map only the inputs the protocol declares (`kap describe` lists them)".to_string(),
                },
            );
            self.problems.push(d);
            return None;
        };
        if !kinds.contains(&t.kind) {
            let d = Diagnostic::error(
                Code::Type,
                span(path),
                format!("`{}` is a {:?} input; this source gives {:?}", t.path, t.kind, kinds),
            );
            self.problems.push(d.with_hint("map it from a source that gives its type"));
            return None;
        }
        Some(t)
    }

    /// Checks that the UCUM `ucum` writes the target's unit.
    fn unit(&mut self, at: &Text, target: &Target, ucum: &str) {
        if !units::known(ucum) {
            let d = Diagnostic::error(
                Code::UnknownUnit,
                span(at),
                format!("`{ucum}` is not a UCUM unit this mapping knows"),
            );
            let hint = match units::for_unit(target.unit.as_deref()) {
                Some(want) => format!(
                    "`unit` is the protocol's unit of `{}` in UCUM: write unit = \"{want}\" (readings sent in another unit, such as [lb_av] for kg, are converted to it)",
                    target.path
                ),
                None => "write the UCUM code of the protocol's unit".to_string(),
            };
            self.problems.push(d.with_hint(hint));
        } else if !units::writes(ucum, target.unit.as_deref()) {
            let want = units::for_unit(target.unit.as_deref()).unwrap_or("?");
            let d = Diagnostic::error(
                Code::UnitMismatch,
                span(at),
                format!(
                    "`{}` is in {}; UCUM `{ucum}` is not that unit",
                    target.path,
                    target.unit.as_deref().unwrap_or("no unit")
                ),
            );
            self.problems.push(d.with_hint(format!("write unit = \"{want}\"")));
        }
    }

    /// One `alias|code` (or `alias|prefix*`) of the file.
    fn code(&mut self, text: &Text) -> Option<CodeMatch> {
        let Some((alias, code)) = text.get_ref().split_once('|') else {
            self.error(Code::Syntax, text, format!("`{}` is not `system|code`", text.get_ref()));
            return None;
        };
        let Some(system) = self.systems.get(alias).cloned() else {
            let d = Diagnostic::error(Code::UnknownName, span(text), format!("no code system `{alias}` in [systems]"));
            self.problems.push(d);
            return None;
        };
        let (code, prefix) = match code.strip_suffix('*') {
            Some(c) => (c, true),
            None => (code, false),
        };
        if code.is_empty() {
            self.error(Code::Syntax, text, "an empty code".to_string());
            return None;
        }
        if let Some((message, hint)) = code_problem(alias, &system, code, prefix) {
            let d = Diagnostic::error(Code::Syntax, span(text), format!("`{}`: {message}", text.get_ref()));
            self.problems.push(d.with_hint(hint));
            return None;
        }
        Some(CodeMatch { system, code: code.to_string(), prefix })
    }

    fn codes(&mut self, codes: &Spanned<Vec<Text>>) -> Vec<CodeMatch> {
        if codes.get_ref().is_empty() {
            let r = codes.span();
            let d = Diagnostic::error(Code::Syntax, Span::new(r.start, r.end), "an empty code set matches nothing");
            self.problems.push(d.with_hint("list the codes that mean this input"));
        }
        codes.get_ref().iter().filter_map(|c| self.code(c)).collect()
    }

    fn window(&mut self, text: &Text) -> time::Duration {
        match super::select::window(text.get_ref()) {
            Some(d) => d,
            None => {
                let d = Diagnostic::error(Code::Syntax, span(text), format!("`{}` is not a window", text.get_ref()));
                self.problems.push(d.with_hint("write a number and minutes, hours, days or weeks: \"2 hours\""));
                time::Duration::ZERO
            }
        }
    }

    /// Checks that `choice` is a choice of the target's input, listing them when not.
    fn choice(&mut self, choice: &Text, target: &Target) {
        if !target.choices.contains(choice.get_ref()) {
            let d = Diagnostic::error(
                Code::UnknownChoice,
                span(choice),
                format!("`{}` is not a choice of `{}`", choice.get_ref(), target.path),
            );
            self.problems.push(d.with_hint(format!("one of {}", target.choices.join(", "))));
        }
    }

    fn values(&mut self, values: &BTreeMap<String, Text>, target: &Target) -> Vec<(CodeMatch, String)> {
        let mut out = Vec::new();
        for (code, choice) in values {
            self.choice(choice, target);
            if let Some(c) = self.code(&Spanned::new(choice.span(), code.clone())) {
                out.push((c, choice.get_ref().clone()));
            }
        }
        out
    }

    fn observation(&mut self, o: &ObservationRule) -> Option<Rule> {
        let coded = !o.values.is_empty();
        let kinds: &[Kind] = if coded { &[Kind::Choice] } else { &[Kind::Integer, Kind::Decimal] };
        let target = self.input(&o.path, kinds)?;
        if !coded {
            match &o.unit {
                Some(u) => self.unit(u, &target, u.get_ref()),
                None if target.unit.is_some() => {
                    let want = units::for_unit(target.unit.as_deref()).unwrap_or("?");
                    let d = Diagnostic::error(
                        Code::UnitMismatch,
                        span(&o.path),
                        format!("`{}` has a unit; the mapping names none", target.path),
                    );
                    self.problems.push(d.with_hint(format!("add unit = \"{want}\"")));
                }
                None => {}
            }
        }
        if let Some(m) = o.mean_of.as_ref().filter(|m| *m.get_ref() == 0) {
            let r = m.span();
            let d =
                Diagnostic::error(Code::Syntax, Span::new(r.start, r.end), "`mean_of = 0` is the mean of no reading");
            self.problems
                .push(d.with_hint("write mean_of = 2 for the mean of two readings, or leave it out for the latest"));
        }
        let codes = self.codes(&o.codes);
        let panels = o.panels.iter().filter_map(|c| self.code(c)).collect();
        let within = self.window(&o.within);
        let values = self.values(&o.values, &target);
        let time_path = o.time_path.as_ref().and_then(|p| self.input(p, &[Kind::Timestamp]));
        let source = Source::Observation {
            codes,
            panels,
            within,
            unit: o.unit.as_ref().map(|u| u.get_ref().clone()),
            earliest: o.earliest,
            mean_of: o.mean_of.as_ref().map(|m| *m.get_ref()),
            values,
            time_path,
        };
        Some(Rule { target, source })
    }

    fn condition(&mut self, c: &ConditionRule) -> Option<Rule> {
        let kinds: &[Kind] = if c.value.is_some() { &[Kind::Choice] } else { &[Kind::Boolean] };
        let target = self.input(&c.path, kinds)?;
        if let Some(v) = &c.value {
            self.choice(v, &target);
        }
        let counts = match c.counts.get_ref().as_str() {
            "current" => Counts::Current,
            "ever" => Counts::Ever,
            other => {
                let d = Diagnostic::error(
                    Code::UnknownName,
                    span(&c.counts),
                    format!("`{other}` is not a way of counting"),
                );
                self.problems.push(d.with_hint("counts = \"current\" or \"ever\""));
                Counts::Current
            }
        };
        let codes = self.codes(&c.codes);
        let except = c.except.iter().filter_map(|e| self.code(e)).collect();
        let onset_within = c.onset_within.as_ref().map(|w| self.window(w));
        let abated_within = c.abated_within.as_ref().map(|w| self.window(w));
        let value = c.value.as_ref().map(|v| v.get_ref().clone());
        Some(Rule { target, source: Source::Condition { codes, except, counts, onset_within, abated_within, value } })
    }

    fn medication(&mut self, m: &MedicationRule) -> Option<Rule> {
        let target = self.input(&m.path, &[Kind::Boolean]);
        let codes = self.codes(&m.codes);
        let classified_by = match (&m.absent_means_false, &m.classified_by) {
            (Some(yes), None) if *yes.get_ref() => {
                let r = yes.span();
                let d = Diagnostic::error(
                    Code::FailOpen,
                    Span::new(r.start, r.end),
                    "absent_means_false needs classified_by: the code system every medication of the list carries",
                );
                self.problems.push(d.with_hint("classified_by = \"atc\" (then list the rule's codes in ATC)"));
                None
            }
            (Some(yes), Some(system)) if *yes.get_ref() => match self.systems.get(system.get_ref()).cloned() {
                Some(uri) => Some(uri),
                None => {
                    self.error(
                        Code::UnknownName,
                        system,
                        format!("no code system `{}` in [systems]", system.get_ref()),
                    );
                    None
                }
            },
            _ => None,
        };
        Some(Rule { target: target?, source: Source::Medication { codes, classified_by } })
    }

    fn answer(&mut self, a: &AnswerRule) -> Option<Rule> {
        let target = self.input(&a.path, &[Kind::Boolean, Kind::Integer, Kind::Decimal, Kind::Choice])?;
        if let Some(u) = &a.unit {
            self.unit(u, &target, u.get_ref());
        } else if target.unit.is_some() {
            self.error(Code::UnitMismatch, &a.path, format!("`{}` has a unit; the mapping names none", target.path));
        }
        let values = self.values(&a.values, &target);
        if target.kind == Kind::Choice && values.is_empty() {
            self.error(
                Code::Syntax,
                &a.path,
                format!("`{}` is a choice: map the answer codes in `values`", target.path),
            );
        }
        let within = self.window(&a.within);
        let source = Source::Answer {
            questionnaire: a.questionnaire.get_ref().clone(),
            link_id: a.link_id.get_ref().clone(),
            within,
            unit: a.unit.as_ref().map(|u| u.get_ref().clone()),
            values,
        };
        Some(Rule { target, source })
    }

    fn sessions(&mut self, s: &SessionsRule) -> Option<Sessions> {
        let list = self.input(&s.path, &[Kind::List])?;
        let code = self.code(&s.code);
        let within = self.window(&s.within);
        let mut fields = Vec::new();
        for (name, code) in &s.fields {
            let path = Spanned::new(code.span(), format!("{}[].{name}", list.path));
            let kinds = [Kind::Boolean, Kind::Integer, Kind::Choice];
            if let (Some(t), Some(c)) = (self.input(&path, &kinds), self.code(code)) {
                fields.push((t, c));
            }
        }
        let list_max = list.max.and_then(|m| m.to_string().parse().ok());
        Some(Sessions {
            path: list.path,
            code: code?,
            within,
            absent_means_none: s.absent_means_none,
            fields,
            list_max,
        })
    }

    fn route(&mut self, r: &RouteRule) -> Option<Route> {
        let target = self.input(&r.path, &[Kind::Choice])?;
        let medications = self.codes(&r.medications);
        let values = self.values(&r.values, &target);
        Some(Route { target, medications, values })
    }
}

/// Just the `protocol` member of a mapping text.
#[derive(Debug, Deserialize)]
struct ProtocolOnly {
    protocol: Text,
}

/// The protocol file a mapping text names, and where it names it.
pub(super) fn protocol_of(text: &str) -> Result<(String, Span), Vec<Diagnostic>> {
    toml::from_str::<ProtocolOnly>(text).map(|p| (p.protocol.get_ref().clone(), span(&p.protocol))).map_err(|e| {
        let place = e.span().map_or(Span::default(), |r| Span::new(r.start, r.end));
        vec![Diagnostic::error(Code::Syntax, place, e.message().trim_end().to_string())
            .with_hint("a mapping file names its protocol: protocol = \"kap-reference.kap\"")]
    })
}

/// What is wrong with a code as written for `system` (a mistake that would make it match
/// nothing, silently): spaces, a `*` inside it, lower case where the system's codes are upper
/// case, other than digits where they are digits only, a prefix in a system without a
/// hierarchy of code prefixes. `None` when it is well formed. The message and the hint.
fn code_problem(alias: &str, system: &str, code: &str, prefix: bool) -> Option<(String, String)> {
    let upper = code.to_uppercase();
    if code.chars().any(char::is_whitespace) {
        return Some((
            "a code has no spaces".to_string(),
            format!("write `{alias}|{}{}`", code.split_whitespace().collect::<String>(), if prefix { "*" } else { "" }),
        ));
    }
    if code.contains('*') {
        return Some((
            "`*` stands only at the end of a code, for it and every code below it".to_string(),
            "move the `*` to the end, or write the codes out".to_string(),
        ));
    }
    let digits_only = system.contains("snomed.info") || system.contains("rxnorm");
    if digits_only && !code.chars().all(|c| c.is_ascii_digit()) {
        return Some((
            "codes of this system are digits only".to_string(),
            "copy the code from the code system's browser".to_string(),
        ));
    }
    let upper_case = system.contains("icd-10") || system.contains("atc") || system.contains("loinc.org");
    if upper_case && code != upper {
        return Some((
            "codes of this system are upper case: this one would match nothing".to_string(),
            format!("write `{alias}|{upper}{}`", if prefix { "*" } else { "" }),
        ));
    }
    let hierarchical =
        system.contains("icd-10") || system.contains("atc") || !(digits_only || system.contains("loinc.org"));
    if prefix && !hierarchical {
        return Some((
            "a code prefix means nothing in this system: its codes do not nest by their spelling".to_string(),
            "list the codes (a SNOMED CT concept's descendants are not its prefixes)".to_string(),
        ));
    }
    None
}
