//! The browse tables' data: columns derived from the schemas (core, enterprise, other extensions, and
//! attributes seen in the data that no schema declares), cells read from the resources as the server
//! sent them, and windows of rows sorted and quick-filtered in Rust — so a 100k-row table scrolls
//! while the UI only ever holds the rows on screen.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use scim_core::filter::AttrPath;
use scim_core::names::{get_ci, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
use scim_core::schema::{AttrType, Attribute, Returned, SchemaRegistry};
use scim_core::Resource;

/// Where a column's attribute comes from; the chooser groups by it and marks undeclared ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ColumnSource {
    Core,
    Enterprise,
    Extension,
    /// Seen in the data but declared by no schema (e.g. Secoda's `secodaRole`).
    Undeclared,
    /// Computed by the app (a group's member count).
    Computed,
}

/// How a column's values compare when sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ColumnKind {
    Text,
    Boolean,
    Number,
    DateTime,
}

/// One column a table can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    /// The attribute path (`name.givenName`, `urn:…:enterprise:2.0:User:department`) or `#members`.
    pub id: String,
    pub label: String,
    pub source: ColumnSource,
    pub kind: ColumnKind,
    /// Shown until the user chooses otherwise.
    pub default_visible: bool,
    /// The extension URN, for the chooser's grouping.
    pub schema: Option<String>,
}

/// The computed member-count column of groups.
pub const MEMBER_COUNT: &str = "#members";

/// The row's id as the table's rows carry it (not a column anyone chooses).
pub const ROW_ID: &str = "#id";

/// One column's cell text for every row, in load order (`None`: absent or empty).
pub type Cells = Arc<[Option<Box<str>>]>;

/// What the table functions read rows through: a loaded set's column store (which keeps the columns
/// it was asked for) or resources parsed whole (tests, fixtures).
pub trait Rows {
    fn row_count(&self) -> usize;
    /// The cells of each of `columns` (column ids, or [`ROW_ID`]), in that order.
    fn cells(&self, columns: &[String]) -> Vec<Cells>;
}

impl Rows for [Resource] {
    fn row_count(&self) -> usize {
        self.len()
    }
    fn cells(&self, columns: &[String]) -> Vec<Cells> {
        columns
            .iter()
            .map(|c| {
                let path = CellPath::new(c);
                self.iter().map(|r| path.cell_text(r)).collect()
            })
            .collect()
    }
}

impl Rows for Vec<Resource> {
    fn row_count(&self) -> usize {
        self.len()
    }
    fn cells(&self, columns: &[String]) -> Vec<Cells> {
        self.as_slice().cells(columns)
    }
}

const USER_DEFAULTS: &[&str] = &[
    "userName",
    "displayName",
    "title",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    "emails",
    "active",
];
const GROUP_DEFAULTS: &[&str] = &["displayName", MEMBER_COUNT, "externalId"];

fn kind_of(attr: &Attribute) -> ColumnKind {
    match attr.attr_type {
        AttrType::Boolean => ColumnKind::Boolean,
        AttrType::Integer | AttrType::Decimal => ColumnKind::Number,
        AttrType::DateTime => ColumnKind::DateTime,
        _ => ColumnKind::Text,
    }
}

fn push_attribute(
    out: &mut Vec<Column>,
    attr: &Attribute,
    urn: Option<&str>,
    source: ColumnSource,
    defaults: &[&str],
) {
    // Never returned (passwords) or binary (certificates): nothing to show in a table.
    if attr.returned == Returned::Never || attr.attr_type == AttrType::Binary {
        return;
    }
    let prefix = urn.map(|u| format!("{u}:")).unwrap_or_default();
    let mut add = |path: String, label: String, kind: ColumnKind| {
        let id = format!("{prefix}{path}");
        let default_visible = defaults.iter().any(|d| d.eq_ignore_ascii_case(&id));
        out.push(Column {
            id,
            label,
            source,
            kind,
            default_visible,
            schema: urn.map(str::to_owned),
        });
    };
    if attr.attr_type == AttrType::Complex && !attr.multi_valued {
        for sub in &attr.sub_attributes {
            if sub.returned == Returned::Never || sub.attr_type == AttrType::Complex {
                continue;
            }
            add(
                format!("{}.{}", attr.name, sub.name),
                format!("{}.{}", attr.name, sub.name),
                kind_of(sub),
            );
        }
    } else if attr.multi_valued {
        // One column: the primary (else first) value of each record, then the others.
        add(attr.name.clone(), attr.name.clone(), ColumnKind::Text);
    } else {
        add(attr.name.clone(), attr.name.clone(), kind_of(attr));
    }
}

