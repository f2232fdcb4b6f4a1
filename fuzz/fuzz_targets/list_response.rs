//! libFuzzer entry for `list_response`; what it checks is in `src/list_response.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::list_response::run(data));
