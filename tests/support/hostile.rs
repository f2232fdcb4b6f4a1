//! A hostile SCIM server for tests: each mode is one way a lying, broken or malicious server (or a
//! real one with a bad day) answers. It speaks HTTP/1.1 by hand on a raw socket, so it can do what a
//! framework would refuse to: announce a 50 GB body, never end one, trickle bytes, stall mid-answer.
//!
//! Every mode lives under its own base path: `http://127.0.0.1:PORT/<mode>/scim/v2`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `totalResults` of 10^15, one resource per page, every page new ids.
    LyingTotal,
    /// No `totalResults`, one new resource per page, forever.
    EndlessIds,
    /// A list answer whose body never ends (read until close, no length).
    EndlessBody,
    /// `Content-Length: 50 GB`, then bytes.
    HugeLength,
    /// A small page sent one byte every 300 ms.
    Trickle,
    /// Headers and half a body, then nothing.
    Stall,
    /// Attribute names and values outside ASCII: `Numéro`, `名前`, emoji, right-to-left text.
    Unicode,
    /// A resource nested 100,000 arrays deep.
    DeepJson,
    /// 429 with a `Retry-After` of 10^13 seconds.
    HugeRetryAfter,
    /// Names that a spreadsheet would run as formulas.
    Formulas,
    /// ETags (and `meta.version`) that a shell would expand: `W/"$(touch …)"`.
    ShellEtag,
    /// Every answer is an HTML 500 page.
    Html500,
    /// Ignores `filter`: every list answer holds every user.
    IgnoredFilter,
    /// Canaille's behaviour: any request carrying `count` gets an HTML 500; without it, pages of 10.
    Count500,
    /// 300 users in pages of at most 20; the page at startIndex 21 takes 800 ms and the one at 101
    /// comes back with 5 (a gap): later pages arrive long before earlier ones.
    SlowPage,
    /// 100 users in pages of at most 50; users 60 and 61 each carry [`HEAVY_BYTES`] of `members`-like
    /// data, so the page holding them is larger than a client reading a few hundred kB takes.
    HeavyPages,
}

impl Mode {
    pub const ALL: [Mode; 16] = [
        Mode::LyingTotal,
        Mode::EndlessIds,
        Mode::EndlessBody,
        Mode::HugeLength,
        Mode::Trickle,
        Mode::Stall,
        Mode::Unicode,
        Mode::DeepJson,
        Mode::HugeRetryAfter,
        Mode::Formulas,
        Mode::ShellEtag,
        Mode::Html500,
        Mode::IgnoredFilter,
        Mode::Count500,
        Mode::SlowPage,
        Mode::HeavyPages,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Mode::LyingTotal => "lying-total",
            Mode::EndlessIds => "endless-ids",
            Mode::EndlessBody => "endless-body",
            Mode::HugeLength => "huge-length",
            Mode::Trickle => "trickle",
            Mode::Stall => "stall",
            Mode::Unicode => "unicode",
            Mode::DeepJson => "deep-json",
            Mode::HugeRetryAfter => "huge-retry-after",
            Mode::Formulas => "formulas",
            Mode::ShellEtag => "shell-etag",
            Mode::Html500 => "html-500",
            Mode::IgnoredFilter => "ignored-filter",
            Mode::Count500 => "count-500",
            Mode::SlowPage => "slow-page",
            Mode::HeavyPages => "heavy-pages",
        }
    }

    fn from_slug(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.slug() == s)
    }
}

/// The ETag the shell-etag mode sends: pasted into a shell inside double quotes, it would create
/// the file named by [`SHELL_MARKER`].
pub const SHELL_ETAG: &str = "W/\"$(touch /tmp/scimx-hostile-pwned)\"";
pub const SHELL_MARKER: &str = "/tmp/scimx-hostile-pwned";

/// Cells that run as formulas when a CSV is opened in a spreadsheet (OWASP's list).
pub const FORMULAS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB",
    "\rCR",
];

/// The running server; stopped when dropped.
#[derive(Debug)]
pub struct Hostile {
    pub addr: std::net::SocketAddr,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Starts the server on a free loopback port.
    pub async fn start() -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(socket));
            }
        });
        Hostile {
            addr,
            requests,
            task,
        }
    }

    pub fn base_url(&self, mode: Mode) -> String {
        format!("http://{}/{}/scim/v2", self.addr, mode.slug())
    }

    /// Connections accepted so far (each answer closes its connection).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// One request: the path after the mode, and the query pairs (percent-decoding `%20` and `+`).
struct Request {
    mode: Option<Mode>,
    path: String,
    query: Vec<(String, String)>,
}

