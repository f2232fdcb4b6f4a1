//! The request log: every exchange with a server (method, URL, status, timing, sizes, headers and
//! bodies) so a user can see exactly what was sent and what came back — with secrets masked before
//! anything is stored, so the log can be shown, exported and shared.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use scim_core::secrets::SecretAttributes;
use serde::Serialize;
use serde_json::Value;

/// Bodies are kept up to this size; a 10 MB page is summarised, not stored whole.
const MAX_BODY_CHARS: usize = 64 * 1024;
const MASK: &str = "••••••";

/// One HTTP exchange (one attempt: a retried request appears once per attempt).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    pub seq: u64,
    /// Milliseconds since the Unix epoch when the request started.
    pub started_at_ms: u64,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub duration_ms: u64,
    pub request_bytes: usize,
    pub response_bytes: usize,
    /// 1 for the first try, 2.. for retries.
    pub attempt: u32,
    /// Why no answer came (network failure), if none did.
    pub error: Option<String>,
}

impl Exchange {
    /// The request as a `curl` command to replay or share. Masked secrets become shell variables
    /// (`$SCIM_TOKEN`, `$SECRET`), so the command never carries a secret and runs once they are set.
    pub fn to_curl(&self) -> String {
        // A method is a token that may hold `$` or `'`: bare only when it is plain letters.
        let method = if self.method.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.method.clone()
        } else {
            shell_quote(&self.method)
        };
        let mut out = format!("curl -X {method} {}", shell_quote(&self.url));
        for (name, value) in &self.request_headers {
            let var = if name.eq_ignore_ascii_case("authorization") && value.ends_with(MASK) {
                "SCIM_TOKEN"
            } else {
                "SECRET"
            };
            out.push_str(" -H ");
            out.push_str(&quote_with_var(&format!("{name}: {value}"), var));
        }
        if let Some(body) = &self.request_body {
            out.push_str(&format!(" --data-raw {}", shell_quote(body)));
        }
        out
    }
}

/// `s` in single quotes, the one quoting in which a POSIX shell expands nothing (`$(…)`, backticks,
/// `$VAR`, `!`): the server chose some of these bytes (an ETag, a URL), so none may run.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` single-quoted, with each masked secret replaced by `"$VAR"` outside the quotes: the only part
/// of the command a shell expands is the placeholder the user sets.
fn quote_with_var(s: &str, var: &str) -> String {
    s.split(MASK)
        .map(shell_quote)
        .collect::<Vec<_>>()
        .join(&format!("\"${var}\""))
}

/// A bounded, shareable log of the latest exchanges.
#[derive(Debug, Clone)]
pub struct RequestLog {
    inner: Arc<Mutex<(u64, VecDeque<Exchange>)>>,
    capacity: usize,
    /// What is masked in bodies: `password` until discovery says which attributes are secret.
    secrets: Arc<Mutex<SecretAttributes>>,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::new(500)
    }
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new((0, VecDeque::new()))),
            capacity: capacity.max(1),
            secrets: Arc::new(Mutex::new(SecretAttributes::default())),
        }
    }

    /// The attributes masked in bodies from now on (from the server's schemas, after discovery).
    pub fn set_secret_attributes(&self, secrets: SecretAttributes) {
        *self.secrets.lock().unwrap_or_else(|p| p.into_inner()) = secrets;
    }

    pub fn secret_attributes(&self) -> SecretAttributes {
        self.secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Records an exchange (already redacted by [`redact_headers`] / [`redact_body`]).
    pub fn push(&self, mut exchange: Exchange) {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard.0 += 1;
        exchange.seq = guard.0;
        if guard.1.len() == self.capacity {
            guard.1.pop_front();
        }
        guard.1.push_back(exchange);
    }

    /// The exchanges, oldest first.
    pub fn entries(&self) -> Vec<Exchange> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard.1.iter().cloned().collect()
    }

    /// The log as pretty JSON, for "export" (already free of secrets).
    pub fn export_json(&self) -> String {
        serde_json::to_string_pretty(&self.entries()).unwrap_or_else(|_| "[]".to_owned())
    }

    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clear();
    }
}

fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n == "cookie"
        || n == "set-cookie"
        || n.contains("token")
        || n.contains("secret")
        || n.contains("api-key")
        || n.contains("apikey")
}

/// Headers with secret values masked; the scheme of an Authorization header is kept ("Bearer ••••••").
pub fn redact_headers<'a>(
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    redact_headers_also(headers, &[])
}

/// As [`redact_headers`], also masking the headers named in `secret_names` (configured as secrets).
pub fn redact_headers_also<'a>(
    headers: impl Iterator<Item = (&'a str, &'a str)>,
    secret_names: &[&str],
) -> Vec<(String, String)> {
    headers
        .map(|(name, value)| {
            let configured = secret_names.iter().any(|s| s.eq_ignore_ascii_case(name));
            let shown = if is_secret_header(name) || configured {
                match value.split_once(' ') {
                    Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
                        format!("{scheme} {MASK}")
                    }
                    _ => MASK.to_owned(),
                }
            } else {
                value.to_owned()
            };
            (name.to_owned(), shown)
        })
        .collect()
}

