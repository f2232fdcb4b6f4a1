//! libFuzzer entry for `patch_apply`; what it checks is in `src/patch_apply.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::patch_apply::run(data));
