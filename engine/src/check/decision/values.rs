//! Output values: `value NAME = EXPR [for V, V]`, their shape in the output and
//! `minutes after` a timestamp.

use super::*;

/// A value entry's parts: name, expression, the verdicts it is given for, `minutes after`.
type ValueParts<'e> = (&'e ast::Name, &'e ast::Expr, &'e [ast::Name], Option<&'e ast::Name>);

/// `value NAME ["label"] [minutes after T] = EXPR [for V, V]`: an output value.
pub(super) fn value_entry(
    d: &ast::DecisionDecl,
    shape: &Shape,
    tiers: &[Tier],
    (name, value, given_for, minutes_after): ValueParts<'_>,
    readers: &mut Readers,
    (names, checker): (&Names<'_>, &mut Checker<'_, '_>),
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    let mut verdicts = Vec::new();
    for v in given_for {
        match tiers.iter().position(|t| t.verdict == v.node) {
            Some(i) => verdicts.push(i),
            None => {
                let hint = match did_you_mean(&v.node, tiers.iter().map(|t| t.verdict.as_str())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "the verdicts are {}",
                        tiers.iter().map(|t| t.verdict.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                };
                diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        v.span,
                        format!("no verdict `{}` in `{}`", v.node, d.name.node),
                    )
                    .with_hint(hint),
                );
                ok = false;
            }
        }
    }
    if ["verdict", "missing"].contains(&name.node.as_str()) || shape.kinds.iter().any(|k| k.list == name.node) {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, name.span, format!("output field `{}` is already used", name.node))
                .with_hint("choose another name for the value"),
        );
        ok = false;
    }
    let Some((expr, ty)) = checker.expr(value) else { return false };
    let Some(value_shape) = checker.shape(&ty) else {
        diagnostics.push(
            Diagnostic::error(Code::Type, value.span, "a whole list item cannot be an output value")
                .with_hint("output one of its fields"),
        );
        return false;
    };
    // A ladder's dose is written with its infusion time, when its route has one.
    let value_shape = match &expr {
        Expr::Dose(l, _) => ValueShape::Dose(*l),
        _ => value_shape,
    };
    let minutes_after = minutes_after.and_then(|t| minutes_after_of(t, &value_shape, names, diagnostics));
    readers.values.push(OutputValue {
        name: name.node.clone(),
        expr,
        shape: value_shape,
        verdicts,
        minutes_after,
        span: value.span,
    });
    ok
}

/// The input of `minutes after PATH` on a value: a timestamp outside lists, and a value that
/// is a number without unit (or a list of them); else an error.
fn minutes_after_of(
    path: &ast::Name,
    shape: &ValueShape,
    names: &Names<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    let mut times: Vec<&str> = Vec::new();
    for f in &names.schema.fields {
        if f.ty == FieldType::Timestamp && f.list.is_none() {
            times.push(&f.path);
        }
    }
    let minutes = match shape {
        ValueShape::List(inner) => **inner == ValueShape::Number(None),
        other => *other == ValueShape::Number(None),
    };
    if !crate::check::one_of(
        path,
        &times,
        (Code::UnknownName, "timestamp input", "timestamp inputs outside lists"),
        diagnostics,
    ) {
        return None;
    }
    if !minutes {
        diagnostics.push(
            Diagnostic::error(Code::Type, path.span, "only a number without unit, or a list of them, counts minutes")
                .with_hint("drop `minutes after`, or give the value as a number of minutes"),
        );
        return None;
    }
    Some(path.node.clone())
}
