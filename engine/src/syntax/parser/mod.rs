//! From source text to the syntax tree, with pest, one item at a time.
//!
//! `items` builds the top-level items, `entries` the entries of a decision or a ladder,
//! `expr` the expressions, and `report` turns pest's errors into diagnostics.

mod entries;
mod expr;
mod items;
mod report;

use super::ast::*;
use super::layout::{self, Piece};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Span};
use crate::limits::{excerpt, MAX_RULE_FILE_BYTES};
use pest::iterators::Pair;
use pest::Parser as _;
use report::{internal, syntax_error, too_large};
use rust_decimal::Decimal;

mod grammar;
use grammar::{Grammar, Rule};

/// The deepest expression tree accepted (operators and brackets nested).
pub const MAX_DEPTH: usize = crate::limits::MAX_EXPRESSION_DEPTH;

type Built<T> = Result<T, Diagnostic>;

/// Parses a whole rule file. Items that fail to parse are reported and left out; the others
/// are still returned, so a later stage can report their own problems in the same run.
/// A source over [`MAX_RULE_FILE_BYTES`] is not parsed: its one diagnostic is
/// `file-too-large`.
pub fn parse(source: &str) -> (RuleFile, Vec<Diagnostic>) {
    if source.len() > MAX_RULE_FILE_BYTES {
        return (RuleFile::default(), vec![too_large(source)]);
    }
    let (pieces, mut diagnostics) = layout::split(source);
    let mut file = RuleFile::default();
    for item in pieces {
        match parse_piece(item.head, Rule::item)
            .and_then(|pair| Builder { offset: item.head.offset, fixed: None }.item(pair))
        {
            Ok(Item::Decision(mut decision)) => {
                decision.entries = build_entries(item.entries, Rule::entry, Builder::entry, &mut diagnostics);
                file.items.push(Item::Decision(decision));
            }
            Ok(Item::Ladder(mut ladder)) => {
                ladder.entries =
                    build_entries(item.entries, Rule::ladder_entry, Builder::ladder_entry, &mut diagnostics);
                file.items.push(Item::Ladder(ladder));
            }
            Ok(other) => file.items.push(other),
            Err(d) => {
                diagnostics.push(d);
                if let Some(name) = declared_name(item.head.text) {
                    file.broken.insert(name);
                }
            }
        }
    }
    (file, diagnostics)
}

/// The entries of a decision or a ladder that parse, in order; the others are reported.
fn build_entries<T>(
    pieces: Vec<Piece<'_>>,
    rule: Rule,
    build: impl Fn(&Builder, Pair<'_, Rule>) -> Built<T>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<T> {
    let mut entries = Vec::new();
    for piece in pieces {
        match parse_piece(piece, rule).and_then(|pair| build(&Builder { offset: piece.offset, fixed: None }, pair)) {
            Ok(entry) => entries.push(entry),
            Err(d) => diagnostics.push(d),
        }
    }
    entries
}

/// The text of a quoted string, escapes resolved.
fn unescape(raw: &str) -> String {
    let inner = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(raw);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The name an `input` or `define` item declares, read without the grammar.
fn declared_name(text: &str) -> Option<String> {
    let rest =
        text.strip_prefix("input").or_else(|| text.strip_prefix("define")).or_else(|| text.strip_prefix("schedule"))?;
    let name: String =
        rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']')).collect();
    let name = name.trim_end_matches("[]").to_string();
    (!name.is_empty()).then_some(name)
}

/// The name of a numeric level: its amount, as `56 mg` (the number without trailing zeros, one
/// space, the unit), however it is written (`56.0 mg`); a level without a unit is its number.
pub fn level_name(number: &str, unit: &str) -> String {
    let number = Decimal::from_str_exact(number).map_or_else(|_| number.to_string(), |d| d.normalize().to_string());
    if unit.is_empty() {
        number
    } else {
        format!("{number} {unit}")
    }
}

/// An expression kap writes itself in place of a construct (a schedule's), every node of
/// it spanning `at`, the construct's use. `None` when it does not parse (a bug of the caller).
pub(crate) fn written(text: &str, at: Span) -> Option<Expr> {
    let pair = Grammar::parse(Rule::expr, text).ok()?.next()?;
    Builder { offset: 0, fixed: Some(at) }.expr(pair, 0).ok()
}

