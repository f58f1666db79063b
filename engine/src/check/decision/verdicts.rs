//! The second pass: verdicts in order (`verdict NAME if ...`, `verdict NAME otherwise`) and
//! the rules that decide them, with the sources they cite.

use super::*;

/// A verdict entry's parts: name, tone, `any`/`unknown` terms (none for `otherwise`), `when`
/// condition, and the whole entry.
type VerdictParts<'e> =
    (&'e ast::Name, Option<&'e ast::Name>, Option<&'e [ast::TierTerm]>, Option<&'e ast::Expr>, crate::diagnostic::Span);

/// `verdict NAME if any K or unknown K or when C [tone T]`, or `verdict NAME otherwise`.
pub(super) fn verdict(
    d: &ast::DecisionDecl,
    shape: &Shape,
    (name, tone, terms, condition, span): VerdictParts<'_>,
    verdicts: &mut Verdicts,
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    if verdicts.otherwise.is_some() {
        diagnostics.push(
            Diagnostic::error(Code::Verdict, span, "a verdict after `otherwise` can never be reached")
                .with_hint("`verdict NAME otherwise` comes last"),
        );
        ok = false;
    }
    if verdicts.tiers.iter().any(|t| t.verdict == name.node) {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, name.span, format!("verdict `{}` is listed twice", name.node))
                .with_hint("merge the conditions with `or`"),
        );
        ok = false;
    }
    let tone = tone
        .filter(|t| crate::check::one_of(t, TONES, (Code::UnknownTone, "tone", "tones"), diagnostics))
        .map(|t| t.node.clone());
    let when_text = condition.map(|c| checker.one_line(c.span)).unwrap_or_default();
    let mut tier =
        Tier { verdict: name.node.clone(), any: Vec::new(), unknown: Vec::new(), when: None, when_text, tone };
    if let Some(c) = condition {
        match checker.condition(c, "a verdict's `when` condition") {
            // An unknown condition takes its verdict (fail closed): never one that lets a
            // patient through, unless the condition is never unknown.
            Some(e) => {
                if matches!(tier.tone.as_deref(), Some("ok" | "caution")) && super::may_be_unknown(&e) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::FailOpen,
                            c.span,
                            format!("verdict `{}` would be given when this is unknown", name.node),
                        )
                        .with_hint("an unknown `when` takes its verdict: write `(CONDITION) is true`, or use rules"),
                    );
                    ok = false;
                }
                tier.when = Some(e);
            }
            None => ok = false,
        }
    }
    match terms {
        None => verdicts.otherwise = Some(span),
        Some(terms) => {
            for term in terms {
                match shape.kind_index(d, &term.kind, diagnostics) {
                    Some(k) if term.any => tier.any.push(k),
                    Some(k) => tier.unknown.push(k),
                    None => ok = false,
                }
            }
        }
    }
    verdicts.tiers.push(tier);
    ok
}

/// `KIND id "message" when C [SOURCES] help "..."`.
pub(super) fn rule(
    d: &ast::DecisionDecl,
    shape: &Shape,
    r: &ast::RuleDecl,
    sources: &[Source],
    verdicts: &mut Verdicts,
    checker: &mut Checker<'_, '_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    let kind = shape.kind_index(d, &r.kind, diagnostics);
    if !verdicts.ids.insert(r.id.node.clone()) {
        diagnostics.push(
            Diagnostic::error(
                Code::Duplicate,
                r.id.span,
                format!("rule id `{}` is used twice in decision `{}`", r.id.node, d.name.node),
            )
            .with_hint("ids are stable names that outputs and tests rely on: give each rule its own"),
        );
        ok = false;
    }
    let cited = match citations(&r.cites, sources, diagnostics) {
        Some(cited) => cited,
        None => {
            ok = false;
            Vec::new()
        }
    };
    if r.cites.is_empty() {
        diagnostics.push(
            Diagnostic::warning(Code::NoSource, r.id.span, format!("rule `{}` cites no source", r.id.node))
                .with_hint("cite the evidence in brackets after the condition: `[K2]`"),
        );
    }
    let when = checker.rule_condition(&r.when);
    let (Some(kind), Some(when)) = (kind, when) else { return false };
    let mut reads = Vec::new();
    when.visit_fields(&mut |f| reads.push(f));
    reads.sort_unstable();
    reads.dedup();
    verdicts.rules.push(Rule {
        kind,
        id: r.id.node.clone(),
        message: r.message.node.clone(),
        help: r.help.as_ref().map(|h| h.node.clone()),
        sources: cited,
        when,
        reads,
        span: r.span,
    });
    ok
}

/// The sources cited: `None` when one is not declared or cited twice (reported).
pub(super) fn citations(
    keys: &[ast::Name],
    sources: &[Source],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<SourceId>> {
    let mut cited = Vec::new();
    let mut ok = true;
    for key in keys {
        match position(sources, |s| s.key == key.node) {
            Some(i) if cited.contains(&i) => {
                diagnostics.push(
                    Diagnostic::error(Code::Duplicate, key.span, format!("source `{}` is cited twice", key.node))
                        .with_hint("cite each source once"),
                );
                ok = false;
            }
            Some(i) => cited.push(i),
            None => {
                let hint = match did_you_mean(&key.node, sources.iter().map(|s| s.key.as_str())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("declare it: `source {} \"Title\" url \"...\"`", key.node),
                };
                diagnostics.push(
                    Diagnostic::error(Code::UnknownSource, key.span, format!("source `{}` is not declared", key.node))
                        .with_hint(hint),
                );
                ok = false;
            }
        }
    }
    ok.then_some(cited)
}
