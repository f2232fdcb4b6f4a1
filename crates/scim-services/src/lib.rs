//! Tauri-free application services shared by the desktop shell and the `scimx` CLI.
//!
//! Shells stay thin: a Tauri command or a CLI subcommand is a few lines that call into this crate, so
//! every behaviour can be tested without a window.

pub mod app_info;
pub mod change_log;
pub mod compare;
pub mod connection_form;
pub mod connections;
mod convert;
pub mod directory;
mod directory_writes;
pub mod error;
pub mod export;
pub mod filter_check;
pub mod filter_tree;
pub mod loaded;
pub mod masking;
pub mod members;
pub mod parallel;
pub mod patch_paths;
pub mod presentation;
pub mod private_files;
pub mod reports;
pub mod request_log;
pub mod roles;
pub mod scenarios;
pub mod secrets;
pub mod server_check;
pub mod snapshot;
pub mod table;
pub mod view_settings;
pub mod write_masking;
pub mod writes;

pub use app_info::AppInfo;
pub use connection_form::{ConnectionInput, HeaderInput};
pub use connections::{AuthKind, Connection, Connections, ImportOutcome, TestReport};
pub use directory::{
    CapabilityBadge, Directory, DirectorySummary, GroupRow, ResourceDetail, RowsPage, RowsQuery,
    UserRow,
};
pub use error::{AppError, ErrorKind, ScimErrorInfo};
pub use filter_check::{check_filter, FilterCheck};
pub use loaded::{LoadProgress, LoadSummary};
pub use request_log::LogEntry;
pub use secrets::{Keychain, MemoryStore, SecretStore};
pub use table::{Column, ColumnKind, ColumnSource, RowsWindow, TableRow, WindowQuery};
pub use view_settings::ViewSettings;
