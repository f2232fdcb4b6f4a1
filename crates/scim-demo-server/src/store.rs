//! The demo server's in-memory directory and the SCIM semantics on top of it: filtering (with the
//! core evaluator), sorting, paging, projection, versions (ETags), uniqueness and PATCH (core apply).
//! Kept free of HTTP so it can be tested directly.

use std::collections::HashMap;

use serde_json::{Map, Value};

use scim_core::error::{ScimErrorBody, ScimType};
use scim_core::filter::{evaluate, parse_filter, AttrPath, EvalOptions};
use scim_core::names::{find_key, get_ci, is_urn, split_urn_attr, GROUP_SCHEMA, USER_SCHEMA};
use scim_core::patch::{apply_patch, ApplyOptions, PatchOp};

use crate::seed::{Rng, SeedData};

/// Users, Groups, or the custom Roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Users,
    Groups,
    Roles,
}

impl Kind {
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::Users => "Users",
            Kind::Groups => "Groups",
            Kind::Roles => "Roles",
        }
    }
    fn resource_type(self) -> &'static str {
        match self {
            Kind::Users => "User",
            Kind::Groups => "Group",
            Kind::Roles => "Role",
        }
    }
    fn schema(self) -> &'static str {
        match self {
            Kind::Users => USER_SCHEMA,
            Kind::Groups => GROUP_SCHEMA,
            Kind::Roles => crate::seed::ROLE_SCHEMA,
        }
    }
}

/// A failure the HTTP layer turns into a SCIM error body.
pub type ScimResult<T> = Result<T, ScimErrorBody>;

pub fn scim_error(
    status: u16,
    scim_type: Option<ScimType>,
    detail: impl Into<String>,
) -> ScimErrorBody {
    ScimErrorBody::new(status, scim_type, detail)
}

/// Query parameters of a list or search (RFC 7644 §3.4.2).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub descending: bool,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    pub attributes: Vec<String>,
    pub excluded_attributes: Vec<String>,
    /// RFC 9865 cursor paging: `Some("")` asks for the first page, `Some(c)` continues at `c`.
    pub cursor: Option<String>,
}

/// One page, before serialisation.
#[derive(Debug, Clone)]
pub struct Page {
    pub total: usize,
    pub start_index: usize,
    pub resources: Vec<Value>,
    /// RFC 9865: where the next page starts, when cursor paging was asked for and more remain.
    pub next_cursor: Option<String>,
}

/// Opaque cursors: the offset into the result, tagged so a made-up cursor is refused.
fn decode_cursor(cursor: &str) -> ScimResult<usize> {
    if cursor.is_empty() {
        return Ok(0);
    }
    cursor
        .strip_prefix("demo-")
        .and_then(|n| usize::from_str_radix(n, 16).ok())
        .ok_or_else(|| {
            scim_error(
                400,
                Some(ScimType::InvalidCursor),
                format!("`{cursor}` is not a cursor this server issued"),
            )
        })
}

/// The directory: resources in insertion order, indexed by id.
#[derive(Debug)]
pub struct Store {
    resources: HashMap<Kind, Vec<Value>>,
    index: HashMap<(Kind, String), usize>,
    rng: Rng,
    version: u64,
    /// The base URL resources' `meta.location` points at.
    pub base_url: String,
    /// Page size cap (`filter.maxResults` in /ServiceProviderConfig).
    pub max_results: usize,
    /// The server being imitated; its rules apply to writes.
    pub profile: crate::profile::Profile,
    /// Writes lose and rewrite attributes (see `lossy`).
    pub lossy_writes: bool,
    /// Attributes this server cannot filter: a filter naming one is answered 200 with no results,
    /// as some servers do instead of a 400.
    pub filter_blind: Vec<String>,
    /// Users must have `name.formatted` and deliverable-looking emails (see `strict`).
    pub strict_users: bool,
    /// A startIndex past the end is answered with the first page (a bug seen in the field).
    pub past_end_wraps: bool,
    /// userName uniqueness compares case-sensitively (`Ana` and `ana` both accepted).
    pub case_sensitive_unique: bool,
    /// PUT merges into the stored resource: attributes left out are kept.
    pub put_merges: bool,
    /// `excludedAttributes` is ignored (every attribute returned).
    pub ignores_excluded: bool,
    /// How `sortBy` and `sortOrder` are honoured.
    pub sort_mode: SortMode,
    /// `filter` is not applied: every resource is answered.
    pub filters_ignored: bool,
    /// Members sent with a group's POST (`on_create`) or PUT (`on_put`) are dropped.
    pub drops_members: DroppedMembers,
}

