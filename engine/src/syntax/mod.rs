//! Syntax: the grammar, the layout that cuts a file into items, and the syntax tree.

pub mod ast;
pub mod layout;
pub mod parser;

pub use parser::parse;
