//! A directory's resources loaded in full (all pages, for one server-side filter): what the browse
//! tables scroll through, sort and quick-filter locally. Loads report progress as they go, can be
//! cancelled, and keep a partial result with what is needed to resume after a failure.

use scim_core::ResourceKind;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;
use serde_json::value::RawValue;
use specta::Type;

use scim_client::{CancelFlag, LoadAll, LoadOptions, Progress};
use scim_core::schema::SchemaRegistry;
use scim_core::Resource;

use crate::cell_store::CellStore;
use crate::error::AppError;
use crate::table::{self, Column, OrderKey, Rows, RowsWindow, WindowQuery};

/// Progress as the UI shows it: "12,400 / 100,000 users · 8,300/s · about 11 s left".
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LoadProgress {
    pub kind: ResourceKind,
    pub loaded: u32,
    pub total: Option<u32>,
    pub per_second: f64,
    /// Seconds left at the current rate, when the total is known.
    pub eta_secs: Option<f64>,
    /// Sent once, as the first page arrives: what the table can show while the rest loads (the
    /// browse commands read it until the load ends).
    pub preview: Option<Box<LoadSummary>>,
}

impl LoadProgress {
    pub fn from_client(kind: &str, p: Progress) -> Self {
        let per_second = if p.elapsed_secs > 0.0 {
            p.loaded as f64 / p.elapsed_secs
        } else {
            0.0
        };
        let eta_secs = match p.total {
            Some(t) if per_second > 0.0 && t >= p.loaded => {
                Some((t - p.loaded) as f64 / per_second)
            }
            _ => None,
        };
        Self {
            kind: ResourceKind::from_endpoint(kind),
            loaded: p.loaded.min(u32::MAX as usize) as u32,
            total: p.total.map(|t| t.min(u32::MAX as usize) as u32),
            per_second,
            eta_secs,
            preview: None,
        }
    }
}

/// Attribute projection of a load (RFC 7644 §3.4.2.5): only `attributes`, or all but
/// `excluded_attributes`. Empty lists mean the server's default set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Projection {
    #[serde(default)]
    pub attributes: Vec<String>,
    #[serde(default)]
    pub excluded_attributes: Vec<String>,
}

impl Projection {
    /// Trims the names and checks each is an attribute path; both lists at once are refused
    /// (RFC 7644 lets a server reject that).
    pub fn checked(self) -> Result<Self, AppError> {
        let clean = |v: Vec<String>| -> Result<Vec<String>, AppError> {
            let mut out = Vec::new();
            for name in v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                match scim_core::filter::parse_filter(&format!("{name} pr")) {
                    Ok(scim_core::filter::Filter::Present { .. }) => out.push(name.to_owned()),
                    _ => {
                        return Err(AppError::invalid_input(format!(
                            "\"{name}\" is not an attribute path (e.g. userName, name.givenName, emails)."
                        )))
                    }
                }
            }
            Ok(out)
        };
        let p = Self {
            attributes: clean(self.attributes)?,
            excluded_attributes: clean(self.excluded_attributes)?,
        };
        if !p.attributes.is_empty() && !p.excluded_attributes.is_empty() {
            return Err(AppError::invalid_input(
                "Ask for some attributes or exclude some, not both at once.",
            ));
        }
        Ok(p)
    }

    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.excluded_attributes.is_empty()
    }
}

/// How a load ended.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LoadSummary {
    pub kind: ResourceKind,
    pub filter: Option<String>,
    pub projection: Projection,
    pub loaded: u32,
    pub total: Option<u32>,
    /// Every page arrived.
    pub complete: bool,
    pub cancelled: bool,
    /// Why the load stopped early; the loaded part stays browsable and `resume` continues.
    pub error: Option<AppError>,
    /// The server answered every page and holds none: the only state in which the screen may say
    /// "this directory has no users" (a failed or stopped load never is).
    pub empty: bool,
    /// The first page only, shown while the rest loads: sorting and filtering apply to these.
    pub loading: bool,
    pub warnings: Vec<String>,
    pub elapsed_ms: u32,
    pub columns: Vec<Column>,
}

/// The quick filter's index: the columns it covers and one lowercased text per row.
type SearchIndex = (Vec<String>, Arc<Vec<Box<str>>>);

/// One loaded collection.
///
/// Resources are kept as the server sent them (checked JSON); the tables, sort, quick filter,
/// palette, member lists and matrix read columns computed from them ([`CellStore`]) or the few
/// attributes they need; anything needing every attribute (the role screens, over the groups) asks
/// for [`LoadedSet::resources`], parsed whole on first use.
#[derive(Debug)]
pub struct LoadedSet {
    pub kind: ResourceKind,
    pub filter: Option<String>,
    pub projection: Projection,
    rows: CellStore,
    /// Users: every attribute, the first time something needs it.
    full: OnceLock<Arc<Vec<Resource>>>,
    pub columns: Vec<Column>,
    summary: LoadSummary,
    /// The client's partial result (its pages), kept only when the load stopped early.
    partial: Option<LoadAll>,
    order: Mutex<Option<(OrderKey, Arc<Vec<u32>>)>>,
    /// The quick filter's index for one list of columns.
    search: Mutex<Option<SearchIndex>>,
    /// The palette's index, built on its first search.
    find: OnceLock<crate::find::FindIndex>,
}

