//! Documents built from the reference protocol's declarations, each input absent, in range,
//! at a boundary, out of range or of the wrong type: the engine gives the answer the generator
//! expects, the same answer twice, and never panics.
#![no_main]

use arbitrary::Unstructured;
use kap_fuzz::structured::Model;
use kap_fuzz::REFERENCE;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static MODEL: LazyLock<Model> = LazyLock::new(|| Model::new(&REFERENCE));

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if let Ok(doc) = MODEL.generate(&mut u) {
        MODEL.check(&REFERENCE, &doc);
    }
});
