//! The static analyses of a compiled program, run once the checker found no error: the dose
//! proof of its ladders ([`dose_safety`]) and the bound on the cost of one evaluation
//! ([`cost`]). They read the program, and the dose proof evaluates its expressions on
//! documents it builds.

pub mod cost;
pub mod dose_safety;