/// The columns of `kind` (`Users` or `Groups`): the schemas' attributes, then extensions the data
/// uses, then attributes seen in the data that no schema declares.
pub fn columns(kind: &str, schemas: &SchemaRegistry, data: &[Resource]) -> Vec<Column> {
    columns_of(kind, schemas, data, data)
}

/// [`columns`] with the attribute names found in `shapes` (resources whose top-level keys, and
/// `schemas`, stand for every row's) and the rows' cells read through `rows`.
pub fn columns_of<R: Rows + ?Sized>(
    kind: &str,
    schemas: &SchemaRegistry,
    shapes: &[Resource],
    rows: &R,
) -> Vec<Column> {
    let users = kind.eq_ignore_ascii_case("Users");
    let (core_urn, defaults) = if users {
        (USER_SCHEMA, USER_DEFAULTS)
    } else {
        (GROUP_SCHEMA, GROUP_DEFAULTS)
    };
    let mut out = Vec::new();
    let common = |id: &str, kind: ColumnKind, visible: bool| Column {
        id: id.to_owned(),
        label: id.to_owned(),
        source: ColumnSource::Core,
        kind,
        default_visible: visible,
        schema: None,
    };
    out.push(common("id", ColumnKind::Text, false));
    if !users {
        out.push(Column {
            id: MEMBER_COUNT.into(),
            label: "members".into(),
            source: ColumnSource::Computed,
            kind: ColumnKind::Number,
            default_visible: true,
            schema: None,
        });
    }
    if let Some(core) = schemas.schema(core_urn) {
        for attr in &core.attributes {
            if !users && attr.name.eq_ignore_ascii_case("members") {
                continue; // shown as the member count, and in the detail pane
            }
            push_attribute(&mut out, attr, None, ColumnSource::Core, defaults);
        }
    }
    out.push(common(
        "externalId",
        ColumnKind::Text,
        defaults.contains(&"externalId"),
    ));
    out.push(common("meta.created", ColumnKind::DateTime, false));
    out.push(common("meta.lastModified", ColumnKind::DateTime, false));
    // Extensions: the enterprise one for users always, others when the data carries them.
    let mut extensions: BTreeSet<String> = BTreeSet::new();
    if users {
        extensions.insert(ENTERPRISE_USER_SCHEMA.to_owned());
    }
    let mut undeclared: BTreeSet<String> = BTreeSet::new();
    // Most resources carry the same attribute names: only one whose names include one not seen yet
    // needs the (schema-lookup) scan, which makes this linear in the directory and cheap.
    let mut seen_keys: HashSet<&str> = HashSet::new();
    for r in shapes {
        let Some(obj) = r.as_object() else { continue };
        if obj.keys().all(|k| seen_keys.contains(k.as_str())) {
            continue;
        }
        for urn in r.extensions() {
            extensions.insert(urn.to_owned());
        }
        for name in r.undeclared_attributes(schemas) {
            undeclared.insert(name.to_owned());
        }
        seen_keys.extend(obj.keys().map(String::as_str));
    }
    for urn in &extensions {
        let source = if urn.eq_ignore_ascii_case(ENTERPRISE_USER_SCHEMA) {
            ColumnSource::Enterprise
        } else {
            ColumnSource::Extension
        };
        match schemas.schema(urn) {
            Some(schema) => {
                for attr in &schema.attributes {
                    push_attribute(&mut out, attr, Some(urn), source, defaults);
                }
            }
            None => {
                undeclared.insert(urn.clone());
            }
        }
    }
    for name in undeclared {
        if out.iter().any(|c| c.id.eq_ignore_ascii_case(&name)) {
            continue;
        }
        out.push(Column {
            label: name.clone(),
            id: name,
            source: ColumnSource::Undeclared,
            kind: ColumnKind::Text,
            default_visible: false,
            schema: None,
        });
    }
    // Some servers declare the common attributes (id, externalId, meta) in their schemas too: one
    // column per attribute, the first kept.
    let mut seen = HashSet::new();
    out.retain(|c| seen.insert(c.id.to_ascii_lowercase()));
    // Labels of extension columns name their attribute only; the chooser shows the schema.
    for c in &mut out {
        if let Some(urn) = &c.schema {
            c.label = c.id[urn.len() + 1..].to_owned();
        }
    }
    if !users {
        // A group is known by its name: the member count follows it.
        if let (Some(count), Some(name)) = (
            out.iter().position(|c| c.id == MEMBER_COUNT),
            out.iter()
                .position(|c| c.id.eq_ignore_ascii_case("displayName")),
        ) {
            let column = out.remove(count);
            let name = if count < name { name - 1 } else { name };
            out.insert(name + 1, column);
        }
    }
    hide_duplicates(&mut out, rows);
    hide_empty(&mut out, rows);
    out
}

