//! What was odd in an exchange an identity provider had with an application, checked against RFC
//! 7643/7644: the request's shape (Content-Type, `schemas`, PATCH spelling, booleans as strings,
//! filters in PATCH paths, member removal by value list, attributes no schema declares) and the
//! answer (200 where 201 or 204 is due, a refusal of a request the RFC allows).

use serde::Serialize;
use serde_json::Value;

use super::{endpoint_of, SeenAnswer, SeenRequest};
use crate::names::get_ci;
use crate::patch::{OpKind, PatchOp};
use crate::schema::SchemaRegistry;

/// Who the finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Side {
    /// The identity provider's request.
    Request,
    /// The application's answer.
    Answer,
}

/// One odd thing, with a stable code (for filters and tests) and words for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: String,
    pub side: Side,
    pub message: String,
}

impl Finding {
    fn new(code: &str, side: Side, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            side,
            message: message.into(),
        }
    }
}

fn is_json_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t.starts_with("application/scim+json") || t.starts_with("application/json")
    })
}

/// The findings on a request. `schemas` are the application's (or the built-in ones).
pub fn request_findings(request: &SeenRequest<'_>, schemas: &SchemaRegistry) -> Vec<Finding> {
    let mut out = Vec::new();
    let method = request.method.to_ascii_uppercase();
    let writes = matches!(method.as_str(), "POST" | "PUT" | "PATCH");
    if request.body_unreadable {
        out.push(Finding::new(
            "request.notJson",
            Side::Request,
            "the body is not JSON",
        ));
    }
    if (request.body.is_some() || request.body_unreadable) && !is_json_type(request.content_type) {
        out.push(Finding::new(
            "request.contentType",
            Side::Request,
            format!(
                "sent as `{}`, not application/scim+json (RFC 7644 §3.1)",
                request.content_type.unwrap_or("no Content-Type")
            ),
        ));
    }
    let Some(body) = request.body.filter(|_| writes) else {
        return out;
    };
    let Some(obj) = body.as_object() else {
        out.push(Finding::new(
            "request.notObject",
            Side::Request,
            "the body is not a JSON object",
        ));
        return out;
    };
    if method == "PATCH" {
        patch_findings(body, &mut out);
        return out;
    }
    if get_ci(obj, "schemas").is_none() {
        out.push(Finding::new(
            "request.noSchemas",
            Side::Request,
            "the resource has no `schemas` (RFC 7643 §3 makes it required)",
        ));
    }
    // Attributes no schema of this resource declares.
    let (endpoint, _) = endpoint_of(request.path);
    let core = match endpoint.map(str::to_ascii_lowercase).as_deref() {
        Some("users") => Some(crate::names::USER_SCHEMA),
        Some("groups") => Some(crate::names::GROUP_SCHEMA),
        _ => None,
    };
    if let Some(core) = core.and_then(|c| schemas.schema(c)) {
        let unknown: Vec<&str> = obj
            .keys()
            .map(String::as_str)
            .filter(|k| {
                !k.starts_with("urn:")
                    && !["schemas", "id", "externalId", "meta"]
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(k))
                    && core.attribute(k).is_none()
            })
            .collect();
        if !unknown.is_empty() {
            out.push(Finding::new(
                "request.unknownAttribute",
                Side::Request,
                format!(
                    "{} not in the {} schema: {}",
                    if unknown.len() == 1 {
                        "an attribute"
                    } else {
                        "attributes"
                    },
                    core.name.as_deref().unwrap_or("resource's"),
                    unknown.join(", ")
                ),
            ));
        }
        for (k, v) in obj {
            let boolean = core
                .attribute(k)
                .is_some_and(|a| a.attr_type == crate::schema::AttrType::Boolean);
            if boolean && is_bool_string(v) {
                out.push(bool_string(k, v));
            }
        }
    }
    out
}

fn is_bool_string(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"))
}

fn bool_string(path: &str, v: &Value) -> Finding {
    Finding::new(
        "request.boolString",
        Side::Request,
        format!("`{path}` is the string {v}, not a boolean (Entra's legacy form)"),
    )
}