fn is_secret_field(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "password"
        || k.contains("secret")
        || k == "access_token"
        || k == "refresh_token"
        || k == "client_secret"
        || k == "token"
}

/// A body as stored in the log: JSON with secret fields (`password`, tokens, the attributes the
/// schemas mark secret, PATCH operations on them) masked, then truncated.
pub fn redact_body(bytes: &[u8], secrets: &SecretAttributes) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => Some(redact_json(&v, bytes.len(), secrets)),
        // Not JSON (an HTML error page, a form-encoded token request): mask form secrets.
        Err(_) => {
            let text = String::from_utf8_lossy(bytes)
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if is_secret_field(k) => format!("{k}={MASK}"),
                    _ => pair.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("&");
            Some(cap(text, bytes.len()))
        }
    }
}

/// A body already parsed (the client parses each answer once): written masked and cut at the cap
/// while serialising, so a 10 MB page costs 64 KB of work here, not a copy and a full re-encode.
pub fn redact_json(v: &Value, total_bytes: usize, secrets: &SecretAttributes) -> String {
    let mut out = Capped(Vec::with_capacity(MAX_BODY_CHARS.min(total_bytes + 16)));
    // The writer refuses bytes past the cap, which ends serialisation early with an error.
    let truncated = serde_json::to_writer(&mut out, &Masked(v, secrets)).is_err();
    let text = match String::from_utf8(out.0) {
        Ok(s) => s,
        // Cut inside a multi-byte character: drop the partial one.
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).unwrap_or_default()
        }
    };
    if truncated {
        format!("{text}… ({total_bytes} bytes in all)")
    } else {
        text
    }
}

/// A list page read with its resources raw ([`scim_core::raw_list`]): its fields and as many
/// resources as the cap can show, parsed and masked like any body — the rest is never built.
pub fn redact_raw_page(
    page: &scim_core::raw_list::RawListResponse,
    total_bytes: usize,
    secrets: &SecretAttributes,
) -> String {
    let mut shown = Vec::new();
    let mut size = 0;
    for r in &page.resources {
        if size > MAX_BODY_CHARS {
            break;
        }
        size += r.get().len();
        shown.push(scim_core::raw_list::raw_value(r));
    }
    let complete = shown.len() == page.resources.len();
    let mut preview = page.fields.clone();
    preview.insert("Resources".into(), Value::Array(shown));
    let text = redact_json(&Value::Object(preview), total_bytes, secrets);
    if complete || text.ends_with(" bytes in all)") {
        text
    } else {
        format!("{text}… ({total_bytes} bytes in all)")
    }
}

fn cap(text: String, total_bytes: usize) -> String {
    if text.len() <= MAX_BODY_CHARS {
        return text;
    }
    let mut end = MAX_BODY_CHARS;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({total_bytes} bytes in all)", &text[..end])
}

/// A byte sink that accepts at most [`MAX_BODY_CHARS`] bytes.
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = MAX_BODY_CHARS - self.0.len();
        if room == 0 {
            return Err(std::io::Error::other("log body cap reached"));
        }
        let n = buf.len().min(room);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Serialises a JSON value with secret fields replaced by the mask, without copying it.
struct Masked<'a>(&'a Value, &'a SecretAttributes);

