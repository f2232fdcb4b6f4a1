//! Property laws: printing then parsing a filter gives it back; a diff applied gives the target; an
//! inverted patch undoes the patch.

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
