//! Any error body (HTML pages from proxies, stack traces, binary junk): described in one short line.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = scim_core::error::describe_body(data, 300);
    assert!(line.chars().count() <= 600, "{} chars", line.chars().count());
});