impl LoadedSet {
    /// Builds the set from a finished (or stopped) load.
    pub fn new(
        kind: &str,
        filter: Option<String>,
        projection: Projection,
        mut load: LoadAll,
        schemas: &SchemaRegistry,
        elapsed_ms: u32,
    ) -> Self {
        let raw = std::mem::take(&mut load.resources);
        let rows = CellStore::new(raw);
        let columns = table::columns_of(kind, schemas, &rows.shapes(), &rows);
        let cancelled = matches!(load.error, Some(scim_client::ClientError::Cancelled));
        let error = load
            .error
            .clone()
            .filter(|_| !cancelled)
            .map(AppError::from);
        let complete = load.error.is_none();
        let summary = LoadSummary {
            kind: ResourceKind::from_endpoint(kind),
            filter: filter.clone(),
            projection: projection.clone(),
            loaded: rows.len().min(u32::MAX as usize) as u32,
            total: load.total.map(|t| t.min(u32::MAX as usize) as u32),
            complete,
            cancelled,
            error,
            empty: complete && rows.is_empty(),
            loading: false,
            warnings: load.warnings.iter().map(|w| w.message.clone()).collect(),
            elapsed_ms,
            columns: columns.clone(),
        };
        Self {
            kind: ResourceKind::from_endpoint(kind),
            filter,
            projection,
            rows,
            full: OnceLock::new(),
            columns,
            summary,
            partial: (!complete).then_some(load),
            order: Mutex::new(None),
            search: Mutex::new(None),
            find: OnceLock::new(),
        }
    }

    pub fn summary(&self) -> &LoadSummary {
        &self.summary
    }

    /// Row `i` as the palette shows it (the attributes it searches).
    pub fn found_row(&self, i: usize) -> Option<Resource> {
        self.rows.row(i, Some(crate::find::FIND_ATTRIBUTES))
    }

    /// The palette's index of these rows (built once).
    pub fn find_index(&self) -> &crate::find::FindIndex {
        self.find
            .get_or_init(|| crate::find::FindIndex::of_store(&self.rows))
    }

    pub(crate) fn summary_mut(&mut self) -> &mut LoadSummary {
        &mut self.summary
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Every resource with every attribute, parsed whole the first time (the role screens read
    /// groups so; the tables never need it).
    pub fn resources(&self) -> Arc<Vec<Resource>> {
        self.full
            .get_or_init(|| Arc::new(self.rows.whole()))
            .clone()
    }

    /// True once every attribute has been parsed (tests: the table alone should not need it).
    pub fn fully_parsed(&self) -> bool {
        self.full.get().is_some()
    }

    /// The resources with at least the top-level attributes `attributes`: the rows parsed for
    /// these alone (not kept), unless every attribute is parsed already.
    pub fn with_attributes(&self, attributes: &[&str]) -> Arc<Vec<Resource>> {
        if let Some(whole) = self.full.get() {
            return whole.clone();
        }
        Arc::new(self.rows.map_rows(attributes, Resource::clone))
    }

    /// `f` over the cells of `columns` (computed once, kept like the table's).
    pub fn with_columns<T>(&self, columns: &[&str], f: impl FnOnce(&[table::Cells]) -> T) -> T {
        let names: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        f(&self.rows.cells(&names))
    }

    /// The labels of the rows whose id is one of `ids` ([`crate::members::labels_of`]), read from
    /// the columns: a group's 200,000 members labelled without parsing a user.
    pub fn labels_of(&self, ids: &HashSet<&str>) -> crate::members::Labels {
        if ids.is_empty() {
            return Default::default();
        }
        let columns = [table::ROW_ID, "displayName", "userName"].map(str::to_owned);
        let cells = self.rows.cells(&columns);
        let (id, display, user) = (&cells[0], &cells[1], &cells[2]);
        (0..self.rows.len())
            .filter_map(|i| {
                let key = id[i].as_deref().filter(|k| ids.contains(k))?;
                let label = display[i].as_deref().or(user[i].as_deref()).unwrap_or(key);
                Some((key.to_owned(), label.to_owned()))
            })
            .collect()
    }

    /// The partial result to resume from, when the load stopped early.
    pub fn take_partial(&self) -> Option<LoadAll> {
        self.partial.clone()
    }

    /// A window of rows; the order for a sort and quick filter is computed once and reused.
    pub fn window(&self, q: &WindowQuery) -> RowsWindow {
        let key = OrderKey::of(q);
        let order = {
            let mut cached = self.order.lock().unwrap_or_else(|p| p.into_inner());
            match cached.as_ref() {
                Some((k, o)) if *k == key => o.clone(),
                _ => {
                    let search = q
                        .quick
                        .as_deref()
                        .is_some_and(|s| !s.trim().is_empty())
                        .then(|| self.search_index(&q.columns));
                    let o = Arc::new(table::order(
                        &self.rows,
                        &key,
                        &self.columns,
                        search.as_deref().map(Vec::as_slice),
                    ));
                    *cached = Some((key, o.clone()));
                    o
                }
            }
        };
        table::window(&self.rows, &order, q)
    }

    fn search_index(&self, columns: &[String]) -> Arc<Vec<Box<str>>> {
        let mut cached = self.search.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cols, index)) = cached.as_ref() {
            if cols == columns {
                return index.clone();
            }
        }
        let index = Arc::new(table::search_index(&self.rows, columns));
        *cached = Some((columns.to_vec(), index.clone()));
        index
    }

