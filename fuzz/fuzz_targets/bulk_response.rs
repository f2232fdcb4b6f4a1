//! libFuzzer entry for `bulk_response`; what it checks is in `src/bulk_response.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::bulk_response::run(data));
