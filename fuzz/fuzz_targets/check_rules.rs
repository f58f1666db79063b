//! Arbitrary text as a rule file: `check` and `compile` never panic and agree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kap_fuzz::check_rules(&String::from_utf8_lossy(data));
});
