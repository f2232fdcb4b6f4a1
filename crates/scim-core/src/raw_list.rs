//! A list page whose resources stay raw JSON: checked, not built. Building a `serde_json::Value` for
//! every resource of a 100k-user load costs twenty times what checking the JSON does, and most of
//! them are only ever shown as a few table cells — so a load keeps the text and parses on demand.
//! The list's own fields are read exactly as [`ListResponse::from_value`] reads them (same tolerance,
//! same warnings).

use std::fmt;

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::messages::ListResponse;
use crate::warning::{Tolerant, Warning};

/// One resource as the server sent it (valid JSON; [`raw_value`] parses it).
pub type RawResource = Box<RawValue>;

/// [`ListResponse`] with its resources as raw JSON.
#[derive(Debug, Clone)]
pub struct RawListResponse {
    pub total_results: Option<u64>,
    pub start_index: Option<u64>,
    pub items_per_page: Option<u64>,
    pub resources: Vec<RawResource>,
    pub next_cursor: Option<String>,
    pub previous_cursor: Option<String>,
    /// The page's other top-level fields as sent (`schemas`, `totalResults`…), for the request log.
    pub fields: Map<String, Value>,
}

/// The page's top level: the list fields parsed, `Resources` (however cased) kept raw.
enum Top {
    Bare(Vec<RawResource>),
    Object {
        fields: Map<String, Value>,
        resources: Option<(String, ResourcesField)>,
    },
}

