//! Field-level diff for people: two resources flattened to `path → value` lines, so a dry run, a
//! server's actual result and the gap between them read as "active: true → false", not as JSON.
//!
//! Multi-valued attributes are keyed by their `value` when every element has one (members, groups,
//! emails) so a reordered list is not a change; otherwise by position.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// One field that differs. `before`/`after` are compact JSON text; `None` when the side lacks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Every field of `a` and `b` that differs, in path order. Keys compare case-insensitively (SCIM
/// attribute names are), and paths listed in `ignore` (prefixes such as `meta`) are skipped.
pub fn field_changes(a: &Value, b: &Value, ignore: &[&str]) -> Vec<FieldChange> {
    let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
    flatten("", a, &mut fa);
    flatten("", b, &mut fb);
    let ignored = |path: &str| {
        ignore.iter().any(|p| {
            // `get`, not a byte slice: the prefix's length may fall inside a character (`Numéro`).
            path.get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
                && matches!(path.as_bytes().get(p.len()), None | Some(b'.') | Some(b'['))
        })
    };
    let mut out = Vec::new();
    for (key, (path, before)) in &fa {
        if ignored(key) {
            continue;
        }
        match fb.get(key) {
            Some((_, after)) if after == before => {}
            after => out.push(FieldChange {
                path: path.clone(),
                before: Some(before.clone()),
                after: after.map(|(_, v)| v.clone()),
            }),
        }
    }
    for (key, (path, after)) in &fb {
        if !fa.contains_key(key) && !ignored(key) {
            out.push(FieldChange {
                path: path.clone(),
                before: None,
                after: Some(after.clone()),
            });
        }
    }
    // An element added or removed whole is one line: its sub-fields would only repeat it.
    let whole: Vec<String> = out
        .iter()
        .filter(|c| c.path.ends_with(']') && (c.before.is_none() || c.after.is_none()))
        .map(|c| c.path.to_ascii_lowercase())
        .collect();
    let displays: Vec<(String, String)> = out
        .iter()
        .filter(|c| c.path.to_ascii_lowercase().ends_with("].display"))
        .filter_map(|c| {
            let text = c.before.as_ref().or(c.after.as_ref())?;
            let name = serde_json::from_str::<String>(text).ok()?;
            Some((
                c.path[..c.path.len() - ".display".len()].to_ascii_lowercase(),
                name,
            ))
        })
        .collect();
    for c in out.iter_mut() {
        let lower = c.path.to_ascii_lowercase();
        if let Some((_, name)) = displays.iter().find(|(p, _)| *p == lower) {
            if whole.contains(&lower) {
                for side in [&mut c.before, &mut c.after].into_iter().flatten() {
                    side.push_str(&format!(" ({name})"));
                }
            }
        }
    }
    out.retain(|c| {
        let lower = c.path.to_ascii_lowercase();
        !whole
            .iter()
            .any(|w| lower.len() > w.len() && lower.starts_with(w.as_str()))
    });
    out.sort_by(|x, y| {
        x.path
            .to_ascii_lowercase()
            .cmp(&y.path.to_ascii_lowercase())
    });
    out
}

/// Flattened fields: lower-cased path (for matching) → (path as the resource spells it, value).
type Flat = BTreeMap<String, (String, String)>;

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Flat) {
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, child) in o {
                match child {
                    // An extension block: its attributes are `urn:…:User:department`, as a PATCH
                    // path names them.
                    Value::Object(block) if prefix.is_empty() && k.starts_with("urn:") => {
                        for (name, value) in block {
                            flatten(&format!("{k}:{name}"), value, out);
                        }
                    }
                    _ => flatten(&join(prefix, k), child, out),
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let keyed = items
                .iter()
                .all(|i| i.get("value").is_some_and(|v| !v.is_null()))
                && items.iter().all(Value::is_object);
            if !keyed && items.iter().all(|i| !i.is_object() && !i.is_array()) {
                // A list of plain values (`schemas`): one field, order ignored.
                let mut texts: Vec<String> = items.iter().map(Value::to_string).collect();
                texts.sort();
                insert(out, prefix, format!("[{}]", texts.join(",")));
                return;
            }
            for (index, item) in items.iter().enumerate() {
                let element = match item.get("value") {
                    Some(value) if keyed => {
                        format!("{prefix}[value eq {}]", compact(value))
                    }
                    _ => format!("{prefix}[{index}]"),
                };
                match item {
                    Value::Object(o) => {
                        for (k, child) in o {
                            if keyed && k.eq_ignore_ascii_case("value") {
                                continue;
                            }
                            flatten(&format!("{element}.{k}"), child, out);
                        }
                        if keyed {
                            // The element itself; its `display` is folded in for people below.
                            let value = item.get("value").cloned().unwrap_or(Value::Null);
                            insert(out, &element, compact(&value));
                        }
                    }
                    other => flatten(&element, other, out),
                }
            }
        }
        other => insert(out, prefix, compact(other)),
    }
}

fn insert(out: &mut Flat, path: &str, value: String) {
    out.insert(path.to_ascii_lowercase(), (path.to_owned(), value));
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_changed_boolean_is_one_line() {
        let a = json!({"userName": "ana", "active": true, "meta": {"version": "W/\"1\""}});
        let b = json!({"userName": "ana", "active": false, "meta": {"version": "W/\"2\""}});
        assert_eq!(
            field_changes(&a, &b, &["meta"]),
            vec![FieldChange {
                path: "active".into(),
                before: Some("true".into()),
                after: Some("false".into())
            }]
        );
        assert_eq!(
            field_changes(&a, &b, &[]).len(),
            2,
            "meta.version counts when not ignored"
        );
    }

    #[test]
    fn members_are_matched_by_value_not_position() {
        let a = json!({"members": [{"value": "1", "display": "Ana"}, {"value": "2"}]});
        let b = json!({"members": [{"value": "2"}, {"value": "3", "display": "Bo"}]});
        let changes = field_changes(&a, &b, &[]);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["members[value eq \"1\"]", "members[value eq \"3\"]"],
            "one line per member added or removed"
        );
        assert_eq!(changes[0].before.as_deref(), Some("\"1\" (Ana)"));
        assert!(changes[0].after.is_none() && changes[1].before.is_none());
        assert_eq!(changes[1].after.as_deref(), Some("\"3\" (Bo)"));
    }

    #[test]
    fn extension_attributes_keep_their_urn_and_keys_ignore_case() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let a = json!({ urn: {"department": "Sales"}, "Active": true });
        let b = json!({ urn: {"department": "Ops"}, "active": true });
        let changes = field_changes(&a, &b, &[]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, format!("{urn}:department"));
    }

    #[test]
    fn reordered_plain_lists_are_not_a_change() {
        let a = json!({"schemas": ["a", "b"]});
        let b = json!({"schemas": ["b", "a"]});
        assert!(field_changes(&a, &b, &[]).is_empty());
    }
}
