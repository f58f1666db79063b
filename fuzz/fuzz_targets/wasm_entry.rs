//! The WebAssembly crate's Rust side on arbitrary rule text and documents. The input is the
//! rule source, a NUL byte, then the document (`{}` without a NUL).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (rules, document) = kap_fuzz::split_rules_and_document(&text);
    kap_fuzz::wasm_entry(rules, document);
});