/// How a server sorts a list asked for with `sortBy` (RFC 7644 §3.4.2.3); the faulty ways are
/// seen in the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortMode {
    /// As asked, over the whole result set.
    #[default]
    Honours,
    /// Always by userName ascending, whatever was asked: a server listing in its index order,
    /// which looks sorted to a client that only ever asks for ascending.
    AlwaysByUserName,
    /// Each page is sorted after paging, not the result set: page one is in order, but not the first.
    WithinPage,
}

/// Where a server drops the members a group is sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DroppedMembers {
    pub on_create: bool,
    pub on_put: bool,
}

impl Store {
    pub fn new(
        seed: SeedData,
        base_url: &str,
        max_results: usize,
        profile: crate::profile::Profile,
    ) -> Self {
        let mut store = Self {
            resources: HashMap::from([
                (Kind::Users, Vec::new()),
                (Kind::Groups, Vec::new()),
                (Kind::Roles, Vec::new()),
            ]),
            index: HashMap::new(),
            rng: Rng::new(99),
            version: 1,
            base_url: base_url.trim_end_matches('/').to_owned(),
            max_results,
            profile,
            lossy_writes: false,
            filter_blind: Vec::new(),
            strict_users: false,
            past_end_wraps: false,
            case_sensitive_unique: false,
            put_merges: false,
            ignores_excluded: false,
            sort_mode: SortMode::Honours,
            drops_members: DroppedMembers::default(),
            filters_ignored: false,
        };
        for (kind, items) in [
            (Kind::Users, seed.users),
            (Kind::Groups, seed.groups),
            (Kind::Roles, seed.roles),
        ] {
            for mut item in items {
                let id = item["id"].as_str().unwrap_or_default().to_owned();
                store.stamp(kind, &mut item, &id, None);
                store.insert(kind, id, item);
            }
        }
        store
    }

    fn insert(&mut self, kind: Kind, id: String, item: Value) {
        let list = self.resources.entry(kind).or_default();
        self.index.insert((kind, id), list.len());
        list.push(item);
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.resources.get(&kind).map_or(0, Vec::len)
    }

    /// Fills `meta` (location, version, timestamps): server-owned, whatever the client sent.
    fn stamp(&mut self, kind: Kind, item: &mut Value, id: &str, created: Option<Value>) {
        self.version += 1;
        let location = format!("{}/{}/{}", self.base_url, kind.endpoint(), id);
        let now = item
            .get("meta")
            .and_then(|m| m.get("lastModified"))
            .cloned()
            .unwrap_or_else(|| Value::String("2026-01-05T09:00:00Z".into()));
        let created = created
            .or_else(|| item.get("meta").and_then(|m| m.get("created")).cloned())
            .unwrap_or_else(|| now.clone());
        if let Some(o) = item.as_object_mut() {
            o.insert("id".into(), Value::String(id.to_owned()));
            let mut meta = Map::new();
            meta.insert("resourceType".into(), kind.resource_type().into());
            meta.insert("created".into(), created);
            meta.insert("lastModified".into(), now);
            meta.insert("location".into(), location.into());
            if self.profile.supports_etag() {
                meta.insert("version".into(), format!("W/\"{}\"", self.version).into());
            }
            o.insert("meta".into(), Value::Object(meta));
        }
    }

    pub fn get(&self, kind: Kind, id: &str) -> ScimResult<&Value> {
        self.index
            .get(&(kind, id.to_owned()))
            .and_then(|&i| self.resources.get(&kind)?.get(i))
            .ok_or_else(|| {
                scim_error(
                    404,
                    None,
                    format!("{} {id} not found", kind.resource_type()),
                )
            })
    }

