//! The parser of `syntax/grammar.pest`: the code pest generates from it, as
//! `#[derive(pest_derive::Parser)]` would, written by `engine/build.rs` with one change that
//! makes the WebAssembly module much smaller: each call of a generic combinator of pest's
//! `ParserState` (`rule`, `atomic`, `sequence`, `optional`, `repeat`, `lookahead`) with a
//! closure goes through one of the functions below, which take the closure as a function
//! pointer. Each combinator is then compiled once, not once per closure (some 600 copies, a
//! third of the module). The closures capture nothing, so the calls, their order and what
//! they return are the same: the same parse, pairs and errors.

#![allow(missing_docs)]

use pest::{Atomicity, ParseResult, ParserState};

/// The grammar of the rule language: `Grammar::parse(rule, text)` (`pest::Parser`).
pub struct Grammar;

/// pest's code (the `Rule` enum, the `Parser` impl and a function per rule), not linted, as
/// a derive's expansion is not.
mod generated {
    #![allow(clippy::all, dead_code)]
    use super::{outlined, Grammar};
    include!(concat!(env!("OUT_DIR"), "/grammar.rs"));
}
pub use generated::Rule;

/// The combinators, each compiled once (called by the generated code).
mod outlined {
    use super::{Atomicity, ParseResult, ParserState, Rule};

    type State<'i> = Box<ParserState<'i, Rule>>;
    type Step<'i> = fn(State<'i>) -> ParseResult<State<'i>>;

    #[inline(never)]
    pub(super) fn rule<'i>(state: State<'i>, rule: Rule, f: Step<'i>) -> ParseResult<State<'i>> {
        state.rule(rule, f)
    }

    #[inline(never)]
    pub(super) fn atomic<'i>(state: State<'i>, atomicity: Atomicity, f: Step<'i>) -> ParseResult<State<'i>> {
        state.atomic(atomicity, f)
    }

    #[inline(never)]
    pub(super) fn sequence<'i>(state: State<'i>, f: Step<'i>) -> ParseResult<State<'i>> {
        state.sequence(f)
    }

    #[inline(never)]
    pub(super) fn optional<'i>(state: State<'i>, f: Step<'i>) -> ParseResult<State<'i>> {
        state.optional(f)
    }

    #[inline(never)]
    pub(super) fn repeat<'i>(state: State<'i>, f: Step<'i>) -> ParseResult<State<'i>> {
        state.repeat(f)
    }

    #[inline(never)]
    pub(super) fn lookahead<'i>(state: State<'i>, positive: bool, f: Step<'i>) -> ParseResult<State<'i>> {
        state.lookahead(positive, f)
    }
}
