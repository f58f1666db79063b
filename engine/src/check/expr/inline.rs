//! Definition inlining: constants checked once, definitions with parameters expanded at each
//! use, with limits on size and on cycles.

use super::*;

impl<'a, 'd> Checker<'a, 'd> {
    /// A definition without parameters: checked once, then reused.
    pub(super) fn constant(&mut self, name: &str, span: Span) -> Option<Typed> {
        self.used.insert(name.to_string());
        if let Some(done) = self.constants.get(name) {
            return done.clone();
        }
        let d = *self.names.defines.get(name)?;
        self.may_inline(name, span, || definition_cycle(name))?;
        let result = self.inline(name, None, &d.body, span);
        self.constants.insert(name.to_string(), result.clone());
        result
    }

    /// Refuses an expanded definition that grew past [`MAX_NODES`].
    pub(super) fn small_enough(&mut self, typed: Typed, span: Span) -> Option<Typed> {
        let (depth, nodes) = measure(&typed.0);
        if depth > MAX_EVAL_DEPTH || nodes > MAX_NODES {
            return self.error(Code::TooLarge, span, format!("expanded, this definition is {nodes} operations, {depth} deep; kap accepts {MAX_NODES}, {MAX_EVAL_DEPTH} deep"), "simplify the definitions it uses".into());
        }
        Some(typed)
    }

    /// Refuses to expand `key` inside itself, or deeper than [`MAX_INLINE`] expansions.
    pub(super) fn may_inline(&mut self, key: &str, span: Span, cycle: impl FnOnce() -> (String, String)) -> Option<()> {
        if self.calling.iter().any(|c| c == key) {
            let (message, hint) = cycle();
            return self.error(Code::Cycle, span, message, hint);
        }
        if self.calling.len() >= MAX_INLINE {
            return self.error(
                Code::TooDeep,
                span,
                "definitions call each other too deeply".into(),
                "flatten the chain of definitions".into(),
            );
        }
        Some(())
    }

    /// Checks `body` in place of its use at `span` (a definition, an alert read by
    /// `raised`): in a scope of its own, where the caller's parameters and bound items are
    /// not visible, with `params` as its parameters. Errors inside it name the use.
    pub(super) fn inline(
        &mut self,
        key: &str,
        params: Option<IndexMap<String, Typed>>,
        body: &ast::Expr,
        span: Span,
    ) -> Option<Typed> {
        let saved_frames = std::mem::take(&mut self.frames);
        self.frames.extend(params);
        let saved_items = std::mem::take(&mut self.items);
        self.calling.push(key.to_string());
        self.call_sites.push((key.to_string(), span));
        let result = self.expr(body);
        self.call_sites.pop();
        self.calling.pop();
        self.items = saved_items;
        self.frames = saved_frames;
        result.and_then(|r| self.small_enough(r, span))
    }
}

/// The message and hint of a definition that uses itself.
pub(super) fn definition_cycle(name: &str) -> (String, String) {
    (
        format!("definition `{name}` refers to itself"),
        "a definition cannot use itself, directly or through others".into(),
    )
}