/// The findings on a PATCH body (RFC 7644 §3.5.2).
fn patch_findings(body: &Value, out: &mut Vec<Finding>) {
    let patch = match PatchOp::from_json(body) {
        Ok(p) => p,
        Err(e) => {
            out.push(Finding::new(
                "patch.invalid",
                Side::Request,
                format!("not a PatchOp: {}", e.message),
            ));
            return;
        }
    };
    for w in &patch.warnings {
        let code = match w.code {
            "patch.missingSchema" => "request.noSchemas",
            other => other,
        };
        if !out.iter().any(|f| f.code == code) {
            out.push(Finding::new(code, Side::Request, w.message.clone()));
        }
    }
    for (i, op) in patch.value.operations.iter().enumerate() {
        let n = i + 1;
        let path = op.path.as_deref().unwrap_or("");
        if path.contains('[') {
            out.push(Finding::new(
                "patch.filterPath",
                Side::Request,
                format!("operation {n} has a filter in its path (`{path}`): allowed by RFC 7644 §3.5.2, but applications often refuse it"),
            ));
        }
        if op.op == OpKind::Remove && path.eq_ignore_ascii_case("members") && op.value.is_some() {
            out.push(Finding::new(
                "patch.removeMembersValueList",
                Side::Request,
                format!("operation {n} removes members with a value list, outside RFC 7644 §3.5.2.2 (which names them by a filter in the path); Entra and authentik send it, and many applications ignore or refuse it"),
            ));
        }
        match &op.value {
            Some(v) if is_bool_string(v) && !path.is_empty() && looks_boolean(path) => {
                out.push(bool_string(path, v));
            }
            Some(Value::Object(fields)) if path.is_empty() => {
                for (k, v) in fields {
                    if is_bool_string(v) && looks_boolean(k) {
                        out.push(bool_string(k, v));
                    }
                }
                let by_path: Vec<&str> = fields
                    .iter()
                    .filter(|(k, v)| {
                        (k.contains('.') && !k.starts_with("urn:"))
                            || (k.starts_with("urn:") && !v.is_object())
                    })
                    .map(|(k, _)| k.as_str())
                    .collect();
                if !by_path.is_empty() {
                    out.push(Finding::new(
                        "patch.pathKeys",
                        Side::Request,
                        format!("operation {n} is a pathless {} whose value names attributes by path ({}), not in the resource's own shape (RFC 7644 §3.5.2); Entra's aadOptscim062020 mode sends it, and applications that read the value as a resource miss those attributes", op.op.as_str(), by_path.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// Attributes whose type is boolean in the RFC schemas (the ones IdPs send as strings).
fn looks_boolean(path: &str) -> bool {
    let last = path.rsplit(['.', ':']).next().unwrap_or(path);
    last.eq_ignore_ascii_case("active") || last.eq_ignore_ascii_case("primary")
}

/// The findings on the application's answer to `request`; `request_findings` are the request's own,
/// so a refusal of a request with none is named as such.
pub fn answer_findings(
    request: &SeenRequest<'_>,
    answer: &SeenAnswer<'_>,
    request_findings: &[Finding],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let method = request.method.to_ascii_uppercase();
    let (endpoint, id) = endpoint_of(request.path);
    let resource = endpoint.is_some_and(|e| {
        ![
            "ServiceProviderConfig",
            "ResourceTypes",
            "Schemas",
            "Bulk",
            ".search",
        ]
        .iter()
        .any(|d| d.eq_ignore_ascii_case(e))
    });
    let status = answer.status;
    if resource && method == "POST" && id.is_none() && status == 200 {
        out.push(Finding::new(
            "answer.createNot201",
            Side::Answer,
            "a create answered 200; RFC 7644 §3.3 says 201 Created",
        ));
    }
    if resource && method == "DELETE" && (200..300).contains(&status) && status != 204 {
        out.push(Finding::new(
            "answer.deleteNot204",
            Side::Answer,
            format!("a DELETE answered {status}; RFC 7644 §3.6 says 204 No Content"),
        ));
    }
    if (200..300).contains(&status) && answer.body_len > 0 && !is_json_type(answer.content_type) {
        out.push(Finding::new(
            "answer.contentType",
            Side::Answer,
            format!(
                "answered as `{}`, not application/scim+json",
                answer.content_type.unwrap_or("no Content-Type")
            ),
        ));
    }
    if status >= 400 && answer.body_len > 0 && answer.body.is_none() {
        out.push(Finding::new(
            "answer.errorNotScim",
            Side::Answer,
            format!("{status} without a SCIM Error body (RFC 7644 §3.12)"),
        ));
    }
    let refusal = matches!(status, 400 | 405 | 409 | 415 | 422 | 501);
    let duplicate = status == 409 && method == "POST";
    if resource && refusal && !duplicate && request_findings.is_empty() {
        out.push(Finding::new(
            "answer.refusedValid",
            Side::Answer,
            format!("the application refused ({status}) a request RFC 7644 allows, with nothing odd in it"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request<'a>(method: &'a str, path: &'a str, body: Option<&'a Value>) -> SeenRequest<'a> {
        SeenRequest {
            method,
            path,
            query: None,
            user_agent: None,
            content_type: Some("application/scim+json"),
            body,
            body_unreadable: false,
        }
    }

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn entras_legacy_patch_is_named_for_each_of_its_oddities() {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Remove", "path": "members", "value": [{"value": "u1"}]},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "a@b.c"}
        ]});
        let f = request_findings(
            &request("PATCH", "/Users/1", Some(&body)),
            &SchemaRegistry::builtin(),
        );
        let c = codes(&f);
        for want in [
            "patch.opCase",
            "request.boolString",
            "patch.removeMembersValueList",
            "patch.filterPath",
        ] {
            assert!(c.contains(&want), "{want} in {c:?}");
        }
    }

    #[test]
    fn a_clean_create_has_no_findings_and_an_odd_one_has_each() {
        let schemas = SchemaRegistry::builtin();
        let clean = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ana", "active": true});
        assert_eq!(
            request_findings(&request("POST", "/Users", Some(&clean)), &schemas),
            vec![]
        );
        let odd = json!({"userName": "ana", "active": "True", "favouriteColour": "teal"});
        let mut r = request("POST", "/Users", Some(&odd));
        r.content_type = Some("text/plain");
        let c: Vec<String> = codes(&request_findings(&r, &schemas))
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            c,
            [
                "request.contentType",
                "request.noSchemas",
                "request.unknownAttribute",
                "request.boolString"
            ]
        );
    }

    #[test]
    fn answers_are_held_to_the_status_codes_the_rfc_gives() {
        let body = json!({"userName": "ana"});
        let r = request("POST", "/Users", Some(&body));
        let ok = |status| SeenAnswer {
            status,
            content_type: Some("application/scim+json"),
            body: Some(&body),
            body_len: 10,
        };
        assert_eq!(
            codes(&answer_findings(&r, &ok(200), &[])),
            ["answer.createNot201"]
        );
        assert!(answer_findings(&r, &ok(201), &[]).is_empty());
        assert!(
            answer_findings(&r, &ok(409), &[]).is_empty(),
            "a duplicate is a fair refusal"
        );
        let p = request("PATCH", "/Users/1", Some(&body));
        assert_eq!(
            codes(&answer_findings(&p, &ok(400), &[])),
            ["answer.refusedValid"]
        );
        let odd = [Finding::new("patch.opCase", Side::Request, "x")];
        assert!(answer_findings(&p, &ok(400), &odd).is_empty());
        let d = request("DELETE", "/Users/1", None);
        assert_eq!(
            codes(&answer_findings(&d, &ok(200), &[])),
            ["answer.deleteNot204"]
        );
        let html = SeenAnswer {
            status: 500,
            content_type: Some("text/html"),
            body: None,
            body_len: 300,
        };
        assert_eq!(
            codes(&answer_findings(&d, &html, &[])),
            ["answer.errorNotScim"]
        );
    }
}
