//! The PATCH oracle: hand-written results (fixtures/oracle/patch-cases.json, each naming its RFC
//! section) that the core must reach in the RFC form and in every identity provider's dialect. The
//! demo server applies PATCH with this same core, so only expectations written by hand can catch a
//! wrong meaning; the peers suite sends the same table to scim2-server.

use scim_core::patch::{
    apply_patch, logical_changes, render_patch, ApplyOptions, Dialect, PatchOp,
};
use serde_json::Value;

use crate::fixture;

/// Each case with its `before` resolved: (name, before, the RFC request body, expected after).
fn cases() -> Vec<(String, Value, Value, Value)> {
    let table = fixture("oracle/patch-cases.json");
    table["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| {
            let name = case["name"].as_str().expect("name").to_owned();
            let before = table["resources"][case["before"].as_str().expect("before")].clone();
            assert!(before.is_object(), "{name}: unknown `before`");
            let body = serde_json::json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": case["operations"],
            });
            (name, before, body, case["after"].clone())
        })
        .collect()
}

/// What a server that applies PATCH and PUT as the core does would hold after `requests`.
fn apply_requests(before: &Value, requests: &[(String, Value)]) -> Result<Value, String> {
    let mut current = before.clone();
    for (method, body) in requests {
        current = match method.as_str() {
            "PATCH" => {
                let patch = PatchOp::from_json(body).map_err(|e| e.to_string())?;
                apply_patch(&current, &patch.value, &ApplyOptions::default())
                    .map_err(|e| e.to_string())?
                    .value
            }
            "PUT" => body.clone(),
            other => return Err(format!("unexpected method {other}")),
        };
    }
    Ok(current)
}

#[test]
fn every_case_reaches_its_hand_written_result_in_rfc_form() {
    let mut failures = Vec::new();
    for (name, before, body, after) in cases() {
        match apply_requests(&before, &[("PATCH".into(), body)]) {
            Ok(got) if got == after => {}
            Ok(got) => failures.push(format!("{name}:\n  expected {after}\n  got      {got}")),
            Err(e) => failures.push(format!("{name}: refused: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_dialect_keeps_each_cases_meaning() {
    let mut failures = Vec::new();
    for (name, before, body, after) in cases() {
        let patch = PatchOp::from_json(&body).expect("case parses").value;
        let changes = logical_changes(&patch);
        for dialect in Dialect::ALL {
            let rendered = render_patch(dialect, &changes, Some(&before));
            if let Some(r) = rendered.iter().find(|r| r.body.is_null()) {
                failures.push(format!("{name} in {dialect:?}: not rendered: {:?}", r.note));
                continue;
            }
            let requests: Vec<(String, Value)> = rendered
                .iter()
                .map(|r| (r.method.to_owned(), r.body.clone()))
                .collect();
            match apply_requests(&before, &requests) {
                Ok(got) if got == after => {}
                Ok(got) => failures.push(format!(
                    "{name} in {dialect:?}:\n  expected {after}\n  got      {got}\n  sent     {requests:?}"
                )),
                Err(e) => failures.push(format!("{name} in {dialect:?}: refused: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_filter_matches_the_hand_written_users() {
    use scim_core::filter::{evaluate, parse_filter, EvalOptions};
    let table = fixture("oracle/filter-cases.json");
    let users = table["users"].as_array().expect("users");
    let mut failures = Vec::new();
    for case in table["cases"].as_array().expect("cases") {
        let text = case["filter"].as_str().expect("filter");
        let filter = parse_filter(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let mut got = Vec::new();
        for user in users {
            if evaluate(&filter, user, &EvalOptions::default())
                .unwrap_or_else(|e| panic!("{text}: {e}"))
            {
                got.push(user["userName"].as_str().expect("userName"));
            }
        }
        let expected: Vec<&str> = case["matches"]
            .as_array()
            .expect("matches")
            .iter()
            .map(|m| m.as_str().expect("userName"))
            .collect();
        if got != expected {
            failures.push(format!("{text}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
