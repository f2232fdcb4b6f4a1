//! The request log as the UI shows it: each exchange of the open directory's client with its
//! "copy as curl" command ready (secrets are already masked by the client, and the curl command
//! uses `$SCIM_TOKEN` placeholders), plus export to a file.

use serde::Serialize;
use specta::Type;

use scim_client::{Exchange, RequestLog};

use crate::error::AppError;

/// One exchange, for the request log screen.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub seq: u32,
    pub started_at_ms: f64,
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub duration_ms: u32,
    pub request_bytes: u32,
    pub response_bytes: u32,
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub response_body: Option<String>,
    pub attempt: u32,
    pub error: Option<String>,
    /// The request as a curl command, the token as `$SCIM_TOKEN`.
    pub curl: String,
}

fn clamp(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

impl From<&Exchange> for LogEntry {
    fn from(e: &Exchange) -> Self {
        Self {
            seq: clamp(e.seq),
            started_at_ms: e.started_at_ms as f64,
            method: e.method.clone(),
            url: e.url.clone(),
            status: e.status,
            duration_ms: clamp(e.duration_ms),
            request_bytes: clamp(e.request_bytes),
            response_bytes: clamp(e.response_bytes),
            request_headers: e.request_headers.clone(),
            response_headers: e.response_headers.clone(),
            request_body: e.request_body.clone(),
            response_body: e.response_body.clone(),
            attempt: e.attempt,
            error: e.error.clone(),
            curl: e.to_curl(),
        }
    }
}

/// The entries after `after_seq` (the UI polls with the last one it has), newest last.
pub fn entries_after(log: &RequestLog, after_seq: u32) -> Vec<LogEntry> {
    log.entries()
        .iter()
        .filter(|e| e.seq > u64::from(after_seq))
        .map(LogEntry::from)
        .collect()
}

/// The latest exchange that failed (no answer, or an error status), for an error to point at.
pub fn last_failed(log: &RequestLog) -> Option<crate::error::FailedRequest> {
    log.entries()
        .iter()
        .rev()
        .find(|e| e.error.is_some() || e.status.is_some_and(|s| s >= 400))
        .map(|e| crate::error::FailedRequest {
            method: e.method.clone(),
            url: e.url.clone(),
            seq: e.seq.min(u64::from(u32::MAX)) as u32,
        })
}

/// Writes the whole log as JSON to `path` (already free of secrets); returns the path.
pub fn export(log: &RequestLog, path: &str) -> Result<String, AppError> {
    crate::export::write_file(path, (log.export_json() + "\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_carry_curl_without_the_token_and_page_by_sequence() {
        let dir = crate::Directory::open_demo(20).await.expect("demo");
        let log = dir.request_log();
        let all = entries_after(log, 0);
        assert!(all.len() >= 3, "discovery requests are logged");
        assert!(all.iter().all(|e| e.curl.starts_with("curl -X GET")));
        let last = all.last().map(|e| e.seq).unwrap_or(0);
        assert!(entries_after(log, last).is_empty());
        let file = tempfile::NamedTempFile::new().expect("temp");
        let path = file.path().to_str().expect("utf-8").to_owned();
        export(log, &path).expect("export");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("ServiceProviderConfig"));
    }
}
