//! The browser harness's answers, computed by the real services code: the UI tests in Chromium
//! mock the IPC, and what those mocks return for the table (columns, cells, sort orders), a user's
//! page, role classification and the identity providers' dialects must be what Rust computes, not
//! a JavaScript re-implementation. The harness asks the questions in
//! `ui/tests/browser/fixtures/questions.json`; this test writes `answers.json` beside it with
//! `UPDATE_FIXTURES=1` (`make fixtures`) and otherwise fails when the committed file is stale.

use std::path::PathBuf;

use scim_core::patch::{logical_changes, render_patch, DialectName, PatchOp};
use scim_core::schema::SchemaRegistry;
use scim_core::Resource;
use scim_services::roles::{self, Memberships, RoleRule, TypedRoles};
use scim_services::table::{self, CellPath, OrderKey, WindowQuery};
use serde_json::{json, Map, Value};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/tests/browser/fixtures")
}

/// The harness's directory: `n` users named as the browser tests expect them.
fn users(n: usize) -> Vec<Value> {
    let first = ["ana", "ben", "carla", "dev"];
    let given = ["Ana", "Ben", "Carla", "Dev"];
    (0..n)
        .map(|i| {
            let department = ["Operations", "Finance"][i % 2];
            let mut user = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
                "id": format!("u{i}"),
                "userName": format!("{}.user{i}@example.com", first[i % 4]),
                "displayName": format!("{} User{i}", given[i % 4]),
                "title": "Field engineer",
                "active": i % 9 != 0,
                "emails": [{"value": format!("user{i}@example.com"), "type": "work", "primary": true}],
                ENTERPRISE: {"department": department},
            });
            // An attribute the schemas do not declare (Secoda's role), on every user.
            user["secodaRole"] = json!(if i % 3 == 0 { "editor" } else { "viewer" });
            user
        })
        .collect()
}

/// Groups (and custom-type roles) whose `members` is "all" or the first N users.
fn with_members(items: &Value, users: &[Value]) -> Vec<Resource> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|g| {
            let n = match &g["members"] {
                Value::String(s) if s == "all" => users.len(),
                v => v.as_u64().expect("a member count") as usize,
            };
            let members: Vec<Value> = users[..n]
                .iter()
                .map(|u| json!({"value": u["id"], "type": "User"}))
                .collect();
            let mut g = g.clone();
            g["members"] = Value::Array(members);
            Resource::new(g)
        })
        .collect()
}

fn answers(questions: &Value) -> Value {
    let users = users(questions["users"].as_u64().expect("users") as usize);
    let resources: Vec<Resource> = users.iter().cloned().map(Resource::new).collect();
    let schemas = SchemaRegistry::builtin();
    let columns = table::columns("Users", &schemas, &resources);
    let cells: Vec<Value> = resources
        .iter()
        .map(|r| {
            // Absent cells are left out (the harness reads them as null).
            let cells: Map<String, Value> = columns
                .iter()
                .filter_map(|c| Some((c.id.clone(), json!(CellPath::new(&c.id).cell(r)?))))
                .collect();
            json!({"id": r.id(), "cells": cells})
        })
        .collect();
    // Orders of the columns that hold a value (a column no user has keeps the load order).
    let mut orders = Map::new();
    let filled = |id: &str| {
        resources
            .iter()
            .any(|r| CellPath::new(id).cell(r).is_some())
    };
    for c in columns.iter().filter(|c| filled(&c.id)) {
        let order = |descending| {
            table::order(
                &resources,
                &OrderKey::of(&WindowQuery {
                    offset: 0,
                    limit: 0,
                    columns: Vec::new(),
                    sort_by: Some(c.id.clone()),
                    descending,
                    quick: None,
                }),
                &columns,
                None,
            )
        };
        orders.insert(
            c.id.clone(),
            json!({"ascending": order(false), "descending": order(true)}),
        );
    }
    let sections: Map<String, Value> = users
        .iter()
        .map(|u| {
            (
                u["id"].as_str().expect("id").to_owned(),
                json!(scim_services::resource_view::sections("Users", u)),
            )
        })
        .collect();

    let groups = with_members(&questions["groups"], &users);
    let custom = with_members(&questions["roles"], &users);
    let role_groups: Vec<Value> = questions["roleRules"]
        .as_array()
        .expect("roleRules")
        .iter()
        .map(|rules| {
            let parsed: Vec<RoleRule> = serde_json::from_value(rules.clone()).expect("rules");
            let extra: Vec<TypedRoles> = parsed
                .iter()
                .filter(|r| r.kind == roles::RuleKind::ResourceType)
                .map(|r| TypedRoles {
                    category: r.category.clone(),
                    endpoint: "Roles".into(),
                    resources: custom.clone(),
                })
                .collect();
            let mut all = groups.clone();
            all.extend(extra.iter().flat_map(|t| t.resources.iter().cloned()));
            let answer =
                match roles::classify(&groups, &parsed, &extra, &Memberships::compute(&all)) {
                    Ok(r) => json!(r),
                    Err(e) => json!({"error": e}),
                };
            json!({"rules": rules, "answer": answer})
        })
        .collect();
    let user_role_groups: Vec<Value> = questions["userRoleGroups"]
        .as_array()
        .expect("userRoleGroups")
        .iter()
        .map(|q| {
            let rules: Vec<RoleRule> = serde_json::from_value(q["rules"].clone()).expect("rules");
            let listed: Vec<String> = serde_json::from_value(q["groups"].clone()).expect("groups");
            let held = roles::held_roles("", &listed, &rules, &[], &Memberships::compute(&[]))
                .expect("valid rules");
            json!({"question": q, "answer": held})
        })
        .collect();
    let dialects: Vec<Value> = questions["dialects"]
        .as_array()
        .expect("dialects")
        .iter()
        .map(|q| {
            let dialect: DialectName =
                serde_json::from_value(q["dialect"].clone()).expect("dialect");
            let body: Value =
                serde_json::from_str(q["body"].as_str().expect("body")).expect("json");
            let patch = PatchOp::from_json(&body).expect("a PatchOp").value;
            let user = users
                .iter()
                .find(|u| u["id"] == q["user"])
                .expect("a user of the fixture");
            let rendered = render_patch(dialect.dialect(), &logical_changes(&patch), Some(user));
            json!({"question": q, "answer": rendered})
        })
        .collect();
    json!({
        "about": "Written by `make fixtures` (crates/scim-services/tests/browser_fixtures.rs) from questions.json: what the real services code answers. Do not edit by hand.",
        "users": users,
        "columns": columns,
        "cells": cells,
        "orders": orders,
        "userSections": sections,
        "roleGroups": role_groups,
        "userRoleGroups": user_role_groups,
        "dialects": dialects,
    })
}

#[test]
fn the_browser_harness_answers_are_what_rust_computes() {
    let dir = fixtures_dir();
    let questions: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("questions.json")).expect("questions.json"),
    )
    .expect("questions.json is JSON");
    let text = serde_json::to_string_pretty(&answers(&questions)).expect("json") + "\n";
    let path = dir.join("answers.json");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, text).expect("write answers.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "ui/tests/browser/fixtures/answers.json is not what Rust computes for questions.json: run `make fixtures` and commit it"
    );
}
