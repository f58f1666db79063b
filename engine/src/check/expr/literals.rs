//! Constants written in the rule file: numbers with their units, texts and lists of constants,
//! the last two interned so that the compiled program refers to them by index.

use super::*;

impl<'a, 'd> Checker<'a, 'd> {
    /// A number, in the unit written after it or without unit.
    pub(super) fn quantity(&mut self, value: Decimal, unit: Option<&ast::Name>) -> Option<Typed> {
        let unit = match unit {
            Some(u) => crate::check::inputs::unit(u, self.diagnostics)?,
            None => Unit::none(),
        };
        Some((Expr::Const(Value::Num(value)), Ty::Num(unit)))
    }

    /// `[a, b, c]`: constants of one type.
    pub(super) fn list(&mut self, items: &[ast::Expr]) -> Option<Typed> {
        let mut values = Vec::new();
        let mut elem: Option<Ty> = None;
        for item in items {
            let (x, ty) = self.expr(item)?;
            let Expr::Const(v) = x else {
                return self.error(
                    Code::Type,
                    item.span,
                    "a list holds constants".into(),
                    "write numbers or texts, such as `[20, 40, 60]`".into(),
                );
            };
            if let Some(t) = &elem {
                if *t != ty {
                    let (a, b) = (self.describe(&ty), self.describe(t));
                    return self.error(
                        Code::Type,
                        item.span,
                        format!("this is {a}, the list's first item {b}"),
                        "every item of a list has the same type".into(),
                    );
                }
            }
            elem = Some(ty);
            values.push(v);
        }
        let index = u32::try_from(self.lists.len()).ok()?;
        self.lists.push(values);
        Some((Expr::Const(Value::List(index)), Ty::List(Box::new(elem.unwrap_or(Ty::Num(Unit::none()))))))
    }

    /// A text, interned: the same text is one index.
    pub(super) fn text(&mut self, text: &str) -> Option<Typed> {
        let index = match self.texts.iter().position(|t| t == text) {
            Some(i) => i,
            None => {
                self.texts.push(text.to_string());
                self.texts.len() - 1
            }
        };
        Some((Expr::Const(Value::Text(u32::try_from(index).ok()?)), Ty::Text))
    }
}
