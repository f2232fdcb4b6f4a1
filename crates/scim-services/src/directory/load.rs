//! Loading whole collections (all pages, with progress, cancel and resume) and browsing them
//! locally: windows of rows, filter attributes, the data of a directory read now.

use super::*;

use std::sync::Arc;
use std::time::Instant;

use scim_client::RequestLog;
use scim_core::ResourceKind;

use crate::error::AppError;
use crate::loaded::{self, LoadProgress, LoadSummary, LoadedSet, Projection};
use crate::table::{RowsWindow, WindowQuery};

/// Loading whole collections and browsing them locally.
impl Directory {
    /// The request log of this directory's client.
    pub fn request_log(&self) -> &RequestLog {
        &self.log
    }

    /// The page size for load-all: 1000, or less when the server caps filter results lower.
    pub(super) fn page_size(&self) -> u64 {
        self.discovery
            .config
            .filter_max_results
            .map_or(1000, |m| m.clamp(1, 1000))
    }

    /// Loads every resource of `kind` matching `filter` (all pages), reporting progress; replaces
    /// the previous set of that kind. Cancelling or failing keeps what arrived, browsable.
    pub async fn load(
        &self,
        kind: &ResourceKind,
        filter: Option<String>,
        on_progress: &(dyn Fn(LoadProgress) + Send + Sync),
    ) -> Result<LoadSummary, AppError> {
        self.load_projected(kind, filter, Projection::default(), on_progress)
            .await
    }

