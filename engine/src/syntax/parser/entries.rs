//! The entries of a decision (rules, lists, verdicts, values, alerts, due items) and of a
//! ladder (levels, routes, doses, limits).

use super::{internal, Builder, Built, Rule};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Span};
use crate::syntax::ast::*;
use pest::iterators::{Pair, Pairs};

impl Builder {
    pub(super) fn entry(&self, pair: Pair<'_, Rule>) -> Built<Entry> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let inner = pair.into_inner();
        match rule {
            Rule::given_entry => Ok(Entry::Given(self.names_of(inner, Rule::path))),
            Rule::list_entry => self.list_entry(inner, span),
            Rule::alert_entry => Ok(Entry::Alert(Box::new(self.alert_entry(inner, span)?))),
            Rule::due_entry => Ok(Entry::Due(Box::new(self.due_entry(inner, span)?))),
            Rule::kinds_entry => Ok(Entry::Kinds(self.names_of(inner, Rule::name))),
            Rule::verdict_entry => self.verdict_entry(inner, span),
            Rule::value_entry => self.value_entry(inner, span),
            Rule::missing_entry => self.missing_entry(inner, span),
            Rule::rule_entry => Ok(Entry::Rule(Box::new(self.rule_entry(inner, span)?))),
            _ => Err(internal(span)),
        }
    }

