//! Finding anything loaded, as the command palette asks while the user types: users and groups by
//! userName, displayName, emails, externalId or id, ranked (an exact match first, then a name that
//! starts with the text, a word that does, then anywhere), so the first result is ready on Enter.

use scim_core::Resource;
use serde::Serialize;
use specta::Type;

/// One thing found.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FoundResource {
    /// `Users` or `Groups`.
    pub endpoint: String,
    pub id: String,
    /// What the row shows first: userName (users) or displayName (groups).
    pub label: String,
    /// The rest people recognise it by: the display name and the first email.
    pub detail: Option<String>,
    /// The attribute that matched.
    pub matched: String,
}

/// How well `value` matches `needle` (both lowercase): higher is better, `None` is no match.
fn rank(value: &str, needle: &str) -> Option<u8> {
    if value == needle {
        Some(4)
    } else if value.starts_with(needle) {
        Some(3)
    } else if value
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word.starts_with(needle))
    {
        Some(2)
    } else if value.contains(needle) {
        Some(1)
    } else {
        None
    }
}

/// The searchable attributes, in the order a row's fields are indexed.
const FIELDS: [&str; 5] = ["userName", "displayName", "externalId", "email", "id"];

/// The top-level attributes the index reads (what a row holding only these needs).
pub const FIND_ATTRIBUTES: &[&str] = &["id", "userName", "displayName", "externalId", "emails"];

/// A resource's searchable attributes, lowercased once: `(field of FIELDS, text)`.
fn fields_of(resource: &Resource) -> Vec<(u8, String)> {
    let mut fields: Vec<(u8, String)> = Vec::with_capacity(6);
    let mut push = |field: u8, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            // The separator cannot be in a field, or a field would be split in two.
            fields.push((field, v.to_lowercase().replace(SEPARATOR, " ")));
        }
    };
    push(0, resource.user_name());
    push(1, resource.display_name());
    push(2, resource.external_id());
    for email in resource.emails() {
        push(3, Some(email));
    }
    push(4, resource.id_string().as_deref());
    fields
}

const SEPARATOR: char = '\u{1}';

/// One row's searchable text: its fields joined by [`SEPARATOR`], and which field each is.
#[derive(Debug)]
struct IndexedRow {
    text: Box<str>,
    fields: Box<[u8]>,
}

impl IndexedRow {
    fn of(resource: &Resource) -> Self {
        let fields = fields_of(resource);
        let text: Vec<&str> = fields.iter().map(|(_, v)| v.as_str()).collect();
        Self {
            text: text.join("\u{1}").into_boxed_str(),
            fields: fields.iter().map(|(f, _)| *f).collect(),
        }
    }

    fn fields(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.fields
            .iter()
            .zip(self.text.split(SEPARATOR))
            .map(|(f, v)| (FIELDS[*f as usize], v))
    }
}

/// The lowercased searchable text of every row of a loaded set, built once (the first search) so
/// each keystroke is a scan of prepared text, not a walk through the resources: one string per
/// row, so 100,000 users index in a few megabytes.
#[derive(Debug, Default)]
pub struct FindIndex {
    rows: Vec<IndexedRow>,
}

impl FindIndex {
    pub fn build(resources: &[Resource]) -> Self {
        Self {
            rows: crate::parallel::par_map(resources, IndexedRow::of),
        }
    }

    /// The index of a loaded set's rows.
    pub fn of_store(rows: &crate::cell_store::CellStore) -> Self {
        Self {
            rows: rows.map_rows(FIND_ATTRIBUTES, IndexedRow::of),
        }
    }

    /// The best match of `needle` in row `i`.
    fn best(&self, i: usize, needle: &str) -> Option<(u8, &'static str)> {
        self.rows[i]
            .fields()
            .filter_map(|(name, v)| {
                // An id is found whole or by its start, never by a fragment inside it.
                let r = if name == "id" {
                    v.starts_with(needle)
                        .then_some(if v == needle { 4 } else { 3 })
                } else {
                    rank(v, needle)
                };
                r.map(|r| (r, name))
            })
            .max_by_key(|(r, _)| *r)
    }
}

/// A row of a set by its position (what the palette shows of the few it finds).
pub type RowAt<'a> = &'a (dyn Fn(usize) -> Option<Resource> + Sync);

