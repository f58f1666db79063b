//! Expressions, with their depth bounded by [`MAX_DEPTH`].

use super::{internal, unescape, Builder, Built, Rule, MAX_DEPTH};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Span};
use crate::syntax::ast::*;
use pest::iterators::{Pair, Pairs};

impl Builder {
    fn too_deep(&self, span: Span) -> Diagnostic {
        Diagnostic::error(Code::TooDeep, span, format!("expression nested more than {MAX_DEPTH} deep"))
            .with_hint("split the expression into named parts with `define`")
    }

    /// The expression of `pair`, which stands `depth` levels deep in its item.
    pub(super) fn expr(&self, pair: Pair<'_, Rule>, depth: usize) -> Built<Expr> {
        let span = self.span(&pair);
        if depth > MAX_DEPTH {
            return Err(self.too_deep(span));
        }
        let rule = pair.as_rule();
        let text = pair.as_str();
        let mut inner = pair.into_inner();
        match rule {
            Rule::expr | Rule::paren | Rule::primary => self.expr(self.next(&mut inner, span)?, depth + 1),
            Rule::or_expr | Rule::and_expr => self.junction(rule, inner, span, depth),
            Rule::not_expr => self.negation(inner, span, depth),
            Rule::predicate => self.predicate(inner, span, depth),
            Rule::sum | Rule::product => self.arithmetic(inner, span, depth),
            Rule::unary => self.unary(inner, span, depth),
            Rule::quantity => {
                let number = self.decimal(&self.next(&mut inner, span)?)?;
                let unit = inner.next().map(|u| self.name(&u));
                Ok(Node::new(ExprKind::Quantity(number, unit), span))
            }
            Rule::string => Ok(Node::new(ExprKind::Text(unescape(text)), span)),
            Rule::list_lit => Ok(Node::new(ExprKind::List(self.exprs(inner, depth + 1)?), span)),
            Rule::boolean => {
                let value = self.next(&mut inner, span)?.as_rule() == Rule::kw_true;
                Ok(Node::new(ExprKind::Bool(value), span))
            }
            Rule::path => Ok(Node::new(ExprKind::Name(text.to_string()), span)),
            Rule::choose => self.choose(inner, span, depth),
            Rule::quantifier => self.quantifier(inner, span, depth),
            Rule::call => {
                let func = self.name(&self.next(&mut inner, span)?);
                Ok(Node::new(ExprKind::Call(func, self.exprs(inner, depth + 1)?), span))
            }
            _ => Err(internal(span)),
        }
    }

    /// Each of `pairs` as an expression `depth` levels deep.
    fn exprs(&self, pairs: Pairs<'_, Rule>, depth: usize) -> Built<Vec<Expr>> {
        pairs.map(|p| self.expr(p, depth)).collect()
    }

    /// `a or b or ...`, `a and b and ...`; one operand alone is itself.
    fn junction(&self, rule: Rule, inner: Pairs<'_, Rule>, span: Span, depth: usize) -> Built<Expr> {
        let operands: Vec<Expr> = inner
            .filter(|p| !matches!(p.as_rule(), Rule::kw_or | Rule::kw_and))
            .map(|p| self.expr(p, depth + 1))
            .collect::<Built<_>>()?;
        if operands.len() == 1 {
            return operands.into_iter().next().ok_or_else(|| internal(span));
        }
        Ok(Node::new(if rule == Rule::or_expr { ExprKind::Or(operands) } else { ExprKind::And(operands) }, span))
    }

