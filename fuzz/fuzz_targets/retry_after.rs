//! libFuzzer entry for `retry_after`; what it checks is in `src/retry_after.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::retry_after::run(data));
