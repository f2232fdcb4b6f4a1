//! libFuzzer entry for `filter_parse`; what it checks is in `src/filter_parse.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::filter_parse::run(data));
