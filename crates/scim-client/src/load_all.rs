//! Loading a whole collection: index paging with several pages in flight, tolerant of servers that cap
//! page sizes, omit `totalResults` or change while we page. Results are deduplicated by id; a failure
//! keeps what was loaded and says where to resume, and [`ScimClient::resume_load`] continues from
//! there. Bounded in every way: it cannot loop forever, and it holds at most `max_resources`
//! resources however large a total the server announces (start indexes are produced as needed, never
//! listed up front). A load that reaches the cap ends partial, with a warning and a way to resume.
//! A page larger than the client reads (a page of groups with a million members between them) is
//! asked for again in smaller pieces, down to a single resource, rather than failing the load.
//!
//! [`ScimClient::stream_all`] is the same load handing each page on, in order, as soon as every page
//! before it has arrived: what an export writes as it goes, holding a few pages instead of the
//! directory (pages that arrive early wait, and no more are asked for while too many wait).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use tokio::task::JoinSet;

use scim_core::filter::{evaluate, parse_filter, EvalOptions, Filter};
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
    /// The most pages in flight at once (index paging), when lower than the connection's own
    /// maximum ([`crate::PacingConfig::max_in_flight`]); within that the client's pacer decides
    /// ([`crate::pacing`]: it widens while the server keeps up and narrows on 429, 503 or slowing
    /// answers). The default leaves it to the connection.
    pub concurrency: usize,
    /// Ask for RFC 9865 cursor paging (when the server's configuration offers it). Cursor pages come
    /// one after another, but a directory changing meanwhile cannot shift them.
    pub cursor: bool,
    /// The most resources one load (or one resume) holds; past it the load ends partial. Bounds the
    /// memory and time a server announcing a trillion results, or paging new ids forever, can take.
    pub max_resources: usize,
    /// Send no `count`: for servers that fail on it (Canaille answers any `count` with a 500). Set
    /// after a load reported [`LoadAll::count_refused`].
    pub omit_count: bool,
}

/// The default of [`LoadOptions::max_resources`]: far above any directory we have met (the largest
/// tenants hold a few hundred thousand users), far below what would exhaust memory.
pub const DEFAULT_MAX_RESOURCES: usize = 5_000_000;

/// Distinct warnings kept per load.
const MAX_WARNINGS: usize = 200;

/// Pages over the body limit asked again in pieces, at most, per load: enough to isolate a few
/// huge resources among thousands of pages (each one costs a few cuts), and a
/// bound on the requests a server answering every page with gigabytes can draw.
const MAX_SPLITS: u64 = 256;
/// Of them, answers found too large only by reading them (no `Content-Length`, or a false one):
/// each cost a whole limit's worth of bytes, so they are few and cut eight ways (a page of 1000
/// comes down to single resources in three), and an endless body costs four reads, not ten.
const MAX_READ_SPLITS: u64 = 3;

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            params: ListParams::default(),
            page_size: 500,
            concurrency: usize::MAX,
            cursor: false,
            max_resources: DEFAULT_MAX_RESOURCES,
            omit_count: false,
        }
    }
}

/// What a load produced. With `error` set the result is partial: `resume_from` lists the start
/// indexes still missing (and `resume_tail`, when set, every page from there to the end), and
/// [`ScimClient::resume_load`] fetches them. Resources are kept as the
/// server sent them (checked JSON): building a `Value` for each costs twenty times the check, and
/// a table needs only a few attributes of most of them ([`LoadAll::values`] builds them all).
#[derive(Debug, Clone)]
pub struct LoadAll {
    pub resources: Vec<RawResource>,
    pub total: Option<usize>,
    pub warnings: Vec<Warning>,
    pub error: Option<ClientError>,
    pub resume_from: Vec<u64>,
    /// Index paging stopped before the end (at the resource cap, or on a failure): the pages from
    /// this start index on, one `page_step` apart, were never asked for.
    pub resume_tail: Option<u64>,
    /// Cursor paging stopped before the end: the `nextCursor` to continue from.
    pub resume_cursor: Option<String>,
    /// Resources per page as the server actually served them.
    pub page_step: u64,
    /// The server failed on a request carrying `count` and answered without it: remember it for the
    /// connection ([`LoadOptions::omit_count`]).
    pub count_refused: bool,
    /// Resources the server returned that do not match the filter sent, left out (the server ignored
    /// or mis-applied the filter).
    pub filtered_out: usize,
    /// A streaming load: how many resources went to the sink (`resources` is then empty).
    pub streamed: Option<usize>,
    /// A streaming load: the most pages held at once, waiting for an earlier page.
    pub peak_waiting_pages: usize,
    /// Pages by start index, kept so a resumed load can merge into them.
    pages: BTreeMap<u64, Vec<RawResource>>,
}