impl Request {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn number(&self, name: &str, default: u64) -> u64 {
        self.param(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }
}

async fn read_request(socket: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head.lines().next()?.split(' ').nth(1)?.to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let mode = parts.next().and_then(Mode::from_slug);
    let rest = parts.next().unwrap_or_default();
    let path = rest.strip_prefix("scim/v2").unwrap_or(rest).to_owned();
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    Some(Request { mode, path, query })
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => out.push(b),
                    Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn head(status: &str, content_type: &str, extra: &[(&str, String)], length: Option<u64>) -> String {
    let mut h =
        format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nConnection: close\r\n");
    for (k, v) in extra {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(l) = length {
        h.push_str(&format!("Content-Length: {l}\r\n"));
    }
    h.push_str("\r\n");
    h
}

async fn send(socket: &mut TcpStream, status: &str, body: &str, extra: &[(&str, String)]) {
    let h = head(
        status,
        "application/scim+json",
        extra,
        Some(body.len() as u64),
    );
    let _ = socket.write_all(h.as_bytes()).await;
    let _ = socket.write_all(body.as_bytes()).await;
    let _ = socket.shutdown().await;
}

async fn send_json(socket: &mut TcpStream, body: Value, extra: &[(&str, String)]) {
    send(socket, "200 OK", &body.to_string(), extra).await;
}

const HTML_500: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>Traceback (most recent call last):</p><pre>File \"/srv/app.py\", line 12\nKeyError: 'count'</pre></body></html>";

fn user(id: &str, name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": id,
        "userName": name,
        "displayName": name,
        "active": true,
        "meta": {"resourceType": "User", "version": "W/\"1\""}
    })
}

fn list(total: Option<u64>, start: u64, resources: Vec<Value>) -> Value {
    let mut v = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    });
    if let Some(t) = total {
        v["totalResults"] = json!(t);
    }
    v
}

/// The users a mode serves when it serves real ones.
fn users(mode: Mode) -> Vec<Value> {
    match mode {
        Mode::Unicode => vec![
            {
                let mut u = user("u1", "zoë.müller@exämple.de");
                u["Numéro"] = json!("٣٤٥");
                u["名前"] = json!("山田 太郎");
                u["urn:example:params:scim:schemas:extension:Sociedad:2.0:User"] =
                    json!({"Número": "7", "Département": "Café ☕"});
                u["schemas"] = json!([
                    "urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:example:params:scim:schemas:extension:Sociedad:2.0:User"
                ]);
                u
            },
            {
                let mut u = user("u2", "عربي");
                u["displayName"] = json!("עברית 🚀 \u{202e}txt.exe");
                u["名前"] = json!("👩‍👩‍👧‍👦");
                u
            },
        ],
        Mode::Formulas => FORMULAS
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut u = user(&format!("f{i}"), &format!("formula{i}"));
                u["displayName"] = json!(f);
                u["title"] = json!(f);
                u
            })
            .collect(),
        Mode::ShellEtag => {
            let mut u = user("s1", "shell");
            u["meta"]["version"] = json!(SHELL_ETAG);
            vec![u]
        }
        Mode::SlowPage => (1..=SLOW_PAGE_USERS)
            .map(|i| user(&format!("u{i:03}"), &format!("user{i}")))
            .collect(),
        Mode::HeavyPages => (1..=HEAVY_PAGES_USERS)
            .map(|i| {
                let mut u = user(&format!("u{i:03}"), &format!("user{i}"));
                if i == 60 || i == 61 {
                    let members: Vec<Value> = (0..HEAVY_BYTES / 50)
                        .map(|m| json!({"value": format!("member-{m:08}-{i:03}-xxxxxx")}))
                        .collect();
                    u["x-members"] = Value::Array(members);
                }
                u
            })
            .collect(),
        _ => (1..=25)
            .map(|i| user(&format!("u{i}"), &format!("user{i}")))
            .collect(),
    }
}

/// How many users the slow-page mode serves.
pub const SLOW_PAGE_USERS: usize = 300;

/// How many users the heavy-pages mode serves, and about how many bytes each heavy one weighs.
pub const HEAVY_PAGES_USERS: usize = 100;
pub const HEAVY_BYTES: usize = 150 * 1024;

