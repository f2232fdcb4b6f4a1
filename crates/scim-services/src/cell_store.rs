//! A loaded set's rows as the tables read them, column by column: the rows stay as the server sent
//! them, and each column a screen asks for is computed once, in one pass over the rows, into compact
//! cell text that is kept (a bounded number of columns). So 100,000 users cost their JSON plus a few
//! megabytes per column on screen, not a parsed copy of each user (a `serde_json::Value` tree costs
//! five to ten times its text).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use scim_core::raw_list::{raw_only, raw_projected, raw_value, RawResource};
use scim_core::Resource;

use crate::parallel::{par_chunks, par_map};
use crate::table::{self, CellPath, Cells, Rows};

/// Columns kept at once: someone who tries every column of a wide schema does not keep them all.
const MAX_COLUMNS: usize = 32;

/// The columns computed so far, with when each was last asked for.
#[derive(Debug, Default, Clone)]
struct Kept {
    columns: Vec<(String, Cells, u64)>,
    tick: u64,
}

/// A loaded set's rows and the columns computed from them.
#[derive(Debug)]
pub struct CellStore {
    /// As the server sent them.
    rows: Vec<RawResource>,
    kept: Mutex<Kept>,
}

/// The top-level attribute a table column reads (`name.givenName` → `name`, an extension column →
/// its URN, the member count → `members`, the row id → `id`).
pub fn column_attribute(column: &str) -> String {
    if column == table::MEMBER_COUNT {
        return "members".into();
    }
    if column == table::ROW_ID {
        return "id".into();
    }
    match scim_core::names::split_urn_attr(column) {
        Some((urn, _)) if !scim_core::names::is_core_schema(urn) => urn.to_owned(),
        Some((_, attr)) => attr.split(['.', '[']).next().unwrap_or(attr).to_owned(),
        None => column.split(['.', '[']).next().unwrap_or(column).to_owned(),
    }
}

/// `v` with one change: row `at` replaced by `new`, removed when there is none, `new` appended
/// when there is no `at`.
fn changed<T: Clone>(v: &[T], at: Option<usize>, new: Option<T>) -> Vec<T> {
    let mut v = v.to_vec();
    match (at, new) {
        (Some(i), Some(x)) if i < v.len() => v[i] = x,
        (Some(i), None) if i < v.len() => {
            v.remove(i);
        }
        (None, Some(x)) => v.push(x),
        _ => {}
    }
    v
}

impl CellStore {
    pub fn new(rows: Vec<RawResource>) -> Self {
        Self {
            rows,
            kept: Mutex::new(Kept::default()),
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Every row with every attribute, parsed now.
    pub fn whole(&self) -> Vec<Resource> {
        par_map(&self.rows, |r| Resource::new(raw_value(r)))
    }

    /// `f` over every row parsed for at least the top-level `attributes` (and only those), on
    /// every core, in load order.
    pub fn map_rows<U: Send>(
        &self,
        attributes: &[&str],
        f: impl Fn(&Resource) -> U + Sync,
    ) -> Vec<U> {
        par_map(&self.rows, |r| f(&Resource::new(raw_only(r, attributes))))
    }

    /// Row `i` with at least the top-level `attributes` (every attribute with `None`).
    pub fn row(&self, i: usize, attributes: Option<&[&str]>) -> Option<Resource> {
        let raw = self.rows.get(i)?;
        Some(Resource::new(match attributes {
            Some(a) => raw_only(raw, a),
            None => raw_value(raw),
        }))
    }

    /// Resources whose top-level attribute names (and `schemas`) stand for every row's: a row is
    /// kept only when it names an attribute no earlier one did, so the columns are found without
    /// parsing the rows.
    pub fn shapes(&self) -> Vec<Resource> {
        let runs = par_chunks(&self.rows, |run| {
            let mut seen: HashSet<String> = HashSet::new();
            let mut shapes = Vec::new();
            for raw in run {
                let shape = Resource::new(raw_projected(raw, &["schemas"]));
                let Some(obj) = shape.as_object() else {
                    continue;
                };
                if obj.keys().all(|k| seen.contains(k)) {
                    continue;
                }
                seen.extend(obj.keys().cloned());
                shapes.push(shape);
            }
            shapes
        });
        runs.concat()
    }

    /// The cells of `columns` for every row, in one pass over the rows.
    fn compute(&self, columns: &[String]) -> Vec<Cells> {
        let paths: Vec<CellPath> = columns.iter().map(|c| CellPath::new(c)).collect();
        let mut attributes: Vec<String> = columns.iter().map(|c| column_attribute(c)).collect();
        attributes.sort_by_key(|a| a.to_ascii_lowercase());
        attributes.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        let names: Vec<&str> = attributes.iter().map(String::as_str).collect();
        let mut per_row: Vec<Vec<Option<Box<str>>>> =
            self.map_rows(&names, |r| paths.iter().map(|p| p.cell_text(r)).collect());
        (0..columns.len())
            .map(|j| per_row.iter_mut().map(|row| row[j].take()).collect())
            .collect()
    }

    /// The set after one write: row `at` replaced by `after` (as sent, and parsed), removed when
    /// there is none, `after` appended when there is no `at`; the kept columns follow.
    pub fn with_row(&self, at: Option<usize>, after: Option<(RawResource, Resource)>) -> Self {
        let rows = changed(&self.rows, at, after.as_ref().map(|a| a.0.clone()));
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner()).clone();
        for (id, cells, _) in &mut kept.columns {
            let cell = after
                .as_ref()
                .and_then(|(_, r)| CellPath::new(id).cell_text(r));
            let new = changed(cells, at, after.as_ref().map(|_| cell));
            *cells = new.into();
        }
        Self {
            rows,
            kept: Mutex::new(kept),
        }
    }

    /// How many columns are kept (tests: the bound holds).
    pub fn kept_columns(&self) -> usize {
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .columns
            .len()
    }
}

impl Rows for CellStore {
    fn row_count(&self) -> usize {
        self.len()
    }