    /// As [`Directory::load`], asking only for some attributes (or all but some).
    pub async fn load_projected(
        &self,
        kind: &ResourceKind,
        filter: Option<String>,
        projection: Projection,
        on_progress: &(dyn Fn(LoadProgress) + Send + Sync),
    ) -> Result<LoadSummary, AppError> {
        let kind = loaded::check_kind(kind)?;
        let projection = projection.checked()?;
        let filter = filter
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty());
        if let Some(f) = &filter {
            scim_core::filter::parse_filter(f)
                .map_err(|e| AppError::invalid_input(format!("The filter is not valid: {e}.")))?;
        }
        let cancel = self.running.start(kind);
        let started = Instant::now();
        let options = loaded::options(
            filter.as_deref(),
            &projection,
            self.page_size(),
            self.limits(),
        );
        let report = |p| on_progress(LoadProgress::from_client(kind, p));
        // The first page is put up at once (the table reads it) while the rest loads.
        let show_first = |page: &[scim_core::raw_list::RawResource], total: Option<usize>| {
            let preview = scim_client::LoadAll::first_page(page.to_vec(), total);
            let elapsed_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
            let mut set = LoadedSet::new(
                kind,
                filter.clone(),
                projection.clone(),
                preview,
                &self.discovery.schemas,
                elapsed_ms,
            );
            let summary = set.summary_mut();
            summary.complete = false;
            summary.loading = true;
            let summary = summary.clone();
            self.loaded
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(kind, Arc::new(set));
            on_progress(LoadProgress {
                preview: Some(Box::new(summary.clone())),
                ..LoadProgress::from_client(
                    kind,
                    scim_client::Progress {
                        loaded: summary.loaded as usize,
                        total,
                        elapsed_secs: f64::from(elapsed_ms) / 1000.0,
                    },
                )
            });
        };
        let result = self
            .client
            .load_all_previewed(kind, &options, &cancel, &report, &show_first)
            .await;
        self.running.finish(kind, &cancel);
        Ok(self.keep(kind, filter, projection, result, started))
    }

    /// Continues a load that stopped early (failure or cancel) from where it stopped.
    pub async fn resume(
        &self,
        kind: &ResourceKind,
        on_progress: &(dyn Fn(LoadProgress) + Send + Sync),
    ) -> Result<LoadSummary, AppError> {
        let kind = loaded::check_kind(kind)?;
        let previous = self.loaded_set(kind)?;
        let Some(partial) = previous.take_partial() else {
            return Ok(previous.summary().clone());
        };
        let cancel = self.running.start(kind);
        let started = Instant::now();
        let options = loaded::options(
            previous.filter.as_deref(),
            &previous.projection,
            self.page_size(),
            self.limits(),
        );
        let report = |p| on_progress(LoadProgress::from_client(kind, p));
        let result = self
            .client
            .resume_load(kind, &options, partial, &cancel, &report)
            .await;
        self.running.finish(kind, &cancel);
        Ok(self.keep(
            kind,
            previous.filter.clone(),
            previous.projection.clone(),
            result,
            started,
        ))
    }

    pub(super) fn limits(&self) -> loaded::LoadLimits {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A load found the server fails on `count`: later loads of this session leave it out, and a
    /// saved connection remembers it.
    pub(super) fn remember_count_refused(&self) {
        let mut limits = self.limits.lock().unwrap_or_else(|p| p.into_inner());
        if limits.omit_count {
            return;
        }
        limits.omit_count = true;
        if self._demo.is_none() {
            // Best effort: the warning already told the user, and the next load retries anyway.
            let _ = crate::connections::remember_omit_count(&self.config_dir, &self.key);
        }
    }

    pub(super) fn keep(
        &self,
        kind: &'static str,
        filter: Option<String>,
        projection: Projection,
        result: scim_client::LoadAll,
        started: Instant,
    ) -> LoadSummary {
        if result.count_refused {
            self.remember_count_refused();
        }
        let elapsed_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
        let set = LoadedSet::new(
            kind,
            filter,
            projection,
            result,
            &self.discovery.schemas,
            elapsed_ms,
        );
        let mut set = set;
        if let Some(error) = set.summary_mut().error.as_mut() {
            error.request = self.failed_request().map(Box::new);
        }
        let summary = set.summary().clone();
        self.loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(kind, Arc::new(set));
        summary
    }

    /// `error` pointing at the request that failed, for "Show request".
    pub fn with_failed_request(&self, mut error: AppError) -> AppError {
        if error.request.is_none() {
            error.request = self.failed_request().map(Box::new);
        }
        error
    }

    /// The latest request that failed, for an error to point at (see [`crate::request_log::last_failed`]).
    pub fn failed_request(&self) -> Option<crate::error::FailedRequest> {
        crate::request_log::last_failed(self.request_log())
    }

    /// Users and groups loaded in this session that match `text` (the command palette), best first.
    pub fn find(&self, text: &str, limit: usize) -> Vec<crate::find::FoundResource> {
        let sets: Vec<(String, Arc<LoadedSet>)> = self
            .loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let readers: Vec<_> = sets
            .iter()
            .map(|(_, set)| move |i: usize| set.found_row(i))
            .collect();
        let rows: Vec<(&str, crate::find::RowAt<'_>, &crate::find::FindIndex)> = sets
            .iter()
            .zip(&readers)
            .map(|((endpoint, set), row)| {
                (
                    endpoint.as_str(),
                    row as crate::find::RowAt<'_>,
                    set.find_index(),
                )
            })
            .collect();
        crate::find::find_in_indexed(&rows, text, limit)
    }

    /// Stops the running load of `kind`; what arrived is kept.
    pub fn cancel_load(&self, kind: &ResourceKind) -> bool {
        self.running.cancel(kind.endpoint())
    }

    pub(super) fn loaded_set(&self, kind: &str) -> Result<Arc<LoadedSet>, AppError> {
        self.loaded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(kind)
            .cloned()
            .ok_or_else(|| AppError::invalid_input(format!("No {kind} are loaded yet.")))
    }

    /// A window of the loaded rows, sorted and quick-filtered.
    pub fn window(&self, kind: &ResourceKind, query: &WindowQuery) -> Result<RowsWindow, AppError> {
        Ok(self.loaded_set(kind.endpoint())?.window(query))
    }

    /// The attributes the filter builder offers for `kind`: from the schemas, plus attributes seen
    /// in the loaded data that no schema declares.
    pub fn filter_attributes(
        &self,
        kind: &ResourceKind,
    ) -> Result<Vec<crate::filter_tree::FilterAttribute>, AppError> {
        let kind = loaded::check_kind(kind)?;
        let undeclared: Vec<String> = self
            .loaded_set(kind)
            .map(|set| {
                set.columns
                    .iter()
                    .filter(|c| c.source == crate::table::ColumnSource::Undeclared)
                    .map(|c| c.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        Ok(crate::filter_tree::attributes(
            kind,
            &self.discovery.schemas,
            &undeclared,
        ))
    }

    /// The loaded resources of `kind` (for reports, matrices and the detail pane).
    pub fn loaded_resources(&self, kind: &ResourceKind) -> Option<Arc<LoadedSet>> {
        self.loaded_set(kind.endpoint()).ok()
    }
}
