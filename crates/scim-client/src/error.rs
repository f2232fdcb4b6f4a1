//! Client failures, typed: what the UI needs to tell "cannot connect" from "wrong token" from "the
//! server rejected the filter" from "the server sent an HTML page".

use scim_core::error::ScimErrorBody;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The base URL or another input cannot be used.
    #[error("{0}")]
    InvalidInput(String),
    /// No HTTP answer: DNS, connection refused, TLS, timeout.
    #[error("could not reach {url}: {message}")]
    Network {
        url: String,
        message: String,
        timeout: bool,
    },
    /// The server answered with an error status. `scim` is its SCIM error body when it sent one;
    /// otherwise `body` holds a trimmed excerpt of what it sent (an HTML proxy page, say).
    #[error("{}", describe_http(*status, scim.as_ref(), body.as_deref()))]
    Http {
        status: u16,
        scim: Option<ScimErrorBody>,
        body: Option<String>,
        /// `Retry-After` in seconds, when the server said how long to wait.
        retry_after: Option<u64>,
    },
    /// A 2xx answer whose body is not what SCIM promises (not JSON, not a ListResponse…).
    #[error("the server's answer could not be read: {0}")]
    Decode(String),
    /// An answer larger than the client reads (`max_body_bytes`): announced by `Content-Length`, or
    /// still growing past the cap while it streamed (an endless body).
    #[error("{}", describe_too_large(url, *limit, *seen, *announced))]
    TooLarge {
        url: String,
        limit: u64,
        seen: u64,
        announced: bool,
    },
    /// A load reached the most resources it may hold ([`crate::LoadOptions::max_resources`]).
    #[error("{}", describe_cap(*cap, *announced))]
    ResourceCap {
        cap: usize,
        announced: Option<usize>,
    },
    /// Stopped by the user.
    #[error("cancelled")]
    Cancelled,
    /// A streaming load's pages could not be written where they were going (a closed pipe, a full
    /// disk): the load stopped there.
    #[error("the output could not be written: {0}")]
    Output(String),
}

fn describe_cap(cap: usize, announced: Option<usize>) -> String {
    match announced {
        Some(t) if t > cap => format!("stopped after {cap} resources, the connection's cap (the server announces {t}); Resume loads more"),
        _ => format!("stopped after {cap} resources, the connection's cap; Resume loads more"),
    }
}

fn describe_too_large(url: &str, limit: u64, seen: u64, announced: bool) -> String {
    let limit = crate::body::size(limit);
    if announced {
        format!(
            "{url} announced an answer of {} (Content-Length), more than the {limit} read at most; nothing was read",
            crate::body::size(seen)
        )
    } else {
        format!("{url} sent more than the {limit} read at most; the read was stopped there")
    }
}

/// What an HTTP error status means for the user, in words.
pub fn status_meaning(status: u16) -> &'static str {
    match status {
        400 => "the request was rejected",
        401 => "the token was refused (401): check or replace it",
        403 => "access denied (403): the token lacks a permission, or SCIM is disabled",
        404 => "not found (404)",
        409 => "conflict (409)",
        412 => "the resource changed on the server since you loaded it (412)",
        413 => "the request is too large for the server (413)",
        429 => "the server is rate limiting (429)",
        500..=599 => "the server failed",
        _ => "the server returned an error",
    }
}

fn describe_http(status: u16, scim: Option<&ScimErrorBody>, body: Option<&str>) -> String {
    let meaning = status_meaning(status);
    let mut out = format!("HTTP {status}: {meaning}");
    if let Some(scim) = scim {
        if let Some(t) = &scim.scim_type {
            out.push_str(&format!(" [{t}]"));
        }
        if let Some(d) = &scim.detail {
            out.push_str(&format!(" — {d}"));
        }
    } else if let Some(b) = body.filter(|b| !b.is_empty()) {
        out.push_str(&format!(" — the server sent: {b}"));
    }
    out
}

impl ClientError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}
