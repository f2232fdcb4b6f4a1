//! The capture: the exchanges a tap or inbox has seen, masked before they are stored, explained by
//! the core, and bounded — a rolling window of the latest `capacity` exchanges, bodies cut at the
//! request log's size — with a live feed for whoever follows it (the app's screen, `--follow`).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use scim_core::schema::SchemaRegistry;
use scim_core::traffic::findings::{answer_findings, request_findings, Finding};
use scim_core::traffic::idp::{self, IdpGuess};
use scim_core::traffic::{words, SeenAnswer, SeenRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::broadcast;

/// The most exchanges a capture keeps by default; older ones roll off.
pub const DEFAULT_CAPACITY: usize = 10_000;
/// Names remembered for ids (to say "add ana.diaz to Sales"); past this, new ones are not learnt.
const MAX_NAMES: usize = 200_000;

/// One request and its answer, as the tap saw them (secrets masked, bodies cut at 64 KB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TapExchange {
    pub seq: u64,
    /// Milliseconds since the Unix epoch when the request arrived.
    pub started_at_ms: u64,
    /// From arrival to the last byte of the answer, through the tap.
    pub duration_ms: u64,
    pub method: String,
    /// The path as received (with the base path).
    pub path: String,
    pub query: Option<String>,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub request_bytes: usize,
    /// `None` when no answer came from the application (see `error`).
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub response_bytes: usize,
    /// Why the tap answered itself (refused, upstream unreachable, too large).
    pub error: Option<String>,
    /// Who sent it, and how sure.
    #[serde(default)]
    pub sender: Option<Sender>,
    /// The request in words ("add ana.diaz to Sales").
    #[serde(default)]
    pub words: Vec<String>,
    /// What was odd, on either side.
    #[serde(default)]
    pub findings: Vec<TapFinding>,
}

/// [`IdpGuess`] in a form that can be stored and read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    pub name: String,
    pub certain: bool,
    pub why: String,
}

impl From<&IdpGuess> for Sender {
    fn from(g: &IdpGuess) -> Self {
        Self {
            name: g.idp.label().to_owned(),
            certain: g.certain,
            why: g.why.clone(),
        }
    }
}

/// [`Finding`] in a form that can be stored and read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TapFinding {
    pub code: String,
    /// `request` or `answer`.
    pub side: String,
    pub message: String,
}

impl From<&Finding> for TapFinding {
    fn from(f: &Finding) -> Self {
        Self {
            code: f.code.clone(),
            side: match f.side {
                scim_core::traffic::findings::Side::Request => "request",
                scim_core::traffic::findings::Side::Answer => "answer",
            }
            .to_owned(),
            message: f.message.clone(),
        }
    }
}

/// What the proxy hands in for one exchange, before masking.
#[derive(Debug)]
pub(crate) struct Raw<'a> {
    pub started_at_ms: u64,
    pub duration_ms: u64,
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    /// The path after the tapped base path, for the core's reading.
    pub relative_path: &'a str,
    pub request_headers: &'a [(String, Vec<u8>)],
    pub request_body: &'a [u8],
    pub status: Option<u16>,
    pub response_headers: &'a [(String, Vec<u8>)],
    pub response_body: &'a [u8],
    pub error: Option<String>,
}

struct Inner {
    next_seq: u64,
    exchanges: VecDeque<TapExchange>,
    /// Exchanges that rolled off the window.
    dropped: u64,
    names: HashMap<String, String>,
}

/// The exchanges and what is learnt from them, behind the capture's handles.
struct Store {
    inner: Mutex<Inner>,
    capacity: usize,
    feed: broadcast::Sender<TapExchange>,
    schemas: SchemaRegistry,
}

/// Exchanges waiting to be recorded by the capture's worker thread, so the proxy answers first
/// and explains after: masking, parsing and the core's reading are off the request's path.
struct Queue {
    sender: std::sync::mpsc::SyncSender<Pending>,
    pending: Arc<AtomicUsize>,
}

/// Exchanges queued at most; past this the proxy records in line (slower, never lost).
const QUEUE: usize = 4096;

