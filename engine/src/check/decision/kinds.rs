//! The first pass over a decision's entries: its rule kinds (`list NAME of KIND`, `kinds`)
//! with their output lists, the output fields in order, and the groups it is `given` for.

use super::*;

/// The first pass: rule kinds (`list NAME of KIND`, `kinds`), the output fields in order,
/// and `given`.
pub(super) fn shape(d: &ast::DecisionDecl, names: &Names<'_>, diagnostics: &mut Vec<Diagnostic>) -> Shape {
    let mut shape = Shape { kinds: Vec::new(), outputs: Vec::new(), given: Vec::new() };
    let mut reasons_seen = false;
    let mut value_count = 0;
    for entry in &d.entries {
        match entry {
            Entry::List { name, kind, .. } if kind.node == "verdict" => {
                if reasons_seen {
                    diagnostics.push(
                        Diagnostic::error(Code::Duplicate, kind.span, "the verdict's reasons are listed twice")
                            .with_hint("keep one `list NAME of verdict`"),
                    );
                }
                reasons_seen = true;
                shape.outputs.push(Output::Reasons(name.node.clone()));
            }
            Entry::Value { .. } => {
                shape.outputs.push(Output::Value(value_count));
                value_count += 1;
            }
            Entry::Due(_) if !shape.outputs.contains(&Output::Due) => shape.outputs.push(Output::Due),
            Entry::Alert(_) if !shape.outputs.contains(&Output::Alerts) => shape.outputs.push(Output::Alerts),
            Entry::Kinds(kinds) => {
                for kind in kinds {
                    if shape.kinds.iter().any(|k| k.name == kind.node) {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::Duplicate,
                                kind.span,
                                format!("rule kind `{}` is declared twice", kind.node),
                            )
                            .with_hint("declare each kind once"),
                        );
                    } else {
                        shape.kinds.push(Kind {
                            name: kind.node.clone(),
                            list: String::new(),
                            quiet: false,
                            advisory: false,
                        });
                    }
                }
            }
            Entry::List { name, kind, quiet, advisory, .. } => {
                list_entry(&mut shape, name, kind, (*quiet, *advisory), diagnostics)
            }
            Entry::Given(paths) => given(&mut shape, paths, names, diagnostics),
            _ => {}
        }
    }
    shape
}

/// `list NAME of KIND [quiet|advisory]`: a rule kind and its output list.
fn list_entry(
    shape: &mut Shape,
    name: &ast::Name,
    kind: &ast::Name,
    (quiet, advisory): (bool, bool),
    diagnostics: &mut Vec<Diagnostic>,
) {
    if shape.kinds.iter().any(|k| k.name == kind.node) {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, kind.span, format!("rule kind `{}` is listed twice", kind.node))
                .with_hint("one `list` entry per kind"),
        );
    } else if shape.kinds.iter().any(|k| k.list == name.node) || name.node == "verdict" || name.node == "missing" {
        diagnostics.push(
            Diagnostic::error(Code::Duplicate, name.span, format!("output field `{}` is already used", name.node))
                .with_hint("choose another name for the list"),
        );
    } else {
        shape.outputs.push(Output::Kind(shape.kinds.len()));
        shape.kinds.push(Kind { name: kind.node.clone(), list: name.node.clone(), quiet, advisory });
    }
}

/// `given GROUP or GROUP`: the groups of inputs whose presence makes the decision.
fn given(shape: &mut Shape, paths: &[ast::Name], names: &Names<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for p in paths {
        match names.group(&p.node) {
            Some(g) => shape.given.push(g),
            None => {
                let hint = match did_you_mean(&p.node, names.group_paths()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("the groups are {}", names.group_paths().collect::<Vec<_>>().join(", ")),
                };
                diagnostics.push(
                    Diagnostic::error(Code::UnknownName, p.span, format!("no group of inputs named `{}`", p.node))
                        .with_hint(hint),
                );
            }
        }
    }
}

impl Shape {
    /// The index of a rule kind of the decision, or an error naming the nearest.
    pub(super) fn kind_index(
        &self,
        d: &ast::DecisionDecl,
        name: &ast::Name,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let found = self.kinds.iter().position(|k| k.name == name.node);
        if found.is_none() {
            let hint = match did_you_mean(&name.node, self.kinds.iter().map(|k| k.name.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None if self.kinds.is_empty() => {
                    format!("declare it in the decision: `list OUTPUT of {}` or `kinds {}`", name.node, name.node)
                }
                None => format!(
                    "the kinds of `{}` are {}",
                    d.name.node,
                    self.kinds.iter().map(|k| k.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownKind,
                    name.span,
                    format!("no rule kind `{}` in decision `{}`", name.node, d.name.node),
                )
                .with_hint(hint),
            );
        }
        found
    }
}
