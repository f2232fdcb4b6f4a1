//! Arbitrary Unicode through what the services render: table cells (columns found in the data,
//! sorting, the quick filter), presentation-mode masking and the CSV writer. No panic, and output
//! that still makes sense, for keys and values in any script.

use proptest::prelude::*;
use scim_core::schema::SchemaRegistry;
use scim_core::Resource;
use scim_services::export::{csv_field, is_formula_like};
use scim_services::masking::{mask_cell, mask_text};
use scim_services::table::{columns, order, window, OrderKey};
use scim_services::WindowQuery;
use serde_json::{json, Map, Value};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Numéro".to_owned()),
        Just("名前".to_owned()),
        Just("urn:example:Sociedad:2.0:User".to_owned()),
        "\\PC{1,6}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        "\\PC{0,10}".prop_map(Value::String),
        any::<i32>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        ("\\PC{1,4}", "\\PC{0,6}").prop_map(|(k, v)| json!({ k: v })),
        prop::collection::vec("\\PC{0,6}", 0..3).prop_map(|v| json!(v)),
    ]
}

fn user() -> impl Strategy<Value = Value> {
    (prop::collection::vec((key(), value()), 0..5), "\\PC{0,8}").prop_map(|(kv, name)| {
        let mut m: Map<String, Value> = kv.into_iter().collect();
        m.insert(
            "schemas".into(),
            json!(["urn:ietf:params:scim:schemas:core:2.0:User"]),
        );
        m.insert("id".into(), json!(name.clone() + "-id"));
        m.insert("userName".into(), json!(name));
        Value::Object(m)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn table_cells_of_unicode_users(users in prop::collection::vec(user(), 1..6), quick in "\\PC{0,3}", desc in any::<bool>()) {
        let data: Vec<Resource> = users.into_iter().map(Resource::new).collect();
        let cols = columns("Users", &SchemaRegistry::builtin(), &data);
        let ids: Vec<String> = cols.iter().map(|c| c.id.clone()).collect();
        for sort in &ids {
            let q = WindowQuery {
                offset: 0,
                limit: 50,
                columns: ids.clone(),
                sort_by: Some(sort.clone()),
                descending: desc,
                quick: Some(quick.clone()).filter(|q| !q.is_empty()),
            };
            let idx = order(&data, &OrderKey::of(&q), &cols, None);
            let w = window(&data, &idx, &q);
            prop_assert!(w.rows.len() <= data.len());
            prop_assert!(w.rows.iter().all(|r| r.cells.len() == ids.len()));
        }
    }

    #[test]
    fn masking_and_csv_of_any_text(column in "\\PC{0,8}", text in "\\PC{0,24}") {
        let masked = mask_cell(&column, &text);
        let _ = mask_text(&text);
        prop_assert!(masked.is_char_boundary(masked.len()));
        let field = csv_field(&text);
        let inner = field.strip_prefix('"').and_then(|f| f.strip_suffix('"')).map(|f| f.replace("\"\"", "\"")).unwrap_or(field.clone());
        prop_assert!(!is_formula_like(&inner));
        let expected = if is_formula_like(&text) { format!("'{text}") } else { text.clone() };
        prop_assert_eq!(inner, expected);
    }
}
