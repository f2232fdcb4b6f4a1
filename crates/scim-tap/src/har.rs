//! A capture as a file: HAR 1.2 (what browsers' devtools and API clients read) and JSON lines, and a
//! HAR read back — ours, or any other tool's — to browse it offline. Our own fields ride in `_scimx`
//! (HAR's place for custom fields). Reading is bounded: the caller caps the file's size, and entries
//! past [`MAX_ENTRIES`] are left out, said so.

use serde_json::{json, Value};

use crate::capture::{Capture, Raw, TapExchange};

/// The most entries read from one HAR.
pub const MAX_ENTRIES: usize = 100_000;

fn headers_json(headers: &[(String, String)]) -> Value {
    Value::Array(
        headers
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
    )
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn query_json(query: Option<&str>) -> Value {
    Value::Array(
        query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
                json!({"name": n, "value": v})
            })
            .collect(),
    )
}

/// The capture as a HAR 1.2 document. `origin` is the scheme and host the requests were sent to
/// (`http://127.0.0.1:8443`), since HAR URLs are absolute.
pub fn to_har(exchanges: &[TapExchange], origin: &str) -> Value {
    let entries: Vec<Value> = exchanges
        .iter()
        .map(|e| {
            let url = match &e.query {
                Some(q) => format!("{origin}{}?{q}", e.path),
                None => format!("{origin}{}", e.path),
            };
            let mut request = json!({
                "method": e.method,
                "url": url,
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": headers_json(&e.request_headers),
                "queryString": query_json(e.query.as_deref()),
                "headersSize": -1,
                "bodySize": e.request_bytes,
            });
            if let Some(text) = &e.request_body {
                request["postData"] = json!({
                    "mimeType": header(&e.request_headers, "content-type").unwrap_or(""),
                    "text": text,
                });
            }
            let mut content = json!({
                "size": e.response_bytes,
                "mimeType": header(&e.response_headers, "content-type").unwrap_or(""),
            });
            if let Some(text) = &e.response_body {
                content["text"] = Value::String(text.clone());
            }
            json!({
                "startedDateTime": scim_core::datetime::format_epoch_ms(e.started_at_ms as i64, true),
                "time": e.duration_ms,
                "request": request,
                "response": {
                    "status": e.status.unwrap_or(0),
                    "statusText": e.status.and_then(|s| axum::http::StatusCode::from_u16(s).ok()).and_then(|s| s.canonical_reason()).unwrap_or(""),
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": headers_json(&e.response_headers),
                    "content": content,
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": e.response_bytes,
                },
                "cache": {},
                "timings": {"send": 0, "wait": e.duration_ms, "receive": 0},
                "_scimx": {
                    "sender": e.sender,
                    "words": e.words,
                    "findings": e.findings,
                    "error": e.error,
                },
            })
        })
        .collect();
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "SCIM Explorer", "version": env!("CARGO_PKG_VERSION")},
        "comment": "Captured by SCIM Tap. Secrets (Authorization, tokens, passwords) were masked before recording; bodies over 64 KB are cut.",
        "entries": entries,
    }})
}

