//! Property laws: printing then parsing a filter gives it back (also nested eight deep, with Unicode);
//! a diff applied gives the target (also over Unicode, floats, case-mangled names and multi-valued
//! attributes inside extensions); an inverted patch undoes the patch; and the undo the product runs —
//! `diff_resources(after, before)` without read-only attributes, applied by a server that enforces
//! mutability — restores what a change changed.

use proptest::prelude::*;
use scim_core::diff::{diff_resources, DiffOptions};
use scim_core::filter::{parse_filter, AttrPath, CompValue, CompareOp, Filter};
use scim_core::patch::{apply_patch, invert_patch, ApplyOptions};
use serde_json::{json, Map, Value};

const KEYWORDS: [&str; 16] = [
    "and", "or", "not", "pr", "eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le", "true",
    "false", "null",
];
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9_-]{0,6}".prop_filter("not a keyword", |n| {
        !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(n))
    })
}

fn attr_path(allow_sub: bool) -> impl Strategy<Value = AttrPath> {
    let sub = if allow_sub {
        proptest::option::of(name()).boxed()
    } else {
        Just(None).boxed()
    };
    (
        proptest::option::of(prop_oneof![
            Just(USER.to_owned()),
            Just(ENTERPRISE.to_owned())
        ]),
        name(),
        sub,
    )
        .prop_map(|(urn, name, sub)| AttrPath {
            urn,
            name,
            sub,
            span: Default::default(),
        })
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        any::<i64>().prop_map(|n| CompValue::Number(n.into())),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(CompValue::Number)),
        ".{0,8}".prop_map(CompValue::String),
    ]
}

fn leaf() -> BoxedStrategy<Filter> {
    let ops = proptest::sample::select(CompareOp::ALL.to_vec());
    prop_oneof![
        attr_path(true).prop_map(|attr| Filter::Present { attr }),
        (attr_path(true), ops, comp_value()).prop_map(|(attr, op, value)| Filter::Compare {
            attr,
            op,
            value
        }),
    ]
    .boxed()
}

fn logic(inner: BoxedStrategy<Filter>) -> BoxedStrategy<Filter> {
    inner
        .prop_recursive(4, 24, 2, |f| {
            prop_oneof![
                f.clone().prop_map(Filter::not),
                (f.clone(), f.clone()).prop_map(|(l, r)| l.and(r)),
                (f.clone(), f).prop_map(|(l, r)| l.or(r)),
            ]
        })
        .boxed()
}

fn filter() -> impl Strategy<Value = Filter> {
    let value_path =
        (attr_path(false), logic(leaf())).prop_map(|(attr, inner)| Filter::ValuePath {
            attr,
            filter: Box::new(inner),
        });
    logic(prop_oneof![3 => leaf(), 1 => value_path].boxed())
}

fn text() -> impl Strategy<Value = Value> {
    prop_oneof![4 => "[a-z]{0,4}".prop_map(Value::String), 1 => Just(Value::Null), 1 => any::<bool>().prop_map(Value::Bool), 1 => (0i64..100).prop_map(Value::from)]
}

fn object(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    proptest::collection::vec(proptest::option::of(text()), keys.len()).prop_map(move |vals| {
        let mut o = Map::new();
        for (k, v) in keys.iter().zip(vals) {
            if let Some(v) = v {
                o.insert((*k).to_owned(), v);
            }
        }
        Value::Object(o)
    })
}

fn multi(values: &'static [&'static str]) -> impl Strategy<Value = Value> {
    proptest::collection::vec(
        (
            proptest::sample::select(values.to_vec()),
            proptest::option::of("[a-z]{1,3}"),
        ),
        0..5,
    )
    .prop_map(|items| {
        Value::Array(
            items
                .into_iter()
                .map(|(v, t)| match t {
                    Some(t) => json!({"value": v, "type": t}),
                    None => json!({"value": v}),
                })
                .collect(),
        )
    })
}