    /// `not not e`: each `not` one level deeper.
    fn negation(&self, inner: Pairs<'_, Rule>, span: Span, depth: usize) -> Built<Expr> {
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

    /// A value, and a comparison, `in` or `is` test on it, if any.
    fn predicate(&self, mut inner: Pairs<'_, Rule>, span: Span, depth: usize) -> Built<Expr> {
        let left = self.expr(self.next(&mut inner, span)?, depth + 1)?;
        let Some(tail) = inner.next() else {
            return Ok(left);
        };
        let trule = tail.as_rule();
        let tspan = self.span(&tail);
        let parts = tail.into_inner();
        let left = Box::new(left);
        let kind = match trule {
            Rule::compare_tail => self.comparison(parts, left, tspan, depth)?,
            Rule::in_tail => self.membership(parts, left, tspan, depth)?,
            Rule::is_tail => is_test(parts, left),
            _ => return Err(internal(tspan)),
        };
        Ok(Node::new(kind, span))
    }

    /// `left < right`, ...
    fn comparison(&self, mut parts: Pairs<'_, Rule>, left: Box<Expr>, tspan: Span, depth: usize) -> Built<ExprKind> {
        let op = cmp_op(self.next(&mut parts, tspan)?.as_str());
        let right = self.expr(self.next(&mut parts, tspan)?, depth + 1)?;
        Ok(ExprKind::Compare(op, left, Box::new(right)))
    }

    /// `left in {a, b}`, `left in lo..hi`, or either with `not in`.
    fn membership(&self, parts: Pairs<'_, Rule>, left: Box<Expr>, tspan: Span, depth: usize) -> Built<ExprKind> {
        let mut negated = false;
        let mut kind = None;
        for p in parts {
            match p.as_rule() {
                Rule::kw_not => negated = true,
                Rule::set => kind = Some(ExprKind::InSet(left.clone(), self.choice_names(p.into_inner()), negated)),
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
        kind.ok_or_else(|| internal(tspan))
    }

    /// `a + b - c`, `a * b / c`: left to right, each operator one level deeper.
    fn arithmetic(&self, mut inner: Pairs<'_, Rule>, span: Span, depth: usize) -> Built<Expr> {
        let first = self.next(&mut inner, span)?;
        let mut acc = self.expr(first, depth + 1)?;
        let mut level = depth;
        while let Some(op) = inner.next() {
            let operand = self.next(&mut inner, span)?;
            level += 1;
            if level > MAX_DEPTH {
                return Err(self.too_deep(span));
            }
            let op = arith_op(op.as_str());
            let right = self.expr(operand, level + 1)?;
            let s = acc.span.to(right.span);
            acc = Node::new(ExprKind::Arith(op, Box::new(acc), Box::new(right)), s);
        }
        Ok(acc)
    }

    /// `- - e`: each minus one level deeper.
    fn unary(&self, inner: Pairs<'_, Rule>, span: Span, depth: usize) -> Built<Expr> {
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

    /// `choose when c1 then e1 when c2 then e2 otherwise e`.
    fn choose(&self, inner: Pairs<'_, Rule>, span: Span, depth: usize) -> Built<Expr> {
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

    /// `any(s in list where cond)`, `all(...)`, `count(...)`.
    fn quantifier(&self, mut inner: Pairs<'_, Rule>, span: Span, depth: usize) -> Built<Expr> {
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
}

/// `left is known`, `is missing`, `is true`, `is false`.
fn is_test(mut parts: Pairs<'_, Rule>, left: Box<Expr>) -> ExprKind {
    match parts.find(|p| p.as_rule() != Rule::kw_is).map(|p| p.as_rule()) {
        Some(Rule::kw_true) => ExprKind::IsTruth(left, true),
        Some(Rule::kw_false) => ExprKind::IsTruth(left, false),
        Some(Rule::kw_known) => ExprKind::IsKnown(left, true),
        _ => ExprKind::IsKnown(left, false),
    }
}

/// The comparison operator as written.
fn cmp_op(symbol: &str) -> CmpOp {
    match symbol {
        "<" => CmpOp::Lt,
        "<=" | "≤" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" | "≥" => CmpOp::Ge,
        "=" => CmpOp::Eq,
        _ => CmpOp::Ne,
    }
}

/// The arithmetic operator as written (`×` is `*`).
fn arith_op(symbol: &str) -> ArithOp {
    match symbol {
        "+" => ArithOp::Add,
        "-" => ArithOp::Sub,
        "/" => ArithOp::Div,
        _ => ArithOp::Mul,
    }
}
