//! Evaluation: the compiled program, the Kleene evaluator and decisions.

pub mod decide;
pub mod kleene;
pub mod ladder;
pub(crate) mod quick;
pub(crate) mod truths;
