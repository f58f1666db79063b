//! Input declarations to the [`Schema`]: paths, types, units and ranges.

use crate::diagnostic::Code;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::ir::schema::{Field, FieldType, ListDecl, Member, Required, Schema, Shape};
use crate::ir::{position, FieldId, FieldSlot, GroupId, ListId, ListSlot};
use crate::syntax::ast::InputFlag;
use crate::syntax::ast::{InputDecl, Name, TypeExpr};
use crate::units::Unit;
use indexmap::IndexMap;

/// Reads a unit name, reporting an unknown one with the closest known name.
pub fn unit(name: &Name, diagnostics: &mut Vec<Diagnostic>) -> Option<Unit> {
    match Unit::parse(&name.node) {
        Ok(unit) => Some(unit),
        Err(bad) => {
            let mut d = Diagnostic::error(Code::UnknownUnit, name.span, format!("unknown unit `{}`", bad.0));
            d = match did_you_mean(&bad.0, Unit::known_names()) {
                Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                None => d.with_hint(format!("known units: {}", Unit::known_names().collect::<Vec<_>>().join(", "))),
            };
            diagnostics.push(d);
            None
        }
    }
}

/// Builds the schema from the declarations, in order.
pub fn schema(decls: &[&InputDecl], diagnostics: &mut Vec<Diagnostic>) -> Schema {
    let mut declaring = Declaring::default();
    for decl in decls {
        declaring.declare(decl, diagnostics);
    }
    let mut schema = declaring.schema;
    number_groups(&mut schema);
    flags(decls, &mut schema, diagnostics);
    schema
}

/// The schema as the declarations are read, in order.
#[derive(Default)]
struct Declaring {
    schema: Schema,
    lists_by_path: IndexMap<String, ListId>,
    seen: IndexMap<String, ()>,
}

impl Declaring {
    /// Adds one declaration; `None` when it is left out for an error (reported).
    fn declare(&mut self, decl: &InputDecl, diagnostics: &mut Vec<Diagnostic>) -> Option<()> {
        let path = decl.path.node.as_str();
        if self.seen.insert(path.to_string(), ()).is_some() {
            diagnostics.push(
                Diagnostic::error(Code::Duplicate, decl.path.span, format!("input `{path}` is declared twice"))
                    .with_hint("remove one of the declarations"),
            );
            return None;
        }
        let (list, rest) = self.enclosing_list(decl, diagnostics)?;
        check_range(decl, diagnostics);
        let segments: Vec<&str> = rest.split('.').collect();
        let (last, groups) = segments.split_last()?;
        let member = if decl.ty.node == TypeExpr::List {
            self.add_list(decl, list)?
        } else {
            let ty = field_type(decl, diagnostics)?;
            self.add_field(decl, list, ty)?
        };
        self.place(decl, list, groups, last, member, diagnostics)
    }