fn parse_piece(piece: Piece<'_>, rule: Rule) -> Built<Pair<'_, Rule>> {
    if let Some(d) = layout::check_piece(piece) {
        return Err(d);
    }
    let mut pairs = Grammar::parse(rule, piece.text).map_err(|e| syntax_error(piece, e))?;
    let top = pairs.next().ok_or_else(|| internal(piece.span()))?;
    // `item` and `entry` wrap exactly one alternative between SOI and EOI.
    top.into_inner().find(|p| p.as_rule() != Rule::EOI).ok_or_else(|| internal(piece.span()))
}

/// Builds syntax nodes from the pairs of one piece, whose text starts at `offset` in the file.
struct Builder {
    offset: usize,
    /// The span of every node, for an expression kap writes itself (see [`written`]).
    fixed: Option<Span>,
}

impl Builder {
    /// The pair's span in the file, without the white space pest may have taken after it.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        if let Some(fixed) = self.fixed {
            return fixed;
        }
        let s = pair.as_span();
        let trimmed = pair.as_str().trim_end().len();
        Span::new(self.offset + s.start(), self.offset + s.start() + trimmed)
    }

    fn next<'a>(&self, pairs: &mut impl Iterator<Item = Pair<'a, Rule>>, at: Span) -> Built<Pair<'a, Rule>> {
        pairs.next().ok_or_else(|| internal(at))
    }

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Node::new(pair.as_str().to_string(), self.span(pair))
    }

    /// The names of the pairs of `rule` among `pairs`.
    fn names_of<'a>(&self, pairs: impl Iterator<Item = Pair<'a, Rule>>, rule: Rule) -> Vec<Name> {
        pairs.filter(|p| p.as_rule() == rule).map(|p| self.name(&p)).collect()
    }

    /// The names inside `pair`: a list of sources, parameters, checks or set members.
    /// The choices of `one of` or of a set: names, or amounts (`56 mg`) named as
    /// [`level_name`] writes them.
    fn choice_names<'a>(&self, pairs: impl Iterator<Item = Pair<'a, Rule>>) -> Vec<Name> {
        let mut names = Vec::new();
        for p in pairs {
            match p.as_rule() {
                Rule::quantity => {
                    let mut parts = p.clone().into_inner().map(|q| q.as_str().to_string());
                    let (number, unit) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
                    names.push(Node::new(level_name(&number, &unit), self.span(&p)));
                }
                Rule::name => names.push(self.name(&p)),
                _ => {}
            }
        }
        names
    }

    fn names_in(&self, pair: Pair<'_, Rule>) -> Vec<Name> {
        pair.into_inner().map(|n| self.name(&n)).collect()
    }

    fn string(&self, pair: &Pair<'_, Rule>) -> Node<String> {
        Node::new(unescape(pair.as_str()), self.span(pair))
    }

    /// A number of the rule file, exactly as written (its scale kept), when a document could
    /// hold it too: at most 28 significant digits, as [`crate::input::number`] reads them.
    fn decimal(&self, pair: &Pair<'_, Rule>) -> Built<Decimal> {
        let text = pair.as_str();
        Decimal::from_str_exact(text).ok().filter(|_| crate::input::number(text).is_ok()).ok_or_else(|| {
            Diagnostic::error(
                Code::Number,
                self.span(pair),
                format!("`{}` is not a number kap can represent exactly", excerpt(pair.as_str())),
            )
            .with_hint("numbers have at most 28 digits, and are never rounded")
        })
    }

    /// A number and its unit, if any: `10 minutes`, `0.5 mg/kg`.
    fn quantity(&self, pair: Pair<'_, Rule>) -> Built<Node<(Decimal, Option<Name>)>> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let number = self.decimal(&self.next(&mut inner, span)?)?;
        let unit = inner.next().map(|u| self.name(&u));
        Ok(Node::new((number, unit), span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_expr(text: &str) -> ExprKind {
        let src = format!("define x = {text}\n");
        let (file, diags) = parse(&src);
        assert!(diags.is_empty(), "{diags:?}");
        match file.items.into_iter().next() {
            Some(Item::Define(d)) => d.body.node,
            other => unreachable!("{other:?}"),
        }
    }

    #[test]
    fn precedence_is_not_over_and_over_or() {
        let e = one_expr("not a and b or c");
        let ExprKind::Or(parts) = e else { unreachable!("{e:?}") };
        assert_eq!(parts.len(), 2);
        let ExprKind::And(ands) = &parts[0].node else { unreachable!() };
        assert!(matches!(ands[0].node, ExprKind::Not(_)));
    }

    #[test]
    fn quantities_keep_their_units_and_exact_value() {
        let e = one_expr("0.5 mg/kg * patient.weight");
        let ExprKind::Arith(ArithOp::Mul, l, r) = e else { unreachable!() };
        let ExprKind::Quantity(v, Some(unit)) = &l.node else { unreachable!() };
        assert_eq!(v.to_string(), "0.5");
        assert_eq!(unit.node, "mg/kg");
        assert_eq!(r.node, ExprKind::Name("patient.weight".into()));
    }

    #[test]
    fn ranges_sets_and_is_known() {
        assert!(matches!(one_expr("screening.audit in 8..19"), ExprKind::InRange(_, _, _, false)));
        assert!(matches!(one_expr("p.mood not in {manic, mixed}"), ExprKind::InSet(_, ref s, true) if s.len() == 2));
        assert!(matches!(one_expr("p.age is missing"), ExprKind::IsKnown(_, false)));
        assert!(matches!(one_expr("p.age is known"), ExprKind::IsKnown(_, true)));
        assert!(matches!(one_expr("p.cleared is true"), ExprKind::IsTruth(_, true)));
        assert!(matches!(one_expr("(p.a or p.b) is false"), ExprKind::IsTruth(_, false)));
    }

    #[test]
    fn a_keyword_after_a_number_is_not_a_unit() {
        let e = one_expr("a < 18 and b");
        let ExprKind::And(parts) = e else { unreachable!() };
        let ExprKind::Compare(_, _, r) = &parts[0].node else { unreachable!() };
        assert_eq!(r.node, ExprKind::Quantity(Decimal::from(18), None));
    }

    #[test]
    fn spans_point_into_the_whole_file() {
        let src = "source K \"k\"\n\ndecision d\n  exclude minor \"Minor\" when patient.age < 18 years [K]\n";
        let (file, diags) = parse(src);
        assert!(diags.is_empty(), "{diags:?}");
        let Some(Item::Decision(d)) = file.items.get(1) else { unreachable!() };
        let Some(Entry::Rule(rule)) = d.entries.first() else { unreachable!() };
        assert_eq!(&src[rule.id.span.start..rule.id.span.end], "minor");
        assert_eq!(&src[rule.when.span.start..rule.when.span.end], "patient.age < 18 years");
        assert_eq!(rule.cites[0].node, "K");
    }

    #[test]
    fn display_hints_are_optional_and_follow_their_entry() {
        let src = "decision d\n  list unmet \"Unmet criteria\" of unmet quiet\n  list l of k\n  verdict v if when x = 3 tone unknown\n  verdict w otherwise\n  value s \"Times\" minutes after obs.t0 = choose when a then [10, 20] otherwise 3 for w\n  value n = 1\n";
        let (file, diags) = parse(src);
        assert!(diags.is_empty(), "{diags:?}");
        let Some(Item::Decision(d)) = file.items.first() else { unreachable!() };
        let [Entry::List { label: Some(l), quiet: true, .. }, Entry::List { label: None, .. }, Entry::Verdict { tone: Some(t), condition: Some(_), .. }, Entry::Verdict { tone: None, .. }, Entry::Value { label: Some(vl), minutes_after: Some(after), verdicts, .. }, Entry::Value { label: None, minutes_after: None, .. }] =
            &d.entries[..]
        else {
            unreachable!("{:?}", d.entries)
        };
        assert_eq!((l.node.as_str(), t.node.as_str(), vl.node.as_str()), ("Unmet criteria", "unknown", "Times"));
        assert_eq!((after.node.as_str(), verdicts.len()), ("obs.t0", 1));
        // `tone` ends an expression: never a unit nor a name.
        let (_, diags) = parse("decision d\n  verdict v if when x > 3 tone stop\n  verdict w otherwise tone ok\n");
        assert!(diags.is_empty(), "{diags:?}");
        // Another word in the place of `tone` is a syntax error that names it.
        let (_, diags) = parse("decision d\n  verdict w otherwise colour ok\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!((diags[0].code.as_str(), diags[0].message.as_str()), ("syntax", "expected `tone`"));
        assert_eq!(diags[0].span.start, "decision d\n  verdict w otherwise ".len());
    }

    #[test]
    fn independent_syntax_errors_are_all_reported() {
        let src = "input a: booleen \"A\"\ninput b: boolean \"B\"\ndecision d\n  exclude x \"X\" whenn b\n  exclude y \"Y\" when b [\n  exclude z \"Z\" when b\n";
        let (file, diags) = parse(src);
        assert_eq!(diags.len(), 3, "{diags:?}");
        assert_eq!(file.items.len(), 2);
        let Some(Item::Decision(d)) = file.items.get(1) else { unreachable!() };
        assert_eq!(d.entries.len(), 1);
    }

    #[test]
    fn running_low_on_stack_is_too_deep_not_a_syntax_error() {
        // pest stops when less than 64 KiB of stack is left: a thread with little more than
        // that stops within a few brackets.
        let src = format!("define x = {}1{}\n", "(".repeat(30), ")".repeat(30));
        let found = std::thread::Builder::new()
            .stack_size(96 * 1024)
            .spawn(move || parse(&src).1.into_iter().map(|d| (d.code.as_str(), d.message)).collect::<Vec<_>>())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(found, [("too-deep", "this item is nested too deeply to be read".to_string())]);
    }

    #[test]
    fn deep_expressions_are_refused_not_overflowed() {
        let long = vec!["1"; 400].join(" + ");
        let (_, diags) = parse(&format!("define x = {long}\n"));
        assert_eq!(diags.first().map(|d| d.code.as_str()), Some("too-deep"));
        let nots = "not ".repeat(400);
        let (_, diags) = parse(&format!("define x = {nots} a\n"));
        assert_eq!(diags.first().map(|d| d.code.as_str()), Some("too-deep"));
    }
}