/// What a page's `Resources` held: a list (each entry kept raw, read in the same pass), `null`, or
/// something else (its kind, for the error).
enum ResourcesField {
    List(Vec<RawResource>),
    Null,
    Other(&'static str),
}

struct ResourcesSeed;

impl<'de> serde::de::DeserializeSeed<'de> for ResourcesSeed {
    type Value = ResourcesField;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ResourcesField, D::Error> {
        d.deserialize_any(ResourcesVisitor)
    }
}

struct ResourcesVisitor;

impl<'de> Visitor<'de> for ResourcesVisitor {
    type Value = ResourcesField;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of resources")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ResourcesField, A::Error> {
        raw_items(seq).map(ResourcesField::List)
    }
    fn visit_unit<E>(self) -> Result<ResourcesField, E> {
        Ok(ResourcesField::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ResourcesField, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(ResourcesField::Other("an object"))
    }
    fn visit_str<E>(self, _: &str) -> Result<ResourcesField, E> {
        Ok(ResourcesField::Other("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<ResourcesField, E> {
        Ok(ResourcesField::Other("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<ResourcesField, E> {
        Ok(ResourcesField::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<ResourcesField, E> {
        Ok(ResourcesField::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<ResourcesField, E> {
        Ok(ResourcesField::Other("a number"))
    }
}

/// An array's entries, each kept raw.
fn raw_items<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<RawResource>, A::Error> {
    let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
    while let Some(item) = seq.next_element::<RawResource>()? {
        items.push(item);
    }
    Ok(items)
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ListResponse object or an array of resources")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
        raw_items(seq).map(Top::Bare)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut fields = Map::new();
        let mut resources = None;
        while let Some(key) = map.next_key::<String>()? {
            if key.eq_ignore_ascii_case("resources") && resources.is_none() {
                let field: ResourcesField = map.next_value_seed(ResourcesSeed)?;
                resources = Some((key, field));
            } else {
                let value: Value = map.next_value()?;
                fields.insert(key, value);
            }
        }
        Ok(Top::Object { fields, resources })
    }
}

impl RawListResponse {
    /// Reads a page from the body bytes; fails (with a reason) when they are not JSON or not list-like.
    pub fn from_slice(bytes: &[u8]) -> Result<Tolerant<RawListResponse>, String> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let top = de
            .deserialize_any(TopVisitor)
            .and_then(|t| de.end().map(|()| t))
            .map_err(|e: serde_json::Error| format!("the list is not valid JSON: {e}"))?;
        let (mut fields, resources) = match top {
            Top::Bare(items) => {
                return Ok(Tolerant {
                    value: RawListResponse {
                        total_results: Some(items.len() as u64),
                        start_index: None,
                        items_per_page: None,
                        resources: items,
                        next_cursor: None,
                        previous_cursor: None,
                        fields: Map::new(),
                    },
                    warnings: vec![Warning::new(
                        "list.bareArray",
                        "the server sent a bare JSON array instead of a ListResponse",
                    )],
                });
            }
            Top::Object { fields, resources } => (fields, resources),
        };
        // The list fields go through the one reader of lists, with `Resources` standing in empty
        // under the key the server used (so its warnings are the same), or as sent when not a list.
        let items = match resources {
            Some((key, ResourcesField::List(items))) => {
                fields.insert(key, Value::Array(Vec::new()));
                items
            }
            Some((key, ResourcesField::Null)) => {
                fields.insert(key, Value::Null);
                Vec::new()
            }
            Some((_, ResourcesField::Other(kind))) => {
                return Err(format!("`Resources` should be an array, got {kind}"))
            }
            None => Vec::new(),
        };
        let read = ListResponse::from_value(Value::Object(fields.clone()))?;
        let list = read.value;
        let mut warnings = read.warnings;
        let items = drop_too_deep(items, &mut warnings);
        fields.retain(|k, _| !k.eq_ignore_ascii_case("resources"));
        Ok(Tolerant {
            value: RawListResponse {
                total_results: list.total_results,
                start_index: list.start_index,
                items_per_page: list.items_per_page,
                resources: items,
                next_cursor: list.next_cursor,
                previous_cursor: list.previous_cursor,
                fields,
            },
            warnings,
        })
    }
}

/// How deep a resource may nest: what `serde_json` builds a `Value` from (its recursion limit).
pub const MAX_DEPTH: usize = 128;

/// Leaves out resources nested deeper than [`MAX_DEPTH`] (checked JSON can be any depth, but none
/// that deep can be read into a value), with a warning naming them, so they are not silently empty.
fn drop_too_deep(items: Vec<RawResource>, warnings: &mut Vec<Warning>) -> Vec<RawResource> {
    if !items
        .iter()
        .any(|r| scan::deeper_than(r.get().as_bytes(), MAX_DEPTH))
    {
        return items;
    }
    let (kept, deep): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|r| !scan::deeper_than(r.get().as_bytes(), MAX_DEPTH));
    let ids: Vec<String> = deep
        .iter()
        .map(|r| raw_id(r).unwrap_or_else(|| "(no id)".into()))
        .take(5)
        .collect();
    warnings.push(Warning::new(
        "list.tooDeep",
        format!(
            "{} resource(s) nest deeper than {MAX_DEPTH} levels and cannot be read; they were left out ({})",
            deep.len(),
            ids.join(", ")
        ),
    ));
    kept
}

/// The `id` of a raw resource (a string, or a number some servers send), read without building the
/// rest: a scan of the top-level keys (ids come early), with a full read for anything unusual.
pub fn raw_id(raw: &RawValue) -> Option<String> {
    // Only an object has an id: serde reads a struct from an array too (`[0]` as `{"id": 0}`,
    // found by fuzzing), which would make every such entry a duplicate of the others.
    if !raw.get().trim_start().starts_with('{') {
        return None;
    }
    scan::top_level_id(raw.get().as_bytes()).unwrap_or_else(|| {
        #[derive(serde::Deserialize)]
        struct IdOnly {
            #[serde(default)]
            id: Option<Value>,
        }
        match serde_json::from_str::<IdOnly>(raw.get()).ok()?.id? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    })
}

/// A byte scanner over JSON already known to be valid.
mod scan {
    /// True when brackets nest deeper than `max` (strings skipped).
    pub(super) fn deeper_than(b: &[u8], max: usize) -> bool {
        // Nesting deeper than `max` needs more than `max` opening brackets: a count (which the
        // compiler vectorises) settles almost every resource of a load without the exact scan.
        let opening = b.iter().filter(|&&c| c == b'[' || c == b'{').count();
        if opening <= max {
            return false;
        }
        let (mut depth, mut i) = (0usize, 0usize);
        while i < b.len() {
            match b[i] {
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'[' | b'{' => {
                    depth += 1;
                    if depth > max {
                        return true;
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        false
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            i += 1;
        }
        i
    }

    /// The string starting at `i` (a quote) and the index after it; `None` when it has escapes.
    fn plain(b: &[u8], i: usize) -> Option<(&[u8], usize)> {
        let rest = b.get(i + 1..)?;
        let end = rest.iter().position(|c| *c == b'"' || *c == b'\\')?;
        (rest[end] == b'"').then(|| (&rest[..end], i + 1 + end + 1))
    }

    /// The index after the string starting at `i` (a quote).
    fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
        i += 1;
        loop {
            match *b.get(i)? {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
    }

    /// The index after the value starting at `i`: a scalar ends at a delimiter, a string or a
    /// container when its brackets close.
    fn skip(b: &[u8], mut i: usize) -> Option<usize> {
        let mut depth = 0usize;
        loop {
            match *b.get(i)? {
                b'"' => i = string_end(b, i)?,
                b'{' | b'[' => {
                    depth += 1;
                    i += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    i += 1;
                }
                _ => i += 1,
            }
            if depth == 0
                && matches!(
                    b.get(i),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                )
            {
                return Some(i);
            }
        }
    }

    /// `Some(id)` when the scan is sure of the answer (`Some(None)`: no string id at the top
    /// level); `None` to let a full read decide.
    pub fn top_level_id(b: &[u8]) -> Option<Option<String>> {
        let mut i = ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i += 1;
        loop {
            i = ws(b, i);
            match b.get(i)? {
                b'}' => return Some(None),
                b'"' => {}
                _ => return None,
            }
            let (key, next) = plain(b, i)?;
            i = ws(b, next);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = ws(b, i + 1);
            if key == b"id" {
                // A string without escapes; numbers and the rest are left to the full read.
                let (value, _) = plain(b, i).filter(|_| b.get(i) == Some(&b'"'))?;
                return Some(Some(String::from_utf8(value.to_vec()).ok()?));
            }
            i = ws(b, skip(b, i)?);
            match b.get(i)? {
                b',' => i += 1,
                b'}' => return Some(None),
                _ => return None,
            }
        }
    }
}

/// A raw resource with every top-level attribute present but only those named in `keep` (any case)
/// parsed; the others are `null`. What a table needs of 100k users costs a fraction of them whole,
/// and the keys alone still tell which columns and extensions the data has.
pub fn raw_projected(raw: &RawValue, keep: &[&str]) -> Value {
    struct Projected<'k>(&'k [&'k str]);
    impl<'de> Visitor<'de> for Projected<'_> {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a resource object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = if self.0.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                    map.next_value::<Value>()?
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    Value::Null
                };
                out.insert(key, value);
            }
            Ok(Value::Object(out))
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match de.deserialize_map(Projected(keep)) {
        Ok(v) => v,
        // Not an object (a server's odd entry): as it is.
        Err(_) => raw_value(raw),
    }
}

/// Only the top-level attributes named in `keep` (any case) of a raw resource, parsed; the others
/// are skipped without being kept, so a listing that writes six columns of a million users
/// allocates for those six only.
pub fn raw_only(raw: &RawValue, keep: &[&str]) -> Value {
    struct Only<'k>(&'k [&'k str]);
    impl<'de> Visitor<'de> for Only<'_> {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a resource object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            // Borrowed from the input when it holds no escapes: no allocation for skipped keys.
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if self.0.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                    let value = map.next_value::<Value>()?;
                    out.insert(key.into_owned(), value);
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok(Value::Object(out))
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match de.deserialize_map(Only(keep)) {
        Ok(v) => v,
        Err(_) => raw_value(raw),
    }
}

/// Parses a raw resource (valid JSON by construction; `Null` otherwise).
pub fn raw_value(raw: &RawValue) -> Value {
    serde_json::from_str(raw.get()).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_only_keeps_the_named_attributes_in_any_case_and_nothing_else() {
        let raw = RawValue::from_string(
            r#"{"id":"1","UserName":"a\"b","title":"t","emails":[{"value":"e@x"}],"x":{"deep":[1]}}"#.into(),
        )
        .expect("raw");
        assert_eq!(
            raw_only(&raw, &["id", "userName", "emails"]),
            serde_json::json!({"id": "1", "UserName": "a\"b", "emails": [{"value": "e@x"}]})
        );
        // Not an object: as it is.
        let odd = RawValue::from_string("[1]".into()).expect("raw");
        assert_eq!(raw_only(&odd, &["id"]), serde_json::json!([1]));
    }

    #[test]
    fn resources_nested_past_the_limit_are_left_out_with_a_warning() {
        let nest = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let page = format!(
            r#"{{"totalResults":3,"Resources":[{{"id":"a","x":{}}},{{"id":"b","x":{}}},{{"id":"c","s":"{}"}}]}}"#,
            nest(MAX_DEPTH - 1),
            nest(MAX_DEPTH),
            "[".repeat(500)
        );
        let read = RawListResponse::from_slice(page.as_bytes()).expect("page");
        let ids: Vec<_> = read
            .value
            .resources
            .iter()
            .filter_map(|r| raw_id(r))
            .collect();
        // `a` nests 128 deep with its object; `b` 129; brackets inside a string do not count.
        assert_eq!(ids, ["a", "c"]);
        assert!(read
            .warnings
            .iter()
            .any(|w| w.code == "list.tooDeep" && w.message.contains("(b)")));
    }
    use serde_json::json;

    fn both(body: &Value) -> (Tolerant<ListResponse>, Tolerant<RawListResponse>) {
        let bytes = serde_json::to_vec(body).unwrap();
        (
            ListResponse::from_json(body).unwrap(),
            RawListResponse::from_slice(&bytes).unwrap(),
        )
    }

    /// The raw reader and the Value reader agree on every list shape servers send.
    #[test]
    fn reads_lists_like_the_value_reader() {
        for body in [
            json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"startIndex":1,"itemsPerPage":2,"Resources":[{"id":"1","userName":"a"},{"id":2}]}),
            json!({"totalResults":"3","resources":[{"id":"x"}]}),
            json!({"totalResults":5}),
            json!({"Resources":null,"totalResults":0}),
            json!({"Resources":[{"id":"c"}],"nextCursor":"n1"}),
            json!([{"id":"1"},{"id":"2"}]),
        ] {
            let (value, raw) = both(&body);
            assert_eq!(value.warnings, raw.warnings, "{body}");
            assert_eq!(value.value.total_results, raw.value.total_results, "{body}");
            assert_eq!(value.value.start_index, raw.value.start_index);
            assert_eq!(value.value.items_per_page, raw.value.items_per_page);
            assert_eq!(value.value.next_cursor, raw.value.next_cursor);
            let parsed: Vec<Value> = raw.value.resources.iter().map(|r| raw_value(r)).collect();
            let expected: Vec<Value> = value.value.resources.into_iter().map(|r| r.0).collect();
            assert_eq!(parsed, expected, "{body}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_list() {
        assert!(RawListResponse::from_slice(b"<html>proxy error</html>")
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(RawListResponse::from_slice(br#"{"Resources":{"id":"1"}}"#)
            .unwrap_err()
            .contains("should be an array, got an object"));
        assert!(RawListResponse::from_slice(br#"{"Resources":[]} trailing"#).is_err());
    }

    #[test]
    fn a_projection_keeps_every_key_and_only_the_wanted_values() {
        let raw: RawResource = serde_json::from_str(
            r#"{"id":"1","userName":"ana","Name":{"givenName":"Ana"},"phoneNumbers":[{"value":"1"}],"urn:x:Ext":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(
            raw_projected(&raw, &["id", "name", "urn:x:ext"]),
            json!({"id":"1","userName":null,"Name":{"givenName":"Ana"},"phoneNumbers":null,"urn:x:Ext":{"a":1}})
        );
        let odd: RawResource = serde_json::from_str("[1]").unwrap();
        assert_eq!(raw_projected(&odd, &["id"]), json!([1]));
    }

    /// The scan agrees with a full read on every shape an id can take.
    #[test]
    fn the_id_scan_agrees_with_a_full_read() {
        for text in [
            r#"{"schemas":["urn:a","urn:b"],"id":"9cb3-1","userName":"x"}"#,
            r#"{ "meta" : {"id":"inner","x":[{"id":"deep"}]} , "id" : "outer" }"#,
            r#"{"name":"a \"quoted\" ]} name","id":"after-escapes"}"#,
            r#"{"id":"with \u00e9scape"}"#,
            r#"{"id":42}"#,
            r#"{"id":null,"x":1}"#,
            r#"{"userName":"no id","n":-1.5e3,"b":true,"z":null}"#,
            r#"{"list":[1,[2,{"id":"nested"}]],"id":"é-utf8"}"#,
            r#"{}"#,
        ] {
            let raw: RawResource = serde_json::from_str(text).unwrap();
            let full = match raw_value(&raw).get("id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            assert_eq!(raw_id(&raw), full, "{text}");
        }
    }

    #[test]
    fn ids_are_read_without_the_rest() {
        let page = RawListResponse::from_slice(
            br#"{"Resources":[{"id":"a1","x":[1,2]},{"id":7},{"userName":"n"}]}"#,
        )
        .unwrap();
        let ids: Vec<Option<String>> = page.value.resources.iter().map(|r| raw_id(r)).collect();
        assert_eq!(ids, vec![Some("a1".into()), Some("7".into()), None]);
    }
}