/// A shown-by-default column that no row has a value for (an `externalId` the server never sets)
/// takes room and says nothing: hidden by default, still in the chooser. The member count stays (a
/// zero is a value), and so does the first column when every one is empty.
fn hide_empty<R: Rows + ?Sized>(columns: &mut [Column], rows: &R) {
    if rows.row_count() == 0 {
        return;
    }
    let shown: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].default_visible && columns[i].id != MEMBER_COUNT)
        .collect();
    let ids: Vec<String> = shown.iter().map(|&i| columns[i].id.clone()).collect();
    let cells = rows.cells(&ids);
    let empty: Vec<usize> = shown
        .iter()
        .zip(&cells)
        .filter(|(_, cells)| {
            cells
                .iter()
                .all(|v| v.as_deref().is_none_or(|v| v.trim().is_empty()))
        })
        .map(|(&i, _)| i)
        .collect();
    let keep_one = empty.len() == shown.len();
    for (n, i) in empty.into_iter().enumerate() {
        if keep_one && n == 0 {
            continue;
        }
        columns[i].default_visible = false;
    }
}

/// A shown-by-default column whose text equals an earlier shown column's in every row (emails that
/// are the userName, as Okta and Entra provision them) says nothing new: hidden by default, still
/// in the chooser.
fn hide_duplicates<R: Rows + ?Sized>(columns: &mut [Column], rows: &R) {
    if rows.row_count() == 0 {
        return;
    }
    let shown: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].default_visible)
        .collect();
    let ids: Vec<String> = shown.iter().map(|&i| columns[i].id.clone()).collect();
    let cells = rows.cells(&ids);
    let mut hidden = Vec::new();
    for (b, &later) in shown.iter().enumerate().skip(1) {
        let repeats = (0..b).filter(|a| !hidden.contains(&shown[*a])).any(|a| {
            cells[a]
                .iter()
                .zip(cells[b].iter())
                .all(|(x, y)| match (x, y) {
                    (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
                    (None, None) => true,
                    _ => false,
                })
        });
        if repeats {
            hidden.push(later);
        }
    }
    for i in hidden {
        columns[i].default_visible = false;
    }
}

/// A column id turned into the path cells are read from.
#[derive(Debug, Clone)]
pub struct CellPath {
    id: String,
    attr: Option<AttrPath>,
}

impl CellPath {
    pub fn new(id: &str) -> Self {
        let attr = if id.starts_with('#') {
            None
        } else {
            scim_core::patch::parse_path(id).ok().map(|p| p.attr)
        };
        Self {
            id: id.to_owned(),
            attr,
        }
    }

    /// [`CellPath::cell`] as a column store keeps it.
    pub fn cell_text(&self, resource: &Resource) -> Option<Box<str>> {
        self.cell(resource).map(String::into_boxed_str)
    }