    /// The list that encloses the input (everything before the last `[]`) and the rest of
    /// its path; `None` when that list is not declared (reported).
    fn enclosing_list<'p>(
        &self,
        decl: &'p InputDecl,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<(Option<ListId>, &'p str)> {
        let path = decl.path.node.as_str();
        let (list, rest) = match path.rfind("[].") {
            Some(at) => {
                let list_path = path.get(..at).unwrap_or("");
                match self.lists_by_path.get(list_path) {
                    Some(&index) => (Some(index), path.get(at + 3..).unwrap_or("")),
                    None => {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::UnknownList,
                                decl.path.span,
                                format!("`{list_path}` is not a declared list"),
                            )
                            .with_hint(format!("declare it first: `input {list_path}: list in 0..N \"Label\"`")),
                        );
                        return None;
                    }
                }
            }
            None => (None, path),
        };
        if rest.contains("[]") {
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownList,
                    decl.path.span,
                    format!("`{path}` names a list that is not declared"),
                )
                .with_hint("declare each list with `list` before its fields"),
            );
            return None;
        }
        Some((list, rest))
    }

    /// The next slot in `list`'s items (or the root), for a field or, with `lists`, a list.
    fn next_slot(&mut self, list: Option<ListId>, lists: bool) -> Option<usize> {
        let count = match list {
            Some(l) => {
                let parent = self.schema.lists.get_mut(l.index())?;
                if lists {
                    &mut parent.item_lists
                } else {
                    &mut parent.item_fields
                }
            }
            None if lists => &mut self.schema.root_lists,
            None => &mut self.schema.root_fields,
        };
        *count += 1;
        Some(*count - 1)
    }

    /// Declares a list; `None` when there are too many.
    fn add_list(&mut self, decl: &InputDecl, list: Option<ListId>) -> Option<Member> {
        let path = decl.path.node.as_str();
        let index = ListId::new(self.schema.lists.len())?;
        let slot = self.next_slot(list, true);
        self.schema.lists.push(ListDecl {
            path: path.to_string(),
            range: decl.range.as_ref().map(|r| r.node),
            label: decl.label.node.clone(),
            help: decl.help.as_ref().map(|h| h.node.clone()),
            list,
            slot: slot.and_then(ListSlot::new).unwrap_or_default(),
            item: Shape::default(),
            item_fields: 0,
            item_lists: 0,
            required: Required::No,
            span: decl.span,
        });
        self.lists_by_path.insert(path.to_string(), index);
        Some(Member::List(index))
    }

    /// Declares a field of type `ty`; `None` when there are too many.
    fn add_field(&mut self, decl: &InputDecl, list: Option<ListId>, ty: FieldType) -> Option<Member> {
        let index = FieldId::new(self.schema.fields.len())?;
        let slot = self.next_slot(list, false);
        self.schema.fields.push(Field {
            path: decl.path.node.clone(),
            ty,
            range: decl.range.as_ref().map(|r| r.node),
            label: decl.label.node.clone(),
            help: decl.help.as_ref().map(|h| h.node.clone()),
            list,
            slot: slot.and_then(FieldSlot::new).unwrap_or_default(),
            required: Required::No,
            ordered: false,
            choices_ordered: matches!(decl.ty.node, TypeExpr::Choice(_, true)),
            not_after: None,
            span: decl.span,
        });
        Some(Member::Field(index))
    }

    /// Walks (creating) the groups to the member's parent object and puts it there; `None`
    /// when it conflicts with another input (reported).
    fn place(
        &mut self,
        decl: &InputDecl,
        list: Option<ListId>,
        groups: &[&str],
        last: &str,
        member: Member,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<()> {
        let schema = &mut self.schema;
        let prefix = match list {
            Some(l) => schema.list(l).map(|d| format!("{}[]", d.path)).unwrap_or_default(),
            None => String::new(),
        };
        let mut new_groups = Vec::new();
        let shape = match list {
            Some(l) => &mut schema.lists.get_mut(l.index())?.item,
            None => &mut schema.root,
        };
        let track = if list.is_none() { Some(&mut new_groups) } else { None };
        if !insert(shape, groups, last, member, prefix, track) {
            diagnostics.push(
                Diagnostic::error(
                    Code::Duplicate,
                    decl.path.span,
                    format!("`{}` conflicts with another input", decl.path.node),
                )
                .with_hint("an input cannot also be a group of inputs"),
            );
            return None;
        }
        schema.groups.extend(new_groups);
        Some(())
    }
}

