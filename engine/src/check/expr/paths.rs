//! Names and paths: inputs, definitions, parameters, items bound by quantifiers and their fields.

use super::arith::shift;
use super::*;

impl<'a, 'd> Checker<'a, 'd> {
    pub(super) fn lookup_value(&self, name: &str) -> Option<()> {
        let bound =
            self.frames.last().is_some_and(|f| f.contains_key(name)) || self.items.iter().any(|(n, _)| n == name);
        (bound || self.names.defines.contains_key(name) || self.names.fields.contains_key(name)).then_some(())
    }

    /// The item bound to `name` by a quantifier around the expression.
    pub(super) fn bound_item(&self, name: &str) -> Option<Typed> {
        let from_inside = self.items.iter().rev().position(|(n, _)| n == name)?;
        let (_, list) = self.items.get(self.items.len() - 1 - from_inside)?;
        let item = ItemRef::Bound(u8::try_from(from_inside).ok()?);
        Some((Expr::Item { list: *list, item }, Ty::Item(*list)))
    }

    /// A parameter's argument, seen from under the quantifiers opened since the call.
    pub(super) fn argument(&self, name: &str) -> Option<Typed> {
        let (expr, ty) = self.frames.last()?.get(name)?;
        let depth = u8::try_from(self.items.len()).unwrap_or(u8::MAX);
        Some((shift(expr.clone(), depth, 0), ty.clone()))
    }

