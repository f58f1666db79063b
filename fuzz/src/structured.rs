//! Documents built from a protocol's declarations (`Protocol::describe`, plus the `required`,
//! `ordered` and `not after` flags of its schema), each input absent, in range, at a
//! boundary, out of range or of the wrong type. The generator knows which answer each
//! document must get: the first member that cannot be read as declared (not declared, given
//! twice, null, of another type, a list of too many items) in document order, else the first
//! refused value, else one of the structural rules it breaks, else an evaluation.

use arbitrary::{Result, Unstructured};
use kap_engine::input::time::format_utc;
use kap_engine::schema::{Required, Schema};
use kap_engine::{Error, Protocol};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// The type of a declared input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Boolean,
    Integer,
    Decimal,
    Choice,
    Timestamp,
}

/// When an input must be given, with group paths instead of indices.
#[derive(Debug, Clone, PartialEq, Eq)]
enum When {
    Never,
    WithParent,
    WithGroups(Vec<String>),
}

#[derive(Debug, Clone)]
struct FieldSpec {
    name: String,
    /// The declared path (`course.sessions[].at`).
    path: String,
    kind: Kind,
    range: Option<(Decimal, Decimal)>,
    choices: Vec<String>,
    required: When,
    ordered: bool,
    /// The declared path of the root field it is never after.
    not_after: Option<String>,
}

#[derive(Debug, Clone)]
struct ListSpec {
    name: String,
    path: String,
    range: Option<(Decimal, Decimal)>,
    required: When,
    items: Vec<Slot>,
}

#[derive(Debug, Clone)]
enum Slot {
    Field(FieldSpec),
    Group { name: String, members: Vec<Slot> },
    List(ListSpec),
}

/// What documents of a protocol look like.
#[derive(Debug, Clone)]
pub struct Model {
    root: Vec<Slot>,
}

fn decimal(v: &Option<serde_json::Value>) -> Option<Decimal> {
    v.as_ref().and_then(|v| Decimal::from_str_exact(&v.to_string()).ok())
}

fn when(required: &Required, schema: &Schema) -> When {
    match required {
        Required::No => When::Never,
        Required::WithParent => When::WithParent,
        Required::WithGroups(gs) => {
            When::WithGroups(gs.iter().filter_map(|g| schema.group(*g).map(String::from)).collect())
        }
    }
}

/// Finds (or makes) the member list of the group or list item at `segments`.
fn members_at<'a>(mut slots: &'a mut Vec<Slot>, segments: &[&str]) -> &'a mut Vec<Slot> {
    for segment in segments {
        let (name, is_list) = match segment.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (*segment, false),
        };
        let at = slots.iter().position(|s| match s {
            Slot::Group { name: n, .. } => !is_list && n == name,
            Slot::List(l) => is_list && l.name == name,
            Slot::Field(_) => false,
        });
        let at = match at {
            Some(at) => at,
            None => {
                slots.push(Slot::Group { name: name.to_string(), members: Vec::new() });
                slots.len() - 1
            }
        };
        slots = match &mut slots[at] {
            Slot::Group { members, .. } => members,
            Slot::List(l) => &mut l.items,
            Slot::Field(_) => unreachable!("a field is never a parent"),
        };
    }
    slots
}

impl Model {
    /// Reads the declarations of `protocol`.
    pub fn new(protocol: &Protocol) -> Model {
        let schema = protocol.schema();
        let mut root = Vec::new();
        for info in protocol.describe().sections.iter().flat_map(|s| &s.inputs) {
            let segments: Vec<&str> = info.path.split('.').collect();
            let Some((last, parents)) = segments.split_last() else { continue };
            let range = decimal(&info.min).zip(decimal(&info.max));
            let slot = if info.kind == "list" {
                let decl = schema.lists.iter().find(|l| l.path == info.path);
                Slot::List(ListSpec {
                    name: last.to_string(),
                    path: info.path.clone(),
                    range,
                    required: decl.map_or(When::Never, |l| when(&l.required, schema)),
                    items: Vec::new(),
                })
            } else {
                let decl = schema.fields.iter().find(|f| f.path == info.path);
                Slot::Field(FieldSpec {
                    name: last.to_string(),
                    path: info.path.clone(),
                    kind: match info.kind {
                        "boolean" => Kind::Boolean,
                        "integer" => Kind::Integer,
                        "decimal" => Kind::Decimal,
                        "choice" => Kind::Choice,
                        _ => Kind::Timestamp,
                    },
                    range,
                    choices: info.choices.clone().unwrap_or_default(),
                    required: decl.map_or(When::Never, |f| when(&f.required, schema)),
                    ordered: decl.is_some_and(|f| f.ordered),
                    not_after: decl.and_then(|f| f.not_after).and_then(|t| schema.field(t)).map(|t| t.path.clone()),
                })
            };
            members_at(&mut root, parents).push(slot);
        }
        Model { root }
    }
}

