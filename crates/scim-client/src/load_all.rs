//! Loading a whole collection: index paging with several pages in flight, tolerant of servers that cap
//! page sizes, omit `totalResults` or change while we page. Results are deduplicated by id; a failure
//! keeps what was loaded and says where to resume, and [`ScimClient::resume_load`] continues from
//! there. Bounded in every way: it cannot loop forever.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use tokio::task::JoinSet;

use scim_core::raw_list::{raw_id, raw_value, RawListResponse, RawResource};
use scim_core::{Tolerant, Warning};

use crate::client::{ListParams, ScimClient};
use crate::error::ClientError;

/// Progress of a load, for progress bars ("12,400 / 100,000 users · 8,300/s").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub loaded: usize,
    /// `None` when the server does not say.
    pub total: Option<usize>,
    pub elapsed_secs: f64,
}

/// Set to stop a load between requests.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    /// True when both are the same flag (clones of one another).
    pub fn same(&self, other: &CancelFlag) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Options of a load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub params: ListParams,
    /// Requested page size; servers may answer with less.
    pub page_size: u64,
    /// Pages in flight at once (index paging).
    pub concurrency: usize,
    /// Ask for RFC 9865 cursor paging (when the server's configuration offers it). Cursor pages come
    /// one after another, but a directory changing meanwhile cannot shift them.
    pub cursor: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            params: ListParams::default(),
            page_size: 500,
            concurrency: 4,
            cursor: false,
        }
    }
}

/// What a load produced. With `error` set the result is partial: `resume_from` lists the start
/// indexes still missing, and [`ScimClient::resume_load`] fetches them. Resources are kept as the
/// server sent them (checked JSON): building a `Value` for each costs twenty times the check, and
/// a table needs only a few attributes of most of them ([`LoadAll::values`] builds them all).
#[derive(Debug, Clone)]
pub struct LoadAll {
    pub resources: Vec<RawResource>,
    pub total: Option<usize>,
    pub warnings: Vec<Warning>,
    pub error: Option<ClientError>,
    pub resume_from: Vec<u64>,
    /// Resources per page as the server actually served them.
    pub page_step: u64,
    /// Pages by start index, kept so a resumed load can merge into them.
    pages: BTreeMap<u64, Vec<RawResource>>,
}

impl LoadAll {
    /// Every resource parsed.
    pub fn values(&self) -> Vec<Value> {
        self.resources.iter().map(|r| raw_value(r)).collect()
    }
}

type PageResult = Result<Tolerant<RawListResponse>, ClientError>;

/// The state of one load (or of one resumed load).
struct Loader<'a> {
    client: &'a ScimClient,
    endpoint: &'a str,
    options: &'a LoadOptions,
    cancel: &'a CancelFlag,
    on_progress: &'a (dyn Fn(Progress) + Send + Sync),
    started: Instant,
    pages: BTreeMap<u64, Vec<RawResource>>,
    warnings: Vec<Warning>,
    seen: HashSet<String>,
    loaded: usize,
    total: Option<usize>,
    step: u64,
    /// Resources whose id was already loaded: when zero, the result needs no deduplication pass.
    repeated: usize,
}