async fn serve(mut socket: TcpStream) {
    let Some(req) = read_request(&mut socket).await else {
        return;
    };
    let Some(mode) = req.mode else {
        send(&mut socket, "404 Not Found", "{}", &[]).await;
        return;
    };
    let path = req.path.trim_end_matches('/').to_owned();
    if mode == Mode::Html500 {
        let h = head(
            "500 Internal Server Error",
            "text/html; charset=utf-8",
            &[],
            Some(HTML_500.len() as u64),
        );
        let _ = socket.write_all(h.as_bytes()).await;
        let _ = socket.write_all(HTML_500.as_bytes()).await;
        return;
    }
    match path.as_str() {
        "/ServiceProviderConfig" => {
            return send_json(
                &mut socket,
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                    "patch": {"supported": true},
                    "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
                    "filter": {"supported": true, "maxResults": 1000},
                    "changePassword": {"supported": false},
                    "sort": {"supported": false},
                    "etag": {"supported": mode == Mode::ShellEtag},
                    "authenticationSchemes": []
                }),
                &[],
            )
            .await
        }
        "/ResourceTypes" | "/Schemas" => return send(
            &mut socket,
            "404 Not Found",
            "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"404\"}",
            &[],
        )
        .await,
        _ => {}
    }
    let start = req.number("startIndex", 1).max(1);
    if let Some(id) = path.strip_prefix("/Users/") {
        let found = users(mode).into_iter().find(|u| u["id"] == id);
        return match found {
            Some(u) => {
                let etag = u["meta"]["version"].as_str().unwrap_or_default().to_owned();
                send_json(&mut socket, u, &[("ETag", etag)]).await
            }
            None => send(&mut socket, "404 Not Found", "{\"status\":\"404\"}", &[]).await,
        };
    }
    if path == "/Groups" {
        return send_json(&mut socket, list(Some(0), 1, Vec::new()), &[]).await;
    }
    if path != "/Users" {
        return send(&mut socket, "404 Not Found", "{\"status\":\"404\"}", &[]).await;
    }
    match mode {
        Mode::LyingTotal => {
            let u = user(&format!("lie{start}"), &format!("lie{start}"));
            send_json(&mut socket, list(Some(1_000_000_000_000_000), start, vec![u]), &[]).await
        }
        Mode::EndlessIds => {
            let u = user(&format!("new{start}"), &format!("new{start}"));
            send_json(&mut socket, list(None, start, vec![u]), &[]).await
        }
        Mode::EndlessBody => {
            let h = head("200 OK", "application/scim+json", &[], None);
            if socket.write_all(h.as_bytes()).await.is_err() {
                return;
            }
            let opening = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"x","userName":""#;
            if socket.write_all(opening.as_bytes()).await.is_err() {
                return;
            }
            let filler = vec![b'a'; 64 * 1024];
            // Until the client hangs up; bounded anyway (16 GB) so a broken client cannot keep it forever.
            for _ in 0..(1 << 18) {
                if socket.write_all(&filler).await.is_err() {
                    return;
                }
            }
        }
        Mode::HugeLength => {
            let h = head("200 OK", "application/scim+json", &[], Some(50 << 30));
            let _ = socket.write_all(h.as_bytes()).await;
            let filler = vec![b' '; 64 * 1024];
            for _ in 0..(1 << 14) {
                if socket.write_all(&filler).await.is_err() {
                    return;
                }
            }
        }
        Mode::Trickle | Mode::Stall => {
            let body = list(Some(25), start, users(mode)).to_string();
            let h = head("200 OK", "application/scim+json", &[], Some(body.len() as u64));
            if socket.write_all(h.as_bytes()).await.is_err() {
                return;
            }
            if mode == Mode::Stall {
                let _ = socket.write_all(&body.as_bytes()[..body.len() / 2]).await;
                tokio::time::sleep(Duration::from_secs(600)).await;
                return;
            }
            for b in body.as_bytes() {
                if socket.write_all(&[*b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
        Mode::DeepJson => {
            let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
            let body = format!(
                r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{{"id":"d","userName":"deep","x":{deep}}}]}}"#
            );
            send(&mut socket, "200 OK", &body, &[]).await
        }
        Mode::HugeRetryAfter => {
            send(
                &mut socket,
                "429 Too Many Requests",
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"429\",\"detail\":\"slow down\"}",
                &[("Retry-After", "10000000000000".to_owned())],
            )
            .await
        }
        Mode::Count500 if req.param("count").is_some() => {
            let h = head("500 Internal Server Error", "text/html", &[], Some(HTML_500.len() as u64));
            let _ = socket.write_all(h.as_bytes()).await;
            let _ = socket.write_all(HTML_500.as_bytes()).await;
        }
        Mode::Count500 => {
            let all = users(mode);
            let from = (start - 1) as usize;
            let page: Vec<Value> = all.iter().skip(from).take(10).cloned().collect();
            send_json(&mut socket, list(Some(all.len() as u64), start, page), &[]).await
        }
        Mode::HeavyPages => {
            let all = users(mode);
            let count = req.number("count", 50).clamp(1, 50) as usize;
            let from = (start - 1) as usize;
            let page: Vec<Value> = all.iter().skip(from).take(count).cloned().collect();
            send_json(&mut socket, list(Some(all.len() as u64), start, page), &[]).await
        }
        Mode::SlowPage => {
            let all = users(mode);
            let count = req.number("count", 20).clamp(1, 20) as usize;
            let count = if start == 101 { count.min(5) } else { count };
            if start == 21 {
                tokio::time::sleep(Duration::from_millis(800)).await;
            }
            let from = (start - 1) as usize;
            let page: Vec<Value> = all.iter().skip(from).take(count).cloned().collect();
            send_json(&mut socket, list(Some(all.len() as u64), start, page), &[]).await
        }
        // Well-behaved paging of the mode's users, whatever the filter says.
        _ => {
            let all = users(mode);
            let count = req.number("count", 100).max(1) as usize;
            let from = (start - 1) as usize;
            let page: Vec<Value> = all.iter().skip(from).take(count).cloned().collect();
            send_json(&mut socket, list(Some(all.len() as u64), start, page), &[]).await
        }
    }
}
