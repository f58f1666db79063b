//! From source text to the syntax tree, with pest, one item at a time.

use super::ast::*;
use super::layout::{self, Piece};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Span};
use crate::limits::{excerpt, MAX_RULE_FILE_BYTES};
use pest::error::InputLocation;
use pest::iterators::Pair;
use pest::Parser as _;
use rust_decimal::Decimal;

mod grammar {
    #![allow(missing_docs)]
    #[derive(pest_derive::Parser)]
    #[grammar = "syntax/grammar.pest"]
    pub struct Grammar;
}
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
        match parse_piece(item.head, Rule::item).and_then(|pair| Builder { offset: item.head.offset }.item(pair)) {
            Ok(Item::Decision(mut decision)) => {
                for piece in item.entries {
                    match parse_piece(piece, Rule::entry).and_then(|pair| Builder { offset: piece.offset }.entry(pair))
                    {
                        Ok(entry) => decision.entries.push(entry),
                        Err(d) => diagnostics.push(d),
                    }
                }
                file.items.push(Item::Decision(decision));
            }
            Ok(Item::Ladder(mut ladder)) => {
                for piece in item.entries {
                    match parse_piece(piece, Rule::ladder_entry)
                        .and_then(|pair| Builder { offset: piece.offset }.ladder_entry(pair))
                    {
                        Ok(entry) => ladder.entries.push(entry),
                        Err(d) => diagnostics.push(d),
                    }
                }
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

/// The diagnostic of a source over [`MAX_RULE_FILE_BYTES`], at the start of the file.
fn too_large(source: &str) -> Diagnostic {
    Diagnostic::error(
        Code::FileTooLarge,
        Span::new(0, 0),
        format!("this rule file is {} bytes, more than kap reads ({MAX_RULE_FILE_BYTES} bytes, 1 MiB)", source.len()),
    )
    .with_hint("a protocol is far smaller than this: check that this is the intended file, or split the protocol")
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
    let rest = text.strip_prefix("input").or_else(|| text.strip_prefix("define"))?;
    let name: String =
        rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']')).collect();
    let name = name.trim_end_matches("[]").to_string();
    (!name.is_empty()).then_some(name)
}

fn parse_piece(piece: Piece<'_>, rule: Rule) -> Built<Pair<'_, Rule>> {
    if let Some(d) = layout::check_nesting(piece) {
        return Err(d);
    }
    let mut pairs = Grammar::parse(rule, piece.text).map_err(|e| syntax_error(piece, e))?;
    let top = pairs.next().ok_or_else(|| internal(piece.span()))?;
    // `item` and `entry` wrap exactly one alternative between SOI and EOI.
    top.into_inner().find(|p| p.as_rule() != Rule::EOI).ok_or_else(|| internal(piece.span()))
}

fn syntax_error(piece: Piece<'_>, error: pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match error.location {
        InputLocation::Pos(p) => (p, p + 1),
        InputLocation::Span((a, b)) => (a, b),
    };
    // An error at the end of the item is shown just after its last word, not on the blank
    // or comment lines that follow it.
    let content_end = content_end(piece.text);
    let start = start.min(content_end);
    let end = end.clamp(start, content_end.max(start));
    let found = piece.text.get(start..).and_then(|rest| rest.split_whitespace().next()).unwrap_or("");
    let expected = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
            names.sort_unstable();
            names.dedup();
            if names.len() > 1 {
                names.retain(|n| *n != "more text");
            }
            names
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    // pest stops, rather than overflow, when the stack runs low (natively) or at a call limit.
    if let pest::error::ErrorVariant::CustomError { message } = &error.variant {
        if message.contains("limit reached") {
            let at = piece.offset + start;
            return Diagnostic::error(
                Code::TooDeep,
                Span::new(at, at + 1),
                "this item is nested too deeply to be read",
            )
            .with_hint("split the expression into named parts with `define`");
        }
    }
    let found_text = if found.is_empty() { "the end of the item".to_string() } else { format!("`{}`", excerpt(found)) };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", expected.join(" or "))
    };
    let hint = if piece.text.trim_start().starts_with(|c: char| c.is_alphabetic()) && start == 0 {
        "an item starts with `protocol`, `source`, `input`, `define` or `decision`; a decision entry with `given`, `list`, `verdict` or a rule kind".to_string()
    } else {
        "check the spelling and the order of the words here; continuation lines must be indented".to_string()
    };
    Diagnostic::error(
        Code::Syntax,
        Span::new(piece.offset + start, piece.offset + end.max(start + 1).min(piece.text.len().max(start))),
        message,
    )
    .with_hint(hint)
}

