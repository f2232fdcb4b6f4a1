//! SCIM 2.0 protocol core (RFC 7643 / RFC 7644): the pure, I/O-free model every other crate builds on.
//!
//! Nothing here performs I/O or depends on an async runtime, so the same code runs in the desktop app,
//! the `scimx` CLI, the demo server, tests and fuzz targets.

pub mod datetime;
pub mod diff;
pub mod error;
pub mod filter;
pub mod identity;
pub mod kind;
pub mod messages;
pub mod names;
pub mod patch;
pub mod raw_list;
pub mod resource;
pub mod schema;
pub mod secrets;
pub mod traffic;
pub mod warning;

pub use kind::ResourceKind;
pub use resource::Resource;
pub use warning::{Tolerant, Warning};

/// The version of this crate, shown in the app's About panel and written into snapshots.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