impl LoadAll {
    /// A stand-in holding the first page while the rest loads (see
    /// [`ScimClient::load_all_previewed`]): what a table can show in the time of one page.
    pub fn first_page(resources: Vec<RawResource>, total: Option<usize>) -> Self {
        let mut preview = finish(
            BTreeMap::new(),
            Vec::new(),
            None,
            Vec::new(),
            total,
            resources.len() as u64,
            Held::Pages { may_repeat: false },
        );
        // Not finished: no "fewer than announced" yet.
        preview.warnings.clear();
        preview.resources = resources;
        preview
    }

    /// Every resource parsed.
    pub fn values(&self) -> Vec<Value> {
        self.resources.iter().map(|r| raw_value(r)).collect()
    }
}

type PageResult = Result<Tolerant<RawListResponse>, ClientError>;

/// The ids a load has seen, as 128-bit keyed hashes (16 bytes each, where the strings took about
/// a hundred): a million ids in ~20 MB. Two keyed SipHashes make a false "seen" (which would drop a
/// resource) a 2^-128 event per pair, and a server cannot aim at it without the process's keys.
#[derive(Debug, Default)]
struct IdSet {
    keys: (
        std::collections::hash_map::RandomState,
        std::collections::hash_map::RandomState,
    ),
    seen: HashSet<u128>,
}

impl IdSet {
    /// True when `id` was not seen before.
    fn insert(&mut self, id: &str) -> bool {
        use std::hash::BuildHasher;
        let high = u128::from(self.keys.0.hash_one(id));
        let low = u128::from(self.keys.1.hash_one(id));
        self.seen.insert(high << 64 | low)
    }
}

/// Where [`ScimClient::stream_all`] hands its resources: one call per page, in the server's order,
/// duplicates and filter misses already left out. An `Err` (the pipe closed, the disk is full) stops
/// the load with [`ClientError::Output`].
pub type PageSink<'a> = dyn FnMut(Vec<RawResource>) -> Result<(), String> + Send + 'a;

/// The pages a streaming load may hold, waiting for an earlier one or on their way, per page it may
/// have in flight: past it no page is asked for but the earlier one (so a slow page cannot make
/// memory grow).
const WAITING_PAGES_PER_FLIGHT: usize = 2;

/// A streaming load's end of the pipe.
struct Stream<'a> {
    sink: &'a mut PageSink<'a>,
    emitted: usize,
    failed: Option<String>,
    peak_waiting: usize,
}

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
    seen: IdSet,
    loaded: usize,
    total: Option<usize>,
    step: u64,
    /// Resources whose id was already loaded: when zero, the result needs no deduplication pass.
    repeated: usize,
    /// The most resources this load may hold (the cap, plus what a resumed load started with).
    cap: usize,
    /// Resources received, kept or not.
    received: usize,
    omit_count: bool,
    count_refused: bool,
    /// The `count` asked for: the options' page size, cut while the first page is too large.
    page_size: u64,
    /// Pages asked again in pieces because they were over the body limit.
    splits: u64,
    /// Of them, found too large only by reading past the limit.
    read_splits: u64,
    /// The filter sent, to check what comes back against (`None` when results cannot be judged).
    check: Option<Filter>,
    filtered_out: usize,
    resume_cursor: Option<String>,
    stream: Option<Stream<'a>>,
    /// Shown the first page while the rest loads.
    on_first: Option<&'a FirstPage<'a>>,
}

/// Shown the first page of a load (and the total the server announced) as soon as it arrived.
pub type FirstPage<'a> = dyn Fn(&[RawResource], Option<usize>) + Send + Sync + 'a;

