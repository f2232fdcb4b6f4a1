//! Cross-crate integration tests: the crates working together through their public APIs.
