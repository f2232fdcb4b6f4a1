//! libFuzzer entry for `curl_quote`; what it checks is in `src/curl_quote.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::curl_quote::run(data));