/// Reports an empty range, and a list's range that does not count items.
fn check_range(decl: &InputDecl, diagnostics: &mut Vec<Diagnostic>) {
    if let Some(r) = &decl.range {
        if r.node.0 > r.node.1 {
            diagnostics.push(
                Diagnostic::error(Code::Range, r.span, format!("empty range: {} is above {}", r.node.0, r.node.1))
                    .with_hint("write the lower end first: `in lo..hi`"),
            );
        }
    }
    if let (TypeExpr::List, Some(r)) = (&decl.ty.node, &decl.range) {
        let (lo, hi) = r.node;
        if lo.is_sign_negative() || !crate::exact::is_whole(&lo) || !crate::exact::is_whole(&hi) {
            diagnostics.push(
                Diagnostic::error(Code::Range, r.span, "a list's range counts its items: whole numbers from 0")
                    .with_hint("write the least and most items, such as `in 0..6`"),
            );
        }
    }
}

/// Resolves `required`, `ordered` and `not after`, once every input and group is known.
fn flags(decls: &[&InputDecl], schema: &mut Schema, diagnostics: &mut Vec<Diagnostic>) {
    for decl in decls {
        let path = decl.path.node.as_str();
        let field: Option<FieldId> = position(&schema.fields, |f| f.path == path);
        let list: Option<ListId> = position(&schema.lists, |l| l.path == path);
        if field.is_none() && list.is_none() {
            continue; // not declared: already reported
        }
        for flag in &decl.flags {
            match &flag.node {
                InputFlag::Required(groups) => {
                    let required = required(groups, schema, diagnostics);
                    if let Some(f) = field.and_then(|i| schema.fields.get_mut(i.index())) {
                        f.required = required;
                    } else if let Some(l) = list.and_then(|i| schema.lists.get_mut(i.index())) {
                        l.required = required;
                    }
                }
                InputFlag::Ordered => match field.and_then(|i| schema.fields.get_mut(i.index())) {
                    Some(f) if f.list.is_some() && !matches!(f.ty, FieldType::Boolean | FieldType::Choice(_)) => {
                        f.ordered = true
                    }
                    _ => diagnostics.push(
                        Diagnostic::error(
                            Code::Flag,
                            flag.span,
                            "only a number or timestamp in a list can be `ordered`",
                        )
                        .with_hint("declare it on a field of a list's items, such as `list[].at`"),
                    ),
                },
                InputFlag::NotAfter(other) => not_after(field, other, schema, diagnostics),
            }
        }
    }
}

/// `required` (with the parent) or `required with GROUPS`, reporting unknown groups.
fn required(groups: &[Name], schema: &Schema, diagnostics: &mut Vec<Diagnostic>) -> Required {
    let mut resolved = Vec::new();
    for g in groups {
        match position::<GroupId, _>(&schema.groups, |x| *x == g.node) {
            Some(i) => resolved.push(i),
            None => {
                let hint = match did_you_mean(&g.node, schema.groups.iter().map(String::as_str)) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("the groups are {}", schema.groups.join(", ")),
                };
                diagnostics.push(
                    Diagnostic::error(Code::UnknownName, g.span, format!("no group of inputs named `{}`", g.node))
                        .with_hint(hint),
                );
            }
        }
    }
    if groups.is_empty() {
        Required::WithParent
    } else {
        Required::WithGroups(resolved)
    }
}

/// `not after OTHER`: the field's value may not be later (or larger) than `other`'s.
fn not_after(field: Option<FieldId>, other: &Name, schema: &mut Schema, diagnostics: &mut Vec<Diagnostic>) {
    let target: Option<FieldId> = position(&schema.fields, |f| f.path == other.node && f.list.is_none());
    let same_type = match (field.and_then(|i| schema.field(i)), target.and_then(|t| schema.field(t))) {
        (Some(a), Some(b)) => match (&a.ty, &b.ty) {
            (FieldType::Timestamp, FieldType::Timestamp) => true,
            (FieldType::Number { unit: x, .. }, FieldType::Number { unit: y, .. }) => x == y,
            _ => false,
        },
        _ => false,
    };
    match (field, target) {
        (Some(f), Some(t)) if same_type => {
            if let Some(f) = schema.fields.get_mut(f.index()) {
                f.not_after = Some(t);
            }
        }
        _ => diagnostics.push(
            Diagnostic::error(
                Code::Flag,
                other.span,
                format!("`{}` is not an input this one can be compared with", other.node),
            )
            .with_hint("name a top-level input of the same type and unit, such as `at`"),
        ),
    }
}

