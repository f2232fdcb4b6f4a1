//! Resource and directory diffs, narrated; and the dialects an IdP would send a change in.

use scim_core::diff::{
    diff_directories, diff_resources, ChangeKind, DiffOptions, Directory, MatchKey,
};
use scim_core::patch::{render_patch, Dialect, LogicalChange};
use serde_json::{json, Value};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn user(id: &str, name: &str, ext: &str) -> Value {
    json!({"schemas": [USER], "id": id, "userName": name, "externalId": ext, "active": true,
           "emails": [{"value": format!("{name}@example.com"), "primary": true}]})
}

fn group(id: &str, name: &str, members: &[&str]) -> Value {
    json!({"schemas": [GROUP], "id": id, "displayName": name,
           "members": members.iter().map(|m| json!({"value": m})).collect::<Vec<_>>()})
}

#[test]
fn resource_diff_skips_read_only_attributes_for_servers() {
    let a = json!({"schemas": [USER], "id": "1", "userName": "a", "meta": {"version": "1"}});
    let b = json!({"schemas": [USER], "id": "1", "userName": "b", "meta": {"version": "2"}});
    let patch = diff_resources(&a, &b, &DiffOptions::default()).value;
    assert_eq!(
        patch.to_json()["Operations"],
        json!([{"op": "replace", "path": "userName", "value": "b"}])
    );
}

#[test]
fn member_changes_are_set_operations() {
    let a = group("g", "Profile: Administrator", &["1", "2", "3"]);
    let b = group("g", "Profile: Administrator", &["3", "4", "2"]);
    let patch = diff_resources(&a, &b, &DiffOptions::default()).value;
    assert_eq!(
        patch.to_json()["Operations"],
        json!([{"op": "remove", "path": "members[value eq \"1\"]"}, {"op": "add", "path": "members", "value": [{"value": "4"}]}])
    );
}

#[test]
fn directory_diff_by_id_narrates_each_change() {
    let a_users = vec![
        user("1", "ana.diaz", "x1"),
        user("2", "ben.okafor", "x2"),
        user("3", "carl.ruiz", "x3"),
    ];
    let mut ben = user("2", "ben.okafor", "x2");
    ben["active"] = json!(false);
    let b_users = vec![
        user("1", "ana.diaz", "x1"),
        ben,
        user("4", "dana.lee", "x4"),
    ];
    let a_groups = vec![group("g1", "Profile: Administrator", &["1", "3"])];
    let b_groups = vec![
        group("g1", "Profile: Administrator", &["4"]),
        group("g2", "Project: Transmission line (Full access)", &["1"]),
    ];
    let d = diff_directories(
        &Directory {
            users: &a_users,
            groups: &a_groups,
        },
        &Directory {
            users: &b_users,
            groups: &b_groups,
        },
        MatchKey::Id,
    );
    let lines: Vec<&str> = d.narration().collect();
    assert_eq!(
        lines,
        vec![
            "ben.okafor: deactivated",
            "carl.ruiz removed",
            "dana.lee added",
            "Project: Transmission line (Full access) added",
            "dana.lee added to Profile: Administrator",
            "ana.diaz removed from Profile: Administrator",
            "carl.ruiz removed from Profile: Administrator",
        ]
    );
    assert_eq!(d.user_match.matched, 2);
}

#[test]
fn across_tenants_members_are_translated_through_the_match() {
    // Same people, different ids in each tenant: matched by userName, so no membership change.
    let a_users = vec![user("1", "ana.diaz", "x1")];
    let b_users = vec![user("900", "Ana.Diaz", "x1")];
    let a_groups = vec![group("g1", "Staff", &["1"])];
    let b_groups = vec![group("g900", "staff", &["900"])];
    let d = diff_directories(
        &Directory {
            users: &a_users,
            groups: &a_groups,
        },
        &Directory {
            users: &b_users,
            groups: &b_groups,
        },
        MatchKey::UserName,
    );
    assert!(d.memberships.is_empty(), "{:?}", d.memberships);
    assert_eq!(d.user_match.matched, 1);
    // userName (and so the email) differ in case only, ids differ: ids are read-only, not a change.
    assert_eq!(d.users.len(), 1);
    assert_eq!(d.users[0].kind, ChangeKind::Changed);
    assert_eq!(
        d.users[0].attributes,
        vec!["userName".to_owned(), "emails".to_owned()]
    );
}

