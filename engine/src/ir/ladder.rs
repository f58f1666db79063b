//! Dose ladders: for each route, the dose at each level, its rounding, cap, hard limits and
//! infusion time.

use super::expr::{Expr, Value};
use super::{FieldId, FieldSlot, SourceId};
use crate::diagnostic::Span;
use rust_decimal::Decimal;

/// A dose ladder: for each route, the dose at each level.
#[derive(Debug, Clone)]
pub struct Ladder {
    /// Its name.
    pub name: String,
    /// The levels, in order (the choices of the levels input).
    pub levels: Vec<String>,
    /// The routes (the choices of the route input; without one, the ladder's name).
    pub routes: Vec<String>,
    /// The route input, a top-level field, and its slot in the document root; `None` when
    /// the ladder has one route and no `route` entry.
    pub route_input: Option<(FieldId, FieldSlot)>,
    /// The dosing weight, in kg, for per-kg doses.
    pub weight: Option<Expr>,
    /// For each route (by choice index), its steps.
    pub by_route: Vec<RouteSteps>,
    /// `allow above LEVEL when C`: the levels above this one (by choice index) are allowed
    /// only when the condition is true.
    pub allow_above: Option<(u16, Expr)>,
}

impl Ladder {
    /// The route of a document (a choice index of `routes`): the value in `root` of the
    /// route input, or the only route of a ladder without one; `Err(field)` when the input
    /// is absent, `Ok(None)` when its slot holds no choice.
    pub fn route_in(&self, root: &[Option<Value>]) -> Result<Option<u16>, FieldId> {
        let Some((field, slot)) = self.route_input else { return Ok(Some(0)) };
        match root.get(slot.index()) {
            Some(Some(Value::Choice(r))) => Ok(Some(*r)),
            Some(None) => Err(field),
            _ => Ok(None),
        }
    }
}

/// A route's doses.
#[derive(Debug, Clone, Default)]
pub struct RouteSteps {
    /// For each level (by choice index), its dose, if the route has that level.
    pub steps: Vec<Option<Step>>,
    /// Doses are rounded down to a multiple of this, in mg.
    pub round: Option<Decimal>,
    /// No dose above this (mg) is allowed.
    pub cap: Option<Expr>,
    /// Hard limits the checker proves no dose exceeds, with where each is written.
    pub limits: Vec<(Limit, Span)>,
    /// Given over this many minutes.
    pub infusion_minutes: Option<Decimal>,
}

/// The dose at one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// mg, or mg per kg of dosing weight.
    pub amount: Decimal,
    /// Whether `amount` is per kg.
    pub per_kg: bool,
    /// Cited sources.
    pub sources: Vec<SourceId>,
    /// Where it is written.
    pub span: Span,
}

/// A hard limit on a route's doses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Never above this many mg.
    Mg(Decimal),
    /// Never above this many mg per kg of dosing weight.
    MgPerKg(Decimal),
}