/// Byte length of `text` without its trailing white space and comment lines.
fn content_end(text: &str) -> usize {
    let mut end = text.trim_end().len();
    loop {
        let body = text.get(..end).unwrap_or("");
        let line_start = body.rfind('\n').map_or(0, |i| i + 1);
        let line = body.get(line_start..).unwrap_or("");
        if line.trim_start().starts_with('#') && line_start > 0 {
            end = text.get(..line_start).unwrap_or("").trim_end().len();
        } else {
            return end;
        }
    }
}

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::predicate => "an expression",
        Rule::sum | Rule::product | Rule::unary | Rule::primary => "a value",
        Rule::compare_tail | Rule::cmp_op => "a comparison",
        Rule::name | Rule::ident => "a name",
        Rule::path | Rule::decl_path => "a dotted path",
        Rule::string => "a quoted text",
        Rule::number | Rule::signed_number | Rule::quantity => "a number",
        Rule::unit => "a unit",
        Rule::type_expr => "a type (boolean, integer, decimal, one of, timestamp, list)",
        Rule::decl_range | Rule::range => "a range `lo..hi`",
        Rule::kw_when => "`when`",
        Rule::kw_of => "`of`",
        Rule::kw_in => "`in`",
        Rule::kw_if => "`if`",
        Rule::kw_otherwise => "`otherwise`",
        Rule::kw_help => "`help`",
        Rule::kw_url => "`url`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_is => "`is`",
        Rule::kw_known | Rule::kw_missing => "`known` or `missing`",
        Rule::tier_cond | Rule::tier_term => "`any KIND` or `unknown KIND`",
        Rule::cites => "sources in brackets `[K1 S5]`",
        Rule::header_field | Rule::header_key => "a header field (version, status, owner, description)",
        Rule::EOI => "the end of the item",
        Rule::set => "a set `{a, b}`",
        Rule::add_op | Rule::mul_op => "an operator",
        _ => "more text",
    }
}

fn internal(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Syntax, span, "this item could not be read")
        .with_hint("report this rule file to the kap developers")
}

struct Builder {
    offset: usize,
}

impl Builder {
    /// The pair's span in the file, without the white space pest may have taken after it.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
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

    fn string(&self, pair: &Pair<'_, Rule>) -> Node<String> {
        Node::new(unescape(pair.as_str()), self.span(pair))
    }

