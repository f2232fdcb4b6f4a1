//! The core's hand-written PATCH and filter tables (crates/scim-core/tests/fixtures/oracle) sent to
//! python-scim's scim2-server: an implementation that shares none of our code. Every case must reach
//! the table's result there too, in the RFC form and in every identity provider's dialect, unless
//! `DISAGREEMENTS` records that scim2-server and the RFC part ways, and why. A recorded disagreement
//! that no longer happens fails too, so the list stays true.

use scim_core::patch::{logical_changes, render_patch, Dialect, PatchOp};
use serde_json::{json, Value};

use crate::scim2_server::{client, start_peer};

/// (case, dialect or "*", why). Each is a place where scim2-server 0.8.3 does not do what the RFC
/// section the case names says; our core follows the RFC.
const DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "add-existing-member-is-no-change",
        "*",
        "RFC 7644 §3.5.2.1: a value already there SHOULD be no change; scim2-server appends the \
         member a second time",
    ),
    (
        "remove-member-by-value-filter",
        "EntraLegacy",
        "Entra's legacy remove of members with a value list is not RFC 7644 (§3.5.2.2 selects \
         what to remove by path); scim2-server refuses it with 400 invalidValue, as it may",
    ),
    (
        "remove-member-by-value-filter",
        "Authentik",
        "authentik removes one member per operation with a value list, as Entra does; \
         scim2-server refuses it with 400 invalidValue",
    ),
    (
        "remove-the-last-members-unassigns",
        "EntraLegacy",
        "as remove-member-by-value-filter in EntraLegacy",
    ),
    (
        "remove-the-last-members-unassigns",
        "Authentik",
        "as remove-member-by-value-filter in Authentik",
    ),
];

fn table(name: &str) -> Value {
    let path = scim_explorer_tests::workspace_root()
        .join("crates/scim-core/tests/fixtures/oracle")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("oracle table")).expect("json")
}

/// What both sides are compared on: no server-owned `id`/`meta`, members by `value` only (`display`
/// and `$ref` are the server's to fill, RFC 7643 §4.2), values of a list in a stable order (a
/// multi-valued attribute is unordered, RFC 7643 §2.4).
fn comparable(resource: &Value) -> Value {
    fn walk(v: &Value, key: &str) -> Value {
        match v {
            Value::Object(o) => Value::Object(
                o.iter()
                    .filter(|(k, _)| !k.eq_ignore_ascii_case("$ref"))
                    .filter(|(k, _)| !(key == "members" && k.eq_ignore_ascii_case("display")))
                    .map(|(k, v)| (k.clone(), walk(v, k)))
                    .collect(),
            ),
            Value::Array(items) => {
                let mut items: Vec<Value> = items.iter().map(|i| walk(i, key)).collect();
                items.sort_by_key(|i| i.to_string());
                Value::Array(items)
            }
            other => other.clone(),
        }
    }
    let mut out = walk(resource, "");
    if let Some(o) = out.as_object_mut() {
        o.remove("id");
        o.remove("meta");
    }
    out
}

fn endpoint(resource: &Value) -> &'static str {
    if resource.to_string().contains("core:2.0:Group") {
        "Groups"
    } else {
        "Users"
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_patch_table_lands_on_scim2_server_as_written_in_every_dialect() {
    let peer = start_peer();
    let c = client(&peer);
    let table = table("patch-cases.json");
    let mut failures = Vec::new();
    for case in table["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let before = &table["resources"][case["before"].as_str().expect("before")];
        let kind = endpoint(before);
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": case["operations"]});
        let patch = PatchOp::from_json(&body).expect("case parses").value;
        for dialect in Dialect::ALL {
            let dialect_name = format!("{dialect:?}");
            let known = DISAGREEMENTS
                .iter()
                .find(|(c, d, _)| *c == name && (*d == "*" || *d == dialect_name));
            let mut create = before.clone();
            create.as_object_mut().expect("object").remove("id");
            let created = c
                .create(kind, &create)
                .await
                .unwrap_or_else(|e| panic!("{name}: create: {e}"));
            let created = created.body.expect("created body");
            let id = created["id"].as_str().expect("id").to_owned();
            let rendered = render_patch(dialect, &logical_changes(&patch), Some(&created));
            let mut refused = None;
            for request in &rendered {
                let sent = match request.method {
                    "PATCH" => {
                        let p = PatchOp::from_json(&request.body)
                            .expect("rendered parses")
                            .value;
                        c.patch(kind, &id, &p, None).await.map(|_| ())
                    }
                    _ => c.replace(kind, &id, &request.body, None).await.map(|_| ()),
                };
                if let Err(e) = sent {
                    refused = Some(e.to_string());
                    break;
                }
            }
            let now = c
                .get(kind, &id)
                .await
                .expect("read back")
                .body
                .expect("body");
            c.delete(kind, &id, None).await.expect("clean up");
            let outcome = match refused {
                Some(e) => Err(format!("refused: {e}")),
                None if comparable(&now) == comparable(&case["after"]) => Ok(()),
                None => Err(format!(
                    "expected {}\n    got      {}",
                    comparable(&case["after"]),
                    comparable(&now)
                )),
            };
            match (outcome, known) {
                (Ok(()), None) => {}
                (Ok(()), Some(_)) => failures.push(format!(
                    "{name} in {dialect_name}: recorded as a disagreement, but scim2-server now does what the RFC says: remove it from DISAGREEMENTS"
                )),
                (Err(_), Some(_)) => {}
                (Err(e), None) => failures.push(format!("{name} in {dialect_name} ({}):\n    {e}", case["rfc"].as_str().unwrap_or(""))),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the table's cases differ on scim2-server:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_filter_table_matches_the_same_users_on_scim2_server() {
    let peer = start_peer();
    let c = client(&peer);
    let table = table("filter-cases.json");
    for user in table["users"].as_array().expect("users") {
        c.create("Users", user).await.expect("seed a table user");
    }
    let order: Vec<&str> = table["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["userName"].as_str().expect("userName"))
        .collect();
    let mut failures = Vec::new();
    for case in table["cases"].as_array().expect("cases") {
        let filter = case["filter"].as_str().expect("filter");
        let known = DISAGREEMENTS.iter().find(|(c, _, _)| *c == filter);
        let expected: Vec<&str> = case["matches"]
            .as_array()
            .expect("matches")
            .iter()
            .map(|m| m.as_str().expect("userName"))
            .collect();
        let outcome = c
            .list(
                "Users",
                &scim_client::ListParams {
                    filter: Some(filter.to_owned()),
                    count: Some(50),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| format!("refused: {e}"))
            .and_then(|page| {
                let mut got: Vec<String> = page
                    .value
                    .resources
                    .iter()
                    .filter_map(|r| r.user_name().map(str::to_owned))
                    .collect();
                got.sort_by_key(|u| order.iter().position(|o| o == u));
                if got == expected {
                    Ok(())
                } else {
                    Err(format!("expected {expected:?}, got {got:?}"))
                }
            });
        match (outcome, known) {
            (Ok(()), None) | (Err(_), Some(_)) => {}
            (Ok(()), Some(_)) => failures.push(format!(
                "{filter}: recorded as a disagreement, but scim2-server now matches the table: remove it from DISAGREEMENTS"
            )),
            (Err(e), None) => failures.push(format!("{filter} ({}): {e}", case["rfc"].as_str().unwrap_or(""))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} filters differ on scim2-server:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
