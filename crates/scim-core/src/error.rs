//! SCIM error bodies (RFC 7644 §3.12), read tolerantly: `status` as a string (the RFC) or a number
//! (Okta's docs), SCIM 1.1 `{"Errors":[…]}` bodies, and anything else kept as trimmed text.

use serde::Serialize;
use serde_json::Value;

use crate::names::get_ci;
use crate::warning::Warning;

/// RFC 7644 §3.12 table 9 `scimType` values, plus RFC 9865's cursor errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ScimType {
    InvalidFilter,
    TooMany,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidVers,
    Sensitive,
    InvalidCursor,
    ExpiredCursor,
    InvalidCount,
}

impl ScimType {
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
            ScimType::InvalidCursor => "invalidCursor",
            ScimType::ExpiredCursor => "expiredCursor",
            ScimType::InvalidCount => "invalidCount",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ScimType::InvalidFilter,
            ScimType::TooMany,
            ScimType::Uniqueness,
            ScimType::Mutability,
            ScimType::InvalidSyntax,
            ScimType::InvalidPath,
            ScimType::NoTarget,
            ScimType::InvalidValue,
            ScimType::InvalidVers,
            ScimType::Sensitive,
            ScimType::InvalidCursor,
            ScimType::ExpiredCursor,
            ScimType::InvalidCount,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// The HTTP status RFC 7644 pairs with this type.
    pub fn http_status(self) -> u16 {
        match self {
            ScimType::Uniqueness => 409,
            ScimType::Sensitive => 403,
            _ => 400,
        }
    }
}

/// What a server said about a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimErrorBody {
    /// The body's `status`, whichever way it was spelled. The HTTP status line wins when they differ.
    pub status: Option<u16>,
    /// The raw `scimType` string (kept even when we do not know it).
    pub scim_type: Option<String>,
    pub detail: Option<String>,
}

impl ScimErrorBody {
    /// Builds the body a server sends for an error (used by the demo server).
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        Self {
            status: Some(status),
            scim_type: scim_type.map(|t| t.as_str().to_owned()),
            detail: Some(detail.into()),
        }
    }

    pub fn known_type(&self) -> Option<ScimType> {
        self.scim_type.as_deref().and_then(ScimType::parse)
    }

    /// The RFC form, with `status` as a string (errata 6893).
    pub fn to_json(&self) -> Value {
        let mut obj = serde_json::Map::new();
        obj.insert("schemas".into(), Value::from(vec![crate::names::ERROR]));
        if let Some(s) = self.status {
            obj.insert("status".into(), Value::String(s.to_string()));
        }
        if let Some(t) = &self.scim_type {
            obj.insert("scimType".into(), Value::String(t.clone()));
        }
        if let Some(d) = &self.detail {
            obj.insert("detail".into(), Value::String(d.clone()));
        }
        Value::Object(obj)
    }

    /// Reads an error body. `None` when the JSON carries nothing that looks like an error, so the
    /// caller can fall back to showing the raw text.
    pub fn from_json(value: &Value) -> Option<(ScimErrorBody, Vec<Warning>)> {
        let obj = value.as_object()?;
        let mut warnings = Vec::new();
        // SCIM 1.1 (Salesforce and older servers): {"Errors":[{"description":…,"code":…}]}
        if let Some(Value::Array(errors)) = get_ci(obj, "Errors") {
            let first = errors.first().and_then(Value::as_object)?;
            warnings.push(Warning::new(
                "error.scim11",
                "the server answered with a SCIM 1.1 error body (`Errors`)",
            ));
            return Some((
                ScimErrorBody {
                    status: get_ci(first, "code").and_then(read_status),
                    scim_type: None,
                    detail: get_ci(first, "description")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                },
                warnings,
            ));
        }
        let status = match get_ci(obj, "status") {
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(v @ Value::Number(_)) => {
                warnings.push(Warning::new(
                    "error.statusNumber",
                    "the error's `status` is a number; RFC 7644 §3.12 makes it a string",
                ));
                read_status(v)
            }
            _ => None,
        };
        let scim_type = get_ci(obj, "scimType")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let detail = get_ci(obj, "detail")
            .or_else(|| get_ci(obj, "message"))
            .or_else(|| get_ci(obj, "error_description"))
            .or_else(|| get_ci(obj, "title"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if status.is_none() && scim_type.is_none() && detail.is_none() {
            return None;
        }
        let is_scim = get_ci(obj, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter().any(|u| {
                    u.as_str()
                        .is_some_and(|u| u.eq_ignore_ascii_case(crate::names::ERROR))
                })
            });
        if !is_scim {
            warnings.push(Warning::new(
                "error.notScim",
                "the error body is JSON but not a SCIM error (no Error schema)",
            ));
        }
        Some((
            ScimErrorBody {
                status,
                scim_type,
                detail,
            },
            warnings,
        ))
    }
}

