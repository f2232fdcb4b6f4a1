//! Loading a whole collection: index paging with several pages in flight, tolerant of servers that cap
//! page sizes, omit `totalResults` or change while we page. Results are deduplicated by id; a failure
//! keeps what was loaded and says where to resume. Bounded in every way: it cannot loop forever.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use tokio::task::JoinSet;

use scim_core::Warning;

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
}

/// Options of a load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub params: ListParams,
    /// Requested page size; servers may answer with less.
    pub page_size: u64,
    /// Pages in flight at once.
    pub concurrency: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            params: ListParams::default(),
            page_size: 500,
            concurrency: 4,
        }
    }
}

/// What a load produced. With `error` set the result is partial; `resume_from` lists the start
/// indexes still missing.
#[derive(Debug, Clone)]
pub struct LoadAll {
    pub resources: Vec<Value>,
    pub total: Option<usize>,
    pub warnings: Vec<Warning>,
    pub error: Option<ClientError>,
    pub resume_from: Vec<u64>,
}

fn into_values(resources: Vec<scim_core::Resource>) -> Vec<Value> {
    resources.into_iter().map(|r| r.0).collect()
}

fn id_key(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl ScimClient {
    /// Loads every resource of `endpoint` matching `options.params`.
    pub async fn load_all(
        &self,
        endpoint: &str,
        options: &LoadOptions,
        cancel: &CancelFlag,
        on_progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> LoadAll {
        let started = Instant::now();
        let mut warnings = Vec::new();
        let mut pages: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
        let page = |start: u64| ListParams {
            start_index: Some(start),
            count: Some(options.page_size),
            ..options.params.clone()
        };
        let partial = |pages: BTreeMap<u64, Vec<Value>>, warnings, error, resume_from, total| {
            finish(pages, warnings, Some(error), resume_from, total)
        };

        let first = match self.list(endpoint, &page(1)).await {
            Ok(f) => f,
            Err(e) => return partial(pages, warnings, e, vec![1], None),
        };
        warnings.extend(first.warnings);
        let first = first.value;
        let step = first.resources.len() as u64;
        let announced = first.total_results.unwrap_or(u64::MAX);
        if step > 0 && step < options.page_size && announced > step {
            warnings.push(Warning::new(
                "paging.serverCap",
                format!(
                    "the server returns at most {step} resources per page (asked for {})",
                    options.page_size
                ),
            ));
        }
        let total = first.total_results.map(|t| t as usize);
        let mut loaded = first.resources.len();
        pages.insert(1, into_values(first.resources));
        on_progress(Progress {
            loaded,
            total,
            elapsed_secs: started.elapsed().as_secs_f64(),
        });

        let Some(total_count) = total else {
            // No totalResults: page sequentially until an empty page. Bounded: a page that brings no
            // resource we have not seen means the server ignores startIndex, so stop rather than loop.
            let mut seen: HashSet<String> = pages.values().flatten().filter_map(id_key).collect();
            let mut start = 1 + step;
            loop {
                if step == 0 {
                    break; // the first page was empty
                }
                if cancel.is_cancelled() {
                    return partial(pages, warnings, ClientError::Cancelled, vec![start], None);
                }
                match self.list(endpoint, &page(start)).await {
                    Ok(p) if p.value.resources.is_empty() => break,
                    Ok(p) => {
                        warnings.extend(p.warnings);
                        let n = p.value.resources.len() as u64;
                        let items = into_values(p.value.resources);
                        let fresh = items
                            .iter()
                            .filter_map(id_key)
                            .filter(|id| seen.insert(id.clone()))
                            .count();
                        loaded += n as usize;
                        pages.insert(start, items);
                        on_progress(Progress {
                            loaded,
                            total: None,
                            elapsed_secs: started.elapsed().as_secs_f64(),
                        });
                        if fresh == 0 {
                            warnings.push(Warning::new(
                                "paging.noProgress",
                                format!("the page at startIndex {start} repeated resources already loaded; paging stopped there"),
                            ));
                            break;
                        }
                        start += n;
                    }
                    Err(e) => return partial(pages, warnings, e, vec![start], None),
                }
            }
            return finish(pages, warnings, None, Vec::new(), None);
        };

        if step == 0 && total_count > 0 {
            warnings.push(Warning::new(
                "paging.emptyFirstPage",
                format!("the server reports {total_count} results but sent none on the first page"),
            ));
            return finish(pages, warnings, None, Vec::new(), total);
        }
        // Pages still to fetch, by start index. Short pages queue a follow-up for the gap.
        let mut queue: Vec<u64> = (1..)
            .map(|k| 1 + k * step)
            .take_while(|s| *s <= total_count as u64)
            .collect();
        queue.reverse();
        let max_requests = (total_count as u64 / step.max(1)) * 2 + 16;
        let mut requests = 0u64;
        let mut in_flight: JoinSet<(
            u64,
            Result<scim_core::Tolerant<scim_core::messages::ListResponse>, ClientError>,
        )> = JoinSet::new();
        let mut failure: Option<ClientError> = None;
        let mut short_pages = 0usize;
        let mut seen: HashSet<String> = pages.values().flatten().filter_map(id_key).collect();
        let mut stale_pages = 0usize;
        let mut stalled = false;
        loop {
            while failure.is_none()
                && in_flight.len() < options.concurrency.max(1)
                && requests < max_requests
            {
                let Some(start) = queue.pop() else { break };
                if cancel.is_cancelled() {
                    queue.push(start);
                    failure = Some(ClientError::Cancelled);
                    break;
                }
                requests += 1;
                let client = self.clone();
                let endpoint = endpoint.to_owned();
                let params = page(start);
                in_flight.spawn(async move { (start, client.list(&endpoint, &params).await) });
            }
            let Some(joined) = in_flight.join_next().await else {
                break;
            };
            let Ok((start, result)) = joined else {
                continue;
            };
            match result {
                Ok(p) => {
                    warnings.extend(p.warnings);
                    let n = p.value.resources.len() as u64;
                    let items = into_values(p.value.resources);
                    let fresh = items
                        .iter()
                        .filter_map(id_key)
                        .filter(|id| seen.insert(id.clone()))
                        .count();
                    // A server ignoring startIndex returns the same page forever: stop after a few.
                    stale_pages = if n > 0 && fresh == 0 {
                        stale_pages + 1
                    } else {
                        0
                    };
                    if stale_pages >= 3 && !stalled {
                        stalled = true;
                        queue.clear();
                        warnings.push(Warning::new(
                            "paging.noProgress",
                            "several pages in a row repeated resources already loaded; the server seems to ignore startIndex, so paging stopped",
                        ));
                    }
                    let expected_end = (start + step).min(total_count as u64 + 1);
                    if n > 0 && start + n < expected_end && !stalled {
                        short_pages += 1;
                        queue.push(start + n);
                    }
                    loaded += n as usize;
                    pages.insert(start, items);
                    on_progress(Progress {
                        loaded,
                        total,
                        elapsed_secs: started.elapsed().as_secs_f64(),
                    });
                }
                Err(e) => {
                    queue.push(start);
                    if failure.is_none() {
                        failure = Some(e);
                    }
                }
            }
        }
        if short_pages > 0 {
            warnings.push(Warning::new("paging.shortPages", format!("{short_pages} pages came back shorter than the others; the gaps were fetched separately")));
        }
        if requests >= max_requests && !queue.is_empty() {
            warnings.push(Warning::new(
                "paging.gaveUp",
                "paging stopped after too many requests; the server's paging looks inconsistent",
            ));
        }
        queue.sort_unstable();
        match failure {
            Some(e) => finish(pages, warnings, Some(e), queue, total),
            None => finish(pages, warnings, None, Vec::new(), total),
        }
    }
}

fn finish(
    pages: BTreeMap<u64, Vec<Value>>,
    warnings: Vec<Warning>,
    error: Option<ClientError>,
    resume_from: Vec<u64>,
    total: Option<usize>,
) -> LoadAll {
    // Every page repeats the same deviations (say, a missing schema): say each once.
    let mut unique = HashSet::new();
    let mut warnings: Vec<Warning> = warnings
        .into_iter()
        .filter(|w| unique.insert((w.code, w.message.clone())))
        .collect();
    let mut seen = HashSet::new();
    let mut duplicates = 0;
    let mut resources = Vec::new();
    for item in pages.into_values().flatten() {
        match id_key(&item) {
            Some(id) => {
                if seen.insert(id) {
                    resources.push(item);
                } else {
                    duplicates += 1;
                }
            }
            None => resources.push(item),
        }
    }
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
    }
}
