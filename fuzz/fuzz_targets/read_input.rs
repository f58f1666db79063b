//! Arbitrary bytes as a document of the reference protocol: read, validated and evaluated
//! without a panic; a refusal is a well-formed input error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kap_fuzz::read_input(&String::from_utf8_lossy(data));
});
