//! Schedules: `schedule dosing "Dosing sessions" of course.sessions[].at` and its phases
//! (`weeks 1 to 4: 2 a week`, `weeks 9 on: 1 every 1 to 2 weeks`).
//!
//! A schedule stands for two expressions, written out here in kap and checked where they are
//! used, like a definition:
//! - `full(NAME, t)`: true when the phase of week `week(t, first)` already holds its most
//!   items in the block of weeks `t` falls in, so one more at `t` would go beyond it (false
//!   while the list is empty);
//! - `due_by(NAME)`: when the item after the last one falls due: the end of the last one's
//!   block while that block is not full, else the end of the `within`-th week after the last
//!   one's week (unknown while the list is empty).
//!
//! Weeks are those of `week`: week 1 is the seven days from the day of the list's first item,
//! in the protocol's time zone. Writing the meaning out in kap keeps one evaluator, and
//! explanations name the items a schedule read like any quantifier's.

use super::ladder::citations;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::ir::schema::{FieldType, Schema};
use crate::ir::Source;
use crate::syntax::ast::{self, Phase, ScheduleDecl};

/// A checked schedule: its two expressions, `full(NAME, t)` over the parameter `t` and
/// `due_by(NAME)`; none when the schedule has errors (already reported, never again where it
/// is used).
#[derive(Debug)]
pub struct Expanded {
    /// Its name.
    pub name: String,
    /// `full` and `due_by`.
    pub written: Option<(ast::Expr, ast::Expr)>,
}