#[test]
fn missing_match_keys_are_warned() {
    let a_users = vec![json!({"id": "1", "userName": "a"})];
    let b_users = vec![json!({"id": "1", "userName": "a", "externalId": "e"})];
    let d = diff_directories(
        &Directory {
            users: &a_users,
            groups: &[],
        },
        &Directory {
            users: &b_users,
            groups: &[],
        },
        MatchKey::ExternalId,
    );
    assert!(d.warnings.iter().any(|w| w.code == "diff.missingKey"));
}

fn ops(requests: &[scim_core::patch::RenderedRequest], i: usize) -> Value {
    requests[i].body["Operations"].clone()
}

#[test]
fn entra_legacy_capitalises_and_stringifies() {
    let changes = [
        LogicalChange::Set {
            path: "active".into(),
            value: json!(false),
        },
        LogicalChange::RemoveMembers {
            ids: vec!["7".into()],
        },
    ];
    let r = render_patch(Dialect::EntraLegacy, &changes, None);
    assert_eq!(
        ops(&r, 0),
        json!([{"op": "Replace", "path": "active", "value": "False"}, {"op": "Remove", "path": "members", "value": [{"value": "7"}]}])
    );
}

#[test]
fn entra_aadoptscim062020_uses_dotted_pathless_keys() {
    let changes = [
        LogicalChange::Set {
            path: "name.givenName".into(),
            value: json!("Ana"),
        },
        LogicalChange::Set {
            path: "active".into(),
            value: json!(true),
        },
        LogicalChange::RemoveMembers {
            ids: vec!["7".into()],
        },
    ];
    let r = render_patch(Dialect::EntraAadOptscim062020, &changes, None);
    assert_eq!(
        ops(&r, 0),
        json!([{"op": "replace", "value": {"name.givenName": "Ana", "active": true}}, {"op": "remove", "path": "members[value eq \"7\"]"}])
    );
}

#[test]
fn okta_patches_activation_and_puts_profiles() {
    let current = user("1", "ana.diaz", "x1");
    let changes = [
        LogicalChange::Set {
            path: "active".into(),
            value: json!(false),
        },
        LogicalChange::Set {
            path: "title".into(),
            value: json!("Engineer"),
        },
    ];
    let r = render_patch(Dialect::Okta, &changes, Some(&current));
    assert_eq!(r.len(), 2);
    assert_eq!(
        (r[0].method, ops(&r, 0)),
        (
            "PATCH",
            json!([{"op": "replace", "value": {"active": false}}])
        )
    );
    assert_eq!(r[1].method, "PUT");
    assert_eq!(r[1].body["title"], "Engineer");
    assert_eq!(r[1].body["userName"], "ana.diaz");
}

#[test]
fn authentik_sends_one_member_per_operation() {
    let changes = [LogicalChange::AddMembers {
        ids: vec!["1".into(), "2".into()],
    }];
    let r = render_patch(Dialect::Authentik, &changes, None);
    assert_eq!(
        ops(&r, 0),
        json!([{"op": "add", "path": "members", "value": [{"value": "1"}]}, {"op": "add", "path": "members", "value": [{"value": "2"}]}])
    );
}

#[test]
fn every_dialect_applies_to_the_same_result() {
    // The point of dialects: different wire shapes, one meaning. Our apply must accept them all.
    let before = json!({"schemas": [GROUP], "id": "g", "displayName": "Staff", "members": [{"value": "1"}, {"value": "2"}]});
    let changes = [
        LogicalChange::AddMembers {
            ids: vec!["3".into()],
        },
        LogicalChange::RemoveMembers {
            ids: vec!["1".into()],
        },
    ];
    for dialect in [
        Dialect::Rfc7644,
        Dialect::EntraLegacy,
        Dialect::EntraAadOptscim062020,
        Dialect::Okta,
        Dialect::Authentik,
    ] {
        let mut doc = before.clone();
        for request in render_patch(dialect, &changes, Some(&before)) {
            let patch = scim_core::patch::PatchOp::from_json(&request.body)
                .expect("patch")
                .value;
            doc = scim_core::patch::apply_patch(&doc, &patch, &Default::default())
                .expect("applies")
                .value;
        }
        assert_eq!(
            doc["members"],
            json!([{"value": "2"}, {"value": "3"}]),
            "{dialect:?}"
        );
    }
}

