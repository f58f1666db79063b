//! Top-level items: the protocol header, sources, inputs, definitions, and the head lines
//! of decisions and ladders (their entries are built in `entries`).

use super::{internal, Builder, Built, Rule};
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::limits::excerpt;
use crate::syntax::ast::*;
use pest::iterators::{Pair, Pairs};
use rust_decimal::Decimal;

impl Builder {
    pub(super) fn item(&self, pair: Pair<'_, Rule>) -> Built<Item> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let inner = pair.into_inner();
        match rule {
            Rule::protocol_item => self.protocol(inner, span).map(Item::Protocol),
            Rule::source_item => self.source(inner, span).map(Item::Source),
            Rule::input_item => self.input(inner, span).map(Item::Input),
            Rule::define_item => self.define(inner, span).map(Item::Define),
            Rule::ladder_head => self.ladder_head(inner, span).map(Item::Ladder),
            Rule::decision_head => self.decision_head(inner, span).map(Item::Decision),
            Rule::schedule_item => self.schedule(inner, span).map(Item::Schedule),
            _ => Err(internal(span)),
        }
    }

    /// `protocol "Name" version "..." status draft ...`.
    fn protocol(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<Header> {
        let name = self.string(&self.next(&mut inner, span)?);
        let mut fields = Vec::new();
        let mut timezones = Vec::new();
        for field in inner {
            let fspan = self.span(&field);
            let mut parts = field.into_inner();
            if parts.peek().is_some_and(|p| p.as_rule() == Rule::timezone) {
                let mut zone = self.next(&mut parts, fspan)?.into_inner();
                let _keyword = self.next(&mut zone, fspan)?;
                let name = self.string(&self.next(&mut zone, fspan)?);
                let rule = zone.next().map(|r| self.string(&r));
                timezones.push(TimeZoneDecl { name, rule });
                continue;
            }
            let key = self.name(&self.next(&mut parts, fspan)?);
            let value = self.next(&mut parts, fspan)?;
            let value = if value.as_rule() == Rule::string { self.string(&value) } else { self.name(&value) };
            fields.push((key, value));
        }
        Ok(Header { name, fields, timezones, span })
    }

    /// `source KEY "Title" url "..."`.
    fn source(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<SourceDecl> {
        let key = self.name(&self.next(&mut inner, span)?);
        let title = self.string(&self.next(&mut inner, span)?);
        let url = inner.find(|p| p.as_rule() == Rule::string).map(|p| self.string(&p));
        Ok(SourceDecl { key, title, url })
    }

    /// `input path: type in lo..hi FLAGS "Label" help "..."`.
    fn input(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<InputDecl> {
        let path = self.name(&self.next(&mut inner, span)?);
        let ty = self.type_expr(self.next(&mut inner, span)?)?;
        let mut range = None;
        let mut strings = Vec::new();
        let mut flags = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::input_flag => flags.push(self.flag(p)?),
                Rule::decl_range => range = Some(self.decl_range(p)?),
                Rule::string => strings.push(self.string(&p)),
                _ => {}
            }
        }
        let mut strings = strings.into_iter();
        let label = strings.next().ok_or_else(|| internal(span))?;
        let help = strings.next();
        Ok(InputDecl { path, ty, range, flags, label, help, span })
    }

    /// An input's admissible range `lo..hi`.
    fn decl_range(&self, pair: Pair<'_, Rule>) -> Built<Node<(Decimal, Decimal)>> {
        let rspan = self.span(&pair);
        let mut ends = pair.into_inner();
        let lo = self.decimal(&self.next(&mut ends, rspan)?)?;
        let hi = self.decimal(&self.next(&mut ends, rspan)?)?;
        Ok(Node::new((lo, hi), rspan))
    }

    /// `required [with PATHS]`, `ordered` or `not after PATH`.
    fn flag(&self, pair: Pair<'_, Rule>) -> Built<Node<InputFlag>> {
        let span = self.span(&pair);
        let flag = self.next(&mut pair.into_inner(), span)?;
        let rule = flag.as_rule();
        let paths = self.names_of(flag.into_inner(), Rule::path);
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
                let ordered = inner.clone().any(|p| p.as_rule() == Rule::choice_lt);
                TypeExpr::Choice(self.choice_names(inner), ordered)
            }
            _ => return Err(internal(span)),
        };
        Ok(Node::new(node, span))
    }

    /// `define name(params) = expression`.
    fn define(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<Define> {
        let name = self.name(&self.next(&mut inner, span)?);
        let mut params = Vec::new();
        let mut body = None;
        for p in inner {
            match p.as_rule() {
                Rule::params => params = self.names_in(p),
                Rule::expr => body = Some(self.expr(p, 0)?),
                _ => {}
            }
        }
        let body = body.ok_or_else(|| internal(span))?;
        Ok(Define { name, params, body })
    }

    /// `ladder name "Title"`, without its entries.
    fn ladder_head(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<LadderDecl> {
        let name = self.name(&self.next(&mut inner, span)?);
        let title = inner.next().map(|p| self.string(&p));
        Ok(LadderDecl { name, title, entries: Vec::new(), span })
    }

    /// `decision name "Title" within PARENT`, without its entries.
    fn decision_head(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<DecisionDecl> {
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
        Ok(DecisionDecl { name, title, entries: Vec::new(), within, span })
    }

    /// `schedule NAME "Title" of LIST[].TIME` and its phases.
    fn schedule(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Built<ScheduleDecl> {
        let name = self.name(&self.next(&mut inner, span)?);
        let mut title = None;
        let mut of = None;
        let mut phases = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::string => title = Some(self.string(&p)),
                Rule::decl_path => of = Some(self.name(&p)),
                Rule::schedule_phase => phases.push(self.phase(p)?),
                _ => {}
            }
        }
        let of = of.ok_or_else(|| internal(span))?;
        Ok(ScheduleDecl { name, title, of, phases, span })
    }

    /// `weeks 1 to 4: 2 a week [S1]`, `weeks 9 on: 1 every 1 to 2 weeks`: the weeks before
    /// the `:` (one number: open-ended), the count and block after it.
    fn phase(&self, pair: Pair<'_, Rule>) -> Built<Phase> {
        let span = self.span(&pair);
        let colon = pair.as_span().start() + pair.as_str().find(':').unwrap_or_default();
        let (mut weeks, mut per, mut cites) = (Vec::new(), Vec::new(), Vec::new());
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::number if p.as_span().start() < colon => weeks.push(self.whole(&p)?),
                Rule::number => per.push(self.whole(&p)?),
                Rule::cites => cites = self.names_in(p),
                _ => {}
            }
        }
        let mut weeks = weeks.into_iter();
        let from = weeks.next().ok_or_else(|| internal(span))?;
        let to = weeks.next();
        let mut per = per.into_iter();
        let count = per.next().ok_or_else(|| internal(span))?;
        let every = per.next().unwrap_or(Node::new(1, count.span));
        let within = per.next().unwrap_or(every.clone());
        Ok(Phase { from, to, count, every, within, cites, span })
    }

    /// A whole number of a schedule: weeks or a count.
    fn whole(&self, pair: &Pair<'_, Rule>) -> Built<Node<u32>> {
        let span = self.span(pair);
        pair.as_str().parse::<u32>().ok().filter(|n| (1..=1000).contains(n)).map(|n| Node::new(n, span)).ok_or_else(
            || {
                Diagnostic::error(
                    Code::Number,
                    span,
                    format!("`{}` is not a whole number from 1 to 1000", excerpt(pair.as_str())),
                )
                .with_hint("weeks are counted from 1, and a phase allows at least one item")
            },
        )
    }
}
