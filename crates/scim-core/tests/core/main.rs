//! scim-core's integration tests: RFC and provider fixtures (one behaviour each), error messages, and
//! the property laws (`parse(print(f)) == f`, `apply(a, diff(a, b)) == b`, undo).

mod diff;
mod filters;
mod laws;
mod messages;
mod oracle;
mod patches;
mod unicode;

use std::path::PathBuf;

use serde_json::Value;

/// Loads `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}
