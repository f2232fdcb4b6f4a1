//! libFuzzer entry for `datetime`; what it checks is in `src/datetime.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::datetime::run(data));