impl Loader<'_> {
    fn params(&self, start: u64) -> ListParams {
        ListParams {
            start_index: Some(start),
            count: Some(self.options.page_size),
            ..self.options.params.clone()
        }
    }

    fn cursor_params(&self, cursor: &str) -> ListParams {
        ListParams {
            start_index: None,
            count: Some(self.options.page_size),
            cursor: Some(cursor.to_owned()),
            ..self.options.params.clone()
        }
    }

    /// RFC 9865: follow `nextCursor` until there is none. An expired cursor restarts the listing once
    /// (results are deduplicated); a cursor that repeats, or pages that bring nothing new, stop it.
    async fn cursor_walk(mut self, mut next: String) -> LoadAll {
        let mut key = 2u64; // page 1 is stored under 1
        let mut restarted = false;
        let mut used = HashSet::new();
        let mut stale_pages = 0;
        loop {
            if self.cancel.is_cancelled() {
                return self.done(Some(ClientError::Cancelled), Vec::new());
            }
            if !used.insert(next.clone()) {
                self.warnings.push(Warning::new(
                    "paging.cursorLoop",
                    "the server handed out a cursor it had already given; paging stopped",
                ));
                return self.done(None, Vec::new());
            }
            match self
                .client
                .list_raw(self.endpoint, &self.cursor_params(&next))
                .await
            {
                Ok(page) => {
                    let following = page.value.next_cursor.clone();
                    let n = page.value.resources.len();
                    let fresh = self.store(key, page);
                    key += 1;
                    stale_pages = if n > 0 && fresh == 0 {
                        stale_pages + 1
                    } else {
                        0
                    };
                    match following {
                        Some(c) if stale_pages < 3 && !c.is_empty() => next = c,
                        _ => return self.done(None, Vec::new()),
                    }
                }
                Err(ClientError::Http {
                    scim: Some(body), ..
                }) if body.scim_type.as_deref() == Some("expiredCursor") && !restarted => {
                    restarted = true;
                    used.clear();
                    self.warnings.push(Warning::new("paging.cursorExpired", "a cursor expired while loading; the listing was restarted from the beginning"));
                    next = String::new();
                }
                Err(e) => return self.done(Some(e), Vec::new()),
            }
        }
    }

    /// Stores a page; returns how many of its resources were new.
    fn store(&mut self, start: u64, page: Tolerant<RawListResponse>) -> usize {
        self.warnings.extend(page.warnings);
        let items = page.value.resources;
        let mut fresh = 0;
        for id in items.iter().filter_map(|r| raw_id(r)) {
            if self.seen.insert(id) {
                fresh += 1;
            } else {
                self.repeated += 1;
            }
        }
        self.loaded += items.len();
        self.pages.insert(start, items);
        (self.on_progress)(Progress {
            loaded: self.loaded,
            total: self.total,
            elapsed_secs: self.started.elapsed().as_secs_f64(),
        });
        fresh
    }

    fn done(self, error: Option<ClientError>, resume_from: Vec<u64>) -> LoadAll {
        finish(
            self.pages,
            self.warnings,
            error,
            resume_from,
            self.total,
            self.step,
            self.repeated > 0,
        )
    }

    /// No `totalResults`: page sequentially until an empty page. A page that brings nothing new means
    /// the server ignores startIndex, so stop rather than loop.
    async fn sequential(mut self, mut start: u64) -> LoadAll {
        loop {
            if self.cancel.is_cancelled() {
                return self.done(Some(ClientError::Cancelled), vec![start]);
            }
            match self
                .client
                .list_raw(self.endpoint, &self.params(start))
                .await
            {
                Ok(p) if p.value.resources.is_empty() => return self.done(None, Vec::new()),
                Ok(p) => {
                    let n = p.value.resources.len() as u64;
                    if self.store(start, p) == 0 {
                        self.warnings.push(Warning::new(
                            "paging.noProgress",
                            format!("the page at startIndex {start} repeated resources already loaded; paging stopped there"),
                        ));
                        return self.done(None, Vec::new());
                    }
                    start += n;
                }
                Err(e) => return self.done(Some(e), vec![start]),
            }
        }
    }

    /// Known total: fetch the pages at `queue` (start indexes) with several in flight. Short pages
    /// queue a follow-up for their gap; the number of requests is bounded.
    async fn concurrent(mut self, mut queue: Vec<u64>) -> LoadAll {
        let total = self.total.unwrap_or(0) as u64;
        let step = self.step.max(1);
        queue.sort_unstable_by(|a, b| b.cmp(a)); // pop() takes the lowest start first
        let max_requests = (total / step) * 2 + 16;
        let mut requests = 0u64;
        let mut in_flight: JoinSet<(u64, PageResult)> = JoinSet::new();
        let mut failure: Option<ClientError> = None;
        let (mut short_pages, mut stale_pages, mut stalled) = (0usize, 0usize, false);
        loop {
            while failure.is_none()
                && in_flight.len() < self.options.concurrency.max(1)
                && requests < max_requests
            {
                let Some(start) = queue.pop() else { break };
                if self.cancel.is_cancelled() {
                    queue.push(start);
                    failure = Some(ClientError::Cancelled);
                    break;
                }
                requests += 1;
                let client = self.client.clone();
                let endpoint = self.endpoint.to_owned();
                let params = self.params(start);
                in_flight.spawn(async move { (start, client.list_raw(&endpoint, &params).await) });
            }
            let Some(joined) = in_flight.join_next().await else {
                break;
            };
            let Ok((start, result)) = joined else {
                continue;
            };
            match result {
                Ok(p) => {
                    let n = p.value.resources.len() as u64;
                    let fresh = self.store(start, p);
                    // A server ignoring startIndex returns the same page forever: stop after a few.
                    stale_pages = if n > 0 && fresh == 0 {
                        stale_pages + 1
                    } else {
                        0
                    };
                    if stale_pages >= 3 && !stalled {
                        stalled = true;
                        queue.clear();
                        self.warnings.push(Warning::new(
                            "paging.noProgress",
                            "several pages in a row repeated resources already loaded; the server seems to ignore startIndex, so paging stopped",
                        ));
                    }
                    let expected_end = (start + step).min(total + 1);
                    if n > 0 && start + n < expected_end && !stalled {
                        short_pages += 1;
                        queue.push(start + n);
                    }
                }
                Err(e) => {
                    queue.push(start);
                    failure.get_or_insert(e);
                }
            }
        }
        if short_pages > 0 {
            self.warnings.push(Warning::new(
                "paging.shortPages",
                format!("{short_pages} pages came back shorter than the others; the gaps were fetched separately"),
            ));
        }
        if requests >= max_requests && !queue.is_empty() {
            self.warnings.push(Warning::new(
                "paging.gaveUp",
                "paging stopped after too many requests; the server's paging looks inconsistent",
            ));
        }
        queue.sort_unstable();
        match failure {
            Some(e) => self.done(Some(e), queue),
            None => self.done(None, Vec::new()),
        }
    }
}