/// The best `limit` matches of `text` in the rows of `endpoint` (read with `row`, indexed by
/// `index`), best first, ties in load order.
pub fn find_indexed(
    endpoint: &str,
    row: RowAt<'_>,
    index: &FindIndex,
    text: &str,
    limit: usize,
) -> Vec<(u8, FoundResource)> {
    let needle = text.trim().to_lowercase();
    if needle.is_empty() || limit == 0 {
        return Vec::new();
    }
    let mut hits: Vec<(u8, usize, &'static str)> = index
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.text.contains(needle.as_str()))
        .filter_map(|(i, _)| index.best(i, &needle).map(|(rank, name)| (rank, i, name)))
        .collect();
    // Best rank first; among equals, the load order (stable).
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.into_iter()
        .take(limit)
        .filter_map(|(rank, i, matched)| row(i).map(|r| (rank, found(endpoint, &r, matched))))
        .collect()
}

/// The best `limit` matches of `text` in `resources` (of `endpoint`), best first (indexes them
/// for this one search; a loaded set keeps its index).
pub fn find(
    endpoint: &str,
    resources: &[Resource],
    text: &str,
    limit: usize,
) -> Vec<(u8, FoundResource)> {
    find_indexed(
        endpoint,
        &|i| resources.get(i).cloned(),
        &FindIndex::build(resources),
        text,
        limit,
    )
}

fn found(endpoint: &str, r: &Resource, matched: &str) -> FoundResource {
    let label = r
        .user_name()
        .or_else(|| r.display_name())
        .unwrap_or_default()
        .to_owned();
    let detail = [
        r.user_name().and(r.display_name()),
        r.emails()
            .first()
            .copied()
            .filter(|e| Some(*e) != r.user_name()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    FoundResource {
        endpoint: endpoint.to_owned(),
        id: r.id_string().unwrap_or_default(),
        label,
        detail: (!detail.is_empty()).then_some(detail),
        matched: matched.to_owned(),
    }
}

/// The best `limit` matches across several sets (`(endpoint, row, index)`), best first; at the
/// same rank users come before groups (people are what the palette is most asked for).
pub fn find_in_indexed(
    sets: &[(&str, RowAt<'_>, &FindIndex)],
    text: &str,
    limit: usize,
) -> Vec<FoundResource> {
    let mut hits: Vec<(u8, usize, FoundResource)> = Vec::new();
    for (order, (endpoint, row, index)) in sets.iter().enumerate() {
        for (rank, found) in find_indexed(endpoint, *row, index, text, limit) {
            hits.push((rank, order, found));
        }
    }
    hits.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then((a.2.endpoint != "Users").cmp(&(b.2.endpoint != "Users")))
            .then(a.1.cmp(&b.1))
    });
    hits.into_iter().take(limit).map(|(_, _, f)| f).collect()
}

/// [`find_in_indexed`] over sets indexed for this one search.
pub fn find_in(sets: &[(&str, &[Resource])], text: &str, limit: usize) -> Vec<FoundResource> {
    let indexes: Vec<FindIndex> = sets
        .iter()
        .map(|(_, rows)| FindIndex::build(rows))
        .collect();
    let rows: Vec<Box<dyn Fn(usize) -> Option<Resource> + Sync + '_>> = sets
        .iter()
        .map(|(_, rows)| {
            let rows = *rows;
            Box::new(move |i: usize| rows.get(i).cloned()) as Box<dyn Fn(usize) -> _ + Sync>
        })
        .collect();
    let with: Vec<(&str, RowAt<'_>, &FindIndex)> = sets
        .iter()
        .zip(&rows)
        .zip(&indexes)
        .map(|(((e, _), row), i)| (*e, row.as_ref(), i))
        .collect();
    find_in_indexed(&with, text, limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(id: &str, name: &str, display: &str, email: &str) -> Resource {
        Resource::new(
            json!({"id": id, "userName": name, "displayName": display, "emails": [{"value": email}]}),
        )
    }

    #[test]
    fn an_exact_match_comes_first_then_prefixes_then_words_then_anywhere() {
        let users = vec![
            user("1", "xana@example.com", "X Ana", "x@example.com"),
            user(
                "2",
                "ana.costa@example.com",
                "Ana Costa",
                "ana.costa@work.example",
            ),
            user("3", "ben@example.com", "Ben Ana", "ben@example.com"),
            user("4", "ana", "Ana", "ana@x"),
        ];
        let ids: Vec<String> = find("Users", &users, "ANA", 10)
            .into_iter()
            .map(|(_, f)| f.id)
            .collect();
        assert_eq!(ids, ["4", "2", "1", "3"]);
        let by_email = find("Users", &users, "work.example", 10);
        assert_eq!(by_email.len(), 1);
        assert_eq!(by_email[0].1.matched, "email");
        assert_eq!(find("Users", &users, "   ", 10), vec![]);
        // An id by its start only.
        assert!(find("Users", &users, "4", 10)
            .iter()
            .any(|(_, f)| f.matched == "id"));
    }
}