impl Serialize for Masked<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(o) => {
                let secrets = self.1;
                let op_on_secret = secrets.is_secret_operation(o);
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, val) in o {
                    let secret = is_secret_field(k)
                        || secrets.is_secret_path(k)
                        || (op_on_secret && k.eq_ignore_ascii_case("value"));
                    if secret && !val.is_null() {
                        map.serialize_entry(k, MASK)?;
                    } else {
                        map.serialize_entry(k, &Masked(val, secrets))?;
                    }
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Masked(item, self.1))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_keeps_its_scheme_only() {
        let h = redact_headers(
            [
                ("Authorization", "Bearer abc.def"),
                ("Accept", "application/scim+json"),
                ("X-Api-Key", "k1"),
            ]
            .into_iter(),
        );
        assert_eq!(h[0].1, "Bearer ••••••");
        assert_eq!(h[1].1, "application/scim+json");
        assert_eq!(h[2].1, "••••••");
    }

    #[test]
    fn passwords_in_bodies_are_masked() {
        let body = redact_body(
            br#"{"userName":"a","password":"hunter2","nested":{"client_secret":"s"}}"#,
            &SecretAttributes::default(),
        )
        .expect("body");
        assert!(
            !body.contains("hunter2") && !body.contains("\"s\""),
            "{body}"
        );
        assert!(body.contains("\"userName\":\"a\""));
        let form = redact_body(
            b"grant_type=client_credentials&client_secret=zzz",
            &SecretAttributes::default(),
        )
        .expect("form");
        assert_eq!(form, "grant_type=client_credentials&client_secret=••••••");
    }

    #[test]
    fn a_patch_of_a_secret_attribute_is_masked_by_its_path() {
        let body = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"hunter2"},{"op":"replace","path":"pin","value":"4321"},{"op":"replace","path":"title","value":"CTO"}]}"#;
        let logged = redact_body(body, &SecretAttributes::default()).expect("body");
        assert!(!logged.contains("hunter2"), "{logged}");
        assert!(logged.contains("4321") && logged.contains("CTO"));
        let mut secrets = SecretAttributes::default();
        secrets.add("pin");
        let logged = redact_body(body, &secrets).expect("body");
        assert!(
            !logged.contains("hunter2") && !logged.contains("4321"),
            "{logged}"
        );
        assert!(logged.contains("CTO"));
    }

    #[test]
    fn copy_as_curl_uses_placeholders_for_secrets() {
        let e = Exchange {
            seq: 1,
            started_at_ms: 0,
            method: "POST".into(),
            url: "https://x.example/scim/v2/Users".into(),
            request_headers: redact_headers(
                [
                    ("authorization", "Bearer real-token"),
                    ("content-type", "application/scim+json"),
                ]
                .into_iter(),
            ),
            request_body: redact_body(
                br#"{"userName":"o'neil","password":"pw"}"#,
                &SecretAttributes::default(),
            ),
            status: Some(201),
            response_headers: vec![],
            response_body: None,
            duration_ms: 3,
            request_bytes: 10,
            response_bytes: 0,
            attempt: 1,
            error: None,
        };
        let curl = e.to_curl();
        assert!(
            !curl.contains("real-token") && !curl.contains("\"pw\""),
            "{curl}"
        );
        assert!(
            curl.contains(r#"-H 'authorization: Bearer '"$SCIM_TOKEN""#),
            "{curl}"
        );
        assert!(
            curl.starts_with("curl -X POST 'https://x.example/scim/v2/Users'"),
            "{curl}"
        );
        assert!(
            curl.contains(r"o'\''neil"),
            "single quotes are escaped for the shell: {curl}"
        );
    }

    #[test]
    fn large_bodies_are_cut_at_the_cap_and_still_masked() {
        let users: Vec<Value> = (0..3000)
            .map(|i| serde_json::json!({"userName": format!("ü{i}"), "password": "hunter2"}))
            .collect();
        let body = serde_json::json!({ "Resources": users });
        let bytes = body.to_string().into_bytes();
        let logged = redact_body(&bytes, &SecretAttributes::default()).expect("body");
        assert!(logged.len() < MAX_BODY_CHARS + 64, "{}", logged.len());
        assert!(logged.ends_with(&format!("… ({} bytes in all)", bytes.len())));
        assert!(!logged.contains("hunter2"));
        assert!(logged.contains("\"password\":\"••••••\""));
        // Small bodies come back whole.
        let small = redact_json(
            &serde_json::json!({"token": "t", "a": [1, 2]}),
            20,
            &SecretAttributes::default(),
        );
        assert_eq!(small, r#"{"token":"••••••","a":[1,2]}"#);
    }

    /// A page read raw shows its fields and the first resources, masked, and says it is cut; only
    /// the shown resources are ever parsed.
    #[test]
    fn raw_pages_are_previewed_masked_and_marked_cut() {
        let users: Vec<Value> = (0..3000)
            .map(|i| serde_json::json!({"id": i.to_string(), "userName": format!("ü{i}"), "password": "hunter2"}))
            .collect();
        let bytes = serde_json::json!({"totalResults": 3000, "Resources": users})
            .to_string()
            .into_bytes();
        let page = scim_core::raw_list::RawListResponse::from_slice(&bytes)
            .expect("page")
            .value;
        let logged = redact_raw_page(&page, bytes.len(), &SecretAttributes::default());
        assert!(logged.len() < MAX_BODY_CHARS + 64, "{}", logged.len());
        assert!(
            logged.starts_with(r#"{"totalResults":3000,"Resources":[{"id":"0","#),
            "{}",
            &logged[..80]
        );
        assert!(logged.ends_with(&format!("… ({} bytes in all)", bytes.len())));
        assert!(!logged.contains("hunter2"));
        // A small page comes back whole and unmarked.
        let small = br#"{"totalResults":1,"Resources":[{"id":"1","password":"p"}]}"#;
        let page = scim_core::raw_list::RawListResponse::from_slice(small)
            .unwrap()
            .value;
        assert_eq!(
            redact_raw_page(&page, small.len(), &SecretAttributes::default()),
            r#"{"totalResults":1,"Resources":[{"id":"1","password":"••••••"}]}"#
        );
    }

    #[test]
    fn the_log_is_bounded_and_numbered() {
        let log = RequestLog::new(2);
        for i in 0..3 {
            log.push(Exchange {
                seq: 0,
                started_at_ms: 0,
                method: "GET".into(),
                url: format!("/{i}"),
                request_headers: vec![],
                request_body: None,
                status: Some(200),
                response_headers: vec![],
                response_body: None,
                duration_ms: 0,
                request_bytes: 0,
                response_bytes: 0,
                attempt: 1,
                error: None,
            });
        }
        let e = log.entries();
        assert_eq!(
            e.iter()
                .map(|x| (x.seq, x.url.as_str()))
                .collect::<Vec<_>>(),
            vec![(2, "/1"), (3, "/2")]
        );
    }
}
