//! Audits of a directory, with no network: snapshots (the file format), comparisons of two
//! directories, membership reports and role-group classification. The services feed them live or
//! saved data; the exports they write carry their provenance.

pub mod compare;
pub mod reports;
pub mod roles;
pub mod snapshot;
