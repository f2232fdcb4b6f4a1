//! The floor of SCIM Explorer's app crates: the error the UI and the CLI show ([`AppError`]), private
//! files written atomically, exports (CSV cells, files), the presentation-mode masking rules, and a
//! few helpers every crate above needs. No screen, no server: only what is shared.

mod convert;
pub mod error;
pub mod export;
pub mod masking;
pub mod parallel;
pub mod paths;
pub mod private_files;
pub mod time;

pub use error::{AppError, ErrorKind, ScimErrorInfo};
