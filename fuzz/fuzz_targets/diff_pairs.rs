//! libFuzzer entry for `diff_pairs`; what it checks is in `src/diff_pairs.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::diff_pairs::run(data));
