//! Whether a SCIM server does what RFC 7644 says: the server check (probes and their verdicts, a
//! report a consultant can hand to a vendor) and the provisioning scenarios an identity provider
//! would play (joiner, mover, leaver), step by step.

pub mod scenarios;
pub mod server_check;