/// Puts `member` at `groups.last`, creating the groups on the way; false on a conflict.
fn insert(
    shape: &mut Shape,
    groups: &[&str],
    last: &str,
    member: Member,
    prefix: String,
    mut created: Option<&mut Vec<String>>,
) -> bool {
    match groups.split_first() {
        None => {
            if shape.members.contains_key(last) {
                return false;
            }
            shape.members.insert(last.to_string(), member);
            true
        }
        Some((group, rest)) => {
            let path = if prefix.is_empty() { (*group).to_string() } else { format!("{prefix}.{group}") };
            if !shape.members.contains_key(*group) {
                if let Some(c) = created.as_deref_mut() {
                    c.push(path.clone());
                }
                shape.members.insert((*group).to_string(), Member::Group(Shape::default()));
            }
            match shape.members.get_mut(*group) {
                Some(Member::Group(inner)) => insert(inner, rest, last, member, path, created),
                _ => false,
            }
        }
    }
}

/// Records each group's index in its shape, once all groups are known.
fn number_groups(schema: &mut Schema) {
    fn walk(shape: &mut Shape, prefix: &str, groups: &[String]) {
        for (name, member) in shape.members.iter_mut() {
            if let Member::Group(inner) = member {
                let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                inner.group = position(groups, |g| *g == path);
                walk(inner, &path, groups);
            }
        }
    }
    let groups = schema.groups.clone();
    walk(&mut schema.root, "", &groups);
}

fn field_type(decl: &InputDecl, diagnostics: &mut Vec<Diagnostic>) -> Option<FieldType> {
    let numeric = |unit_name: &Option<Name>, integer: bool, diagnostics: &mut Vec<Diagnostic>| {
        let unit = match unit_name {
            Some(name) => unit(name, diagnostics)?,
            None => Unit::none(),
        };
        if integer {
            if let Some(r) = &decl.range {
                if !crate::exact::is_whole(&r.node.0) || !crate::exact::is_whole(&r.node.1) {
                    diagnostics.push(
                        Diagnostic::error(Code::Range, r.span, "an integer input needs whole-number range ends")
                            .with_hint("write whole numbers, or declare the input `decimal`"),
                    );
                }
            }
        }
        Some(FieldType::Number { integer, unit })
    };
    let ty = match &decl.ty.node {
        TypeExpr::Boolean => FieldType::Boolean,
        TypeExpr::Timestamp => FieldType::Timestamp,
        TypeExpr::Integer(u) => numeric(u, true, diagnostics)?,
        TypeExpr::Decimal(u) => numeric(u, false, diagnostics)?,
        TypeExpr::Choice(names, _) => {
            let mut choices: Vec<String> = Vec::new();
            for name in names {
                if choices.contains(&name.node) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            name.span,
                            format!("choice `{}` is listed twice", name.node),
                        )
                        .with_hint("list each choice once"),
                    );
                } else {
                    choices.push(name.node.clone());
                }
            }
            if u16::try_from(choices.len()).is_err() {
                diagnostics.push(
                    Diagnostic::error(Code::TooMany, decl.ty.span, "more than 65535 choices")
                        .with_hint("split the choices into several inputs"),
                );
                return None;
            }
            FieldType::Choice(choices)
        }
        TypeExpr::List => return None,
    };
    if let (Some(r), FieldType::Boolean | FieldType::Choice(_) | FieldType::Timestamp) = (&decl.range, &ty) {
        diagnostics.push(
            Diagnostic::error(Code::Range, r.span, "only numbers and lists have a range")
                .with_hint("remove `in lo..hi` from this declaration"),
        );
    }
    Some(ty)
}