/// Users and groups with the shapes real directories have: complex, multi-valued, extension and
/// undeclared attributes, nulls.
fn resource() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(prop_oneof![
            Just(json!([USER])),
            Just(json!([USER, ENTERPRISE]))
        ]),
        object(&[
            "id",
            "userName",
            "displayName",
            "title",
            "active",
            "secodaRole",
        ]),
        proptest::option::of(object(&["givenName", "familyName", "middleName"])),
        proptest::option::of(multi(&["a@x.io", "b@x.io", "c@y.io", "d@y.io"])),
        proptest::option::of(multi(&["u1", "u2", "u3", "u4", "u5", "u6"])),
        proptest::option::of((
            object(&["department", "costCenter"]),
            proptest::option::of(object(&["value", "displayName"])),
        )),
    )
        .prop_map(|(schemas, base, name, emails, members, ext)| {
            let mut o = base.as_object().cloned().unwrap_or_default();
            if let Some(s) = schemas {
                o.insert("schemas".into(), s);
            }
            if let Some(n) = name {
                o.insert("name".into(), n);
            }
            if let Some(e) = emails {
                o.insert("emails".into(), e);
            }
            if let Some(m) = members {
                o.insert("members".into(), m);
            }
            if let Some((mut e, manager)) = ext {
                if let (Some(eo), Some(m)) = (e.as_object_mut(), manager) {
                    eo.insert("manager".into(), m);
                }
                o.insert(ENTERPRISE.into(), e);
            }
            Value::Object(o)
        })
}

/// Members are a set: compare them sorted.
fn normalised(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(Value::Array(m)) = v.get_mut("members") {
        m.sort_by_key(|x| x.to_string());
    }
    v
}

const LOCAL: ApplyOptions<'static> = ApplyOptions {
    schemas: None,
    enforce_mutability: false,
};
const EVERYTHING: DiffOptions<'static> = DiffOptions {
    include_read_only: true,
    schemas: None,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printing_then_parsing_gives_the_filter_back(f in filter()) {
        let text = f.to_string();
        let parsed = parse_filter(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, f);
    }

    #[test]
    fn a_diff_applied_gives_the_target(a in resource(), b in resource()) {
        let patch = diff_resources(&a, &b, &EVERYTHING);
        prop_assert!(patch.warnings.is_empty(), "{:?}", patch.warnings);
        let applied = apply_patch(&a, &patch.value, &LOCAL)
            .map_err(|e| TestCaseError::fail(format!("{e}\npatch: {}", patch.value.to_json())))?;
        prop_assert_eq!(normalised(&applied.value), normalised(&b), "patch: {}", patch.value.to_json());
    }

    #[test]
    fn an_inverted_patch_undoes_it(a in resource(), b in resource()) {
        let patch = diff_resources(&a, &b, &EVERYTHING).value;
        let after = apply_patch(&a, &patch, &LOCAL).map_err(|e| TestCaseError::fail(e.to_string()))?.value;
        let undo = invert_patch(&a, &patch, &LOCAL).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let restored = apply_patch(&after, &undo, &LOCAL).map_err(|e| TestCaseError::fail(e.to_string()))?.value;
        prop_assert_eq!(normalised(&restored), normalised(&a));
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,40}") {
        let _ = parse_filter(&s);
        let _ = scim_core::patch::parse_path(&s);
    }
}

#[test]
fn the_diff_of_equal_resources_is_empty() {
    let a = json!({"schemas": [USER], "userName": "a", "emails": [{"value": "x"}]});
    assert!(diff_resources(&a, &a, &DiffOptions::default())
        .value
        .is_empty());
}

// ---- Wider generators: Unicode, case-mangled keys, floats, nested multi-valued attributes --------

const ACME: &str = "urn:example:params:scim:schemas:extension:acme:2.0:User";

/// Values as tenants send them: any Unicode, big and fractional numbers, booleans, nulls.
fn wide_text() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => "\\PC{0,10}".prop_map(Value::String),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
    ]
}