    /// The set after one write: resource `id` replaced by `after`, removed when `after` is `None`,
    /// appended when it is new. Cheaper than loading 100k resources again after each change.
    pub fn with_change(&self, id: &str, after: Option<&serde_json::Value>) -> Self {
        let id_cells = self.rows.cells(&[table::ROW_ID.to_owned()]).remove(0);
        let at = id_cells.iter().position(|c| c.as_deref() == Some(id));
        let after_row = after.and_then(|a| {
            let raw = RawValue::from_string(a.to_string()).ok()?;
            Some((raw, Resource::new(a.clone())))
        });
        let mut whole = self.full.get().map(|f| f.as_ref().clone());
        if let Some(w) = whole.as_mut() {
            match (at, &after_row) {
                (Some(i), Some((_, r))) => w[i] = r.clone(),
                (Some(i), None) => {
                    w.remove(i);
                }
                (None, Some((_, r))) => w.push(r.clone()),
                (None, None) => {}
            }
        }
        let rows = self.rows.with_row(at, after_row);
        let full = OnceLock::new();
        if let Some(w) = whole {
            let _ = full.set(Arc::new(w));
        }
        let mut summary = self.summary.clone();
        summary.loaded = rows.len().min(u32::MAX as usize) as u32;
        summary.total = summary.total.map(|total| match (at, after) {
            (Some(_), None) => total.saturating_sub(1),
            (None, Some(_)) => total.saturating_add(1),
            _ => total,
        });
        Self {
            kind: self.kind.clone(),
            filter: self.filter.clone(),
            projection: self.projection.clone(),
            rows,
            full,
            columns: self.columns.clone(),
            summary,
            partial: self.partial.clone(),
            order: Mutex::new(None),
            search: Mutex::new(None),
            // A write changed the rows: the palette's index is built again when next asked.
            find: OnceLock::new(),
        }
    }
}

/// What bounds a connection's loads: its resource cap, and whether its server fails on `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadLimits {
    pub max_resources: usize,
    pub omit_count: bool,
}

impl Default for LoadLimits {
    fn default() -> Self {
        Self {
            max_resources: scim_client::DEFAULT_MAX_RESOURCES,
            omit_count: false,
        }
    }
}

/// Load options tuned by `make bench` (pages of 1000, four in flight); the filter is the user's.
pub fn options(
    filter: Option<&str>,
    projection: &Projection,
    page_size: u64,
    limits: LoadLimits,
) -> LoadOptions {
    LoadOptions {
        params: scim_client::ListParams {
            filter: filter.map(str::to_owned),
            attributes: projection.attributes.clone(),
            excluded_attributes: projection.excluded_attributes.clone(),
            ..scim_client::ListParams::default()
        },
        page_size,
        // The connection's maximum: the client's pacer finds what the server takes within it.
        concurrency: LoadOptions::default().concurrency,
        cursor: false,
        max_resources: limits.max_resources,
        omit_count: limits.omit_count,
    }
}

/// A cancel flag per running load, so "Cancel" reaches the right one.
#[derive(Debug, Default)]
pub struct RunningLoads(Mutex<Vec<(String, CancelFlag)>>);

impl RunningLoads {
    pub fn start(&self, kind: &str) -> CancelFlag {
        let flag = CancelFlag::default();
        let mut running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // A new load of the same kind replaces (and stops) the previous one.
        for (k, f) in running.iter() {
            if k == kind {
                f.cancel();
            }
        }
        running.retain(|(k, _)| k != kind);
        running.push((kind.to_owned(), flag.clone()));
        flag
    }

    pub fn finish(&self, kind: &str, flag: &CancelFlag) {
        let mut running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        running.retain(|(k, f)| !(k == kind && f.same(flag)));
    }

    /// Stops the running load of `kind`; false when none was running.
    pub fn cancel(&self, kind: &str) -> bool {
        let running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut found = false;
        for (k, f) in running.iter() {
            if k == kind {
                f.cancel();
                found = true;
            }
        }
        found
    }
}

/// Rejects anything but the two collections every screen browses and writes (custom types are
/// read by endpoint only): the one check of a kind, for loads and writes alike.
pub fn check_kind(kind: &ResourceKind) -> Result<&'static str, AppError> {
    match kind {
        ResourceKind::Users => Ok("Users"),
        ResourceKind::Groups => Ok("Groups"),
        ResourceKind::Custom(other) => Err(AppError::invalid_input(format!(
            "Unknown resource type \"{other}\": use Users or Groups."
        ))),
    }
}