#[test]
fn activation_flips_are_said_in_words_next_to_other_changes() {
    let mut inactive = user("1", "ana.diaz", "x1");
    inactive["active"] = json!(false);
    let mut back = user("1", "ana.diaz", "x1");
    back["active"] = json!(true);
    back["title"] = json!("Engineer");
    let narrate = |a: &Value, b: &Value| {
        let (a, b) = (vec![a.clone()], vec![b.clone()]);
        let d = diff_directories(
            &Directory {
                users: &a,
                groups: &[],
            },
            &Directory {
                users: &b,
                groups: &[],
            },
            MatchKey::Id,
        );
        d.narration().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(
        narrate(&inactive, &back),
        vec!["ana.diaz: reactivated; title changed"]
    );
    let mut renamed = inactive.clone();
    renamed["displayName"] = json!("Ana D.");
    assert_eq!(
        narrate(&inactive, &renamed),
        vec!["ana.diaz: displayName changed"]
    );
}

/// The builder writes RFC operations; every dialect renders them through `logical_changes`. Read back
/// and rendered in RFC form, the same change must produce the same resource.
#[test]
fn builder_operations_survive_the_trip_through_logical_changes() {
    use scim_core::patch::{apply_patch, logical_changes, ApplyOptions, PatchOp};
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let mut u = user("1", "ana", "e1");
    u[enterprise] = json!({"department": "Sales"});
    let g = group("g", "Project: Apollo (Full access)", &["1", "2"]);
    let cases = [
        (
            u.clone(),
            json!([{"op": "replace", "path": "active", "value": false}]),
        ),
        (
            u.clone(),
            json!([{"op": "add", "path": "emails", "value": [{"value": "x@y.z", "type": "home"}]}]),
        ),
        (
            u.clone(),
            json!([{"op": "replace", "value": {"name.givenName": "Ana", enterprise: {"department": "Ops"}}}]),
        ),
        (u.clone(), json!([{"op": "remove", "path": "externalId"}])),
        (
            g.clone(),
            json!([{"op": "add", "path": "members", "value": [{"value": "3"}]}]),
        ),
        (
            g.clone(),
            json!([{"op": "remove", "path": "members[value eq \"2\"]"}]),
        ),
        (
            g.clone(),
            json!([{"op": "remove", "path": "members", "value": [{"value": "1"}]}]),
        ),
    ];
    let options = ApplyOptions::default();
    for (resource, ops) in cases {
        let patch = PatchOp::from_json(&json!({"Operations": ops}))
            .unwrap()
            .value;
        let expected = apply_patch(&resource, &patch, &options).unwrap().value;
        let rendered = render_patch(Dialect::Rfc7644, &logical_changes(&patch), Some(&resource));
        assert_eq!(rendered.len(), 1, "{ops}");
        let again = PatchOp::from_json(&rendered[0].body).unwrap().value;
        let actual = apply_patch(&resource, &again, &options).unwrap().value;
        assert_eq!(actual, expected, "{ops}");
    }
}

#[test]
fn a_single_member_removal_is_a_member_change_for_every_dialect() {
    use scim_core::patch::{logical_changes, PatchOp};
    let patch = PatchOp::from_json(&json!({"Operations": [
        {"op": "remove", "path": "members[value eq \"u-7\"]"}
    ]}))
    .unwrap()
    .value;
    assert_eq!(
        logical_changes(&patch),
        vec![LogicalChange::RemoveMembers {
            ids: vec!["u-7".into()]
        }]
    );
    let entra = render_patch(Dialect::EntraLegacy, &logical_changes(&patch), None);
    assert_eq!(
        entra[0].body["Operations"],
        json!([{"op": "Remove", "path": "members", "value": [{"value": "u-7"}]}])
    );
}