    pub fn version_of(&self, kind: Kind, id: &str) -> ScimResult<String> {
        Ok(self.get(kind, id)?["meta"]["version"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Filters, sorts and pages (RFC 7644 §3.4.2.2–§3.4.2.4), at most `max_results` per page.
    pub fn list(&self, kind: Kind, query: &ListQuery) -> ScimResult<Page> {
        self.list_capped(kind, query, self.max_results)
    }

    fn list_capped(&self, kind: Kind, query: &ListQuery, cap: usize) -> ScimResult<Page> {
        let items = self
            .resources
            .get(&kind)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let filter = match query
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            Some(text) => Some(
                parse_filter(text)
                    .map_err(|e| scim_error(400, Some(ScimType::InvalidFilter), e.to_string()))?,
            ),
            None => None,
        };
        let blind = query.filter.as_deref().is_some_and(|text| {
            let text = text.to_lowercase();
            self.filter_blind
                .iter()
                .any(|a| text.contains(&a.to_lowercase()))
        });
        let filter = filter.filter(|_| !self.filters_ignored);
        let mut matched: Vec<&Value> = Vec::with_capacity(items.len());
        for item in items.iter().filter(|_| !blind) {
            let keep = match &filter {
                Some(f) => evaluate(f, item, &EvalOptions::default())
                    .map_err(|e| scim_error(400, Some(ScimType::InvalidFilter), e.0))?,
                None => true,
            };
            if keep {
                matched.push(item);
            }
        }
        let sort = match (&query.sort_by, self.sort_mode) {
            (_, SortMode::AlwaysByUserName) if kind == Kind::Users => {
                Some(("userName".to_owned(), false))
            }
            (Some(by), _) => Some((by.clone(), query.descending)),
            (None, _) => None,
        };
        let sort = match sort {
            Some((by, descending)) => Some((
                scim_core::patch::parse_path(&by)
                    .map_err(|e| {
                        scim_error(400, Some(ScimType::InvalidPath), format!("sortBy: {e}"))
                    })?
                    .attr,
                descending,
            )),
            None => None,
        };
        if let Some((path, descending)) = &sort {
            if self.sort_mode != SortMode::WithinPage {
                sort_values(&mut matched, path, *descending);
            }
        }
        let total = matched.len();
        let start = match &query.cursor {
            Some(cursor) => decode_cursor(cursor)? + 1,
            None => query.start_index.unwrap_or(1).max(1) as usize,
        };
        let start = if self.past_end_wraps && start > total {
            1
        } else {
            start
        };
        let count = query.count.map_or(cap, |c| c.max(0) as usize).min(cap);
        let mut paged: Vec<&Value> = matched.into_iter().skip(start - 1).take(count).collect();
        if let (Some((path, descending)), SortMode::WithinPage) = (&sort, self.sort_mode) {
            sort_values(&mut paged, path, *descending);
        }
        let resources: Vec<Value> = paged
            .into_iter()
            .map(|v| {
                let excluded: &[String] = if self.ignores_excluded {
                    &[]
                } else {
                    &query.excluded_attributes
                };
                project(v, &query.attributes, excluded)
            })
            .collect();
        let next = start - 1 + resources.len();
        let next_cursor = (query.cursor.is_some() && next < total && !resources.is_empty())
            .then(|| format!("demo-{next:x}"));
        Ok(Page {
            total,
            start_index: start,
            resources,
            next_cursor,
        })
    }

    /// `POST /.search` at the root: every resource type at once (RFC 7644 §3.4.3).
    pub fn list_all_kinds(&self, query: &ListQuery) -> ScimResult<Page> {
        let unpaged = ListQuery {
            start_index: Some(1),
            count: Some(i64::MAX),
            ..query.clone()
        };
        let mut all = Vec::new();
        for kind in [Kind::Users, Kind::Groups, Kind::Roles] {
            if self.count(kind) == 0 && kind == Kind::Roles {
                continue;
            }
            all.extend(self.list_capped(kind, &unpaged, usize::MAX)?.resources);
        }
        let total = all.len();
        let start = query.start_index.unwrap_or(1).max(1) as usize;
        let count = query
            .count
            .map_or(self.max_results, |c| c.max(0) as usize)
            .min(self.max_results);
        Ok(Page {
            total,
            start_index: start,
            resources: all.into_iter().skip(start - 1).take(count).collect(),
            next_cursor: None,
        })
    }

    fn check_unique(&self, kind: Kind, candidate: &Value, except: Option<&str>) -> ScimResult<()> {
        let key = match kind {
            Kind::Users => "userName",
            Kind::Groups | Kind::Roles => "displayName",
        };
        let Some(wanted) = candidate
            .as_object()
            .and_then(|o| get_ci(o, key))
            .and_then(Value::as_str)
        else {
            return Err(scim_error(
                400,
                Some(ScimType::InvalidValue),
                format!("`{key}` is required"),
            ));
        };
        let clash = self.resources.get(&kind).into_iter().flatten().any(|r| {
            r["id"].as_str() != except
                && r.as_object()
                    .and_then(|o| get_ci(o, key))
                    .and_then(Value::as_str)
                    .is_some_and(|v| {
                        // userName is not case-exact (RFC 7643 §4.1.1), beyond ASCII too.
                        if self.case_sensitive_unique {
                            v == wanted
                        } else {
                            v.to_lowercase() == wanted.to_lowercase()
                        }
                    })
        });
        if clash && kind == Kind::Users {
            return Err(scim_error(
                409,
                Some(ScimType::Uniqueness),
                format!("userName \"{wanted}\" is already in use"),
            ));
        }
        Ok(())
    }

    /// The imitated server's own rules for a written resource.
    fn apply_profile_rules(&self, kind: Kind, body: &mut Value) -> ScimResult<()> {
        use crate::profile::Profile;
        if self.strict_users && kind == Kind::Users {
            crate::strict::check_user(body)
                .map_err(|message| scim_error(400, Some(ScimType::InvalidValue), message))?;
        }
        match (self.profile, kind) {
            (Profile::Netdata, Kind::Users) => {
                let has_external = body
                    .as_object()
                    .and_then(|o| get_ci(o, "externalId"))
                    .and_then(Value::as_str)
                    .is_some_and(|e| !e.is_empty());
                if !has_external {
                    return Err(scim_error(
                        400,
                        Some(ScimType::InvalidValue),
                        "externalId is required: Netdata matches users by their OIDC `sub`",
                    ));
                }
                // Netdata keeps only the primary email.
                if let Some(Value::Array(emails)) = body
                    .as_object_mut()
                    .and_then(|o| scim_core::names::get_ci_mut(o, "emails"))
                {
                    let primary = emails
                        .iter()
                        .position(|e| e.get("primary") == Some(&Value::Bool(true)))
                        .unwrap_or(0);
                    let kept: Vec<Value> = emails.get(primary).cloned().into_iter().collect();
                    *emails = kept;
                }
            }
            (Profile::Secoda, Kind::Groups) => {
                // Invited users (not yet signed in) are not members until their first login.
                let invited: std::collections::HashSet<String> = self
                    .resources
                    .get(&Kind::Users)
                    .into_iter()
                    .flatten()
                    .filter(|u| u["active"] == Value::Bool(false))
                    .filter_map(|u| u["id"].as_str().map(str::to_owned))
                    .collect();
                if let Some(Value::Array(members)) = body
                    .as_object_mut()
                    .and_then(|o| scim_core::names::get_ci_mut(o, "members"))
                {
                    members.retain(|m| !m["value"].as_str().is_some_and(|id| invited.contains(id)));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// POST: creates a resource with a new id (RFC 7644 §3.3).
    pub fn create(&mut self, kind: Kind, mut body: Value) -> ScimResult<Value> {
        self.apply_profile_rules(kind, &mut body)?;
        if self.drops_members.on_create {
            drop_members(kind, &mut body);
        }
        if !body.is_object() {
            return Err(scim_error(
                400,
                Some(ScimType::InvalidSyntax),
                "the body must be a JSON object",
            ));
        }
        self.check_unique(kind, &body, None)?;
        let id = self.rng.uuid();
        ensure_schema(&mut body, kind.schema());
        self.stamp(kind, &mut body, &id, None);
        self.insert(kind, id, body.clone());
        Ok(body)
    }

    /// PUT: replaces a resource; read-only attributes keep the server's values (RFC 7644 §3.5.1).
    pub fn replace(
        &mut self,
        kind: Kind,
        id: &str,
        mut body: Value,
        if_match: Option<&str>,
    ) -> ScimResult<Value> {
        self.check_version(kind, id, if_match)?;
        if !body.is_object() {
            return Err(scim_error(
                400,
                Some(ScimType::InvalidSyntax),
                "the body must be a JSON object",
            ));
        }
        self.check_unique(kind, &body, Some(id))?;
        self.apply_profile_rules(kind, &mut body)?;
        if self.drops_members.on_put {
            drop_members(kind, &mut body);
        }
        let stored = self.get(kind, id)?.clone();
        if self.put_merges {
            if let (Some(b), Some(kept)) = (body.as_object_mut(), stored.as_object()) {
                for (k, v) in kept {
                    if !k.eq_ignore_ascii_case("meta") && get_ci(b, k).is_none() {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        self.degrade_if_lossy(kind, Some(&stored), &mut body);
        let created = stored["meta"]["created"].clone();
        ensure_schema(&mut body, kind.schema());
        self.stamp(kind, &mut body, id, Some(created));
        self.put_back(kind, id, body.clone());
        Ok(body)
    }

    /// PATCH: applies with the core's RFC 7644 §3.5.2 semantics, atomically.
    pub fn patch(
        &mut self,
        kind: Kind,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> ScimResult<Value> {
        if !self.profile.supports_patch() {
            return Err(scim_error(
                501,
                None,
                "PATCH is not supported by this server; replace the resource with PUT",
            ));
        }
        self.check_version(kind, id, if_match)?;
        let patch: PatchOp = PatchOp::from_json(body)
            .map_err(|e| scim_error(400, Some(e.scim_type), e.message))?
            .value;
        let current = self.get(kind, id)?.clone();
        let mut updated = apply_patch(&current, &patch, &ApplyOptions::default())
            .map_err(|e| scim_error(e.scim_type.http_status(), Some(e.scim_type), e.message))?
            .value;
        if updated != current {
            self.check_unique(kind, &updated, Some(id))?;
            self.apply_profile_rules(kind, &mut updated)?;
            self.degrade_if_lossy(kind, Some(&current), &mut updated);
            ensure_extension_schemas(&mut updated);
            let created = current["meta"]["created"].clone();
            self.stamp(kind, &mut updated, id, Some(created));
            self.put_back(kind, id, updated.clone());
        }
        Ok(updated)
    }

    fn degrade_if_lossy(&self, kind: Kind, stored: Option<&Value>, body: &mut Value) {
        if !self.lossy_writes {
            return;
        }
        let label = |uid: &str| {
            self.get(Kind::Users, uid)
                .ok()
                .map(|u| scim_core::Resource::new(u.clone()).label())
        };
        crate::lossy::degrade(kind, stored, body, &self.base_url, &label);
    }

    /// DELETE: removes the resource and every membership pointing at it.
    pub fn delete(&mut self, kind: Kind, id: &str, if_match: Option<&str>) -> ScimResult<()> {
        self.check_version(kind, id, if_match)?;
        let list = self
            .resources
            .get_mut(&kind)
            .ok_or_else(|| scim_error(404, None, "not found"))?;
        list.retain(|r| r["id"].as_str() != Some(id));
        self.reindex(kind);
        for holder in [Kind::Groups, Kind::Roles] {
            for g in self.resources.get_mut(&holder).into_iter().flatten() {
                if let Some(Value::Array(members)) = g.get_mut("members") {
                    members.retain(|m| m["value"].as_str() != Some(id));
                }
            }
        }
        Ok(())
    }

    fn reindex(&mut self, kind: Kind) {
        self.index.retain(|(k, _), _| *k != kind);
        if let Some(list) = self.resources.get(&kind) {
            for (i, r) in list.iter().enumerate() {
                if let Some(id) = r["id"].as_str() {
                    self.index.insert((kind, id.to_owned()), i);
                }
            }
        }
    }

    fn put_back(&mut self, kind: Kind, id: &str, value: Value) {
        if let Some(&i) = self.index.get(&(kind, id.to_owned())) {
            if let Some(slot) = self.resources.get_mut(&kind).and_then(|l| l.get_mut(i)) {
                *slot = value;
            }
        }
    }

    /// `If-Match` (RFC 7644 §3.14): a stale version is 412.
    fn check_version(&self, kind: Kind, id: &str, if_match: Option<&str>) -> ScimResult<()> {
        let current = self.version_of(kind, id)?;
        if !self.profile.supports_etag() {
            return Ok(()); // a server without ETags ignores If-Match
        }
        match if_match {
            Some(wanted)
                if wanted.trim() != "*" && !wanted.split(',').any(|v| v.trim() == current) =>
            {
                Err(scim_error(
                    412,
                    None,
                    format!("the resource changed since version {wanted}; it is now {current}"),
                ))
            }
            _ => Ok(()),
        }
    }
}

fn ensure_schema(body: &mut Value, schema: &str) {
    if let Some(o) = body.as_object_mut() {
        match o.get_mut("schemas") {
            Some(Value::Array(list)) => {
                if !list
                    .iter()
                    .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(schema)))
                {
                    list.insert(0, schema.into());
                }
            }
            _ => {
                o.insert("schemas".into(), Value::from(vec![schema]));
            }
        }
    }
    ensure_extension_schemas(body);
}

/// A server lists every extension block it holds in `schemas` (RFC 7643 §3).
fn ensure_extension_schemas(body: &mut Value) {
    let Some(o) = body.as_object_mut() else {
        return;
    };
    let extensions: Vec<String> = o.keys().filter(|k| is_urn(k)).cloned().collect();
    if let Some(Value::Array(list)) = o.get_mut("schemas") {
        for ext in extensions {
            if !list
                .iter()
                .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(&ext)))
            {
                list.push(ext.into());
            }
        }
    }
}

/// The value to sort by: the primary value of a multi-valued attribute, else the first; lowercase
/// because userName and most strings are not caseExact.
/// Takes the members out of a group's body: the group is stored without them.
fn drop_members(kind: Kind, body: &mut Value) {
    if kind == Kind::Groups {
        if let Some(o) = body.as_object_mut() {
            o.retain(|k, _| !k.eq_ignore_ascii_case("members"));
        }
    }
}

/// Sorts by `path`; missing values last when ascending, first when descending (RFC 7644 §3.4.2.3).
fn sort_values(values: &mut Vec<&Value>, path: &AttrPath, descending: bool) {
    let mut keyed: Vec<(Option<String>, &Value)> =
        values.drain(..).map(|v| (sort_key(v, path), v)).collect();
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
    });
    if descending {
        keyed.reverse();
    }
    values.extend(keyed.into_iter().map(|(_, v)| v));
}

fn sort_key(resource: &Value, path: &AttrPath) -> Option<String> {
    let obj = resource.as_object()?;
    let container = match &path.urn {
        Some(urn) if !scim_core::names::is_core_schema(urn) => get_ci(obj, urn)?.as_object()?,
        _ => obj,
    };
    let mut v = get_ci(container, &path.name)?;
    if let Value::Array(items) = v {
        v = items
            .iter()
            .find(|i| i.get("primary") == Some(&Value::Bool(true)))
            .or_else(|| items.first())?;
        if path.sub.is_none() {
            v = v.get("value").unwrap_or(v);
        }
    }
    if let Some(sub) = &path.sub {
        v = get_ci(v.as_object()?, sub)?;
    }
    match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Attributes a server never returns (RFC 7643 §2.4 `returned: never`, e.g. `password`).
fn never_returned() -> &'static [String] {
    static NEVER: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NEVER.get_or_init(|| {
        scim_core::schema::SchemaRegistry::builtin()
            .schemas
            .iter()
            .flat_map(|s| s.attributes.iter())
            .filter(|a| a.returned == scim_core::schema::Returned::Never)
            .map(|a| a.name.clone())
            .collect()
    })
}

/// What the server sends for a resource: `returned: never` attributes removed, then
/// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5); `id` and `schemas` are always returned.
pub fn project(resource: &Value, attributes: &[String], excluded: &[String]) -> Value {
    let mut projected = project_visible(resource, attributes, excluded);
    if let Some(o) = projected.as_object_mut() {
        for name in never_returned() {
            scim_core::names::remove_ci(o, name);
        }
    }
    projected
}

/// Projection proper; copies the resource once (every page of a large listing goes through here).
fn project_visible(resource: &Value, attributes: &[String], excluded: &[String]) -> Value {
    let Some(obj) = resource.as_object() else {
        return resource.clone();
    };
    if !attributes.is_empty() {
        let mut out = Map::new();
        for key in ["schemas", "id"] {
            if let Some(k) = find_key(obj, key) {
                out.insert(k.to_owned(), obj[k].clone());
            }
        }
        for wanted in attributes {
            copy_path(obj, &mut out, wanted);
        }
        return Value::Object(out);
    }
    let mut out = obj.clone();
    for unwanted in excluded {
        if unwanted.eq_ignore_ascii_case("id") || unwanted.eq_ignore_ascii_case("schemas") {
            continue;
        }
        let (container_key, rest) = match split_urn_attr(unwanted) {
            Some((urn, attr)) if find_key(&out, urn).is_some() => {
                (Some(urn.to_owned()), attr.to_owned())
            }
            _ => (None, unwanted.clone()),
        };
        let target = match &container_key {
            Some(urn) => find_key(&out, urn)
                .map(str::to_owned)
                .and_then(|k| out.get_mut(&k))
                .and_then(Value::as_object_mut),
            None => Some(&mut out),
        };
        if let Some(target) = target {
            let mut parts = rest.splitn(2, '.');
            let name = parts.next().unwrap_or_default();
            match parts.next() {
                None => {
                    scim_core::names::remove_ci(target, name);
                }
                Some(sub) => {
                    if let Some(Value::Object(inner)) = scim_core::names::get_ci_mut(target, name) {
                        scim_core::names::remove_ci(inner, sub);
                    }
                }
            }
        }
    }
    Value::Object(out)
}

fn copy_path(from: &Map<String, Value>, to: &mut Map<String, Value>, wanted: &str) {
    if let Some(key) = find_key(from, wanted) {
        // A whole extension block, or a plain attribute.
        to.insert(key.to_owned(), from[key].clone());
        return;
    }
    if let Some((urn, attr)) = split_urn_attr(wanted) {
        if let Some(ext_key) = find_key(from, urn) {
            if let Some(Value::Object(ext)) = from.get(ext_key) {
                let entry = to
                    .entry(ext_key.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(target) = entry {
                    copy_path(ext, target, attr);
                }
            }
        }
        return;
    }
    if let Some((name, sub)) = wanted.split_once('.') {
        if let Some(key) = find_key(from, name) {
            match &from[key] {
                Value::Object(inner) => {
                    if let Some(sk) = find_key(inner, sub) {
                        let entry = to
                            .entry(key.to_owned())
                            .or_insert_with(|| Value::Object(Map::new()));
                        if let Value::Object(target) = entry {
                            target.insert(sk.to_owned(), inner[sk].clone());
                        }
                    }
                }
                Value::Array(items) => {
                    let picked: Vec<Value> = items
                        .iter()
                        .filter_map(|i| {
                            let o = i.as_object()?;
                            let sk = find_key(o, sub)?;
                            let mut m = Map::new();
                            m.insert(sk.to_owned(), o[sk].clone());
                            Some(Value::Object(m))
                        })
                        .collect();
                    to.insert(key.to_owned(), Value::Array(picked));
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{generate, SeedOptions};
    use serde_json::json;

    fn store() -> Store {
        Store::new(
            generate(&SeedOptions::default()),
            "http://127.0.0.1:1/scim/v2",
            1000,
            crate::profile::Profile::Rfc,
        )
    }

    #[test]
    fn filters_sorts_and_pages() {
        let s = store();
        let page = s
            .list(
                Kind::Users,
                &ListQuery {
                    filter: Some("active eq true".into()),
                    sort_by: Some("userName".into()),
                    start_index: Some(2),
                    count: Some(3),
                    ..Default::default()
                },
            )
            .expect("list");
        let all_active = s
            .list(
                Kind::Users,
                &ListQuery {
                    filter: Some("active eq true".into()),
                    ..Default::default()
                },
            )
            .expect("list");
        assert_eq!(page.total, all_active.total);
        assert_eq!(page.resources.len(), 3);
        let names: Vec<&str> = page
            .resources
            .iter()
            .filter_map(|r| r["userName"].as_str())
            .collect();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.to_lowercase());
        assert_eq!(names, sorted);
    }

    #[test]
    fn a_bad_filter_is_invalid_filter() {
        let err = store()
            .list(
                Kind::Users,
                &ListQuery {
                    filter: Some("userName eq".into()),
                    ..Default::default()
                },
            )
            .expect_err("bad");
        assert_eq!(err.scim_type.as_deref(), Some("invalidFilter"));
        assert_eq!(err.status, Some(400));
    }

    #[test]
    fn duplicate_user_names_conflict() {
        let mut s = store();
        let existing = s
            .list(
                Kind::Users,
                &ListQuery {
                    count: Some(1),
                    ..Default::default()
                },
            )
            .expect("list")
            .resources[0]["userName"]
            .clone();
        let err = s
            .create(
                Kind::Users,
                json!({"userName": existing.as_str().map(str::to_uppercase)}),
            )
            .expect_err("conflict");
        assert_eq!(err.status, Some(409));
    }

    #[test]
    fn stale_versions_are_refused() {
        let mut s = store();
        let user = s
            .create(Kind::Users, json!({"userName": "zed@example.com"}))
            .expect("create");
        let id = user["id"].as_str().expect("id").to_owned();
        let v1 = user["meta"]["version"]
            .as_str()
            .expect("version")
            .to_owned();
        s.patch(
            Kind::Users,
            &id,
            &json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
            Some(&v1),
        )
        .expect("first patch");
        let err = s
            .patch(
                Kind::Users,
                &id,
                &json!({"Operations": [{"op": "replace", "path": "title", "value": "y"}]}),
                Some(&v1),
            )
            .expect_err("stale");
        assert_eq!(err.status, Some(412));
    }

    #[test]
    fn projection_keeps_id_and_the_asked_attributes() {
        let s = store();
        let page = s
            .list(
                Kind::Users,
                &ListQuery {
                    attributes: vec!["userName".into(), "name.givenName".into()],
                    count: Some(1),
                    ..Default::default()
                },
            )
            .expect("list");
        let r = page.resources[0].as_object().expect("object");
        let mut keys: Vec<&str> = r.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, vec!["id", "name", "schemas", "userName"]);
        assert_eq!(r["name"].as_object().expect("name").len(), 1);
        let page = s
            .list(
                Kind::Groups,
                &ListQuery {
                    excluded_attributes: vec!["members".into()],
                    ..Default::default()
                },
            )
            .expect("list");
        assert!(page.resources.iter().all(|g| g.get("members").is_none()));
    }

    #[test]
    fn deleting_a_user_removes_their_memberships() {
        let mut s = store();
        let all_staff = s
            .list(
                Kind::Groups,
                &ListQuery {
                    filter: Some(r#"displayName eq "All staff""#.into()),
                    ..Default::default()
                },
            )
            .expect("list")
            .resources[0]
            .clone();
        let first = all_staff["members"][0]["value"]
            .as_str()
            .expect("member")
            .to_owned();
        s.delete(Kind::Users, &first, None).expect("delete");
        let gid = all_staff["id"].as_str().expect("id");
        let after = s.get(Kind::Groups, gid).expect("group");
        assert!(after["members"]
            .as_array()
            .expect("members")
            .iter()
            .all(|m| m["value"] != first.as_str()));
        assert_eq!(
            s.get(Kind::Users, &first).expect_err("gone").status,
            Some(404)
        );
    }
}