/// Checks every schedule and writes out those without errors.
pub fn expand_all(
    decls: &[&ScheduleDecl],
    schema: &Schema,
    sources: &[Source],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Expanded> {
    let mut out: Vec<Expanded> = Vec::new();
    for d in decls {
        if out.iter().any(|e| e.name == d.name.node) {
            diagnostics.push(
                Diagnostic::error(
                    Code::Duplicate,
                    d.name.span,
                    format!("schedule `{}` is declared twice", d.name.node),
                )
                .with_hint("give each schedule its own name"),
            );
            continue;
        }
        let written = expand(d, schema, sources, diagnostics);
        out.push(Expanded { name: d.name.node.clone(), written });
    }
    out
}

/// One schedule, when its list, phases and sources are right.
fn expand(
    d: &ScheduleDecl,
    schema: &Schema,
    sources: &[Source],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(ast::Expr, ast::Expr)> {
    for p in &d.phases {
        citations(&p.cites, sources, diagnostics);
    }
    let list = list_time(d, schema, diagnostics);
    let phases = phases(d, diagnostics);
    let (list, member) = list?;
    let phases = phases?;
    let first = format!("{list}[0].{member}");
    let week = |t: &str| format!("week({t}, {first})");
    let full = by_phase(&phases, &week("t"), |p| format!("({})", in_block(p, &list, &member, &week("t"), &week)));
    let full = format!("count({list}) >= 1 and ({full})");
    let last = week(&format!("{list}[-1].{member}"));
    let until = by_phase(&phases, &last, |p| {
        let block = format!("floor(({last} - {}) / {})", p.from.node, p.every.node);
        let block_end = format!("{} + ({block} + 1) * {} - 1", p.from.node, p.every.node);
        let open = in_block(p, &list, &member, &last, &week);
        format!("(choose when not ({open}) then {block_end} otherwise {last} + {})", p.within.node)
    });
    let due_by = format!("day_start(day({first}) + ({until}) * 7 days)");
    let at = d.of.span;
    Some((crate::syntax::parser::written(&full, at)?, crate::syntax::parser::written(&due_by, at)?))
}

/// `choose when W <= LAST WEEK OF PHASE 1 then ... otherwise (the open last phase)`.
fn by_phase(phases: &[&Phase], w: &str, each: impl Fn(&Phase) -> String) -> String {
    let Some((open, bounded)) = phases.split_last() else { return String::new() };
    if bounded.is_empty() {
        return each(open);
    }
    let mut text = "choose".to_string();
    for p in bounded {
        let to = p.to.as_ref().map_or(p.from.node, |t| t.node);
        text.push_str(&format!(" when {w} <= {to} then {}", each(p)));
    }
    text.push_str(&format!(" otherwise {}", each(open)));
    text
}

/// Whether the block of weeks that week `w` falls in, in phase `p`, already holds its most
/// items.
fn in_block(p: &Phase, list: &str, member: &str, w: &str, week: &impl Fn(&str) -> String) -> String {
    let item = week(&format!("s.{member}"));
    let same = if p.every.node == 1 {
        format!("{item} = {w}")
    } else {
        let (from, every) = (p.from.node, p.every.node);
        format!("{item} >= {from} and floor(({item} - {from}) / {every}) = floor(({w} - {from}) / {every})")
    };
    format!("count(s in {list} where {same}) >= {}", p.count.node)
}

/// The list and its timestamp member: `course.sessions[].at` gives `course.sessions`, `at`.
fn list_time(d: &ScheduleDecl, schema: &Schema, diagnostics: &mut Vec<Diagnostic>) -> Option<(String, String)> {
    let path = d.of.node.as_str();
    let times = || {
        schema
            .fields
            .iter()
            .filter(|f| f.ty == FieldType::Timestamp && f.list.is_some())
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
    };
    let field = schema.fields.iter().find(|f| f.path == path);
    let split = path.rsplit_once("[].").filter(|(list, member)| !list.contains("[]") && !member.contains('.'));
    match (field, split) {
        (Some(f), Some((list, member))) if f.ty == FieldType::Timestamp => Some((list.into(), member.into())),
        _ => {
            let hint = match did_you_mean(path, times()) {
                Some(near) => format!("did you mean `{near}`?"),
                None if times().is_empty() => {
                    "declare a list of items with a time, as in `input course.sessions[].at: timestamp`".into()
                }
                None => format!("the times of list items are {}", times().join(", ")),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownName,
                    d.of.span,
                    format!("a schedule counts the items of a list by their time; `{path}` is not the timestamp of a list's items"),
                )
                .with_hint(hint),
            );
            None
        }
    }
}

/// The phases, when they follow each other from week 1 and the last one is open-ended.
fn phases<'d>(d: &'d ScheduleDecl, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<&'d Phase>> {
    let before = diagnostics.len();
    let mut next = 1;
    let mut error = |span, message: String, hint: &str| {
        diagnostics.push(Diagnostic::error(Code::Schedule, span, message).with_hint(hint.to_string()));
    };
    for (i, p) in d.phases.iter().enumerate() {
        let place = match p.from.node.cmp(&next) {
            std::cmp::Ordering::Greater => Some("the weeks before it have no phase"),
            std::cmp::Ordering::Less => Some("inside the phase before it"),
            std::cmp::Ordering::Equal => None,
        };
        if let Some(place) = place {
            error(
                p.from.span,
                format!("this phase starts at week {}, {place}", p.from.node),
                &format!("start it at week {next}: phases follow each other from week 1"),
            );
        }
        let last = i + 1 == d.phases.len();
        match (&p.to, last) {
            (Some(to), false) if to.node >= p.from.node => {
                next = to.node + 1;
                let weeks = to.node - p.from.node + 1;
                if weeks % p.every.node != 0 {
                    error(
                        p.every.span,
                        format!(
                            "weeks {} to {} are {weeks} weeks, not a whole number of blocks of {} weeks",
                            p.from.node, to.node, p.every.node
                        ),
                        "end the phase where a block ends, or make the blocks shorter",
                    );
                }
            }
            (Some(to), false) => error(
                to.span,
                format!("week {} is before week {}", to.node, p.from.node),
                "write the phase's first week, then its last",
            ),
            (Some(to), true) => error(
                to.span,
                "the last phase has an end: what follows it is not said".into(),
                &format!("write `weeks {} on`, and end a course with a rule", p.from.node),
            ),
            (None, false) => error(
                p.from.span,
                "only the last phase is open-ended (`on`)".into(),
                "give this phase its last week: `weeks A to B`",
            ),
            (None, true) => {}
        }
        if p.within.node < p.every.node {
            error(
                p.within.span,
                format!(
                    "the next item cannot fall due within {} weeks when a block is {} weeks",
                    p.within.node, p.every.node
                ),
                "write `every M to K weeks` with K at least M",
            );
        }
    }
    (diagnostics.len() == before).then(|| d.phases.iter().collect())
}