    /// The cell text of `resource` in this column; `None` when absent.
    pub fn cell(&self, resource: &Resource) -> Option<String> {
        if self.id == ROW_ID {
            return resource.id_string();
        }
        let obj = resource.as_object()?;
        if self.id == MEMBER_COUNT {
            return match resource.members() {
                scim_core::resource::Members::Listed(list) => Some(list.len().to_string()),
                _ => None,
            };
        }
        let attr = self.attr.as_ref()?;
        let container = match &attr.urn {
            Some(urn)
                if !urn.eq_ignore_ascii_case(USER_SCHEMA)
                    && !urn.eq_ignore_ascii_case(GROUP_SCHEMA) =>
            {
                get_ci(obj, urn)?.as_object()?
            }
            _ => obj,
        };
        let value = get_ci(container, &attr.name)?;
        text_of(value, attr.sub.as_deref())
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        // A complex value where a simple one was expected: its display or value, else compact JSON.
        Value::Object(o) => ["display", "value", "formatted", "displayName"]
            .iter()
            .find_map(|k| get_ci(o, k).and_then(scalar))
            .or_else(|| Some(v.to_string())),
        Value::Array(_) => Some(v.to_string()),
    }
}

fn text_of(value: &Value, sub: Option<&str>) -> Option<String> {
    match (value, sub) {
        (Value::Array(items), _) => {
            let is_primary = |v: &Value| {
                v.as_object()
                    .and_then(|o| get_ci(o, "primary"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            };
            // Primary first, then the others in the server's order.
            let ordered = items
                .iter()
                .filter(|v| is_primary(v))
                .chain(items.iter().filter(|v| !is_primary(v)));
            let parts: Vec<String> = ordered
                .filter_map(|item| match (item, sub) {
                    (Value::Object(o), Some(s)) => get_ci(o, s).and_then(scalar),
                    (Value::Object(o), None) => get_ci(o, "value")
                        .or_else(|| get_ci(o, "display"))
                        .and_then(scalar),
                    (other, _) => scalar(other),
                })
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        (Value::Object(o), Some(s)) => get_ci(o, s).and_then(scalar),
        (other, _) => scalar(other),
    }
}

/// What the table asks for: a window of rows, the columns on screen, the sort and the quick filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WindowQuery {
    pub offset: u32,
    pub limit: u32,
    pub columns: Vec<String>,
    #[serde(default)]
    pub sort_by: Option<String>,
    #[serde(default)]
    pub descending: bool,
    /// Case-insensitive text matched against the shown columns.
    #[serde(default)]
    pub quick: Option<String>,
}

/// One row: the resource id and the cells in the order of the query's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TableRow {
    pub id: String,
    pub cells: Vec<Option<String>>,
}

/// A window of rows and the counts around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RowsWindow {
    /// Rows loaded.
    pub total: u32,
    /// Rows left after the quick filter.
    pub matched: u32,
    pub offset: u32,
    pub rows: Vec<TableRow>,
}

/// The row order for a sort and quick filter: computed once per (sort, filter, columns) and reused
/// while the user scrolls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    sort_by: Option<String>,
    descending: bool,
    quick: Option<String>,
    columns: Vec<String>,
}

impl OrderKey {
    pub fn of(q: &WindowQuery) -> Self {
        let quick = q
            .quick
            .as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        Self {
            sort_by: q.sort_by.clone(),
            descending: q.descending,
            // Only the filter depends on the columns.
            columns: if quick.is_some() {
                q.columns.clone()
            } else {
                Vec::new()
            },
            quick,
        }
    }
}

/// A cell turned into what it sorts by, once per row (not once per comparison).
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum SortKey {
    Number(f64),
    Time(scim_core::datetime::Instant),
    Text(Vec<Chunk>),
}

/// A run of text or of digits: text sorts naturally, as people count (`ana.berg1048` before
/// `ana.berg10344`, `user2` before `user10`), without case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Chunk {
    /// Digits without leading zeros, ordered by length first so any length compares as a number.
    Digits(usize, String),
    Letters(String),
}

fn natural_key(text: &str) -> Vec<Chunk> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut rest = lower.as_str();
    while let Some(first) = rest.chars().next() {
        let digits = first.is_ascii_digit();
        let end = rest
            .find(|c: char| c.is_ascii_digit() != digits)
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        out.push(if digits {
            let significant = run.trim_start_matches('0');
            Chunk::Digits(significant.len(), significant.to_owned())
        } else {
            Chunk::Letters(run.to_owned())
        });
        rest = tail;
    }
    out
}

