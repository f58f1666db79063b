//! Temporary driver.
#![allow(clippy::unwrap_used, missing_docs)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let src = std::fs::read_to_string(&args[1]).unwrap();
    match kap_engine::Protocol::compile(&src) {
        Ok(p) => {
            for w in p.warnings() {
                print!("{}", w.locate(&args[1], &src).render());
            }
            if let Some(doc) = args.get(2) {
                let text = std::fs::read_to_string(doc).unwrap();
                match p.evaluate_json(&text) {
                    Ok(out) => println!("{}", serde_json::to_string_pretty(&out).unwrap()),
                    Err(e) => println!("ERR {e}"),
                }
            }
        }
        Err(ds) => {
            for d in ds {
                print!("{}", d.locate(&args[1], &src).render());
            }
        }
    }
}