    /// `list NAME ["Label"] of KIND [quiet | advisory]`.
    fn list_entry(&self, inner: Pairs<'_, Rule>, span: Span) -> Built<Entry> {
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

    /// `alert ID SEVERITY "message" for VAR in LIST when C at T [or when C at T] [SOURCES]
    /// [action "..."]`.
    fn alert_entry(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<AlertDecl> {
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
                Rule::cites => cites = self.names_in(p),
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
        Ok(AlertDecl { id, severity, message, each: (var, list), when, at, otherwise, cites, action, span })
    }

    /// `due ID [checks] at EXPR [after Q, Q] [for VAR in LIST] [when|unless EXPR]`.
    fn due_entry(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<DueDecl> {
        let id = self.name(&self.next(&mut inner, span)?);
        let checks = self.names_in(self.next(&mut inner, span)?);
        let mut at = None;
        let mut after = Vec::new();
        let mut each_var = None;
        let mut each_list = None;
        let mut when = None;
        let mut positive = true;
        let mut done = None;
        let mut after_done = false;
        for p in inner {
            match p.as_rule() {
                Rule::expr if at.is_none() => at = Some(self.expr(p, 0)?),
                Rule::expr if after_done => done = Some(self.expr(p, 0)?),
                Rule::expr => when = Some((positive, self.expr(p, 0)?)),
                Rule::kw_done => after_done = true,
                Rule::quantity => after.push(self.quantity(p)?),
                Rule::name => each_var = Some(self.name(&p)),
                Rule::path => each_list = Some(self.name(&p)),
                Rule::kw_unless => positive = false,
                _ => {}
            }
        }
        let at = at.ok_or_else(|| internal(span))?;
        let each = each_var.zip(each_list);
        Ok(DueDecl { id, checks, at, after, each, when, done, span })
    }

    /// `verdict NAME if TERMS` or `verdict NAME otherwise`, then `tone TONE`.
    fn verdict_entry(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<Entry> {
        let name = self.name(&self.next(&mut inner, span)?);
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
        let (when, condition) = match cond {
            Some(cond) => {
                let (terms, condition) = self.tier_cond(cond)?;
                (Some(terms), condition)
            }
            None => (None, None),
        };
        Ok(Entry::Verdict { name, tone, when, condition, span })
    }

    /// A verdict's condition: `any K` and `unknown K` terms, and a `when EXPR` term.
    fn tier_cond(&self, cond: Pair<'_, Rule>) -> Built<(Vec<TierTerm>, Option<Expr>)> {
        let mut terms = Vec::new();
        let mut condition = None;
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
                    let e = part.into_inner().find(|p| p.as_rule() == Rule::expr).ok_or_else(|| internal(wspan))?;
                    condition = Some(self.expr(e, 0)?);
                }
                _ => {}
            }
        }
        Ok((terms, condition))
    }

    /// `value NAME ["Label"] [minutes after PATH] = EXPR [for V1, V2]`.
    fn value_entry(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<Entry> {
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

    /// `missing of DECISION [when EXPR]` or `missing of EXPR`.
    fn missing_entry(&self, inner: Pairs<'_, Rule>, span: Span) -> Built<Entry> {
        let mut exprs = inner.filter(|p| p.as_rule() == Rule::expr);
        let what = self.expr(self.next(&mut exprs, span)?, 0)?;
        let when = exprs.next().map(|p| self.expr(p, 0)).transpose()?;
        Ok(Entry::MissingOf { what, when })
    }

    /// `KIND id "message" when CONDITION [SOURCES] help "..."`.
    fn rule_entry(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<RuleDecl> {
        let kind = self.name(&self.next(&mut inner, span)?);
        let id = self.name(&self.next(&mut inner, span)?);
        let message = self.string(&self.next(&mut inner, span)?);
        let mut when = None;
        let mut cites = Vec::new();
        let mut help = None;
        for p in inner {
            match p.as_rule() {
                Rule::expr => when = Some(self.expr(p, 0)?),
                Rule::cites => cites = self.names_in(p),
                Rule::string => help = Some(self.string(&p)),
                _ => {}
            }
        }
        let when = when.ok_or_else(|| internal(span))?;
        Ok(RuleDecl { kind, id, message, when, cites, help, span })
    }

    pub(super) fn ladder_entry(&self, pair: Pair<'_, Rule>) -> Built<LadderEntry> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        Ok(match rule {
            Rule::levels_entry => LadderEntry::Levels(self.name(&self.next(&mut inner, span)?)),
            Rule::route_entry => LadderEntry::Route(self.name(&self.next(&mut inner, span)?)),
            Rule::weight_entry => LadderEntry::Weight(self.expr(self.next(&mut inner, span)?, 0)?),
            Rule::dose_entry => self.dose_entry(inner, span)?,
            Rule::round_entry => {
                let route = self.route(&mut inner);
                LadderEntry::Round(route, self.quantity(self.next(&mut inner, span)?)?)
            }
            Rule::cap_entry => {
                let route = self.route(&mut inner);
                LadderEntry::Cap(route, self.expr(self.next(&mut inner, span)?, 0)?)
            }
            Rule::limit_entry => {
                let route = self.route(&mut inner);
                LadderEntry::Limit(route, inner.map(|q| self.quantity(q)).collect::<Built<_>>()?)
            }
            Rule::infusion_entry => {
                let route = self.route(&mut inner);
                LadderEntry::Infusion(route, self.quantity(self.next(&mut inner, span)?)?)
            }
            Rule::allow_entry => self.allow_entry(inner, span)?,
            _ => return Err(internal(span)),
        })
    }

    /// `dose ROUTE LEVEL AMOUNT [SOURCES]`.
    fn dose_entry(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<LadderEntry> {
        if inner.peek().is_some_and(|p| p.as_rule() == Rule::quantity) {
            let pair = self.next(&mut inner, span)?;
            let amount = self.quantity(pair)?;
            let unit = amount.node.1.as_ref().map_or("", |u| u.node.as_str());
            let level = Node::new(super::level_name(&amount.node.0.to_string(), unit), amount.span);
            let cites = inner.next().map(|c| self.names_in(c)).unwrap_or_default();
            return Ok(LadderEntry::Dose { route: None, level, amount, cites });
        }
        let first = self.name(&self.next(&mut inner, span)?);
        let (route, level) = match self.route(&mut inner) {
            Some(level) => (Some(first), level),
            None => (None, first),
        };
        let amount = self.quantity(self.next(&mut inner, span)?)?;
        let cites = inner.next().map(|c| self.names_in(c)).unwrap_or_default();
        Ok(LadderEntry::Dose { route, level, amount, cites })
    }

    /// The leading name of a ladder entry, when there is one: its route.
    fn route(&self, inner: &mut Pairs<'_, Rule>) -> Option<Name> {
        inner.peek().filter(|p| p.as_rule() == Rule::name)?;
        inner.next().map(|p| self.name(&p))
    }

    /// `allow above LEVEL when CONDITION [SOURCES]`.
    fn allow_entry(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<LadderEntry> {
        let level = self.name(&self.next(&mut inner, span)?);
        let mut when = None;
        let mut cites = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::expr => when = Some(self.expr(p, 0)?),
                Rule::cites => cites = self.names_in(p),
                _ => {}
            }
        }
        Ok(LadderEntry::AllowAbove { level, when: when.ok_or_else(|| internal(span))?, cites })
    }
}