fn read_status(v: &Value) -> Option<u16> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A raw body shortened for display: HTML proxy pages and stack traces can be megabytes long.
pub fn trim_body(body: &str, max_chars: usize) -> String {
    let collapsed: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max_chars {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(max_chars).collect();
    format!("{cut}…")
}

/// What a non-SCIM error body says, in a line: an HTML page (a proxy's, a framework's debug page)
/// by its title or first heading, anything else as trimmed text. Only the first 64 kB are looked at.
pub fn describe_body(bytes: &[u8], max_chars: usize) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let lower = head.to_ascii_lowercase();
    let start = lower.trim_start();
    let is_html = start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with("<head")
        || start.starts_with("<body")
        || (start.starts_with('<') && lower.contains("</html>"));
    if !is_html {
        return trim_body(&head, max_chars);
    }
    // `to_ascii_lowercase` keeps byte offsets, so positions in `lower` are positions in `head`.
    let element = |tag: &str| -> Option<String> {
        let open = lower.find(&format!("<{tag}"))?;
        let text_start = open + lower[open..].find('>')? + 1;
        let text_end = text_start + lower[text_start..].find(&format!("</{tag}"))?;
        let text = strip_tags(&head[text_start..text_end]);
        let text = trim_body(&decode_entities(&text), 120);
        (!text.is_empty()).then_some(text)
    };
    let size = bytes.len();
    match (element("title"), element("h1")) {
        (Some(title), _) => format!("an HTML page titled '{title}' ({size} bytes)"),
        (None, Some(heading)) => format!("an HTML page headed '{heading}' ({size} bytes)"),
        (None, None) => {
            let text = trim_body(&decode_entities(&strip_tags(&head)), 120);
            format!("an HTML page with no title ({size} bytes): {text}")
        }
    }
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn html_pages_are_described_by_their_title() {
        let page = format!(
            "<!DOCTYPE html>\n<html><head><TITLE>500 Internal Server Error &amp; more</TITLE></head><body>{}</body></html>",
            "<p>trace</p>".repeat(10_000)
        );
        let d = describe_body(page.as_bytes(), 300);
        assert!(
            d.starts_with("an HTML page titled '500 Internal Server Error & more' ("),
            "{d}"
        );
        assert!(d.len() < 200, "{d}");
        let d = describe_body(
            b"<html><body><h1>Bad <b>Gateway</b></h1></body></html>",
            300,
        );
        assert_eq!(d, "an HTML page headed 'Bad Gateway' (53 bytes)");
        assert_eq!(
            describe_body(b"  plain\n text ", 300),
            "plain text",
            "not HTML: trimmed text"
        );
        // Multi-byte characters around the cut and in the title.
        let d = describe_body("<html><title>Erreur « 名前 »</title>".as_bytes(), 300);
        assert!(d.contains("Erreur « 名前 »"), "{d}");
        assert!(describe_body(&[0xff, b'<', 0xfe], 10).len() < 20);
    }

    #[test]
    fn status_as_string_is_the_rfc_form() {
        let (e, w) = ScimErrorBody::from_json(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "409", "scimType": "uniqueness", "detail": "userName taken"
        }))
        .expect("error body");
        assert_eq!(e.status, Some(409));
        assert_eq!(e.known_type(), Some(ScimType::Uniqueness));
        assert!(w.is_empty());
    }

    #[test]
    fn status_as_number_is_accepted_with_a_warning() {
        let (e, w) = ScimErrorBody::from_json(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": 404, "detail": "not found"
        }))
        .expect("error body");
        assert_eq!(e.status, Some(404));
        assert_eq!(w[0].code, "error.statusNumber");
    }

    #[test]
    fn scim11_errors_are_read() {
        let (e, _) = ScimErrorBody::from_json(
            &json!({"Errors": [{"description": "bad startIndex", "code": 400}]}),
        )
        .expect("error body");
        assert_eq!(
            (e.status, e.detail.as_deref()),
            (Some(400), Some("bad startIndex"))
        );
    }

    #[test]
    fn unrelated_json_is_not_an_error() {
        assert!(ScimErrorBody::from_json(&json!({"Resources": []})).is_none());
    }

    #[test]
    fn long_bodies_are_trimmed() {
        let html = format!("<html>\n  <body>{}</body></html>", "x".repeat(1000));
        let t = trim_body(&html, 40);
        assert_eq!(t.chars().count(), 41);
        assert!(t.starts_with("<html> <body>"));
    }
}