/// A value the validator reads for ordering: a number or an instant.
type Val = Option<Decimal>;

/// A document and what the engine must answer.
#[derive(Debug, Default)]
pub struct Generated {
    /// The JSON text.
    pub text: String,
    /// The error the validator must give, once the document is written: (code, path).
    first_error: Option<(&'static str, String)>,
    /// The first member that cannot be read as declared, in document order.
    first_member_error: Option<(&'static str, String)>,
    /// The first value refused, in document order.
    first_value_error: Option<(&'static str, String)>,
    /// Group paths present.
    groups: HashSet<String>,
    /// Root fields present: declared path -> value (numbers and instants only).
    root: HashMap<String, Val>,
    /// Lists present: declared path -> items (field name -> value).
    lists: HashMap<String, Vec<HashMap<String, Val>>>,
}

/// Seconds from the epoch to 0000-01-01T00:00:00Z and to 10000-01-01T00:00:00Z.
const FIRST_SECOND: i64 = -62_167_219_200;
const END_SECOND: i64 = 253_402_300_800;
/// 2026-11-23T10:00:00Z.
const NOW: i64 = 1_795_428_000;
const DAY: i64 = 86_400;

struct Builder<'u, 'a> {
    u: &'u mut Unstructured<'a>,
    /// Whether this document may have refused values, undeclared or repeated members; without,
    /// only its structure (a missing or late timestamp, items out of order) can be wrong.
    faulty: bool,
    out: Generated,
    /// The last instant given to an ordered list field, per declared path.
    previous: HashMap<String, Decimal>,
}

fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Writes a decimal in one of several JSON spellings of the same number.
fn spell(v: Decimal, style: u8) -> String {
    let v = v.normalize();
    match style % 4 {
        0 => v.to_string(),
        1 => {
            let s = v.to_string();
            if s.contains('.') {
                format!("{s}00")
            } else {
                format!("{s}.0")
            }
        }
        2 => format!("{}e-{}", v.mantissa(), v.scale()),
        _ => {
            let m = v.mantissa();
            let sign = if m < 0 { "-" } else { "" };
            format!("{sign}0.{}E{:+}", m.unsigned_abs(), digits(m) - i64::from(v.scale()))
        }
    }
}

fn digits(m: i128) -> i64 {
    i64::try_from(m.unsigned_abs().to_string().len()).unwrap_or(0)
}

impl Builder<'_, '_> {
    /// A member that cannot be read as declared.
    fn fail(&mut self, code: &'static str, path: &str) {
        if self.out.first_member_error.is_none() {
            self.out.first_member_error = Some((code, path.to_string()));
        }
    }

    /// A field's value, of the right JSON type, refused: named only when no member error is.
    fn refuse(&mut self, code: &'static str, path: &str) {
        if self.out.first_value_error.is_none() {
            self.out.first_value_error = Some((code, path.to_string()));
        }
    }

    /// A roll of 0 to 99 deciding what to write; 88 and above only in a faulty document,
    /// where each is a fault.
    fn percent(&mut self) -> Result<u8> {
        let roll = self.u.int_in_range(0..=99)?;
        Ok(if self.faulty { roll } else { roll % 88 })
    }

    fn object(&mut self, slots: &[Slot], prefix: &str, item: Option<&mut HashMap<String, Val>>) -> Result<()> {
        let mut item = item;
        self.out.text.push('{');
        let mut first = true;
        for slot in slots {
            let (name, member_path) = match slot {
                Slot::Field(f) => (&f.name, join(prefix, &f.name)),
                Slot::Group { name, .. } => (name, join(prefix, name)),
                Slot::List(l) => (&l.name, join(prefix, &l.name)),
            };
            // A required input is seldom left out: its absence refuses the whole document.
            let required = match slot {
                Slot::Field(f) => f.required != When::Never,
                Slot::List(l) => l.required != When::Never,
                Slot::Group { .. } => false,
            };
            let roll = self.percent()?;
            if roll < if required { 3 } else { 20 } {
                continue; // absent
            }
            let repeats = if roll == 99 { 2 } else { 1 };
            for repeat in 0..repeats {
                if !first {
                    self.out.text.push(',');
                }
                first = false;
                self.out.text.push_str(&quote(name));
                self.out.text.push(':');
                if repeat == 1 {
                    self.fail("duplicate_member", &member_path);
                }
                match slot {
                    Slot::Field(f) => {
                        let v = self.field(f, &member_path)?;
                        match item.as_deref_mut() {
                            Some(item) => {
                                item.insert(f.name.clone(), v);
                            }
                            None => {
                                self.out.root.insert(f.path.clone(), v);
                            }
                        }
                    }
                    Slot::Group { members, .. } => match self.percent()? {
                        99 => {
                            self.out.text.push_str("null");
                            self.fail("null_value", &member_path);
                        }
                        97 | 98 => {
                            self.out.text.push_str("[]");
                            self.fail("not_an_object", &member_path);
                        }
                        _ => {
                            if item.is_none() {
                                self.out.groups.insert(member_path.clone());
                            }
                            self.object(members, &member_path, item.as_deref_mut())?;
                        }
                    },
                    Slot::List(l) => self.list(l, &member_path)?,
                }
            }
        }
        if self.percent()? == 99 {
            if !first {
                self.out.text.push(',');
            }
            self.out.text.push_str("\"zz_not_declared\":1");
            self.fail("unknown_member", &join(prefix, "zz_not_declared"));
        }
        self.out.text.push('}');
        Ok(())
    }

    fn list(&mut self, l: &ListSpec, path: &str) -> Result<()> {
        let (lo, hi) = l.range.map_or((0, 10), |(lo, hi)| (lo.to_u32().unwrap_or(0), hi.to_u32().unwrap_or(10)));
        let n = match self.percent()? {
            99 => {
                self.out.text.push_str("null");
                self.fail("null_value", path);
                return Ok(());
            }
            98 => {
                self.out.text.push_str("{}");
                self.fail("wrong_type", path);
                return Ok(());
            }
            96 | 97 if l.range.is_some() => {
                self.fail("out_of_range", path);
                hi + 1
            }
            80..=85 => hi,
            p => lo + u32::from(p) % (hi.min(lo.max(8)) - lo + 1),
        };
        self.out.text.push('[');
        let mut items = Vec::new();
        for i in 0..n {
            if i > 0 {
                self.out.text.push(',');
            }
            let item_path = format!("{path}[{i}]");
            match self.percent()? {
                99 => {
                    self.out.text.push_str("null");
                    self.fail("null_value", &item_path);
                }
                98 => {
                    self.out.text.push('1');
                    self.fail("not_an_object", &item_path);
                }
                _ => {
                    let mut item = HashMap::new();
                    self.object(&l.items, &item_path, Some(&mut item))?;
                    items.push(item);
                }
            }
        }
        self.out.text.push(']');
        self.out.lists.insert(l.path.clone(), items);
        Ok(())
    }

    /// Writes one field's value; returns its number or instant when the validator accepts it.
    fn field(&mut self, f: &FieldSpec, path: &str) -> Result<Val> {
        // 0..70 in range, 70..88 at a boundary, 88..97 refused, 97.. of the wrong type.
        let roll = self.percent()?;
        if roll >= 97 {
            let (text, code) = match roll {
                97 => ("null", "null_value"),
                98 => (if f.kind == Kind::Boolean { "\"true\"" } else { "true" }, "wrong_type"),
                _ => ("[1]", "wrong_type"),
            };
            self.out.text.push_str(text);
            self.fail(code, path);
            return Ok(None);
        }
        let bad = roll >= 88;
        match f.kind {
            Kind::Boolean => {
                let b: bool = self.u.arbitrary()?;
                self.out.text.push_str(if b { "true" } else { "false" });
                Ok(None)
            }
            Kind::Choice => {
                let i = self.u.choose_index(f.choices.len().max(1))?;
                let choice = f.choices.get(i).cloned().unwrap_or_default();
                if bad || f.choices.is_empty() {
                    self.out.text.push_str(&quote(&format!("{choice}_not")));
                    self.refuse("unknown_choice", path);
                } else {
                    self.out.text.push_str(&quote(&choice));
                }
                Ok(None)
            }
            Kind::Timestamp => self.timestamp(f, path, bad),
            Kind::Integer | Kind::Decimal => self.number(f, path, bad, roll),
        }
    }

    fn number(&mut self, f: &FieldSpec, path: &str, bad: bool, roll: u8) -> Result<Val> {
        let integer = f.kind == Kind::Integer;
        let (lo, hi) = f.range.unwrap_or((Decimal::from(-1000), Decimal::from(1000)));
        let style: u8 = self.u.arbitrary()?;
        if bad {
            let (text, code) = match self.u.int_in_range(0..=5)? {
                0 => (spell(hi + Decimal::ONE, style), "out_of_range"),
                1 => (spell(lo - Decimal::ONE, style), "out_of_range"),
                2 if integer => (spell(lo + Decimal::new(5, 1), style), "not_whole"),
                2 => (spell(hi + Decimal::new(1, 20), style), "out_of_range"),
                3 => (format!("0.{}1", "0".repeat(28)), "too_precise"),
                4 => ("1e400".to_string(), "not_finite"),
                _ => ("9".repeat(40), "not_finite"),
            };
            let code = if f.range.is_none() && code == "out_of_range" { "" } else { code };
            self.out.text.push_str(&text);
            if !code.is_empty() {
                self.refuse(code, path);
                return Ok(None);
            }
            return Ok(kap_engine::input::number(&text).ok());
        }
        let v = if roll >= 70 {
            // At a boundary, or just inside it.
            match self.u.int_in_range(0..=3)? {
                0 => lo,
                1 => hi,
                2 if !integer => hi - Decimal::new(1, 20),
                2 => hi - Decimal::ONE,
                _ if !integer => lo + Decimal::new(1, 20),
                _ => lo + Decimal::ONE,
            }
            .clamp(lo, hi)
        } else {
            let k: u16 = self.u.int_in_range(0..=10_000)?;
            let v = lo + (hi - lo) * Decimal::new(i64::from(k), 4);
            let scale = if integer { 0 } else { self.u.int_in_range(0..=3)? };
            v.round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::ToZero).clamp(lo, hi)
        };
        let v = if integer { v.trunc() } else { v };
        self.out.text.push_str(&spell(v, style));
        Ok(Some(v.normalize()))
    }

    fn timestamp(&mut self, f: &FieldSpec, path: &str, bad: bool) -> Result<Val> {
        if bad {
            let text = *self.u.choose(&[
                "2026-02-30T10:00:00Z",
                "2026-11-22T10:00:00",
                "2026-11-22 10:00:00Z",
                "2026-11-22T23:59:60Z",
                "0000-01-01T00:00:00+01:00",
                "2026-11-22T10:00:00.1234567890Z",
                "2026-11-22T24:00:00Z",
                "",
            ])?;
            self.out.text.push_str(&quote(text));
            self.refuse("bad_timestamp", path);
            return Ok(None);
        }
        let limit = f.not_after.as_ref().and_then(|p| self.out.root.get(p).copied().flatten());
        let seconds = match self.u.int_in_range(0..=19)? {
            0 => Decimal::from(FIRST_SECOND),
            1 => Decimal::from(END_SECOND - 1) + Decimal::new(999_999_999, 9),
            2 => Decimal::from(self.u.int_in_range(FIRST_SECOND..=END_SECOND - 1)?),
            _ => {
                // A plausible history: after the previous item, before the limit.
                let previous = self.previous.get(&f.path).copied();
                let start = previous.unwrap_or_else(|| limit.unwrap_or(Decimal::from(NOW)) - Decimal::from(60 * DAY));
                let step = Decimal::from(self.u.int_in_range(0..=14 * DAY)?);
                let mut t = start + step;
                if let Some(limit) = limit {
                    t = t.min(limit).max(start.min(limit));
                }
                t.clamp(Decimal::from(FIRST_SECOND), Decimal::from(END_SECOND - 1))
            }
        };
        if f.ordered {
            self.previous.insert(f.path.clone(), seconds);
        }
        // Written in UTC or with an offset that names the same instant.
        let offset_minutes: i64 = *self.u.choose(&[0, 0, 60, -300, 330, 23 * 60 + 59, -(23 * 60 + 59)])?;
        let local = seconds + Decimal::from(offset_minutes * 60);
        let text = match format_utc(local) {
            Some(t) if offset_minutes != 0 => {
                let sign = if offset_minutes < 0 { '-' } else { '+' };
                let m = offset_minutes.abs();
                format!("{}{sign}{:02}:{:02}", t.trim_end_matches('Z'), m / 60, m % 60)
            }
            _ => format_utc(seconds).unwrap_or_default(),
        };
        let text = if self.u.ratio(1, 10)? { text.replace('T', "t").replace('Z', "z") } else { text };
        self.out.text.push_str(&quote(&text));
        Ok(Some(seconds.normalize()))
    }
}

impl Model {
    /// Builds a document from the fuzzer's bytes.
    pub fn generate(&self, u: &mut Unstructured<'_>) -> Result<Generated> {
        let faulty = u.ratio(1, 3)?;
        let mut b = Builder { u, faulty, out: Generated::default(), previous: HashMap::new() };
        b.object(&self.root, "", None)?;
        let mut out = b.out;
        out.first_error = out.first_member_error.take().or(out.first_value_error.take());
        Ok(out)
    }

    /// The structural rules a document with valid values breaks: (code, path).
    fn broken(&self, doc: &Generated) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let present = |g: &String| doc.groups.contains(g);
        let required_now = |w: &When, path: &str| match w {
            When::Never => false,
            When::WithParent => path.rsplit_once('.').is_none_or(|(parent, _)| present(&parent.to_string())),
            When::WithGroups(gs) => gs.iter().any(present),
        };
        let mut stack: Vec<&Slot> = self.root.iter().collect();
        while let Some(slot) = stack.pop() {
            match slot {
                Slot::Group { members, .. } => stack.extend(members),
                Slot::Field(f) => {
                    let given = doc.root.get(&f.path);
                    if given.is_none() && required_now(&f.required, &f.path) {
                        out.push(("missing_required", f.path.clone()));
                    }
                    if let (Some(Some(v)), Some(limit)) = (given, self.limit(doc, f)) {
                        if *v > limit {
                            out.push(("after_limit", f.path.clone()));
                        }
                    }
                }
                Slot::List(l) => {
                    let items = doc.lists.get(&l.path);
                    if items.is_none() && required_now(&l.required, &l.path) {
                        out.push(("missing_required", l.path.clone()));
                    }
                    for slot in &l.items {
                        let Slot::Field(f) = slot else { continue };
                        let mut previous: Option<Decimal> = None;
                        for (i, item) in items.into_iter().flatten().enumerate() {
                            let path = format!("{}[{i}].{}", l.path, f.name);
                            let Some(v) = item.get(&f.name) else {
                                if f.required != When::Never {
                                    out.push(("missing_required", path));
                                }
                                continue;
                            };
                            if let Some(v) = v {
                                if f.ordered && previous.is_some_and(|p| *v < p) {
                                    out.push(("out_of_order", path.clone()));
                                }
                                if f.ordered {
                                    previous = Some(*v);
                                }
                                if self.limit(doc, f).is_some_and(|limit| *v > limit) {
                                    out.push(("after_limit", path));
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn limit(&self, doc: &Generated, f: &FieldSpec) -> Option<Decimal> {
        f.not_after.as_ref().and_then(|p| doc.root.get(p).copied().flatten())
    }

    /// Evaluates a generated document and checks the answer against what the generator knows.
    pub fn check(&self, protocol: &Protocol, doc: &Generated) {
        let first = protocol.evaluate_json(&doc.text);
        let second = protocol.evaluate_json(&doc.text);
        assert_eq!(first, second, "two evaluations of the same document differ");
        match (&first, &doc.first_error) {
            (Err(Error::Input(e)), Some((code, path))) => {
                crate::check_input_error(e);
                assert_eq!((e.code.as_str(), e.path.as_str()), (*code, path.as_str()), "{e}\n{}", doc.text);
            }
            (_, Some(expected)) => panic!("expected the input error {expected:?}, got {first:?}\n{}", doc.text),
            (Err(Error::Input(e)), None) => {
                crate::check_input_error(e);
                let broken = self.broken(doc);
                assert!(
                    broken.iter().any(|(c, p)| *c == e.code.as_str() && *p == e.path),
                    "refused a valid document: {e} (it breaks {broken:?})\n{}",
                    doc.text
                );
            }
            (Ok(out), None) => {
                let broken = self.broken(doc);
                assert!(broken.is_empty(), "accepted a document that breaks {broken:?}\n{}", doc.text);
                assert!(serde_json::to_string(out).is_ok());
            }
            (Err(Error::Evaluation(e)), None) => panic!("evaluation failed on a valid document: {e}\n{}", doc.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kap_engine::Error;

    /// The generator reaches every kind of answer: evaluations, refused values, broken structure.
    #[test]
    fn documents_of_every_kind_are_generated() {
        let protocol = &*crate::REFERENCE;
        let model = Model::new(protocol);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let (mut ok, mut values, mut structure) = (0, 0, 0);
        for _ in 0..500 {
            let bytes: Vec<u8> = (0..4096)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state.to_le_bytes()[0]
                })
                .collect();
            let doc = model.generate(&mut Unstructured::new(&bytes)).unwrap_or_default();
            model.check(protocol, &doc);
            match (protocol.evaluate_json(&doc.text), &doc.first_error) {
                (Ok(_), _) => ok += 1,
                (Err(Error::Input(_)), Some(_)) => values += 1,
                _ => structure += 1,
            }
        }
        eprintln!("evaluated {ok}, refused values {values}, refused structure {structure}");
        assert!(ok > 25 && values > 25 && structure > 25, "{ok} {values} {structure}");
    }
}
