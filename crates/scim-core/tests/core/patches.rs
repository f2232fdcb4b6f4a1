//! PATCH: every RFC 7644 §3.5.2 and provider fixture applies as documented; paths parse and print.

use scim_core::patch::{apply_patch, parse_path, ApplyOptions, PatchOp};
use serde_json::Value;

use crate::fixture;

fn check(name: &str) {
    let case = fixture(name);
    let request = PatchOp::from_json(&case["request"]).unwrap_or_else(|e| panic!("{name}: {e}"));
    let result = apply_patch(&case["before"], &request.value, &ApplyOptions::default());
    match case.get("error").and_then(Value::as_str) {
        Some(expected) => {
            let err = result.expect_err(name);
            assert_eq!(err.scim_type.as_str(), expected, "{name}: {err}");
        }
        None => {
            let applied = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(applied.value, case["after"], "{name}");
            let mut warnings: Vec<&str> = request
                .warnings
                .iter()
                .chain(&applied.warnings)
                .map(|w| w.code)
                .collect();
            warnings.sort_unstable();
            warnings.dedup();
            let mut expected: Vec<&str> = case
                .get("warnings")
                .and_then(Value::as_array)
                .map(|w| w.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            expected.sort_unstable();
            assert_eq!(warnings, expected, "{name}: warnings");
        }
    }
}

macro_rules! fixtures {
    ($($test:ident => $file:literal,)*) => {
        $( #[test] fn $test() { check($file); } )*
    };
}

fixtures! {
    rfc_3_5_2_1_add_members => "rfc7644/3.5.2.1-add-members.json",
    rfc_3_5_2_1_add_existing_member_is_no_change => "rfc7644/3.5.2.1-add-existing-member-is-no-change.json",
    rfc_3_5_2_1_add_without_path => "rfc7644/3.5.2.1-add-without-path.json",
    rfc_3_5_2_2_remove_single_member => "rfc7644/3.5.2.2-remove-single-member.json",
    rfc_3_5_2_2_remove_all_members => "rfc7644/3.5.2.2-remove-all-members.json",
    rfc_3_5_2_2_remove_all_then_add => "rfc7644/3.5.2.2-remove-all-then-add.json",
    rfc_3_5_2_2_remove_with_complex_filter => "rfc7644/3.5.2.2-remove-with-complex-filter.json",
    rfc_3_5_2_2_remove_without_path_is_no_target => "rfc7644/3.5.2.2-remove-without-path-is-no-target.json",
    rfc_3_5_2_3_replace_members => "rfc7644/3.5.2.3-replace-members.json",
    rfc_3_5_2_3_replace_work_address => "rfc7644/3.5.2.3-replace-work-address.json",
    rfc_3_5_2_3_replace_work_street => "rfc7644/3.5.2.3-replace-work-street.json",
    rfc_3_5_2_3_replace_without_path => "rfc7644/3.5.2.3-replace-without-path.json",
    rfc_3_5_2_3_replace_no_match_is_no_target => "rfc7644/3.5.2.3-replace-no-match-is-no-target.json",
    rfc_3_5_2_readonly_id_is_mutability => "rfc7644/3.5.2-readonly-id-is-mutability.json",
    rfc_3_5_2_required_username_remove_is_mutability => "rfc7644/3.5.2-required-username-remove-is-mutability.json",
    rfc_3_5_2_invalid_path => "rfc7644/3.5.2-invalid-path.json",
    rfc_3_5_2_primary_is_exclusive => "rfc7644/3.5.2-primary-is-exclusive.json",
    rfc_3_10_urn_path_replace => "rfc7644/3.10-urn-path-replace.json",
    rfc_3_10_urn_path_sub_attribute => "rfc7644/3.10-urn-path-sub-attribute.json",
    entra_legacy_replace_active_as_string => "providers/entra/legacy-replace-active-as-string.json",
    entra_legacy_remove_members_value_list => "providers/entra/legacy-remove-members-value-list.json",
    entra_legacy_add_work_email_value => "providers/entra/legacy-add-work-email-value.json",
    entra_aadoptscim062020_dotted_keys => "providers/entra/aadoptscim062020-dotted-keys.json",
    okta_pathless_deactivate => "providers/okta/pathless-deactivate.json",
    okta_group_rename_with_id => "providers/okta/group-rename-with-id.json",
    okta_empty_group_push => "providers/okta/empty-group-push.json",
    authentik_one_member_per_op => "providers/authentik/one-member-per-op.json",
    secoda_undeclared_role_attribute => "providers/secoda/undeclared-role-attribute.json",
}

#[test]
fn paths_parse_into_their_parts_and_print_back() {
    for text in [
        "members",
        "name.familyName",
        r#"addresses[type eq "work"]"#,
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
        r#"emails[type eq "work"].value"#,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    ] {
        let path = parse_path(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(path.to_string(), text);
    }
    let p = parse_path(r#"emails[type eq "work"].value"#).expect("path");
    assert_eq!(p.attr.name, "emails");
    assert_eq!(p.sub_after_filter.as_deref(), Some("value"));
    assert!(p.filter.is_some());
}

#[test]
fn path_errors_say_where() {
    let err = parse_path(r#"emails[type eq "work"]value"#).expect_err("invalid");
    assert!(
        err.message.contains("expected `.subAttribute` or the end"),
        "{err}"
    );
    let err = parse_path("name.givenName[value eq 1]").expect_err("invalid");
    assert!(err.message.contains("not to the sub-attribute"), "{err}");
    let err = parse_path("a.b.c").expect_err("invalid");
    assert!(err.message.contains("too deep"), "{err}");
}

#[test]
fn a_patch_is_atomic() {
    let before = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "title": "x"});
    let patch = PatchOp::from_json(&serde_json::json!({"Operations": [
        {"op": "replace", "path": "title", "value": "y"},
        {"op": "replace", "path": "id", "value": "nope"}
    ]}))
    .expect("patch");
    let err =
        apply_patch(&before, &patch.value, &ApplyOptions::default()).expect_err("second op fails");
    assert_eq!(err.operation, Some(1));
    assert!(err.message.starts_with("operation 2 (replace)"), "{err}");
}

#[test]
fn an_unknown_op_is_invalid_syntax() {
    let err =
        PatchOp::from_json(&serde_json::json!({"Operations": [{"op": "merge", "path": "a"}]}))
            .expect_err("bad op");
    assert_eq!(err.scim_type.as_str(), "invalidSyntax");
    assert!(err.message.contains("`merge`"));
}
