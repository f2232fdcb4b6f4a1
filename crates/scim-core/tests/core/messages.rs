//! Messages and discovery documents from the RFCs and from providers that deviate from them.

use scim_core::error::ScimErrorBody;
use scim_core::messages::{ListResponse, ResourceType};

use crate::fixture;

#[test]
fn rfc_3_4_2_list_response() {
    let l = ListResponse::from_json(&fixture("rfc7644/3.4.2-list-response.json")).expect("list");
    assert_eq!(l.value.total_results, Some(2));
    assert_eq!(l.value.resources[1].user_name(), Some("jsmith"));
    assert!(l.warnings.is_empty());
}

#[test]
fn rfc_3_12_error_with_string_status() {
    let (e, w) =
        ScimErrorBody::from_json(&fixture("rfc7644/3.12-error-uniqueness.json")).expect("error");
    assert_eq!(
        (e.status, e.scim_type.as_deref()),
        (Some(409), Some("uniqueness"))
    );
    assert!(w.is_empty());
}

#[test]
fn okta_error_with_numeric_status() {
    let (e, w) = ScimErrorBody::from_json(&fixture("providers/okta/error-status-number.json"))
        .expect("error");
    assert_eq!(e.status, Some(404));
    assert_eq!(w[0].code, "error.statusNumber");
}

#[test]
fn ibm_lowercase_resources() {
    let l = ListResponse::from_json(&fixture("providers/ibm/list-lowercase-resources.json"))
        .expect("list");
    assert_eq!(l.value.resources.len(), 1);
    assert_eq!(l.warnings[0].code, "list.resourcesCase");
}

#[test]
fn atlassian_empty_list_without_resources() {
    let l = ListResponse::from_json(&fixture("providers/atlassian/empty-list.json")).expect("list");
    assert_eq!(l.value.total_results, Some(0));
    assert!(l.value.resources.is_empty());
    assert!(l.warnings.is_empty());
}

#[test]
fn rfc7643_8_7_resource_types_as_a_bare_array() {
    let l = ListResponse::from_json(&fixture("rfc7643/8.7-resource-types-bare-array.json"))
        .expect("list");
    assert_eq!(l.warnings[0].code, "list.bareArray");
    let user = ResourceType::from_json(&l.value.resources[0].0).expect("resource type");
    assert_eq!(user.endpoint, "/Users");
    assert_eq!(
        user.schema_extensions,
        vec![(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_owned(),
            true
        )]
    );
}
