//! Arbitrary Unicode keys and values through every part of the core that reads names or text: no
//! panic, and output that still makes sense. Tenants name custom attributes `Numéro` or `名前`, and a
//! byte slice of such a name panics on a character boundary.

use proptest::prelude::*;
use scim_core::diff::{diff_resources, field_changes, DiffOptions};
use scim_core::filter::{evaluate, parse_filter, EvalOptions};
use scim_core::names::{is_urn, split_urn_attr};
use scim_core::patch::{
    apply_patch, logical_changes, parse_path, render_patch, ApplyOptions, Dialect, PatchOp,
};
use serde_json::{json, Map, Value};

/// Keys with multi-byte characters at every position a byte slice might cut.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Numéro".to_owned()),
        Just("名前".to_owned()),
        Just("urn名前".to_owned()),
        Just("ümlaut.sub".to_owned()),
        Just("metaé".to_owned()),
        "\\PC{1,8}",
        "[a-zé名]{1,6}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn resource() -> impl Strategy<Value = Value> {
    prop::collection::vec((key(), value()), 0..6).prop_map(|kv| {
        let mut m: Map<String, Value> = kv.into_iter().collect();
        m.insert(
            "schemas".into(),
            json!(["urn:ietf:params:scim:schemas:core:2.0:User"]),
        );
        m.insert("id".into(), json!("1"));
        Value::Object(m)
    })
}

#[test]
fn named_cases_from_real_tenants_do_not_panic() {
    assert!(!is_urn("名前"));
    assert!(!is_urn("Numé"));
    assert!(is_urn("urn:x:名前"));
    assert_eq!(split_urn_attr("urn:x:名前"), Some(("urn:x", "名前")));
    let a = json!({"Numéro": "1", "名前": "a", "meta": {"version": "1"}});
    let b = json!({"Numéro": "2", "名前": "a", "meta": {"version": "2"}});
    let changes = field_changes(&a, &b, &["meta", "名前x", "Nu"]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].path, "Numéro");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn names_never_panic(s in "\\PC{0,12}") {
        let _ = is_urn(&s);
        let _ = split_urn_attr(&s);
        let _ = parse_path(&s);
        let _ = parse_filter(&s);
    }

    #[test]
    fn field_changes_of_unicode_resources(a in resource(), b in resource(), ignore in key()) {
        let changes = field_changes(&a, &b, &[ignore.as_str(), "meta"]);
        // Sensible: no change between a resource and itself, and each change names a side.
        prop_assert!(field_changes(&a, &a, &[ignore.as_str()]).is_empty());
        prop_assert!(changes.iter().all(|c| c.before.is_some() || c.after.is_some()));
    }

    #[test]
    fn diff_then_apply_with_unicode_keys(a in resource(), b in resource()) {
        let options = DiffOptions { include_read_only: true, schemas: None };
        let patch = diff_resources(&a, &b, &options).value;
        let apply = ApplyOptions { schemas: None, enforce_mutability: false };
        // Applying may fail on shapes PATCH cannot express, but never panics.
        let _ = apply_patch(&a, &patch, &apply);
        let changes = logical_changes(&patch);
        for dialect in Dialect::ALL {
            let _ = render_patch(dialect, &changes, Some(&a));
        }
    }

    #[test]
    fn patch_with_unicode_paths(a in resource(), path in key(), v in value()) {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "replace", "path": path, "value": v},
                {"op": "add", "value": {path.clone(): 1}},
                {"op": "remove", "path": path},
            ]
        });
        if let Ok(patch) = PatchOp::from_json(&body) {
            let _ = apply_patch(&a, &patch.value, &ApplyOptions::default());
            let _ = logical_changes(&patch.value);
        }
    }

    #[test]
    fn filters_over_unicode_resources(r in resource(), k in key(), s in "\\PC{0,6}") {
        let text = format!("{k} eq {} or {k} co {} or not ({k} pr)", json!(s), json!(s));
        if let Ok(filter) = parse_filter(&text) {
            let _ = evaluate(&filter, &r, &EvalOptions::default());
        }
    }
}

/// Inputs the fuzzers found (kept under fuzz/regressions/<target>/), replayed on every test run.
#[test]
fn fuzz_regressions_stay_fixed() {
    use scim_core::raw_list::{raw_id, raw_value, RawListResponse};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(root.join("raw_page")).expect("regressions") {
        let data = std::fs::read(entry.expect("entry").path()).expect("read");
        let Ok(page) = RawListResponse::from_slice(&data) else {
            continue;
        };
        for r in &page.value.resources {
            let full = raw_value(r).get("id").and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
            assert_eq!(raw_id(r), full, "{}", r.get());
        }
        replayed += 1;
    }
    assert!(replayed >= 1);
}
