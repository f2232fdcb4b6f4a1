//! libFuzzer entry for `html_body`; what it checks is in `src/html_body.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::html_body::run(data));
