//! Tauri-free application services shared by the desktop shell and the `scimx` CLI.
//!
//! Shells stay thin: a Tauri command or a CLI subcommand is a few lines that call into this crate, so
//! every behaviour can be tested without a window.

pub mod app_info;
pub mod error;

pub use app_info::AppInfo;
pub use error::{AppError, ErrorKind, ScimErrorInfo};