/// The start indexes still to fetch: gaps (short pages, failures) and the next regular page, made
/// one at a time so a total of 10^15 costs nothing up front.
struct PageQueue {
    gaps: BinaryHeap<Reverse<u64>>,
    next: u64,
    /// The last start index a regular page may have.
    last: u64,
    step: u64,
}

impl PageQueue {
    fn pop(&mut self) -> Option<u64> {
        let gap = self.gaps.peek().map(|Reverse(g)| *g);
        match gap {
            Some(g) if g <= self.next || self.next > self.last => {
                self.gaps.pop();
                Some(g)
            }
            _ if self.next <= self.last => {
                let start = self.next;
                self.next = self.next.saturating_add(self.step);
                Some(start)
            }
            _ => None,
        }
    }
    fn push(&mut self, start: u64) {
        self.gaps.push(Reverse(start));
    }
    /// The lowest start index still to be asked for.
    fn lowest(&self) -> Option<u64> {
        let gap = self.gaps.peek().map(|Reverse(g)| *g);
        let regular = (self.next <= self.last).then_some(self.next);
        gap.into_iter().chain(regular).min()
    }
    fn clear(&mut self) {
        self.gaps.clear();
        self.next = self.last.saturating_add(1);
    }
    fn is_empty(&self) -> bool {
        self.gaps.is_empty() && self.next > self.last
    }
    /// What is left, for a resume: the gaps listed, the regular pages as where they start.
    fn remaining(self) -> (Vec<u64>, Option<u64>) {
        let mut gaps: Vec<u64> = self.gaps.into_iter().map(|Reverse(g)| g).collect();
        gaps.sort_unstable();
        gaps.dedup();
        let tail = (self.next <= self.last).then_some(self.next);
        (gaps, tail)
    }
}

/// The filter to check results against: none when the results cannot show what it reads (a
/// projection may leave out the attributes it tests).
fn filter_to_check(params: &ListParams) -> Option<Filter> {
    if !params.attributes.is_empty() || !params.excluded_attributes.is_empty() {
        return None;
    }
    parse_filter(params.filter.as_deref()?).ok()
}

