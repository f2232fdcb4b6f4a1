//! The one error type that crosses the IPC boundary and the CLI's output.
//!
//! A bare string would leave the UI unable to tell "wrong token" from "server down", so every failure
//! carries a machine-readable [`ErrorKind`], a human message a person can act on, and — when a SCIM
//! server answered — the HTTP status and the RFC 7644 §3.12 `scimType` / `detail` it sent.

use serde::Serialize;
use specta::Type;

/// What went wrong, coarsely enough for the UI to choose an icon, a wording and an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The input the user gave cannot be used (bad URL, bad filter, missing field).
    InvalidInput,
    /// No answer from the server: DNS, TCP, TLS, timeout.
    Network,
    /// The server answered with an error status (see [`AppError::scim`]).
    Server,
    /// 401 or 403: the credentials are wrong, expired or lack a permission.
    Auth,
    /// The OS keychain is missing, locked or refused access.
    Keychain,
    /// A local file (connections, snapshots) could not be read or written.
    Storage,
    /// The user cancelled the operation.
    Cancelled,
    /// A bug: something this app should have handled.
    Internal,
}

/// What a SCIM server said about a failure (RFC 7644 §3.12), kept apart from our own message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScimErrorInfo {
    /// The HTTP status line's code: it wins over the body's `status` when they disagree.
    pub http_status: Option<u16>,
    /// RFC 7644 §3.12 `scimType`, e.g. `invalidFilter`, `uniqueness`, `noTarget`.
    pub scim_type: Option<String>,
    /// The server's `detail`, or a trimmed raw body when the server sent no SCIM error.
    pub detail: Option<String>,
}

/// A failure as the UI and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    /// One or two sentences a person can act on. Never contains a secret.
    pub message: String,
    /// Present when a SCIM server answered with an error.
    pub scim: Option<ScimErrorInfo>,
    /// The request that failed, when one did: what the error state shows, and where "Show request"
    /// goes in the request log.
    #[serde(default)]
    pub request: Option<Box<FailedRequest>>,
}

/// A request that failed, as the request log recorded it (secrets masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FailedRequest {
    pub method: String,
    pub url: String,
    /// Its number in the request log.
    pub seq: u32,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            scim: None,
            request: None,
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    #[must_use]
    pub fn with_scim(mut self, scim: ScimErrorInfo) -> Self {
        self.scim = Some(scim);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_a_tagged_value_not_a_string() {
        let err = AppError::new(ErrorKind::Server, "The server rejected the filter.").with_scim(
            ScimErrorInfo {
                http_status: Some(400),
                scim_type: Some("invalidFilter".into()),
                detail: Some("unknown attribute".into()),
            },
        );
        let json = serde_json::to_value(&err).expect("serializable");
        assert_eq!(json["kind"], "server");
        assert_eq!(json["scim"]["httpStatus"], 400);
        assert_eq!(json["scim"]["scimType"], "invalidFilter");
        assert_eq!(err.to_string(), "The server rejected the filter.");
    }
}
