//! Reading provisioning traffic that someone else sent (the tap): which identity provider sent a
//! request ([`idp`]), what it or the application's answer does that RFC 7643/7644 does not
//! ([`findings`]), and a PATCH in words ([`words`]). Pure: the tap hands in what it saw.

pub mod findings;
pub mod idp;
pub mod words;

use serde_json::Value;

/// One request as seen on the wire, relative to the SCIM base path (`/Users/42`).
#[derive(Debug, Clone, Copy)]
pub struct SeenRequest<'a> {
    pub method: &'a str,
    /// The path after the base path, starting with `/`.
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub content_type: Option<&'a str>,
    /// The body, when it was JSON.
    pub body: Option<&'a Value>,
    /// The body was present but not JSON.
    pub body_unreadable: bool,
}

/// The answer to it.
#[derive(Debug, Clone, Copy)]
pub struct SeenAnswer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub body: Option<&'a Value>,
    pub body_len: usize,
}

/// The resource endpoint a path names (`Users`, `Groups`…) and the id after it, if any.
pub fn endpoint_of(path: &str) -> (Option<&str>, Option<&str>) {
    let mut parts = path
        .trim_start_matches('/')
        .split('/')
        .filter(|p| !p.is_empty());
    let endpoint = parts.next();
    let id = parts.next();
    (endpoint, id)
}
