//! Writes the parser of the rule language (`$OUT_DIR/grammar.rs`, included by
//! `src/syntax/parser/grammar.rs`): the code pest generates from `src/syntax/grammar.pest`, what
//! `#[derive(pest_derive::Parser)]` expands to, with each call of a generic combinator of
//! `ParserState` on a closure (`state.rule(Rule::x, |state| ...)`) made a call of the same
//! combinator compiled once (`outlined::rule(state, Rule::x, |state| ...)`, the closure passed
//! as a function pointer). Same parser, same pairs and errors; a WebAssembly module smaller by
//! a third of its parser (see scripts/web-build).

use std::error::Error;

/// The combinators of `ParserState` taken over, each called as `state . NAME (ARGS | state |`
/// in the generated code (ARGS: none, or simple arguments followed by a comma).
const COMBINATORS: [&str; 6] = ["rule", "atomic", "sequence", "optional", "repeat", "lookahead"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/syntax/grammar.pest");
    let input: proc_macro2::TokenStream = r#"#[grammar = "syntax/grammar.pest"] struct Grammar;"#.parse()?;
    let mut code = pest_generator::derive_parser(input, true).to_string();
    for name in COMBINATORS {
        let (rewritten, count) = outline(&code, name);
        if count == 0 {
            println!("cargo:warning=no call of `{name}` with a closure in pest's code: left as it is");
        }
        code = rewritten;
    }
    let out = std::path::Path::new(&std::env::var("OUT_DIR")?).join("grammar.rs");
    std::fs::write(out, code)?;
    Ok(())
}

/// `code` with each `state . NAME (ARGS | state |` made `super :: super :: outlined :: NAME
/// (state , ARGS | state |`, and how many. The generated functions are in `mod rules { mod
/// visible | hidden { ... } }` within the `Parser` impl, two modules below the one that
/// imports `outlined`. A call whose arguments hold a parenthesis is left as it is.
fn outline(code: &str, name: &str) -> (String, usize) {
    let call = format!("state . {name} (");
    let closure = "| state |";
    let mut out = String::with_capacity(code.len() + code.len() / 8);
    let mut count = 0;
    let mut rest = code;
    while let Some(at) = rest.find(&call) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let after = after.get(call.len()..).unwrap_or_default();
        match after.find(closure).and_then(|end| after.get(..end)).filter(|args| !args.contains(['(', ')'])) {
            Some(args) => {
                out.push_str(&format!("super :: super :: outlined :: {name} (state , {args}"));
                count += 1;
                rest = after.get(args.len()..).unwrap_or_default();
            }
            None => {
                out.push_str(&call);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, count)
}