impl Loader<'_> {
    fn count(&self) -> Option<u64> {
        (!self.omit_count).then_some(self.page_size)
    }

    fn params(&self, start: u64) -> ListParams {
        self.sized_params(start, self.count())
    }

    fn sized_params(&self, start: u64, count: Option<u64>) -> ListParams {
        ListParams {
            start_index: Some(start),
            count,
            ..self.options.params.clone()
        }
    }

    /// A page over the body limit with more than one resource asked for: how many to ask for
    /// instead (when `count` is sent at all, and within the load's budget). A quarter when the
    /// server announced the size (refused unread, but the server built the whole answer: a page
    /// of 1000 comes down to one resource in five asks, not ten); an eighth when the limit was
    /// found by reading that much. `None` leaves the error standing.
    fn piece_size(&mut self, error: &ClientError, asked: u64) -> Option<u64> {
        let ClientError::TooLarge { announced, .. } = error else {
            return None;
        };
        if self.omit_count
            || asked <= 1
            || self.splits >= MAX_SPLITS
            || (!announced && self.read_splits >= MAX_READ_SPLITS)
        {
            return None;
        }
        self.splits += 1;
        if *announced {
            Some((asked / 4).max(1))
        } else {
            self.read_splits += 1;
            Some((asked / 8).max(1))
        }
    }

    fn cursor_params(&self, cursor: &str) -> ListParams {
        ListParams {
            start_index: None,
            count: self.count(),
            cursor: Some(cursor.to_owned()),
            ..self.options.params.clone()
        }
    }

    /// Counted on every resource received (duplicates and filter misses too): they all cost memory.
    fn at_cap(&self) -> bool {
        self.received >= self.cap
    }

    fn cap_error(&self) -> ClientError {
        ClientError::ResourceCap {
            cap: self.options.max_resources,
            announced: self.total,
        }
    }

    /// RFC 9865: follow `nextCursor` until there is none. An expired cursor restarts the listing once
    /// (results are deduplicated); a cursor that repeats, or pages that bring nothing new, stop it.
    async fn cursor_walk(mut self, mut next: String, mut key: u64) -> LoadAll {
        let mut restarted = false;
        let mut used = HashSet::new();
        let mut stale_pages = 0;
        loop {
            // Stopped here: Resume continues from this cursor (if it expired by then, the listing
            // restarts once and duplicates are dropped).
            if self.cancel.is_cancelled() {
                self.resume_cursor = Some(next);
                return self.done(Some(ClientError::Cancelled), Vec::new());
            }
            if self.at_cap() {
                let e = self.cap_error();
                self.resume_cursor = Some(next);
                return self.done(Some(e), Vec::new());
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
                    self.flush(u64::MAX);
                    if let Some(e) = self.sink_failure() {
                        return self.done(Some(e), Vec::new());
                    }
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
                Err(e) => match self.piece_size(&e, self.page_size) {
                    // The same cursor again, for fewer resources.
                    Some(fewer) => {
                        self.page_size = fewer;
                        used.remove(&next);
                    }
                    None => return self.done(Some(e), Vec::new()),
                },
            }
        }
    }

    /// Stores a page; returns how many of its resources were new (before the filter check, so a
    /// page of non-matches still counts as progress).
    fn store(&mut self, start: u64, page: Tolerant<RawListResponse>) -> usize {
        // Every page repeats the same deviations: keep each once, and only so many, so a million
        // pages with a warning each cannot grow the list without bound.
        for w in page.warnings {
            if self.warnings.len() < MAX_WARNINGS && !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        let mut items = page.value.resources;
        self.received += items.len();
        let mut fresh = 0;
        // A streaming load drops a repeat here (what was handed on cannot be taken back); a held one
        // keeps it for `finish`, which keeps the copy of the earlier page.
        let streaming = self.stream.is_some();
        let (seen, repeated) = (&mut self.seen, &mut self.repeated);
        items.retain(|r| match raw_id(r) {
            Some(id) => {
                if seen.insert(&id) {
                    fresh += 1;
                    true
                } else {
                    *repeated += 1;
                    !streaming
                }
            }
            None => true,
        });
        if let Some(filter) = &self.check {
            let before = items.len();
            // Only a clear "does not match" drops a resource; one the core cannot judge stays.
            items.retain(|r| {
                evaluate(filter, &raw_value(r), &EvalOptions::default()).unwrap_or(true)
            });
            self.filtered_out += before - items.len();
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

    /// Hands the sink every held page that starts below `below`, in order (a streaming load only).
    fn flush(&mut self, below: u64) {
        let Some(stream) = self.stream.as_mut() else {
            return;
        };
        stream.peak_waiting = stream.peak_waiting.max(self.pages.len());
        while stream.failed.is_none() {
            let Some(entry) = self.pages.first_entry() else {
                break;
            };
            if *entry.key() >= below {
                break;
            }
            let items = entry.remove();
            let n = items.len();
            match (stream.sink)(items) {
                Ok(()) => stream.emitted += n,
                Err(e) => stream.failed = Some(e),
            }
        }
    }

    fn sink_failure(&self) -> Option<ClientError> {
        let failed = self.stream.as_ref()?.failed.clone()?;
        Some(ClientError::Output(failed))
    }

    /// The most pages this load has in flight: its own cap or the connection's, the lower.
    fn flight_cap(&self) -> usize {
        self.options
            .concurrency
            .min(self.client.pacer().config().max_in_flight)
            .max(1)
    }

    /// A streaming load with as many pages waiting or on their way as it may hold: ask for no more
    /// but the one the waiting pages wait for.
    fn waiting_full(&self, in_flight: usize) -> bool {
        self.stream.is_some()
            && self.pages.len() + in_flight >= WAITING_PAGES_PER_FLIGHT * self.flight_cap()
    }

    fn done(self, error: Option<ClientError>, resume_from: Vec<u64>) -> LoadAll {
        self.done_with_tail(error, resume_from, None)
    }

    fn done_with_tail(
        mut self,
        error: Option<ClientError>,
        resume_from: Vec<u64>,
        resume_tail: Option<u64>,
    ) -> LoadAll {
        if self.filtered_out > 0 {
            let filter = self.options.params.filter.clone().unwrap_or_default();
            self.warnings.push(Warning::new(
                "filter.notApplied",
                format!(
                    "the server returned {} resources that do not match the filter `{filter}`; they were left out (the server seems to ignore or mis-apply filters)",
                    self.filtered_out
                ),
            ));
        }
        if self.splits > 0 {
            let limit = self.client.config().max_body_bytes;
            self.warnings.push(Warning::new(
                "paging.pageTooLarge",
                format!(
                    "{} larger than the {} read at most (a page of groups with very many members?); asked for again in smaller pieces",
                    if self.splits == 1 { "an answer was".to_owned() } else { format!("{} answers were", self.splits) },
                    crate::body::size(limit)
                ),
            ));
        }
        if matches!(error, Some(ClientError::ResourceCap { .. })) {
            self.warnings.push(Warning::new(
                "paging.capReached",
                format!(
                    "the load stopped at {} resources, the connection's cap; Resume loads up to {} more",
                    self.loaded,
                    self.options.max_resources
                ),
            ));
        }
        // A finished stream hands on what it still holds; after a failure, pages past the missing
        // one cannot go out in order and are dropped (the error says where the output stops).
        let error = match error {
            None => {
                self.flush(u64::MAX);
                self.sink_failure()
            }
            some => some,
        };
        let streamed = self.stream.as_ref().map(|s| (s.emitted, s.peak_waiting));
        if streamed.is_some() {
            self.pages.clear();
        }
        let mut result = finish(
            self.pages,
            self.warnings,
            error,
            resume_from,
            self.total,
            self.step,
            match streamed {
                Some((emitted, _)) => Held::Streamed {
                    emitted,
                    dropped: self.repeated,
                },
                None => Held::Pages {
                    may_repeat: self.repeated > 0,
                },
            },
        );
        result.peak_waiting_pages = streamed.map_or(0, |(_, peak)| peak);
        result.resume_tail = resume_tail;
        result.resume_cursor = self.resume_cursor;
        result.count_refused = self.count_refused;
        result.filtered_out = self.filtered_out;
        result
    }

    /// No `totalResults`: page sequentially until an empty page. A page that brings nothing new means
    /// the server ignores startIndex, so stop rather than loop.
    async fn sequential(mut self, mut start: u64) -> LoadAll {
        loop {
            if self.cancel.is_cancelled() {
                return self.done(Some(ClientError::Cancelled), vec![start]);
            }
            if self.at_cap() {
                let e = self.cap_error();
                return self.done(Some(e), vec![start]);
            }
            match self
                .client
                .list_raw(self.endpoint, &self.params(start))
                .await
            {
                Ok(p) if p.value.resources.is_empty() => return self.done(None, Vec::new()),
                Ok(p) => {
                    let n = p.value.resources.len() as u64;
                    let fresh = self.store(start, p);
                    self.flush(u64::MAX);
                    if let Some(e) = self.sink_failure() {
                        return self.done(Some(e), Vec::new());
                    }
                    if fresh == 0 {
                        self.warnings.push(Warning::new(
                            "paging.noProgress",
                            format!("the page at startIndex {start} repeated resources already loaded; paging stopped there"),
                        ));
                        return self.done(None, Vec::new());
                    }
                    start = start.saturating_add(n);
                }
                Err(e) => match self.piece_size(&e, self.page_size) {
                    Some(fewer) => self.page_size = fewer,
                    None => return self.done(Some(e), vec![start]),
                },
            }
        }
    }

    /// Known total: fetch the pages `queue` yields with several in flight. Short pages queue a
    /// follow-up for their gap; the number of requests is bounded, and so is what is held.
    async fn concurrent(mut self, mut queue: PageQueue) -> LoadAll {
        let total = self.total.unwrap_or(0) as u64;
        let step = self.step.max(1);
        // Pages past the cap are never asked for: the queue ends where the cap would be reached.
        let room = (self.cap.saturating_sub(self.received)) as u64;
        let cap_last = queue
            .next
            .saturating_add(room.saturating_sub(1) / step * step);
        let capped = cap_last < queue.last;
        queue.last = queue.last.min(cap_last);
        let mut max_requests = (total.min(self.cap as u64) / step).saturating_mul(2) + 16;
        let mut requests = 0u64;
        // Pieces of pages that were over the body limit: their start and how many they ask for.
        let mut pieces: HashMap<u64, u64> = HashMap::new();
        let mut in_flight: JoinSet<(u64, u64, PageResult)> = JoinSet::new();
        // Start indexes asked for and not yet answered: a streaming load hands on pages below them.
        let mut flying: BTreeSet<u64> = BTreeSet::new();
        let mut failure: Option<ClientError> = None;
        let (mut short_pages, mut stale_pages, mut stalled) = (0usize, 0usize, false);
        loop {
            while failure.is_none()
                && in_flight.len() < self.flight_cap().min(self.client.pacer().window())
                && requests < max_requests
                && !self.at_cap()
            {
                // Holding too many pages that wait for an earlier one: only that earlier one is asked for.
                let waiting_from = self.pages.keys().next().copied();
                if self.waiting_full(in_flight.len())
                    && queue
                        .lowest()
                        .is_some_and(|s| waiting_from.is_some_and(|w| s > w))
                {
                    break;
                }
                let Some(start) = queue.pop() else { break };
                if self.cancel.is_cancelled() {
                    queue.push(start);
                    failure = Some(ClientError::Cancelled);
                    break;
                }
                requests += 1;
                let client = self.client.clone();
                let endpoint = self.endpoint.to_owned();
                let asked = pieces.get(&start).copied().unwrap_or(self.page_size);
                let params = self.sized_params(start, self.count().map(|_| asked));
                flying.insert(start);
                in_flight.spawn(async move {
                    (start, asked, client.list_raw(&endpoint, &params).await)
                });
            }
            let Some(joined) = in_flight.join_next().await else {
                break;
            };
            let Ok((start, asked, result)) = joined else {
                continue;
            };
            flying.remove(&start);
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
                    let piece = pieces.remove(&start);
                    let expected_end = start
                        .saturating_add(piece.unwrap_or(step))
                        .min(total.saturating_add(1));
                    if n > 0 && start.saturating_add(n) < expected_end && !stalled {
                        short_pages += 1;
                        queue.push(start + n);
                        if piece.is_some() {
                            pieces.insert(start + n, expected_end - (start + n));
                        }
                    }
                }
                Err(e) => match self.piece_size(&e, asked.min(step)) {
                    // Over the body limit: the page in pieces, each asked for on its own.
                    Some(piece) => {
                        // No piece past the last resource the server announced.
                        let end = start
                            .saturating_add(asked.min(step))
                            .min(total.saturating_add(1))
                            .max(start + 1);
                        let mut at = start;
                        while at < end {
                            let n = piece.min(end - at);
                            pieces.insert(at, n);
                            queue.push(at);
                            max_requests = max_requests.saturating_add(1);
                            at += n;
                        }
                    }
                    None => {
                        queue.push(start);
                        failure.get_or_insert(e);
                    }
                },
            }
            let below = flying
                .first()
                .copied()
                .into_iter()
                .chain(queue.lowest())
                .min()
                .unwrap_or(u64::MAX);
            self.flush(below);
            if let Some(e) = self.sink_failure() {
                failure.get_or_insert(e);
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
        if failure.is_none() && !stalled && (capped || (self.at_cap() && !queue.is_empty())) {
            failure = Some(self.cap_error());
            if capped {
                queue.last = total;
            }
        }
        match failure {
            Some(e) => {
                let (gaps, tail) = queue.remaining();
                self.done_with_tail(Some(e), gaps, tail)
            }
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
            seen: IdSet::default(),
            loaded: 0,
            total: None,
            step: 0,
            repeated: 0,
            cap: options.max_resources,
            received: 0,
            omit_count: options.omit_count,
            count_refused: false,
            page_size: options.page_size.max(1),
            splits: 0,
            read_splits: 0,
            check: filter_to_check(&options.params),
            filtered_out: 0,
            resume_cursor: None,
            stream: None,
            on_first: None,
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
        self.run_load(self.loader(endpoint, options, cancel, on_progress))
            .await
    }

    /// Loads like [`ScimClient::load_all`], showing `on_first` the first page as soon as it is in
    /// (when more pages follow), so a screen can show rows in the time of one page.
    pub async fn load_all_previewed<'a>(
        &'a self,
        endpoint: &'a str,
        options: &'a LoadOptions,
        cancel: &'a CancelFlag,
        on_progress: &'a (dyn Fn(Progress) + Send + Sync),
        on_first: &'a FirstPage<'a>,
    ) -> LoadAll {
        let mut loader = self.loader(endpoint, options, cancel, on_progress);
        loader.on_first = Some(on_first);
        self.run_load(loader).await
    }

    /// Loads like [`ScimClient::load_all`], handing each page to `sink` in order as soon as the
    /// pages before it are in, and holding at most a few pages per page in flight. The result
    /// holds no resources: [`LoadAll::streamed`] counts what went out. It cannot be resumed: after
    /// a failure the sink has had every resource before the first missing page, and nothing after.
    pub async fn stream_all<'a>(
        &'a self,
        endpoint: &'a str,
        options: &'a LoadOptions,
        cancel: &'a CancelFlag,
        on_progress: &'a (dyn Fn(Progress) + Send + Sync),
        sink: &'a mut PageSink<'a>,
    ) -> LoadAll {
        let mut loader = self.loader(endpoint, options, cancel, on_progress);
        loader.stream = Some(Stream {
            sink,
            emitted: 0,
            failed: None,
            peak_waiting: 0,
        });
        self.run_load(loader).await
    }

    async fn run_load(&self, mut loader: Loader<'_>) -> LoadAll {
        let (endpoint, options) = (loader.endpoint, loader.options);
        let mut first_params = if options.cursor {
            loader.cursor_params("")
        } else {
            loader.params(1)
        };
        let first = loop {
            match self.list_raw(endpoint, &first_params).await {
                Err(e) => match loader.piece_size(&e, loader.page_size) {
                    // Too large to read: fewer per page, for this page and the rest of the load.
                    Some(fewer) => {
                        loader.page_size = fewer;
                        first_params.count = Some(fewer);
                    }
                    None => break Err(e),
                },
                ok => break ok,
            }
        };
        let first = match first {
            Ok(f) => f,
            // Canaille fails on any `count`: ask once more without it, and page by the server's size.
            Err(e) if is_server_failure(&e) && first_params.count.is_some() => {
                let without = ListParams {
                    count: None,
                    ..first_params.clone()
                };
                match self.list_raw(endpoint, &without).await {
                    Ok(f) => {
                        loader.omit_count = true;
                        loader.count_refused = true;
                        loader.warnings.push(Warning::new(
                            "paging.countRefused",
                            format!("the server failed on a request carrying `count` ({e}) and answered without it; pages are loaded at the server's own size"),
                        ));
                        f
                    }
                    Err(_) => return loader.done(Some(e), vec![1]),
                }
            }
            Err(e) => return loader.done(Some(e), vec![1]),
        };
        let step = first.value.resources.len() as u64;
        let announced = first.value.total_results;
        if step > 0
            && step < loader.page_size
            && !loader.omit_count
            && announced.unwrap_or(u64::MAX) > step
        {
            loader.warnings.push(Warning::new(
                "paging.serverCap",
                format!(
                    "the server returns at most {step} resources per page (asked for {})",
                    loader.page_size
                ),
            ));
        }
        loader.step = step;
        loader.total = announced.map(|t| usize::try_from(t).unwrap_or(usize::MAX));
        if let Some(t) = announced.filter(|t| *t > options.max_resources as u64) {
            loader.warnings.push(Warning::new(
                "paging.totalClamped",
                format!(
                    "the server announces {t} resources; at most {} are loaded at a time (the connection's cap)",
                    options.max_resources
                ),
            ));
        }
        let next_cursor = first.value.next_cursor.clone().filter(|c| !c.is_empty());
        loader.store(1, first);
        loader.flush(u64::MAX);
        if let Some(e) = loader.sink_failure() {
            return loader.done(Some(e), Vec::new());
        }
        let more = step > 0 && (next_cursor.is_some() || announced.is_none_or(|t| t > step));
        if let (Some(show), true) = (loader.on_first, more) {
            if let Some(page) = loader.pages.get(&1) {
                show(page, loader.total);
            }
        }
        // Cursor paging when asked for, or when the server sends a cursor unasked and no total.
        match next_cursor {
            Some(next) if options.cursor || announced.is_none() => {
                if !options.cursor {
                    loader.warnings.push(Warning::new(
                        "paging.cursorUnasked",
                        "the server sent a nextCursor without being asked; it was followed",
                    ));
                }
                return loader.cursor_walk(next, 2).await; // page 1 is stored under 1
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
                let queue = PageQueue {
                    gaps: BinaryHeap::new(),
                    next: 1 + step,
                    last: total,
                    step,
                };
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
        if previous.error.is_none()
            || (previous.resume_from.is_empty()
                && previous.resume_tail.is_none()
                && previous.resume_cursor.is_none())
        {
            return previous;
        }
        if previous.resume_from == [1] && previous.pages.is_empty() {
            return self.load_all(endpoint, options, cancel, on_progress).await;
        }
        let mut loader = self.loader(endpoint, options, cancel, on_progress);
        for id in previous.pages.values().flatten().filter_map(|r| raw_id(r)) {
            loader.seen.insert(&id);
        }
        loader.loaded = previous.pages.values().map(Vec::len).sum();
        loader.pages = previous.pages;
        loader.warnings = previous.warnings;
        loader.total = previous.total;
        loader.step = previous.page_step;
        loader.repeated = 1; // the merged pages may overlap: always deduplicate
        loader.received = loader.loaded;
        loader.cap = loader.loaded.saturating_add(options.max_resources);
        loader.omit_count = options.omit_count || previous.count_refused;
        loader.count_refused = previous.count_refused;
        loader.filtered_out = previous.filtered_out;
        let step = previous.page_step.max(1);
        if let Some(cursor) = previous.resume_cursor {
            let key = loader.pages.keys().next_back().map_or(2, |k| k + 1);
            return loader.cursor_walk(cursor, key).await;
        }
        match previous.total {
            Some(total) => {
                let mut queue = PageQueue {
                    gaps: previous.resume_from.iter().map(|g| Reverse(*g)).collect(),
                    next: previous.resume_tail.unwrap_or(u64::MAX),
                    last: if previous.resume_tail.is_some() {
                        total as u64
                    } else {
                        0
                    },
                    step,
                };
                if previous.resume_tail.is_none() {
                    queue.next = 1;
                }
                loader.concurrent(queue).await
            }
            None => {
                let start = previous
                    .resume_from
                    .first()
                    .copied()
                    .or(previous.resume_tail)
                    .unwrap_or(1);
                loader.sequential(start).await
            }
        }
    }
}

/// What a finished load holds: its pages, or (streaming) only the count of what it handed on.
enum Held {
    Pages { may_repeat: bool },
    Streamed { emitted: usize, dropped: usize },
}

fn finish(
    pages: BTreeMap<u64, Vec<RawResource>>,
    warnings: Vec<Warning>,
    error: Option<ClientError>,
    resume_from: Vec<u64>,
    total: Option<usize>,
    page_step: u64,
    held: Held,
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
    let (may_repeat, mut duplicates, streamed) = match held {
        Held::Pages { may_repeat } => (may_repeat, 0, None),
        Held::Streamed { emitted, dropped } => (false, dropped, Some(emitted)),
    };
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
    let kept = streamed.unwrap_or(resources.len());
    if error.is_none() {
        if let Some(t) = total {
            if kept < t {
                warnings.push(Warning::new(
                    "paging.fewerThanTotal",
                    format!("loaded {kept} of the {t} resources the server announced (some may have been deleted meanwhile)"),
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
        resume_tail: None,
        resume_cursor: None,
        page_step,
        count_refused: false,
        filtered_out: 0,
        streamed,
        peak_waiting_pages: 0,
        pages,
    }
}

/// A 5xx, or a server that dropped the connection: what a retry without `count` may get past.
fn is_server_failure(e: &ClientError) -> bool {
    matches!(
        e,
        ClientError::Http {
            status: 500..=599,
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::IdSet;

    #[test]
    fn the_id_set_tells_seen_ids_from_new_ones() {
        let mut set = IdSet::default();
        assert!(set.insert("2819c223-7f76-453a-919d-413861904646"));
        assert!(!set.insert("2819c223-7f76-453a-919d-413861904646"));
        // Case and near neighbours are other ids (SCIM ids are case-sensitive).
        assert!(set.insert("2819C223-7F76-453A-919D-413861904646"));
        assert!(set.insert("2819c223-7f76-453a-919d-413861904647"));
        assert!(
            (0..100_000).all(|i| set.insert(&format!("u{i}"))),
            "no false repeat in 100,000"
        );
    }
}
