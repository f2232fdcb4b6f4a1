//! libFuzzer entry for `secrets_mask`; what it checks is in `src/secrets_mask.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::secrets_mask::run(data));
