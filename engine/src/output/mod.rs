//! From a decision made to what a person or a program reads: the output fields and the
//! explanation of every rule that fired or stayed undetermined.

pub(crate) mod explain;
pub(crate) mod outcome;
