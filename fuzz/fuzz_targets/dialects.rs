//! libFuzzer entry for `dialects`; what it checks is in `src/dialects.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::dialects::run(data));
