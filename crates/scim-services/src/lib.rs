//! Tauri-free application services shared by the desktop shell and the `scimx` CLI.
//!
//! Shells stay thin: a Tauri command or a CLI subcommand is a few lines that call into this crate, so
//! every behaviour can be tested without a window.

pub mod app_info;
pub mod cell_store;
pub mod change_log;
pub mod connection_form;
pub mod connections;
pub mod demo;
pub mod directory;
pub mod file_choices;
pub mod filter_check;
pub mod filter_tree;
pub mod find;
pub mod loaded;
pub mod members;
pub mod patch_paths;
pub mod presentation;
pub mod request_log;
pub mod resource_view;
pub mod secrets;
pub mod table;
pub mod take_snapshot;
pub mod tap;
pub mod view_settings;
pub mod write_masking;
pub mod writes;

// The crates below, under the names the shells have always used: the services are the shells' one
// door (`make layering` keeps the shells from reaching past it into the audit and conformance crates).
pub use scim_audit::{compare, reports, roles, snapshot};
pub use scim_base::{error, export, masking, parallel, private_files};
pub use scim_conformance::{scenarios, server_check};

pub use app_info::AppInfo;
pub use connection_form::{ConnectionInput, HeaderInput};
pub use connections::{AuthKind, Connection, Connections, ImportOutcome, TestReport};
pub use directory::{
    CapabilityBadge, Directory, DirectorySummary, GroupRow, IdentityKey, IdentityLine,
    ResourceDetail, RowsPage, RowsQuery, UserRow,
};
pub use error::{AppError, ErrorKind, ScimErrorInfo};
pub use filter_check::{check_filter, FilterCheck};
pub use loaded::{LoadProgress, LoadSummary};
pub use request_log::LogEntry;
pub use secrets::{Keychain, MemoryStore, SecretStore};
pub use table::{Column, ColumnKind, ColumnSource, RowsWindow, TableRow, WindowQuery};
pub use view_settings::ViewSettings;