/// A bounded, shareable capture with a live feed.
#[derive(Clone)]
pub struct Capture {
    store: Arc<Store>,
    queue: Arc<Queue>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("capacity", &self.store.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl Default for Capture {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

/// One exchange as the proxy saw it, owned (bodies are reference-counted: handing them over copies
/// nothing), waiting to be recorded.
#[derive(Debug)]
pub(crate) struct Pending {
    pub started_at_ms: u64,
    pub duration_ms: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub relative_path: String,
    pub request_headers: Vec<(String, Vec<u8>)>,
    pub request_body: bytes::Bytes,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, Vec<u8>)>,
    pub response_body: bytes::Bytes,
    pub error: Option<String>,
}

impl Pending {
    fn raw(&self) -> Raw<'_> {
        Raw {
            started_at_ms: self.started_at_ms,
            duration_ms: self.duration_ms,
            method: &self.method,
            path: &self.path,
            query: self.query.as_deref(),
            relative_path: &self.relative_path,
            request_headers: &self.request_headers,
            request_body: &self.request_body,
            status: self.status,
            response_headers: &self.response_headers,
            response_body: &self.response_body,
            error: self.error.clone(),
        }
    }
}

fn text_header<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| std::str::from_utf8(v).ok())
}

impl Capture {
    pub fn new(capacity: usize) -> Self {
        let (feed, _) = broadcast::channel(1024);
        let store = Arc::new(Store {
            inner: Mutex::new(Inner {
                next_seq: 1,
                exchanges: VecDeque::new(),
                dropped: 0,
                names: HashMap::new(),
            }),
            capacity: capacity.max(1),
            feed,
            schemas: SchemaRegistry::builtin(),
        });
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Pending>(QUEUE);
        let pending = Arc::new(AtomicUsize::new(0));
        let worker = (store.clone(), pending.clone());
        // Ends when the last handle of the capture is dropped (the sender with it).
        let _ = std::thread::Builder::new()
            .name("scim-tap-capture".into())
            .spawn(move || {
                let (store, pending) = worker;
                while let Ok(p) = receiver.recv() {
                    store.record(p.raw());
                    pending.fetch_sub(1, Ordering::AcqRel);
                }
            });
        Self {
            store,
            queue: Arc::new(Queue { sender, pending }),
        }
    }

