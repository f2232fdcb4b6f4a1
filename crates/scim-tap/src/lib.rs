//! SCIM Tap: see what an identity provider really sends and what the application answered. A tap
//! ([`proxy`]) sits in front of a real application and forwards every request byte for byte while
//! recording it; an inbox ([`inbox`]) is the demo server listening for an IdP before any application
//! exists. Each exchange is explained by the core (sender, findings, PATCH in words) into a bounded
//! [`capture`], which exports as HAR 1.2 or JSON lines and is read back ([`har`]).

pub mod capture;
pub mod har;
pub mod inbox;
pub mod proxy;
pub mod replay;
mod token;

pub use capture::{Capture, TapExchange};
pub use inbox::{Inbox, InboxConfig};
pub use proxy::{RunningTap, TapConfig, TapError};