/// The capture as JSON lines: one exchange per line, in order.
pub fn to_json_lines(exchanges: &[TapExchange]) -> String {
    let mut out = String::new();
    for e in exchanges {
        if let Ok(line) = serde_json::to_string(e) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The known SCIM endpoints: where the base path ends in a URL that does not say.
const ENDPOINTS: &[&str] = &[
    "Users",
    "Groups",
    "Roles",
    "ServiceProviderConfig",
    "ResourceTypes",
    "Schemas",
    "Bulk",
    ".search",
    "Me",
];

/// `(base path, path after it)` of a SCIM URL path, split before the first known endpoint.
pub fn split_base(path: &str) -> (&str, &str) {
    let mut offset: usize = 0;
    for segment in path.split('/') {
        if ENDPOINTS.iter().any(|e| e.eq_ignore_ascii_case(segment)) {
            return (
                &path[..offset.saturating_sub(1)],
                &path[offset.saturating_sub(1)..],
            );
        }
        offset += segment.len() + 1;
    }
    (path, "/")
}

/// What a HAR held, read back.
#[derive(Debug)]
pub struct Imported {
    pub capture: Capture,
    /// Entries left out (past [`MAX_ENTRIES`], or not an HTTP exchange), said to the user.
    pub skipped: usize,
    /// The base URL the first entry was sent to (origin and SCIM base path), when it says.
    pub base_url: Option<String>,
}

/// Reads a HAR (ours or another tool's) into a capture, explained afresh by the core.
pub fn from_har(text: &str) -> Result<Imported, String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("not a HAR file (not JSON: {e})"))?;
    let entries = doc
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .ok_or("not a HAR file: no log.entries")?;
    let capture = Capture::new(entries.len().clamp(1, MAX_ENTRIES));
    let mut skipped = entries.len().saturating_sub(MAX_ENTRIES);
    for entry in entries.iter().take(MAX_ENTRIES) {
        if read_entry(entry, &capture).is_none() {
            skipped += 1;
        }
    }
    let base_url = entries
        .iter()
        .find_map(|e| e.pointer("/request/url").and_then(Value::as_str))
        .and_then(|url| {
            let (scheme, rest) = url.split_once("://")?;
            let slash = rest.find('/').unwrap_or(rest.len());
            let path = rest[slash..].split('?').next().unwrap_or("");
            Some(format!(
                "{scheme}://{}{}",
                &rest[..slash],
                split_base(path).0
            ))
        });
    Ok(Imported {
        capture,
        skipped,
        base_url,
    })
}

fn pairs(v: Option<&Value>) -> Vec<(String, Vec<u8>)> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|h| {
                    Some((
                        h.get("name")?.as_str()?.to_owned(),
                        h.get("value")?.as_str()?.as_bytes().to_vec(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn read_entry(entry: &Value, capture: &Capture) -> Option<()> {
    let request = entry.get("request")?;
    let response = entry.get("response");
    let method = request.get("method")?.as_str()?;
    let url = request.get("url")?.as_str()?;
    // Absolute in HAR: keep what follows the authority.
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_and_query = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let (_, relative) = split_base(path);
    let request_body = request
        .pointer("/postData/text")
        .and_then(Value::as_str)
        .unwrap_or("");
    let response_body = response
        .and_then(|r| r.pointer("/content/text"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let status = response
        .and_then(|r| r.get("status"))
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| *s > 0);
    let started_at_ms = entry
        .get("startedDateTime")
        .and_then(Value::as_str)
        .and_then(scim_core::datetime::parse_datetime)
        .map_or(0, |(secs, nanos)| {
            (secs * 1000 + i64::from(nanos / 1_000_000)).max(0) as u64
        });
    let error = entry
        .pointer("/_scimx/error")
        .and_then(Value::as_str)
        .map(str::to_owned);
    capture.record(Raw {
        started_at_ms,
        duration_ms: entry
            .get("time")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            .max(0.0) as u64,
        method,
        path,
        query,
        relative_path: relative,
        request_headers: &pairs(request.get("headers")),
        request_body: request_body.as_bytes(),
        status,
        response_headers: &pairs(response.and_then(|r| r.get("headers"))),
        response_body: response_body.as_bytes(),
        error,
    });
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_path_ends_before_the_first_scim_endpoint() {
        assert_eq!(split_base("/scim/v2/Users/42"), ("/scim/v2", "/Users/42"));
        assert_eq!(split_base("/Users"), ("", "/Users"));
        assert_eq!(split_base("/api/scim/groups"), ("/api/scim", "/groups"));
        assert_eq!(split_base("/nothing/here"), ("/nothing/here", "/"));
    }

    #[test]
    fn hostile_hars_are_refused_or_read_in_part_never_a_panic() {
        assert!(from_har("<html>").unwrap_err().contains("not JSON"));
        assert!(from_har("{}").unwrap_err().contains("log.entries"));
        let odd = r#"{"log":{"entries":[{"request":{"method":"GET","url":"::"}},{"nope":1},
            {"request":{"method":"GET","url":"http://h/v2/Users?filter=%zz"},"response":{"status":99999}}]}}"#;
        let read = from_har(odd).unwrap();
        assert_eq!(read.skipped, 1);
        assert_eq!(read.capture.len(), 2);
        assert_eq!(
            read.capture.exchanges()[1].status,
            None,
            "a status past u16 is no status"
        );
    }
}
