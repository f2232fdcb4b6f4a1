//! libFuzzer entry for `stored_files`; what it checks is in `src/stored_files.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::stored_files::run(data));