fn sort_key(kind: ColumnKind, cell: Option<&str>) -> Option<SortKey> {
    let text = cell?;
    Some(match kind {
        ColumnKind::Number => match text.parse::<f64>() {
            Ok(n) => SortKey::Number(n),
            Err(_) => SortKey::Text(natural_key(text)),
        },
        ColumnKind::DateTime => match scim_core::datetime::parse_datetime(text) {
            Some(t) => SortKey::Time(t),
            None => SortKey::Text(natural_key(text)),
        },
        _ => SortKey::Text(natural_key(text)),
    })
}

fn compare(a: &Option<SortKey>, b: &Option<SortKey>) -> Ordering {
    match (a, b) {
        // Empty cells last, whatever the direction of the rest.
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    }
}

/// The lowercased text of the shown columns of every row, for the quick filter: built once per
/// set of columns, then each keystroke is a substring scan.
pub fn search_index<R: Rows + ?Sized>(data: &R, columns: &[String]) -> Vec<Box<str>> {
    let cells = data.cells(columns);
    (0..data.row_count())
        .map(|i| {
            let mut text = String::new();
            for column in &cells {
                if let Some(cell) = &column[i] {
                    text.push_str(&cell.to_lowercase());
                }
                // A separator no one types: a match never spans two cells.
                text.push('\u{1}');
            }
            text.into_boxed_str()
        })
        .collect()
}

/// The indexes of `data` in display order for `key`; `search` is the [`search_index`] of the key's
/// columns when the caller keeps one (computed here otherwise).
pub fn order<R: Rows + ?Sized>(
    data: &R,
    key: &OrderKey,
    columns: &[Column],
    search: Option<&[Box<str>]>,
) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..data.row_count() as u32).collect();
    if let Some(quick) = &key.quick {
        let built;
        let index = match search {
            Some(s) => s,
            None => {
                built = search_index(data, &key.columns);
                &built
            }
        };
        idx.retain(|&i| index[i as usize].contains(quick.as_str()));
    }
    if let Some(sort_by) = &key.sort_by {
        let cells = data.cells(std::slice::from_ref(sort_by)).remove(0);
        let kind = columns
            .iter()
            .find(|c| c.id == *sort_by)
            .map_or(ColumnKind::Text, |c| c.kind);
        let mut keyed: Vec<(Option<SortKey>, u32)> = idx
            .into_iter()
            .map(|i| (sort_key(kind, cells[i as usize].as_deref()), i))
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            let o = compare(a, b);
            match (key.descending, a.is_some() && b.is_some()) {
                (true, true) => o.reverse(),
                _ => o,
            }
        });
        idx = keyed.into_iter().map(|(_, i)| i).collect();
    }
    idx
}