fn wide_object(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    proptest::collection::vec(proptest::option::of(wide_text()), keys.len()).prop_map(move |vals| {
        Value::Object(
            keys.iter()
                .zip(vals)
                .filter_map(|(k, v)| Some(((*k).to_owned(), v?)))
                .collect(),
        )
    })
}

/// A multi-valued complex attribute whose values carry Unicode and a few sub-attributes.
fn wide_multi(subs: &'static [&'static str]) -> impl Strategy<Value = Value> {
    // Values drawn mostly from a small pool, so that A and B share some and the diff must add,
    // remove and change single values, not replace the whole list.
    let value = prop_oneof![
        3 => proptest::sample::select(vec!["ä@x.io", "名前@例え.jp", "b@x.io", "ZOË@X.IO", "zoë@x.io"])
            .prop_map(str::to_owned),
        1 => "\\PC{1,6}",
    ];
    proptest::collection::vec((value, wide_object(subs)), 0..5).prop_map(|items| {
        // Mostly distinct values, as a server keeps them; a repeat now and then.
        let mut seen = std::collections::HashSet::new();
        // At most one value is primary (RFC 7643 §2.4): a target that breaks this cannot be reached.
        let mut primary_seen = false;
        let items: Vec<(String, Value)> = items
            .into_iter()
            .map(|(value, mut rest)| {
                if rest.get("primary") == Some(&Value::Bool(true)) {
                    if primary_seen {
                        rest["primary"] = Value::Bool(false);
                    }
                    primary_seen = true;
                }
                (value, rest)
            })
            .collect();
        Value::Array(
            items
                .into_iter()
                .filter(|(value, _)| seen.insert(value.clone()) || value.len() > 12)
                .map(|(value, rest)| {
                    let mut o = rest.as_object().cloned().unwrap_or_default();
                    o.insert("value".into(), Value::String(value));
                    Value::Object(o)
                })
                .collect(),
        )
    })
}

/// A user as a server holds it: always a userName (required, RFC 7643 §4.1), the rest optional.
fn wide_resource() -> impl Strategy<Value = Value> {
    (
        (
            "\\PC{1,10}",
            wide_object(&[
                "displayName",
                "title",
                "nickName",
                "active",
                "Numéro",
                "名前",
            ]),
        )
            .prop_map(|(user_name, mut o)| {
                o["userName"] = Value::String(user_name);
                o
            }),
        proptest::option::of(wide_object(&["givenName", "familyName", "honorificPrefix"])),
        proptest::option::of(wide_multi(&["type", "display"])),
        proptest::option::of(wide_multi(&["type", "primary"])),
        proptest::option::of(wide_object(&["department", "costCenter"])),
        proptest::option::of(wide_multi(&["type"])),
        // A set (order carries no meaning), where the diff removes single values by filter.
        proptest::option::of(wide_multi(&[])),
    )
        .prop_map(|(base, name, emails, phones, enterprise, tags, members)| {
            let mut o = base.as_object().cloned().unwrap_or_default();
            o.insert("schemas".into(), json!([USER, ENTERPRISE, ACME]));
            o.insert("id".into(), json!("u-1"));
            if let Some(n) = name {
                o.insert("name".into(), n);
            }
            if let Some(e) = emails {
                o.insert("emails".into(), e);
            }
            if let Some(p) = phones {
                o.insert("phoneNumbers".into(), p);
            }
            if let Some(e) = enterprise {
                o.insert(ENTERPRISE.into(), e);
            }
            // A multi-valued complex attribute inside an extension (a tenant's own schema).
            if let Some(t) = tags {
                o.insert(ACME.into(), json!({ "tags": t }));
            }
            if let Some(m) = members {
                o.insert("members".into(), m);
            }
            Value::Object(o)
        })
}

