//! libFuzzer entry for `raw_page`; what it checks is in `src/raw_page.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::raw_page::run(data));