    /// The exchanges kept, oldest first.
    pub fn exchanges(&self) -> Vec<TapExchange> {
        self.store.lock().exchanges.iter().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.store.lock().exchanges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many exchanges rolled off the window.
    pub fn dropped(&self) -> u64 {
        self.store.lock().dropped
    }

    /// Each exchange as it is recorded, from now on.
    pub fn follow(&self) -> broadcast::Receiver<TapExchange> {
        self.store.feed.subscribe()
    }

    /// Waits (up to `limit`) until every exchange handed over is recorded; false if some are not.
    pub async fn settle(&self, limit: std::time::Duration) -> bool {
        let until = tokio::time::Instant::now() + limit;
        while self.queue.pending.load(Ordering::Acquire) > 0 {
            if tokio::time::Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        true
    }

    /// Every exchange handed over so far, recorded (waits up to 10 s for the worker).
    pub async fn settled_exchanges(&self) -> Vec<TapExchange> {
        self.settle(std::time::Duration::from_secs(10)).await;
        self.exchanges()
    }

    /// Hands an exchange to the worker; records it in line when the queue is full or gone.
    pub(crate) fn enqueue(&self, pending: Pending) {
        self.queue.pending.fetch_add(1, Ordering::AcqRel);
        if let Err(e) = self.queue.sender.try_send(pending) {
            let p = match e {
                std::sync::mpsc::TrySendError::Full(p)
                | std::sync::mpsc::TrySendError::Disconnected(p) => p,
            };
            self.store.record(p.raw());
            self.queue.pending.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Records an exchange now (a file read back).
    pub(crate) fn record(&self, raw: Raw<'_>) -> TapExchange {
        self.store.record(raw)
    }

    /// The sender of the whole capture (see [`scim_core::traffic::idp::of_session`]).
    pub fn sender(&self) -> Option<Sender> {
        let inner = self.store.lock();
        let guesses: Vec<IdpGuess> = inner
            .exchanges
            .iter()
            .filter_map(|e| e.sender.as_ref())
            .filter_map(|s| {
                Some(IdpGuess {
                    idp: idp::Idp::from_label(&s.name)?,
                    certain: s.certain,
                    why: s.why.clone(),
                })
            })
            .collect();
        idp::of_session(guesses.iter()).as_ref().map(Sender::from)
    }
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave a half-written exchange: each is pushed whole.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, mut exchange: TapExchange) {
        let mut inner = self.lock();
        exchange.seq = inner.next_seq;
        inner.next_seq += 1;
        let followed = self.feed.receiver_count() > 0;
        if followed {
            inner.exchanges.push_back(exchange.clone());
        } else {
            inner.exchanges.push_back(exchange);
        }
        while inner.exchanges.len() > self.capacity {
            inner.exchanges.pop_front();
            inner.dropped += 1;
        }
        if followed {
            if let Some(last) = inner.exchanges.back().cloned() {
                drop(inner);
                let _ = self.feed.send(last);
            }
        }
    }

    /// Masks, explains and stores one exchange; returns what was stored.
    fn record(&self, raw: Raw<'_>) -> TapExchange {
        let secrets = scim_core::secrets::SecretAttributes::default();
        let request_json: Option<Value> = serde_json::from_slice(raw.request_body).ok();
        let response_json: Option<Value> = serde_json::from_slice(raw.response_body).ok();
        let seen = SeenRequest {
            method: raw.method,
            path: raw.relative_path,
            query: raw.query,
            user_agent: text_header(raw.request_headers, "user-agent"),
            content_type: text_header(raw.request_headers, "content-type"),
            body: request_json.as_ref(),
            body_unreadable: request_json.is_none()
                && !raw.request_body.iter().all(u8::is_ascii_whitespace),
        };
        let mut findings = request_findings(&seen, &self.schemas);
        if let Some(status) = raw.status {
            let answer = SeenAnswer {
                status,
                content_type: text_header(raw.response_headers, "content-type"),
                body: response_json.as_ref(),
                body_len: raw.response_body.len(),
            };
            let on_answer = answer_findings(&seen, &answer, &findings);
            findings.extend(on_answer);
        }
        let sender = idp::guess(&seen);
        if let Some(r) = &response_json {
            self.learn_names(r);
        }
        let words = {
            let inner = self.lock();
            words::describe(&seen, &|id: &str| inner.names.get(id).cloned())
        };
        let text_headers = |h: &[(String, Vec<u8>)]| {
            scim_client::redact_headers(
                h.iter()
                    .map(|(k, v)| (k.as_str(), std::str::from_utf8(v).unwrap_or("(binary)"))),
            )
        };
        let exchange = TapExchange {
            seq: 0,
            started_at_ms: raw.started_at_ms,
            duration_ms: raw.duration_ms,
            method: raw.method.to_owned(),
            path: raw.path.to_owned(),
            query: raw.query.map(str::to_owned),
            request_headers: text_headers(raw.request_headers),
            request_body: masked(raw.request_body, request_json.as_ref(), &secrets),
            request_bytes: raw.request_body.len(),
            status: raw.status,
            response_headers: text_headers(raw.response_headers),
            response_body: masked(raw.response_body, response_json.as_ref(), &secrets),
            response_bytes: raw.response_body.len(),
            error: raw.error,
            sender: sender.as_ref().map(Sender::from),
            words,
            findings: findings.iter().map(TapFinding::from).collect(),
        };
        self.push(exchange.clone());
        exchange
    }

    /// Remembers the names of the resources in an answer (one resource or a list page).
    fn learn_names(&self, answer: &Value) {
        let mut inner = self.lock();
        let mut learn = |r: &Value| {
            let Some(o) = r.as_object() else { return };
            let id = match scim_core::names::get_ci(o, "id") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return,
            };
            let name = scim_core::names::get_ci(o, "userName")
                .or_else(|| scim_core::names::get_ci(o, "displayName"))
                .and_then(Value::as_str);
            if let Some(name) = name {
                if inner.names.len() < MAX_NAMES || inner.names.contains_key(&id) {
                    inner.names.insert(id, name.to_owned());
                }
            }
        };
        match answer.get("Resources").and_then(Value::as_array) {
            Some(items) => items.iter().for_each(&mut learn),
            None => learn(answer),
        }
    }
}

/// A body as stored: masked and cut from the value already parsed, else from the bytes.
fn masked(
    bytes: &[u8],
    parsed: Option<&Value>,
    secrets: &scim_core::secrets::SecretAttributes,
) -> Option<String> {
    match parsed {
        Some(v) => Some(scim_client::redact_json(v, bytes.len(), secrets)),
        None => scim_client::redact_body(bytes, secrets),
    }
}
