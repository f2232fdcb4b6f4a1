//! Embedded demo SCIM server: gives a new user a realistic directory offline, and gives tests a real
//! peer. Serves RFC 7644 under `http://127.0.0.1:PORT/scim/v2` from an in-memory store, answering
//! filters and PATCH with the protocol core, so it behaves exactly as the core says a server should.

mod bulk;
mod error_form;
pub mod lossy;
pub mod profile;
mod rate_limit;
pub mod seed;
mod server;
pub mod store;
mod strict;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use error_form::ErrorForm;
pub use profile::Profile;
pub use rate_limit::{RateLimit, RequestStats};
pub use seed::{generate, SeedData, SeedOptions, ROLE_SCHEMA};
pub use store::{DroppedMembers, SortMode};

/// How to run the server.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub seed: SeedOptions,
    /// Required bearer token; `None` accepts any request (the in-app demo is loopback-only).
    pub token: Option<String>,
    /// Largest page the server returns (`filter.maxResults`); some profiles lower it.
    pub max_results: usize,
    /// Which real server to imitate.
    pub profile: Profile,
    /// Added to every request, for demos of slow servers.
    pub latency_ms: u64,
    /// Answer every Nth request with 429 and `Retry-After: 1`, for demos and tests of rate limits.
    pub throttle_every: Option<u32>,
    /// Answer 429 past K requests in flight or R per second, as SaaS SCIM APIs do.
    pub rate_limit: RateLimit,
    /// Serve these resources instead of generated ones (a snapshot opened offline).
    pub data: Option<SeedData>,
    /// Writes drop `nickName`, ignore `title`, lower-case emails and fill in members' `display`
    /// (module `lossy`): a server whose results differ from what a client predicts.
    pub lossy_writes: bool,
    /// How `/ResourceTypes` writes each endpoint (servers in the field use all four forms).
    pub endpoint_form: EndpointForm,
    /// Attributes the server cannot filter: a filter naming one gets 200 and no results.
    pub filter_blind: Vec<String>,
    /// A GET with a `count` parameter is answered 500 with an HTML page (a server that breaks on a
    /// parameter RFC 7644 defines).
    pub fail_on_count: bool,
    /// A strict server: its User schema requires `name.formatted`, and it refuses email addresses
    /// on reserved domains (RFC 2606: `example.com`, `.invalid`, `.test`…) as real validators do.
    pub strict_users: bool,
    /// A startIndex past the end gets the first page instead of an empty one.
    pub past_end_wraps: bool,
    /// DELETE of a user answers 204 but only deactivates it (a soft delete, seen in the field).
    pub soft_delete: bool,
    /// A create answers 200 instead of 201 Created.
    pub create_answers_200: bool,
    /// userName uniqueness is case-sensitive: a case variant of a taken userName is accepted.
    pub case_sensitive_unique: bool,
    /// PUT keeps the attributes it was not sent (RFC 7644 §3.5.1 allows it).
    pub put_merges: bool,
    /// `excludedAttributes` is ignored.
    pub ignores_excluded: bool,
    /// How `sortBy`/`sortOrder` are honoured (faulty ways included).
    pub sort_mode: SortMode,
    /// Members sent with a group's POST or PUT are dropped.
    pub drops_members: DroppedMembers,
    /// Declares no filter support and ignores `filter`, answering every resource (servers without
    /// filtering do this rather than refuse).
    pub filters_unsupported: bool,
    /// How error bodies are written: a SCIM Error, one with `status` as a number, or HTML.
    pub error_form: ErrorForm,
}

/// The form of the `endpoint` of each `/ResourceTypes` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EndpointForm {
    /// `/Groups`, as RFC 7643 §6 has it.
    #[default]
    Relative,
    /// `Groups`.
    Bare,
    /// `/scim/v2/Groups`: the base path repeated.
    WithBasePath,
    /// `http://127.0.0.1:PORT/scim/v2/Groups`.
    Absolute,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            port: 0,
            seed: SeedOptions::default(),
            token: None,
            max_results: 1000,
            profile: Profile::Rfc,
            latency_ms: 0,
            throttle_every: None,
            rate_limit: RateLimit::default(),
            data: None,
            lossy_writes: false,
            endpoint_form: EndpointForm::Relative,
            filter_blind: Vec::new(),
            fail_on_count: false,
            strict_users: false,
            past_end_wraps: false,
            soft_delete: false,
            create_answers_200: false,
            case_sensitive_unique: false,
            put_merges: false,
            ignores_excluded: false,
            sort_mode: SortMode::Honours,
            drops_members: DroppedMembers::default(),
            error_form: ErrorForm::Scim,
            filters_unsupported: false,
        }
    }
}

/// A running demo server; stops when dropped or on [`DemoServer::stop`].
#[derive(Debug)]
pub struct DemoServer {
    pub addr: SocketAddr,
    /// e.g. `http://127.0.0.1:41234/scim/v2`
    pub base_url: String,
    state: Arc<server::AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
}

impl DemoServer {
    /// Generates the data and starts serving on loopback, on the current tokio runtime.
    pub async fn start(config: DemoConfig) -> Result<Self, DemoError> {
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|source| DemoError::Bind {
                port: config.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| DemoError::Bind {
            port: config.port,
            source,
        })?;
        let base_url = format!("http://{addr}/scim/v2");
        let data = match config.data {
            Some(data) => data,
            None => config.profile.shape(seed::generate(&config.seed)),
        };
        let max_results = config.profile.max_results(config.max_results);
        let mut store = store::Store::new(data, &base_url, max_results, config.profile);
        store.lossy_writes = config.lossy_writes;
        store.filter_blind = config.filter_blind.clone();
        store.strict_users = config.strict_users;
        store.past_end_wraps = config.past_end_wraps;
        store.case_sensitive_unique = config.case_sensitive_unique;
        store.put_merges = config.put_merges;
        store.ignores_excluded = config.ignores_excluded;
        store.sort_mode = config.sort_mode;
        store.drops_members = config.drops_members;
        store.filters_ignored = config.filters_unsupported;
        let state = Arc::new(server::AppState {
            store: RwLock::new(store),
            token: config.token,
            profile: config.profile,
            latency_ms: config.latency_ms,
            throttle_every: config.throttle_every,
            endpoint_form: config.endpoint_form,
            fail_on_count: config.fail_on_count,
            strict_users: config.strict_users,
            soft_delete: config.soft_delete,
            create_answers_200: config.create_answers_200,
            error_form: config.error_form,
            filters_unsupported: config.filters_unsupported,
            limiter: rate_limit::Limiter::new(config.rate_limit),
        });
        let app = server::router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            base_url,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// What the server has counted so far: requests, 429s, the most in flight at once.
    pub fn stats(&self) -> RequestStats {
        self.state.limiter.stats()
    }

    /// Stops accepting requests and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