    fn cells(&self, columns: &[String]) -> Vec<Cells> {
        // Held while computing: a second window asking for the same column waits for it rather
        // than computing it again.
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.tick += 1;
        let tick = kept.tick;
        let mut missing: Vec<String> = Vec::new();
        for c in columns {
            match kept.columns.iter_mut().find(|(id, _, _)| id == c) {
                Some(entry) => entry.2 = tick,
                None if !missing.contains(c) => missing.push(c.clone()),
                None => {}
            }
        }
        if !missing.is_empty() {
            let computed = self.compute(&missing);
            kept.columns.extend(
                missing
                    .into_iter()
                    .zip(computed)
                    .map(|(id, c)| (id, c, tick)),
            );
            // The least recently asked go first; the ones asked now stay for this answer anyway.
            while kept.columns.len() > MAX_COLUMNS {
                let oldest = kept
                    .columns
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, (_, _, used))| *used)
                    .map(|(i, _)| i);
                match oldest {
                    Some(i) if kept.columns[i].2 < tick => {
                        kept.columns.remove(i);
                    }
                    _ => break,
                }
            }
        }
        columns
            .iter()
            .map(|c| {
                kept.columns
                    .iter()
                    .find(|(id, _, _)| id == c)
                    .map(|(_, cells, _)| cells.clone())
                    .unwrap_or_else(|| Arc::from(Vec::new()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use serde_json::value::RawValue;

    fn raw(v: serde_json::Value) -> RawResource {
        RawValue::from_string(v.to_string()).expect("json")
    }

    fn users(n: usize) -> Vec<RawResource> {
        (0..n)
            .map(|i| {
                raw(json!({
                    "id": format!("u{i}"),
                    "userName": format!("user{i}"),
                    "name": {"givenName": format!("G{i}")},
                    "emails": [{"value": format!("u{i}@x"), "primary": true}],
                }))
            })
            .collect()
    }

    #[test]
    fn raw_rows_give_the_cells_parsed_rows_do() {
        let rows = users(50);
        let parsed: Vec<Resource> = rows.iter().map(|r| Resource::new(raw_value(r))).collect();
        let store = CellStore::new(rows);
        let columns: Vec<String> = ["#id", "userName", "name.givenName", "emails", "title"]
            .map(String::from)
            .to_vec();
        assert_eq!(store.cells(&columns), parsed.cells(&columns));
        assert_eq!(store.cells(&columns)[2][7].as_deref(), Some("G7"));
        assert!(store.cells(&columns)[4].iter().all(Option::is_none));
    }

    #[test]
    fn the_kept_columns_are_bounded_and_follow_a_write() {
        let store = CellStore::new(users(10));
        for i in 0..(MAX_COLUMNS + 10) {
            store.cells(&[format!("x{i}")]);
        }
        assert_eq!(store.kept_columns(), MAX_COLUMNS);
        let names = ["userName".to_owned()];
        store.cells(&names);
        let after = json!({"id": "u3", "userName": "renamed"});
        let changed = store.with_row(Some(3), Some((raw(after.clone()), Resource::new(after))));
        assert_eq!(changed.cells(&names)[0][3].as_deref(), Some("renamed"));
        let removed = changed.with_row(Some(0), None);
        assert_eq!(removed.len(), 9);
        assert_eq!(removed.cells(&names)[0][2].as_deref(), Some("renamed"));
        // The original is untouched.
        assert_eq!(store.cells(&names)[0][3].as_deref(), Some("user3"));
    }

    #[test]
    fn shapes_name_every_attribute_and_skip_odd_entries() {
        let mut rows = users(3000);
        rows.push(raw(json!({"id": "z", "secodaRole": "Admin"})));
        rows.push(raw(json!(["not", "an", "object"])));
        let shapes = CellStore::new(rows).shapes();
        assert!(shapes.len() < 10, "{} shapes", shapes.len());
        assert!(shapes
            .iter()
            .any(|s| s.as_object().is_some_and(|o| o.contains_key("secodaRole"))));
    }
}