/// The rows of `order[offset..offset+limit]` with the query's columns.
pub fn window<R: Rows + ?Sized>(data: &R, order: &[u32], q: &WindowQuery) -> RowsWindow {
    let mut asked = vec![ROW_ID.to_owned()];
    asked.extend(q.columns.iter().cloned());
    let cells = data.cells(&asked);
    let start = (q.offset as usize).min(order.len());
    let end = (start + q.limit.min(1000) as usize).min(order.len());
    let rows = order[start..end]
        .iter()
        .map(|&i| {
            let i = i as usize;
            TableRow {
                id: cells[0][i].as_deref().unwrap_or_default().to_owned(),
                cells: cells[1..]
                    .iter()
                    .map(|c| c[i].as_deref().map(str::to_owned))
                    .collect(),
            }
        })
        .collect();
    RowsWindow {
        total: data.row_count() as u32,
        matched: order.len() as u32,
        offset: start as u32,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(i: usize, extra: Value) -> Resource {
        let mut v = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "id": format!("u{i}"),
            "userName": format!("user{i:03}@example.com"),
            "name": {"givenName": format!("Given{i}"), "familyName": "Díaz"},
            "emails": [
                {"value": format!("other{i}@example.com"), "type": "home"},
                {"value": format!("work{i}@example.com"), "type": "work", "primary": true}
            ],
            "active": i.is_multiple_of(2),
            ENTERPRISE_USER_SCHEMA: {"department": if i.is_multiple_of(3) { "Finance" } else { "Operations" }},
            "meta": {"created": format!("2024-01-{:02}T10:00:00Z", (i % 28) + 1)}
        });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        Resource::new(v)
    }

    #[test]
    fn user_columns_come_from_the_schemas_and_mark_undeclared_attributes() {
        let data = vec![user(1, json!({"secodaRole": "editor"}))];
        let cols = columns("Users", &SchemaRegistry::builtin(), &data);
        let find = |id: &str| cols.iter().find(|c| c.id == id);
        assert!(find("userName").is_some_and(|c| c.default_visible));
        assert!(find("name.givenName").is_some_and(|c| !c.default_visible));
        assert!(
            find("password").is_none(),
            "never-returned attributes are not columns"
        );
        let dept = find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
            .expect("enterprise department");
        assert_eq!(
            (dept.label.as_str(), dept.source),
            ("department", ColumnSource::Enterprise)
        );
        assert!(dept.default_visible);
        assert_eq!(
            find("secodaRole").map(|c| c.source),
            Some(ColumnSource::Undeclared)
        );
        assert_eq!(find("active").map(|c| c.kind), Some(ColumnKind::Boolean));
        assert_eq!(
            find("meta.created").map(|c| c.kind),
            Some(ColumnKind::DateTime)
        );
    }

    #[test]
    fn common_attributes_declared_by_a_schema_are_one_column() {
        let mut schemas = SchemaRegistry::builtin();
        let group = serde_json::json!({
            "id": GROUP_SCHEMA,
            "attributes": [
                {"name": "displayName", "type": "string"},
                {"name": "externalId", "type": "string"},
                {"name": "id", "type": "string"}
            ]
        });
        schemas.insert(
            scim_core::schema::Schema::from_json(&group)
                .expect("schema")
                .value,
        );
        let cols = columns("Groups", &schemas, &[]);
        let mut ids: Vec<String> = cols.iter().map(|c| c.id.to_lowercase()).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "{cols:?}");
    }

    #[test]
    fn cells_read_sub_attributes_extensions_and_primary_values_first() {
        let r = user(3, json!({}));
        let cell = |id: &str| CellPath::new(id).cell(&r);
        assert_eq!(cell("name.givenName").as_deref(), Some("Given3"));
        assert_eq!(
            cell("emails").as_deref(),
            Some("work3@example.com, other3@example.com")
        );
        assert_eq!(cell("emails.type").as_deref(), Some("work, home"));
        assert_eq!(
            cell("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
                .as_deref(),
            Some("Finance")
        );
        assert_eq!(cell("active").as_deref(), Some("false"));
        assert_eq!(cell("title"), None);
        assert_eq!(
            cell("USERNAME").as_deref(),
            Some("user003@example.com"),
            "case-insensitive"
        );
        let g = Resource::new(
            json!({"id": "g", "displayName": "G", "members": [{"value": "a"}, {"value": "b"}]}),
        );
        assert_eq!(CellPath::new(MEMBER_COUNT).cell(&g).as_deref(), Some("2"));
    }

    #[test]
    fn windows_sort_typed_values_and_quick_filter_the_shown_columns() {
        let data: Vec<Resource> = (0..30).map(|i| user(i, json!({}))).collect();
        let cols = columns("Users", &SchemaRegistry::builtin(), &data);
        let q = WindowQuery {
            offset: 0,
            limit: 5,
            columns: vec!["userName".into(), "meta.created".into()],
            sort_by: Some("meta.created".into()),
            descending: true,
            quick: None,
        };
        let o = order(&data, &OrderKey::of(&q), &cols, None);
        let w = window(&data, &o, &q);
        assert_eq!((w.total, w.matched, w.rows.len()), (30, 30, 5));
        assert_eq!(w.rows[0].cells[1].as_deref(), Some("2024-01-28T10:00:00Z"));
        // Quick filter: "finance" is not in a shown column, "user01" is.
        let mut q2 = q.clone();
        q2.quick = Some(" USER01".into());
        q2.sort_by = Some("userName".into());
        q2.descending = false;
        let o2 = order(&data, &OrderKey::of(&q2), &cols, None);
        let w2 = window(&data, &o2, &q2);
        assert_eq!(w2.matched, 10);
        assert_eq!(w2.rows[0].id, "u10");
        q2.quick = Some("finance".into());
        assert_eq!(order(&data, &OrderKey::of(&q2), &cols, None).len(), 0);
        // Past the end: an empty window, not a panic.
        let mut q3 = q.clone();
        q3.offset = 1000;
        assert!(window(&data, &o, &q3).rows.is_empty());
    }

    #[test]
    fn empty_cells_sort_last_in_both_directions() {
        let data = vec![
            Resource::new(json!({"id": "a", "title": "b"})),
            Resource::new(json!({"id": "b"})),
            Resource::new(json!({"id": "c", "title": "a"})),
        ];
        for descending in [false, true] {
            let q = WindowQuery {
                offset: 0,
                limit: 10,
                columns: vec!["title".into()],
                sort_by: Some("title".into()),
                descending,
                quick: None,
            };
            let o = order(&data, &OrderKey::of(&q), &[], None);
            assert_eq!(data[*o.last().expect("rows") as usize].id(), Some("b"));
        }
    }

    #[test]
    fn text_sorts_naturally_and_without_case() {
        let mut names = vec![
            "ana.berg10344",
            "Ana.berg1048",
            "user10",
            "user2",
            "user02b",
            "b",
            "A",
        ];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(
            names,
            [
                "A",
                "Ana.berg1048",
                "ana.berg10344",
                "b",
                "user2",
                "user02b",
                "user10"
            ]
        );
        // Numbers longer than any integer type still compare as numbers.
        assert!(
            natural_key("x99999999999999999999999999999999999")
                < natural_key("x100000000000000000000000000000000000")
        );
    }

    #[test]
    fn a_column_that_repeats_another_in_every_row_is_hidden_by_default() {
        let schemas = SchemaRegistry::builtin();
        let okta = |name: &str| {
            Resource::new(
                serde_json::json!({"id": name, "userName": name, "displayName": name.to_uppercase(), "emails": [{"value": name, "primary": true}]}),
            )
        };
        let data = vec![okta("ana@example.com"), okta("ben@example.com")];
        let visible = |cols: &[Column]| {
            cols.iter()
                .filter(|c| c.default_visible)
                .map(|c| c.id.clone())
                .collect::<Vec<_>>()
        };
        let cols = columns("Users", &schemas, &data);
        assert!(visible(&cols).contains(&"userName".to_owned()));
        assert!(
            !visible(&cols).contains(&"emails".to_owned()),
            "{:?}",
            visible(&cols)
        );
        assert!(
            cols.iter().any(|c| c.id == "emails"),
            "still in the chooser"
        );
        // One row where they differ: both stay.
        let mut mixed = data.clone();
        mixed.push(Resource::new(serde_json::json!({"id": "c", "userName": "carla", "emails": [{"value": "carla@example.com"}]})));
        assert!(visible(&columns("Users", &schemas, &mixed)).contains(&"emails".to_owned()));
    }

    #[test]
    fn groups_open_with_their_name_and_columns_no_row_fills_are_hidden() {
        let schemas = SchemaRegistry::builtin();
        let group = |id: &str, name: &str| {
            Resource::new(json!({"id": id, "displayName": name, "members": [{"value": "u1"}]}))
        };
        let data = vec![group("g1", "Engineering"), group("g2", "Profile: Admin")];
        let cols = columns("Groups", &schemas, &data);
        let visible: Vec<&str> = cols
            .iter()
            .filter(|c| c.default_visible)
            .map(|c| c.id.as_str())
            .collect();
        // No group has an externalId: hidden (still in the chooser); the name comes first.
        assert_eq!(visible, ["displayName", MEMBER_COUNT]);
        assert!(cols.iter().any(|c| c.id == "externalId"));
        // One group with an externalId brings the column back.
        let mut with = data.clone();
        with.push(Resource::new(
            json!({"id": "g3", "displayName": "Ops", "externalId": "okta-7"}),
        ));
        assert!(columns("Groups", &schemas, &with)
            .iter()
            .any(|c| c.id == "externalId" && c.default_visible));
        // Every shown column empty: the first stays, so the table is never without a column.
        let bare = vec![Resource::new(json!({"id": "x"}))];
        assert!(columns("Groups", &schemas, &bare)
            .iter()
            .any(|c| c.default_visible));
    }
}