impl ScimClient {
    fn loader<'a>(
        &'a self,
        endpoint: &'a str,
        options: &'a LoadOptions,
        cancel: &'a CancelFlag,
        on_progress: &'a (dyn Fn(Progress) + Send + Sync),
    ) -> Loader<'a> {
        Loader {
            client: self,
            endpoint,
            options,
            cancel,
            on_progress,
            started: Instant::now(),
            pages: BTreeMap::new(),
            warnings: Vec::new(),
            seen: HashSet::new(),
            loaded: 0,
            total: None,
            step: 0,
            repeated: 0,
        }
    }

    /// Loads every resource of `endpoint` matching `options.params`.
    pub async fn load_all(
        &self,
        endpoint: &str,
        options: &LoadOptions,
        cancel: &CancelFlag,
        on_progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> LoadAll {
        let mut loader = self.loader(endpoint, options, cancel, on_progress);
        let first_params = if options.cursor {
            loader.cursor_params("")
        } else {
            loader.params(1)
        };
        let first = match self.list_raw(endpoint, &first_params).await {
            Ok(f) => f,
            Err(e) => return loader.done(Some(e), vec![1]),
        };
        let step = first.value.resources.len() as u64;
        let announced = first.value.total_results;
        if step > 0 && step < options.page_size && announced.unwrap_or(u64::MAX) > step {
            loader.warnings.push(Warning::new(
                "paging.serverCap",
                format!(
                    "the server returns at most {step} resources per page (asked for {})",
                    options.page_size
                ),
            ));
        }
        loader.step = step;
        loader.total = announced.map(|t| t as usize);
        let next_cursor = first.value.next_cursor.clone().filter(|c| !c.is_empty());
        loader.store(1, first);
        // Cursor paging when asked for, or when the server sends a cursor unasked and no total.
        match next_cursor {
            Some(next) if options.cursor || announced.is_none() => {
                if !options.cursor {
                    loader.warnings.push(Warning::new(
                        "paging.cursorUnasked",
                        "the server sent a nextCursor without being asked; it was followed",
                    ));
                }
                return loader.cursor_walk(next).await;
            }
            None if options.cursor && announced.is_some_and(|t| t > step) => {
                loader.warnings.push(Warning::new(
                    "paging.cursorUnsupported",
                    "cursor paging was asked for but the server answered with index paging; index paging was used",
                ));
            }
            _ => {}
        }
        match announced {
            None if step == 0 => loader.done(None, Vec::new()),
            None => loader.sequential(1 + step).await,
            Some(total) if step == 0 => {
                if total > 0 {
                    loader.warnings.push(Warning::new(
                        "paging.emptyFirstPage",
                        format!(
                            "the server reports {total} results but sent none on the first page"
                        ),
                    ));
                }
                loader.done(None, Vec::new())
            }
            Some(total) => {
                let queue = (1..)
                    .map(|k| 1 + k * step)
                    .take_while(|s| *s <= total)
                    .collect();
                loader.concurrent(queue).await
            }
        }
    }

    /// Continues a partial load: fetches the pages `previous.resume_from` lists and merges them with
    /// what `previous` already holds.
    pub async fn resume_load(
        &self,
        endpoint: &str,
        options: &LoadOptions,
        previous: LoadAll,
        cancel: &CancelFlag,
        on_progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> LoadAll {
        if previous.error.is_none() || previous.resume_from.is_empty() {
            return previous;
        }
        if previous.resume_from == [1] && previous.pages.is_empty() {
            return self.load_all(endpoint, options, cancel, on_progress).await;
        }
        let mut loader = self.loader(endpoint, options, cancel, on_progress);
        loader.seen = previous
            .pages
            .values()
            .flatten()
            .filter_map(|r| raw_id(r))
            .collect();
        loader.loaded = previous.pages.values().map(Vec::len).sum();
        loader.pages = previous.pages;
        loader.warnings = previous.warnings;
        loader.total = previous.total;
        loader.step = previous.page_step;
        loader.repeated = 1; // the merged pages may overlap: always deduplicate
        match previous.total {
            Some(_) => loader.concurrent(previous.resume_from).await,
            None => loader.sequential(previous.resume_from[0]).await,
        }
    }
}

fn finish(
    pages: BTreeMap<u64, Vec<RawResource>>,
    warnings: Vec<Warning>,
    error: Option<ClientError>,
    resume_from: Vec<u64>,
    total: Option<usize>,
    page_step: u64,
    may_repeat: bool,
) -> LoadAll {
    // Every page repeats the same deviations (say, a missing schema): say each once.
    let mut unique = HashSet::new();
    let mut warnings: Vec<Warning> = warnings
        .into_iter()
        .filter(|w| w.code != "paging.duplicates" && w.code != "paging.fewerThanTotal")
        .filter(|w| unique.insert((w.code, w.message.clone())))
        .collect();
    // A complete load hands its pages over; a partial one keeps them for `resume_load`.
    let (items, pages): (Vec<RawResource>, BTreeMap<u64, Vec<RawResource>>) = if error.is_none() {
        (pages.into_values().flatten().collect(), BTreeMap::new())
    } else {
        (pages.values().flatten().cloned().collect(), pages)
    };
    let mut duplicates = 0;
    let resources = if may_repeat {
        let mut seen = HashSet::new();
        let mut kept = Vec::with_capacity(items.len());
        for item in items {
            let duplicate = raw_id(&item).is_some_and(|id| !seen.insert(id));
            if duplicate {
                duplicates += 1;
            } else {
                kept.push(item);
            }
        }
        kept
    } else {
        items
    };
    if duplicates > 0 {
        warnings.push(Warning::new(
            "paging.duplicates",
            format!("{duplicates} resources came back twice (the directory changed while loading, or pages overlap); duplicates were dropped"),
        ));
    }
    if error.is_none() {
        if let Some(t) = total {
            if resources.len() < t {
                warnings.push(Warning::new(
                    "paging.fewerThanTotal",
                    format!("loaded {} of the {t} resources the server announced (some may have been deleted meanwhile)", resources.len()),
                ));
            }
        }
    }
    LoadAll {
        resources,
        total,
        warnings,
        error,
        resume_from,
        page_step,
        pages,
    }
}
