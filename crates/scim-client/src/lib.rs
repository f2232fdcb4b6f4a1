//! SCIM 2.0 HTTP client: moves bytes between SCIM servers and the protocol core, and maps failures to
//! typed errors. All protocol logic stays in `scim-core`.

mod body;
mod client;
mod discovery;
mod error;
pub mod forward;
mod load_all;
mod log;
mod oauth;
pub mod pacing;
mod secret;

pub use body::{DEFAULT_MAX_BODY_BYTES, TOKEN_MAX_BODY_BYTES};
pub use client::{
    percent_encode, retry_after_secs, Auth, ClientConfig, ListParams, ScimClient, ScimResponse,
};
pub use discovery::Discovery;
pub use error::{status_meaning, ClientError};
pub use load_all::{CancelFlag, LoadAll, LoadOptions, PageSink, Progress, DEFAULT_MAX_RESOURCES};
pub use log::{redact_body, redact_headers, redact_json, Exchange, RequestLog};
pub use oauth::ClientCredentials;
pub use pacing::{PacingConfig, PacingStats};
pub use reqwest::Method;
pub use secret::Secret;
