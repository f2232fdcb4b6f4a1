//! libFuzzer entry for `path_parse`; what it checks is in `src/path_parse.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::path_parse::run(data));