    pub(super) fn name(&mut self, name: &str, span: Span) -> Option<Typed> {
        if let Some(bound) = self.argument(name) {
            return Some(bound);
        }
        if let Some(item) = self.bound_item(name) {
            return Some(item);
        }
        if let Some((decision, k)) = name.strip_suffix(".verdict").and_then(|d| Some((d, self.decision_index(d)?))) {
            if self.choices(ChoiceSet::Verdicts(k)).is_empty() {
                return self.error(
                    Code::UnknownName,
                    span,
                    format!("decision `{decision}` has no verdict"),
                    "it only lists what is due or raised: read the verdict of a decision that has `verdict` entries"
                        .into(),
                );
            }
            return Some((Expr::Verdict(k), Ty::Choice(ChoiceSet::Verdicts(k))));
        }
        if let Some(resolved) = self.item_path(name, span) {
            return resolved;
        }
        if let Some(d) = self.names.defines.get(name) {
            if !d.params.is_empty() {
                let n = d.params.len();
                return self.error(
                    Code::Arguments,
                    span,
                    format!("`{name}` needs {n} argument(s)"),
                    format!(
                        "call it: `{name}({})`",
                        d.params.iter().map(|p| p.node.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            return self.constant(name, span);
        }
        if let Some(&index) = self.names.fields.get(name) {
            let field = self.names.schema.field(index)?;
            if field.list.is_some() {
                return self.error(
                    Code::ListField,
                    span,
                    format!("`{name}` is a field of each item of a list, not one value"),
                    "read it through its list".into(),
                );
            }
            let ty = match &field.ty {
                FieldType::Boolean => Ty::Bool,
                FieldType::Number { unit, .. } => Ty::Num(unit.clone()),
                FieldType::Choice(_) => Ty::Choice(ChoiceSet::Field(index)),
                FieldType::Timestamp => Ty::Time,
            };
            let expr = Expr::Field { field: index, slot: field.slot };
            return Some((expr, ty));
        }
        if self.names.group(name).is_some() {
            return self.error(
                Code::Type,
                span,
                format!("`{name}` is a group of inputs, not a value"),
                format!("name one of its inputs (`{name}.…`), or test `{name} is known`"),
            );
        }
        if self.names.schema.lists.iter().any(|l| l.path == name) {
            return self.error(
                Code::Type,
                span,
                format!("`{name}` is a list, not a value"),
                "read it with `count(...)`, `any(...)`, `all(...)` or an item such as `[-1]`".into(),
            );
        }
        if let Some(found) = self.unique_choice(name) {
            return Some(found);
        }
        if self
            .names
            .broken
            .iter()
            .any(|b| name == b || name.strip_prefix(b.as_str()).is_some_and(|r| r.starts_with(['.', '['])))
        {
            return None; // its declaration has a syntax error, reported already
        }
        // Plain loops: each iterator adapter is code of its own in the .wasm.
        let mut candidates: Vec<&str> = Vec::new();
        if let Some(frame) = self.frames.last() {
            for n in frame.keys() {
                candidates.push(n);
            }
        }
        for n in self.names.defines.keys() {
            candidates.push(n);
        }
        for n in self.names.fields.keys() {
            candidates.push(n);
        }
        for (n, _) in self.decisions.iter() {
            candidates.push(n);
        }
        // A misspelt choice (`L9` among levels L0 to L7, `l1`) is told so.
        for f in &self.names.schema.fields {
            if let FieldType::Choice(choices) = &f.ty {
                for c in choices {
                    candidates.push(c);
                }
            }
        }
        let near = did_you_mean(name, candidates);
        // Nearest a choice: not a choice of that field, its choices listed.
        for (i, f) in with_ids(&self.names.schema.fields) {
            if let (FieldType::Choice(choices), Some(near)) = (&f.ty, near) {
                if choices.iter().any(|c| c == near) {
                    return self.choice_index(ChoiceSet::Field(i), name, span).and(None);
                }
            }
        }
        let hint = match near {
            Some(near) => format!("did you mean `{near}`?"),
            None => "declare it with `input` or `define` first".into(),
        };
        self.error(Code::UnknownName, span, format!("no input or definition named `{name}`"), hint)
    }

    /// Resolves `LIST[k]`, `LIST[k].field` and `item.field` (an item bound by a quantifier or
    /// passed as an argument); `None` when the name is none of these.
    pub(super) fn item_path(&mut self, name: &str, span: Span) -> Option<Option<Typed>> {
        let (item, rest) = if let Some((list_path, after)) = name.split_once('[') {
            let (index, rest) = after.split_once(']')?;
            let Some(list) = position(&self.names.schema.lists, |l| l.path == list_path) else {
                let hint = match did_you_mean(list_path, self.names.schema.lists.iter().map(|l| l.path.as_str())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "name a declared list".into(),
                };
                return Some(self.error(Code::UnknownName, span, format!("no list named `{list_path}`"), hint));
            };
            let Ok(position) = index.parse::<i32>() else {
                return Some(self.error(
                    Code::Index,
                    span,
                    format!("`[{index}]` is not a position"),
                    "0 is the first item, -1 the last".into(),
                ));
            };
            let typed = (Expr::Item { list, item: ItemRef::Position(position) }, Ty::Item(list));
            (typed, rest.strip_prefix('.').or(if rest.is_empty() { Some("") } else { None })?)
        } else {
            let (head, rest) = name.split_once('.')?;
            let mut bound = self.argument(head).or_else(|| self.bound_item(head))?;
            if !matches!(bound.1, Ty::Item(_)) {
                return None;
            }
            // `r.previous`: the item before a bound one.
            let rest = match rest.strip_prefix("previous") {
                Some(after) if after.is_empty() || after.starts_with('.') => {
                    if let (Expr::Item { item: ItemRef::Bound(i), .. }, _) = &mut bound {
                        let up = *i;
                        if let (Expr::Item { item, .. }, _) = &mut bound {
                            *item = ItemRef::BoundBefore(up);
                        }
                    } else {
                        return Some(self.error(
                            Code::ListField,
                            span,
                            "`previous` follows an item bound by `for` or a quantifier".into(),
                            "such as `r.previous.systolic` in `for r in observations.readings`".into(),
                        ));
                    }
                    after.strip_prefix('.').unwrap_or(after)
                }
                _ => rest,
            };
            (bound, rest)
        };
        if rest.is_empty() {
            return Some(Some(item));
        }
        let (Expr::Item { list, item }, Ty::Item(list_index)) = item else { return Some(None) };
        let decl = self.names.schema.list(list_index)?;
        if decl.list.is_some() {
            return Some(self.error(
                Code::ListField,
                span,
                "lists inside list items cannot be read yet".into(),
                "move the list to the top level".into(),
            ));
        }
        let path = format!("{}[].{rest}", decl.path);
        let Some(&index) = self.names.fields.get(path.as_str()) else {
            let prefix = format!("{}[].", decl.path);
            let mut fields: Vec<&str> = Vec::new();
            for p in self.names.fields.keys() {
                fields.extend(p.strip_prefix(prefix.as_str()));
            }
            let hint = match did_you_mean(rest, fields.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the items of `{}` have {}", decl.path, fields.join(", ")),
            };
            return Some(self.error(
                Code::UnknownName,
                span,
                format!("the items of `{}` have no field `{rest}`", decl.path),
                hint,
            ));
        };
        let field = self.names.schema.field(index)?;
        let ty = match &field.ty {
            FieldType::Boolean => Ty::Bool,
            FieldType::Number { unit, .. } => Ty::Num(unit.clone()),
            FieldType::Choice(_) => Ty::Choice(ChoiceSet::Field(index)),
            FieldType::Timestamp => Ty::Time,
        };
        let expr = Expr::ItemField { list, list_slot: decl.slot, item, field: index, slot: field.slot };
        Some(Some((expr, ty)))
    }

    pub(super) fn quantifier(
        &mut self,
        kind: Quantifier,
        var: &ast::Name,
        list: &ast::Name,
        cond: Option<&ast::Expr>,
        span: Span,
    ) -> Option<Typed> {
        let (index, list_slot) = self.top_level_list(list)?;
        if self.items.len() >= usize::from(u8::MAX) {
            return self.error(
                Code::TooDeep,
                span,
                "quantifiers nested too deeply".into(),
                "split the condition with `define`".into(),
            );
        }
        if self.names.fields.contains_key(var.node.as_str()) || self.names.defines.contains_key(var.node.as_str()) {
            return self.error(
                Code::Duplicate,
                var.span,
                format!("`{}` is already an input or a definition", var.node),
                "choose another name for the item".into(),
            );
        }
        let cond = match cond {
            Some(c) => {
                self.items.push((var.node.clone(), index));
                let checked = self.condition(c, "the condition of a quantifier");
                self.items.pop();
                Some(Box::new(checked?))
            }
            None => None,
        };
        let expr = Expr::Quantifier { kind, list: index, list_slot, cond };
        let ty = if kind == Quantifier::Count { Ty::Num(Unit::none()) } else { Ty::Bool };
        Some((expr, ty))
    }

    /// The top-level list named `list`, with its slot in the document root; `None` when
    /// there is none (reported).
    pub(super) fn top_level_list(&mut self, list: &ast::Name) -> Option<(ListId, ListSlot)> {
        let Some(index) = position(&self.names.schema.lists, |l| l.path == list.node && l.list.is_none()) else {
            let hint = match did_you_mean(&list.node, self.names.schema.lists.iter().map(|l| l.path.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "name a declared top-level list".into(),
            };
            return self.error(Code::UnknownName, list.span, format!("no list named `{}`", list.node), hint);
        };
        Some((index, self.names.schema.list(index)?.slot))
    }

    /// Binds `name` to each item of the top-level list `list` while checking expressions,
    /// until [`Checker::pop_item`]; the list and its slot, or `None` (reported).
    pub fn push_item(&mut self, name: &ast::Name, list: &ast::Name) -> Option<(ListId, ListSlot)> {
        let (index, slot) = self.top_level_list(list)?;
        self.items.push((name.node.clone(), index));
        Some((index, slot))
    }

    /// Undoes the last [`Checker::push_item`].
    pub fn pop_item(&mut self) {
        self.items.pop();
    }
}
