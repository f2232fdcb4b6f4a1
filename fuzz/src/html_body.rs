//! Any error body (HTML pages from proxies, stack traces, binary junk): described in one short line.

pub fn run(data: &[u8]) {
    let line = scim_core::error::describe_body(data, 300);
    assert!(line.chars().count() <= 600, "{} chars", line.chars().count());
}
