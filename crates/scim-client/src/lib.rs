//! SCIM 2.0 HTTP client: moves bytes between SCIM servers and the protocol core, and maps failures to
//! typed errors. All protocol logic stays in `scim-core`.
