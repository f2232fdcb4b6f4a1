//! Deviations from the RFCs that we tolerated while reading a server's answer.
//!
//! Being tolerant must never mean being silent: every time the core accepts something a strict reader
//! would reject (a numeric `status`, a missing `totalResults`, a lowercase `resources`), it records a
//! [`Warning`] that the UI shows on the connection and the server check reports.

use serde::Serialize;

/// One tolerated deviation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// Stable, machine-readable identifier, e.g. `list.missingTotalResults`.
    pub code: &'static str,
    /// What was odd and what we did about it, in a sentence.
    pub message: String,
}

impl Warning {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Something read tolerantly, with the warnings collected on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Tolerant<T> {
    pub value: T,
    pub warnings: Vec<Warning>,
}