    fn decimal(&self, pair: &Pair<'_, Rule>) -> Built<Decimal> {
        Decimal::from_str_exact(pair.as_str()).map_err(|_| {
            Diagnostic::error(
                Code::Number,
                self.span(pair),
                format!("`{}` is not a number kap can represent exactly", excerpt(pair.as_str())),
            )
            .with_hint("numbers have at most 28 digits, and are never rounded")
        })
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Built<Item> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        match rule {
            Rule::protocol_item => {
                let name = self.string(&self.next(&mut inner, span)?);
                let mut fields = Vec::new();
                for field in inner {
                    let fspan = self.span(&field);
                    let mut parts = field.into_inner();
                    let key = self.name(&self.next(&mut parts, fspan)?);
                    let value = self.next(&mut parts, fspan)?;
                    let value = if value.as_rule() == Rule::string { self.string(&value) } else { self.name(&value) };
                    fields.push((key, value));
                }
                Ok(Item::Protocol(Header { name, fields, span }))
            }
            Rule::source_item => {
                let key = self.name(&self.next(&mut inner, span)?);
                let title = self.string(&self.next(&mut inner, span)?);
                let url = inner.find(|p| p.as_rule() == Rule::string).map(|p| self.string(&p));
                Ok(Item::Source(SourceDecl { key, title, url }))
            }
            Rule::input_item => {
                let path = self.name(&self.next(&mut inner, span)?);
                let ty = self.type_expr(self.next(&mut inner, span)?)?;
                let mut range = None;
                let mut strings = Vec::new();
                let mut flags = Vec::new();
                for p in inner {
                    match p.as_rule() {
                        Rule::input_flag => flags.push(self.flag(p)?),
                        Rule::decl_range => {
                            let rspan = self.span(&p);
                            let mut ends = p.into_inner();
                            let lo = self.decimal(&self.next(&mut ends, rspan)?)?;
                            let hi = self.decimal(&self.next(&mut ends, rspan)?)?;
                            range = Some(Node::new((lo, hi), rspan));
                        }
                        Rule::string => strings.push(self.string(&p)),
                        _ => {}
                    }
                }
                let mut strings = strings.into_iter();
                let label = strings.next().ok_or_else(|| internal(span))?;
                let help = strings.next();
                Ok(Item::Input(InputDecl { path, ty, range, flags, label, help, span }))
            }
            Rule::define_item => {
                let name = self.name(&self.next(&mut inner, span)?);
                let mut params = Vec::new();
                let mut body = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::params => params = p.into_inner().map(|n| self.name(&n)).collect(),
                        Rule::expr => body = Some(self.expr(p, 0)?),
                        _ => {}
                    }
                }
                let body = body.ok_or_else(|| internal(span))?;
                Ok(Item::Define(Define { name, params, body }))
            }
            Rule::ladder_head => {
                let name = self.name(&self.next(&mut inner, span)?);
                let title = inner.next().map(|p| self.string(&p));
                Ok(Item::Ladder(LadderDecl { name, title, entries: Vec::new(), span }))
            }
            Rule::decision_head => {
                let name = self.name(&self.next(&mut inner, span)?);
                let mut title = None;
                let mut within = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::string => title = Some(self.string(&p)),
                        Rule::name => within = Some(self.name(&p)),
                        _ => {}
                    }
                }
                Ok(Item::Decision(DecisionDecl { name, title, entries: Vec::new(), within, span }))
            }
            _ => Err(internal(span)),
        }
    }

    fn flag(&self, pair: Pair<'_, Rule>) -> Built<Node<InputFlag>> {
        let span = self.span(&pair);
        let flag = self.next(&mut pair.into_inner(), span)?;
        let rule = flag.as_rule();
        let paths: Vec<Name> = flag.into_inner().filter(|p| p.as_rule() == Rule::path).map(|p| self.name(&p)).collect();
        let node = match rule {
            Rule::required_flag => InputFlag::Required(paths),
            Rule::ordered_flag => InputFlag::Ordered,
            _ => InputFlag::NotAfter(paths.into_iter().next().ok_or_else(|| internal(span))?),
        };
        Ok(Node::new(node, span))
    }

    fn type_expr(&self, pair: Pair<'_, Rule>) -> Built<Node<TypeExpr>> {
        let span = self.span(&pair);
        let ty = self.next(&mut pair.into_inner(), span)?;
        let rule = ty.as_rule();
        let mut inner = ty.into_inner();
        let node = match rule {
            Rule::boolean_t => TypeExpr::Boolean,
            Rule::integer_t => TypeExpr::Integer(inner.next().map(|u| self.name(&u))),
            Rule::decimal_t => TypeExpr::Decimal(inner.next().map(|u| self.name(&u))),
            Rule::timestamp_t => TypeExpr::Timestamp,
            Rule::list_t => TypeExpr::List,
            Rule::choice_t => {
                TypeExpr::Choice(inner.filter(|p| p.as_rule() == Rule::name).map(|p| self.name(&p)).collect())
            }
            _ => return Err(internal(span)),
        };
        Ok(Node::new(node, span))
    }

    fn entry(&self, pair: Pair<'_, Rule>) -> Built<Entry> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        match rule {
            Rule::given_entry => {
                Ok(Entry::Given(inner.filter(|p| p.as_rule() == Rule::path).map(|p| self.name(&p)).collect()))
            }
            Rule::list_entry => {
                let (mut names, mut label, mut quiet, mut advisory) = (Vec::new(), None, false, false);
                for p in inner {
                    match p.as_rule() {
                        Rule::name => names.push(self.name(&p)),
                        Rule::string => label = Some(self.string(&p)),
                        Rule::quiet => quiet = true,
                        Rule::advisory => advisory = true,
                        _ => {}
                    }
                }
                let mut names = names.into_iter();
                let name = names.next().ok_or_else(|| internal(span))?;
                let kind = names.next().ok_or_else(|| internal(span))?;
                Ok(Entry::List { name, label, kind, quiet, advisory })
            }
            Rule::alert_entry => {
                let id = self.name(&self.next(&mut inner, span)?);
                let severity = self.name(&self.next(&mut inner, span)?);
                let message = self.string(&self.next(&mut inner, span)?);
                let mut names = Vec::new();
                let mut list = None;
                let mut exprs = Vec::new();
                let mut cites = Vec::new();
                let mut action = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::name => names.push(self.name(&p)),
                        Rule::path => list = Some(self.name(&p)),
                        Rule::expr => exprs.push(self.expr(p, 0)?),
                        Rule::cites => cites = p.into_inner().map(|n| self.name(&n)).collect(),
                        Rule::alert_action => {
                            let text = p.into_inner().find(|q| q.as_rule() == Rule::string);
                            action = text.map(|t| self.string(&t));
                        }
                        _ => {}
                    }
                }
                let var = names.into_iter().next().ok_or_else(|| internal(span))?;
                let list = list.ok_or_else(|| internal(span))?;
                let mut exprs = exprs.into_iter();
                let when = exprs.next().ok_or_else(|| internal(span))?;
                let at = exprs.next().ok_or_else(|| internal(span))?;
                let otherwise = exprs.next().zip(exprs.next());
                Ok(Entry::Alert(Box::new(AlertDecl {
                    id,
                    severity,
                    message,
                    each: (var, list),
                    when,
                    at,
                    otherwise,
                    cites,
                    action,
                    span,
                })))
            }
            Rule::due_entry => {
                let id = self.name(&self.next(&mut inner, span)?);
                let checks_pair = self.next(&mut inner, span)?;
                let checks = checks_pair.into_inner().map(|n| self.name(&n)).collect();
                let mut at = None;
                let mut after = Vec::new();
                let mut each_var = None;
                let mut each_list = None;
                let mut when = None;
                let mut positive = true;
                for p in inner {
                    match p.as_rule() {
                        Rule::expr if at.is_none() => at = Some(self.expr(p, 0)?),
                        Rule::expr => when = Some((positive, self.expr(p, 0)?)),
                        Rule::quantity => after.push(self.quantity(p)?),
                        Rule::name => each_var = Some(self.name(&p)),
                        Rule::path => each_list = Some(self.name(&p)),
                        Rule::kw_unless => positive = false,
                        _ => {}
                    }
                }
                let at = at.ok_or_else(|| internal(span))?;
                let each = each_var.zip(each_list);
                Ok(Entry::Due(Box::new(DueDecl { id, checks, at, after, each, when, span })))
            }
            Rule::kinds_entry => {
                Ok(Entry::Kinds(inner.filter(|p| p.as_rule() == Rule::name).map(|p| self.name(&p)).collect()))
            }
            Rule::verdict_entry => {
                let name = self.name(&self.next(&mut inner, span)?);
                let mut when = None;
                let mut condition = None;
                // `tone NAME` after the condition: two idents, the first the word `tone`.
                let mut words = Vec::new();
                let mut cond = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => words.push(self.name(&p)),
                        Rule::tier_cond => cond = Some(p),
                        _ => {}
                    }
                }
                let tone = words.pop();
                if let Some(word) = words.pop().filter(|w| w.node != "tone") {
                    return Err(Diagnostic::error(Code::Syntax, word.span, "expected `tone`")
                        .with_hint("a verdict ends with its condition, then `tone` and its tone"));
                }
                if let Some(cond) = cond {
                    let mut terms = Vec::new();
                    for part in cond.into_inner() {
                        match part.as_rule() {
                            Rule::tier_term => {
                                let tspan = self.span(&part);
                                let mut parts = part.into_inner();
                                let any = self.next(&mut parts, tspan)?.as_rule() == Rule::kw_any;
                                let kind = self.name(&self.next(&mut parts, tspan)?);
                                terms.push(TierTerm { any, kind });
                            }
                            Rule::tier_when => {
                                let wspan = self.span(&part);
                                let e = part
                                    .into_inner()
                                    .find(|p| p.as_rule() == Rule::expr)
                                    .ok_or_else(|| internal(wspan))?;
                                condition = Some(self.expr(e, 0)?);
                            }
                            _ => {}
                        }
                    }
                    when = Some(terms);
                }
                Ok(Entry::Verdict { name, tone, when, condition, span })
            }
            Rule::value_entry => {
                let name = self.name(&self.next(&mut inner, span)?);
                let mut value = None;
                let mut verdicts = Vec::new();
                let mut label = None;
                let mut minutes_after = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::expr => value = Some(self.expr(p, 0)?),
                        Rule::name => verdicts.push(self.name(&p)),
                        Rule::string => label = Some(self.string(&p)),
                        Rule::path => minutes_after = Some(self.name(&p)),
                        _ => {}
                    }
                }
                let value = value.ok_or_else(|| internal(span))?;
                Ok(Entry::Value { name, label, minutes_after, value, verdicts })
            }
            Rule::missing_entry => {
                let mut exprs = inner.filter(|p| p.as_rule() == Rule::expr);
                let what = self.expr(self.next(&mut exprs, span)?, 0)?;
                let when = exprs.next().map(|p| self.expr(p, 0)).transpose()?;
                Ok(Entry::MissingOf { what, when })
            }
            Rule::rule_entry => {
                let kind = self.name(&self.next(&mut inner, span)?);
                let id = self.name(&self.next(&mut inner, span)?);
                let message = self.string(&self.next(&mut inner, span)?);
                let mut when = None;
                let mut cites = Vec::new();
                let mut help = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::expr => when = Some(self.expr(p, 0)?),
                        Rule::cites => cites = p.into_inner().map(|n| self.name(&n)).collect(),
                        Rule::string => help = Some(self.string(&p)),
                        _ => {}
                    }
                }
                let when = when.ok_or_else(|| internal(span))?;
                Ok(Entry::Rule(Box::new(RuleDecl { kind, id, message, when, cites, help, span })))
            }
            _ => Err(internal(span)),
        }
    }

    fn quantity(&self, pair: Pair<'_, Rule>) -> Built<Node<(Decimal, Option<Name>)>> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let number = self.decimal(&self.next(&mut inner, span)?)?;
        let unit = inner.next().map(|u| self.name(&u));
        Ok(Node::new((number, unit), span))
    }

    fn ladder_entry(&self, pair: Pair<'_, Rule>) -> Built<LadderEntry> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        Ok(match rule {
            Rule::levels_entry => LadderEntry::Levels(self.name(&self.next(&mut inner, span)?)),
            Rule::route_entry => LadderEntry::Route(self.name(&self.next(&mut inner, span)?)),
            Rule::weight_entry => LadderEntry::Weight(self.expr(self.next(&mut inner, span)?, 0)?),
            Rule::dose_entry => {
                let route = self.name(&self.next(&mut inner, span)?);
                let level = self.name(&self.next(&mut inner, span)?);
                let amount = self.quantity(self.next(&mut inner, span)?)?;
                let cites = inner.next().map(|c| c.into_inner().map(|n| self.name(&n)).collect()).unwrap_or_default();
                LadderEntry::Dose { route, level, amount, cites }
            }
            Rule::round_entry => {
                let route = self.name(&self.next(&mut inner, span)?);
                LadderEntry::Round(route, self.quantity(self.next(&mut inner, span)?)?)
            }
            Rule::cap_entry => {
                let route = self.name(&self.next(&mut inner, span)?);
                LadderEntry::Cap(route, self.expr(self.next(&mut inner, span)?, 0)?)
            }
            Rule::limit_entry => {
                let route = self.name(&self.next(&mut inner, span)?);
                LadderEntry::Limit(route, inner.map(|q| self.quantity(q)).collect::<Built<_>>()?)
            }
            Rule::infusion_entry => {
                let route = self.name(&self.next(&mut inner, span)?);
                LadderEntry::Infusion(route, self.quantity(self.next(&mut inner, span)?)?)
            }
            Rule::allow_entry => {
                let level = self.name(&self.next(&mut inner, span)?);
                let mut when = None;
                let mut cites = Vec::new();
                for p in inner {
                    match p.as_rule() {
                        Rule::expr => when = Some(self.expr(p, 0)?),
                        Rule::cites => cites = p.into_inner().map(|n| self.name(&n)).collect(),
                        _ => {}
                    }
                }
                LadderEntry::AllowAbove { level, when: when.ok_or_else(|| internal(span))?, cites }
            }
            _ => return Err(internal(span)),
        })
    }

    fn too_deep(&self, span: Span) -> Diagnostic {
        Diagnostic::error(Code::TooDeep, span, format!("expression nested more than {MAX_DEPTH} deep"))
            .with_hint("split the expression into named parts with `define`")
    }

    fn expr(&self, pair: Pair<'_, Rule>, depth: usize) -> Built<Expr> {
        let span = self.span(&pair);
        if depth > MAX_DEPTH {
            return Err(self.too_deep(span));
        }
        let rule = pair.as_rule();
        let text = pair.as_str();
        let mut inner = pair.into_inner();
        match rule {
            Rule::expr | Rule::paren => self.expr(self.next(&mut inner, span)?, depth + 1),
            Rule::or_expr | Rule::and_expr => {
                let operands: Vec<Expr> = inner
                    .filter(|p| !matches!(p.as_rule(), Rule::kw_or | Rule::kw_and))
                    .map(|p| self.expr(p, depth + 1))
                    .collect::<Built<_>>()?;
                if operands.len() == 1 {
                    return operands.into_iter().next().ok_or_else(|| internal(span));
                }
                Ok(Node::new(
                    if rule == Rule::or_expr { ExprKind::Or(operands) } else { ExprKind::And(operands) },
                    span,
                ))
            }
            Rule::not_expr => {
                let mut nots = 0usize;
                let mut operand = None;
                for p in inner {
                    if p.as_rule() == Rule::kw_not {
                        nots += 1;
                    } else {
                        operand = Some(self.expr(p, depth + 1)?);
                    }
                }
                if depth + nots > MAX_DEPTH {
                    return Err(self.too_deep(span));
                }
                let mut e = operand.ok_or_else(|| internal(span))?;
                for _ in 0..nots {
                    e = Node::new(ExprKind::Not(Box::new(e)), span);
                }
                Ok(e)
            }
            Rule::predicate => {
                let left = self.expr(self.next(&mut inner, span)?, depth + 1)?;
                let Some(tail) = inner.next() else {
                    return Ok(left);
                };
                let trule = tail.as_rule();
                let tspan = self.span(&tail);
                let mut parts = tail.into_inner();
                let left = Box::new(left);
                let kind = match trule {
                    Rule::compare_tail => {
                        let op = match self.next(&mut parts, tspan)?.as_str() {
                            "<" => CmpOp::Lt,
                            "<=" | "≤" => CmpOp::Le,
                            ">" => CmpOp::Gt,
                            ">=" | "≥" => CmpOp::Ge,
                            "=" => CmpOp::Eq,
                            _ => CmpOp::Ne,
                        };
                        let right = self.expr(self.next(&mut parts, tspan)?, depth + 1)?;
                        ExprKind::Compare(op, left, Box::new(right))
                    }
                    Rule::in_tail => {
                        let mut negated = false;
                        let mut kind = None;
                        for p in parts {
                            match p.as_rule() {
                                Rule::kw_not => negated = true,
                                Rule::set => {
                                    kind = Some(ExprKind::InSet(
                                        left.clone(),
                                        p.into_inner().map(|n| self.name(&n)).collect(),
                                        negated,
                                    ))
                                }
                                Rule::range => {
                                    let rspan = self.span(&p);
                                    let mut ends = p.into_inner();
                                    let lo = self.expr(self.next(&mut ends, rspan)?, depth + 1)?;
                                    let hi = self.expr(self.next(&mut ends, rspan)?, depth + 1)?;
                                    kind = Some(ExprKind::InRange(left.clone(), Box::new(lo), Box::new(hi), negated));
                                }
                                _ => {}
                            }
                        }
                        kind.ok_or_else(|| internal(tspan))?
                    }
                    Rule::is_tail => {
                        let word = parts.find(|p| p.as_rule() != Rule::kw_is).map(|p| p.as_rule());
                        match word {
                            Some(Rule::kw_true) => ExprKind::IsTruth(left, true),
                            Some(Rule::kw_false) => ExprKind::IsTruth(left, false),
                            Some(Rule::kw_known) => ExprKind::IsKnown(left, true),
                            _ => ExprKind::IsKnown(left, false),
                        }
                    }
                    _ => return Err(internal(tspan)),
                };
                Ok(Node::new(kind, span))
            }
            Rule::sum | Rule::product => {
                let first = self.next(&mut inner, span)?;
                let mut acc = self.expr(first, depth + 1)?;
                let mut level = depth;
                while let Some(op) = inner.next() {
                    let operand = self.next(&mut inner, span)?;
                    level += 1;
                    if level > MAX_DEPTH {
                        return Err(self.too_deep(span));
                    }
                    let op = match op.as_str() {
                        "+" => ArithOp::Add,
                        "-" => ArithOp::Sub,
                        "/" => ArithOp::Div,
                        _ => ArithOp::Mul,
                    };
                    let right = self.expr(operand, level + 1)?;
                    let s = acc.span.to(right.span);
                    acc = Node::new(ExprKind::Arith(op, Box::new(acc), Box::new(right)), s);
                }
                Ok(acc)
            }
            Rule::unary => {
                let parts: Vec<Pair<'_, Rule>> = inner.collect();
                let negs = parts.iter().filter(|p| p.as_rule() == Rule::neg).count();
                if depth + negs > MAX_DEPTH {
                    return Err(self.too_deep(span));
                }
                let primary = parts.into_iter().find(|p| p.as_rule() != Rule::neg).ok_or_else(|| internal(span))?;
                let mut e = self.expr(primary, depth + 1)?;
                for _ in 0..negs {
                    e = Node::new(ExprKind::Neg(Box::new(e)), span);
                }
                Ok(e)
            }
            Rule::primary => self.expr(self.next(&mut inner, span)?, depth + 1),
            Rule::quantity => {
                let number = self.decimal(&self.next(&mut inner, span)?)?;
                let unit = inner.next().map(|u| self.name(&u));
                Ok(Node::new(ExprKind::Quantity(number, unit), span))
            }
            Rule::string => Ok(Node::new(ExprKind::Text(unescape(text)), span)),
            Rule::list_lit => {
                let items = inner.map(|p| self.expr(p, depth + 1)).collect::<Built<_>>()?;
                Ok(Node::new(ExprKind::List(items), span))
            }
            Rule::boolean => {
                let value = self.next(&mut inner, span)?.as_rule() == Rule::kw_true;
                Ok(Node::new(ExprKind::Bool(value), span))
            }
            Rule::path => Ok(Node::new(ExprKind::Name(text.to_string()), span)),
            Rule::choose => {
                let mut arms = Vec::new();
                let mut otherwise = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::choose_when => {
                            let wspan = self.span(&p);
                            let mut parts = p.into_inner().filter(|q| q.as_rule() == Rule::expr);
                            let cond = self.expr(self.next(&mut parts, wspan)?, depth + 1)?;
                            let then = self.expr(self.next(&mut parts, wspan)?, depth + 1)?;
                            arms.push((cond, then));
                        }
                        Rule::expr => otherwise = Some(self.expr(p, depth + 1)?),
                        _ => {}
                    }
                }
                let otherwise = otherwise.ok_or_else(|| internal(span))?;
                Ok(Node::new(ExprKind::Choose(arms, Box::new(otherwise)), span))
            }
            Rule::quantifier => {
                let kind = match self.next(&mut inner, span)?.as_str() {
                    "any" => Quantifier::Any,
                    "all" => Quantifier::All,
                    _ => Quantifier::Count,
                };
                let var = self.name(&self.next(&mut inner, span)?);
                let mut list = None;
                let mut cond = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::path => list = Some(self.name(&p)),
                        Rule::expr => cond = Some(Box::new(self.expr(p, depth + 1)?)),
                        _ => {}
                    }
                }
                let list = list.ok_or_else(|| internal(span))?;
                Ok(Node::new(ExprKind::Quantifier { kind, var, list, cond }, span))
            }
            Rule::call => {
                let func = self.name(&self.next(&mut inner, span)?);
                let args = inner.map(|p| self.expr(p, depth + 1)).collect::<Built<_>>()?;
                Ok(Node::new(ExprKind::Call(func, args), span))
            }
            _ => Err(internal(span)),
        }
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