/// The same resource with its attribute names spelled in another case, as servers and IdPs do
/// (`UserName`, `DISPLAYNAME`); names are case-insensitive (RFC 7643 §2.1). URNs are kept.
fn mangled(v: &Value, upper: Option<bool>) -> Value {
    let Some(upper) = upper else {
        return v.clone();
    };
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let k = if k.starts_with("urn:") || k == "schemas" {
                        k.clone()
                    } else if upper {
                        k.to_uppercase()
                    } else {
                        let mut c = k.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect())
                            .unwrap_or_default()
                    };
                    (k, mangled(v, Some(upper)))
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| mangled(i, Some(upper))).collect())
        }
        other => other.clone(),
    }
}

/// What a comparison of two resources must ignore: the spelling of names and the order of the
/// values of a multi-valued attribute (RFC 7643 §2.4). Top-level names that are no valid attribute
/// name (`名前`) go too: no PATCH path can reach them, and the diff says so with a warning.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| {
                    k.starts_with("urn:") || *k == "schemas" || scim_core::names::is_attr_name(k)
                })
                .map(|(k, v)| {
                    let k = if k.starts_with("urn:") {
                        k.clone()
                    } else {
                        k.to_lowercase()
                    };
                    (k, canonical(v))
                })
                .collect(),
        ),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_key(|i| i.to_string());
            Value::Array(items)
        }
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_diff_applied_gives_the_target_over_wide_values(a in wide_resource(), b in wide_resource(), upper in proptest::option::of(any::<bool>())) {
        let b = mangled(&b, upper);
        let patch = diff_resources(&a, &b, &EVERYTHING);
        for w in &patch.warnings {
            prop_assert_eq!(w.code, "diff.unexpressible", "{}", w.message);
        }
        let applied = apply_patch(&a, &patch.value, &LOCAL)
            .map_err(|e| TestCaseError::fail(format!("{e}\npatch: {}", patch.value.to_json())))?;
        prop_assert_eq!(canonical(&applied.value), canonical(&b), "patch: {}", patch.value.to_json());
    }

    /// The undo law as the product runs it: a server applies a change (refusing what mutability
    /// forbids), the change log's undo is `diff_resources(after, before)` without read-only
    /// attributes and with the schemas, and the same server applies that: the resource is back.
    #[test]
    fn the_products_undo_restores_what_a_change_changed(a in wide_resource(), b in wide_resource(), upper in proptest::option::of(any::<bool>())) {
        let schemas = scim_core::schema::SchemaRegistry::builtin();
        let server = ApplyOptions { schemas: Some(&schemas), enforce_mutability: true };
        let product = DiffOptions { include_read_only: false, schemas: Some(&schemas) };
        let target = mangled(&b, upper);
        let change = diff_resources(&a, &target, &product).value;
        let Ok(after) = apply_patch(&a, &change, &server) else {
            return Ok(()); // refused by the server: nothing to undo
        };
        let undo = diff_resources(&after.value, &a, &product).value;
        let restored = apply_patch(&after.value, &undo, &server)
            .map_err(|e| TestCaseError::fail(format!("undo refused: {e}\nundo: {}", undo.to_json())))?;
        prop_assert_eq!(canonical(&restored.value), canonical(&a), "change: {}\nundo: {}", change.to_json(), undo.to_json());
    }

    #[test]
    fn deep_filters_print_and_parse_back(f in deep_filter()) {
        let text = f.to_string();
        let parsed = parse_filter(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, f);
    }
}

/// Filters nested up to 8 levels, up to 64 nodes, with Unicode string values.
fn deep_filter() -> impl Strategy<Value = Filter> {
    let ops = proptest::sample::select(CompareOp::ALL.to_vec());
    let leaf = prop_oneof![
        attr_path(true).prop_map(|attr| Filter::Present { attr }),
        (attr_path(true), ops, "\\PC{0,8}").prop_map(|(attr, op, s)| Filter::Compare {
            attr,
            op,
            value: CompValue::String(s),
        }),
    ];
    leaf.prop_recursive(8, 64, 2, |f| {
        prop_oneof![
            f.clone().prop_map(Filter::not),
            (f.clone(), f.clone()).prop_map(|(l, r)| l.and(r)),
            (f.clone(), f).prop_map(|(l, r)| l.or(r)),
        ]
    })
}
