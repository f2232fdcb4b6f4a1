//! A SCIM resource kept exactly as the server sent it, with typed accessors on top.
//!
//! Unknown attributes, unknown extensions and undeclared core attributes (Secoda's `secodaRole`)
//! survive every round trip because nothing is ever parsed into a struct and re-serialized.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::filter::AttrPath;
use crate::names::{
    get_ci, is_core_schema, is_urn, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA,
};
use crate::schema::{core_schema_of, is_enterprise, SchemaRegistry};

/// Any SCIM resource (User, Group, or a custom type) as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Resource(pub Value);

/// A group member reference (RFC 7643 §4.2), as tolerant as the servers that send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRef {
    pub value: String,
    /// `User` or `Group`, normalised from variants such as `"user"`; `None` when absent.
    pub member_type: Option<String>,
    /// `display`, or `displayName` as some servers spell it.
    pub display: Option<String>,
}

/// Whether a group's `members` were sent, and how (Okta and AWS send `null` or omit them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Members {
    /// The attribute is absent: the server did not return it (e.g. `excludedAttributes=members`).
    NotReturned,
    /// `"members": null`.
    Null,
    /// The members listed (possibly none).
    Listed(Vec<MemberRef>),
}

/// `active` from its text (a JSON boolean printed, or the `"True"`/`"False"` strings OneLogin and
/// Entra send), as [`Resource::active`] reads it; anything else is no answer.
pub fn active_from_text(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

impl Resource {
    pub fn new(value: Value) -> Self {
        Self(value)
    }

    pub fn as_object(&self) -> Option<&Map<String, Value>> {
        self.0.as_object()
    }

    fn str_attr(&self, name: &str) -> Option<&str> {
        self.as_object()
            .and_then(|o| get_ci(o, name))
            .and_then(Value::as_str)
    }

    /// The server's `id` when it is a string; see [`Self::id_string`] for integer ids.
    pub fn id(&self) -> Option<&str> {
        self.str_attr("id")
    }

    /// The `id` as text, whatever its JSON type (some servers send `"id": 2746`).
    pub fn id_string(&self) -> Option<String> {
        match self.as_object().and_then(|o| get_ci(o, "id"))? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub fn external_id(&self) -> Option<&str> {
        self.str_attr("externalId")
    }
    pub fn user_name(&self) -> Option<&str> {
        self.str_attr("userName")
    }
    pub fn display_name(&self) -> Option<&str> {
        self.str_attr("displayName")
    }

    /// `schemas`, as listed.
    pub fn schemas(&self) -> Vec<&str> {
        self.as_object()
            .and_then(|o| get_ci(o, "schemas"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    pub fn is_user(&self) -> bool {
        self.schemas()
            .iter()
            .any(|s| s.eq_ignore_ascii_case(USER_SCHEMA))
    }
    pub fn is_group(&self) -> bool {
        self.schemas()
            .iter()
            .any(|s| s.eq_ignore_ascii_case(GROUP_SCHEMA))
    }

    /// `active`, read tolerantly: OneLogin and Entra may send `"True"`/`"False"` strings.
    pub fn active(&self) -> Option<bool> {
        match self.as_object().and_then(|o| get_ci(o, "active"))? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => active_from_text(s),
            _ => None,
        }
    }

    /// The label a person recognises: userName, else displayName, else id.
    pub fn label(&self) -> String {
        self.user_name()
            .or_else(|| self.display_name())
            .map(str::to_owned)
            .or_else(|| self.id_string())
            .unwrap_or_else(|| "(no id)".to_owned())
    }

    /// Email addresses, the primary one first.
    pub fn emails(&self) -> Vec<&str> {
        emails_in(&self.0)
    }

    /// The enterprise extension block (RFC 7643 §4.3), if any.
    pub fn enterprise(&self) -> Option<&Map<String, Value>> {
        self.as_object()
            .and_then(|o| get_ci(o, ENTERPRISE_USER_SCHEMA))
            .and_then(Value::as_object)
    }

    /// A group's members, telling "not returned" from "null" from "empty".
    pub fn members(&self) -> Members {
        let Some(obj) = self.as_object() else {
            return Members::NotReturned;
        };
        match get_ci(obj, "members") {
            None => Members::NotReturned,
            Some(Value::Null) => Members::Null,
            Some(Value::Array(items)) => {
                Members::Listed(items.iter().filter_map(member_ref).collect())
            }
            Some(_) => Members::Listed(Vec::new()),
        }
    }

    /// Top-level attributes that no known schema declares (e.g. Secoda's `secodaRole` in the core
    /// namespace): the UI marks them "undeclared" but keeps and edits them.
    pub fn undeclared_attributes(&self, schemas: &SchemaRegistry) -> Vec<&str> {
        let Some(obj) = self.as_object() else {
            return Vec::new();
        };
        let listed = self.schemas();
        // A custom resource type's base schema (a Role) is known to the registry though not core;
        // an unknown one (SCIM 1.1 URNs) falls back to the User and Group schemas.
        let core = core_schema_of(&self.0).or_else(|| {
            listed
                .iter()
                .find(|s| schemas.schema(s).is_some() && !is_enterprise(s))
                .copied()
        });
        obj.keys()
            // RFC 7643 §3.1 common attributes belong to every resource, whether or not a server's
            // schema lists them (scim2-server's do not).
            .filter(|k| {
                !["schemas", "id", "externalId", "meta"]
                    .iter()
                    .any(|c| k.eq_ignore_ascii_case(c))
            })
            .filter(|k| {
                if is_urn(k) {
                    // An extension block is declared when listed in `schemas` or known.
                    return !listed.iter().any(|s| s.eq_ignore_ascii_case(k))
                        && schemas.schema(k).is_none();
                }
                schemas
                    .attribute(core, &AttrPath::new(k.as_str()))
                    .is_none()
            })
            .map(String::as_str)
            .collect()
    }

    /// Extension blocks present on the resource (keys that are URNs but not core schemas).
    pub fn extensions(&self) -> Vec<&str> {
        self.as_object()
            .map(|o| {
                o.keys()
                    .filter(|k| is_urn(k) && !is_core_schema(k))
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn member_ref(v: &Value) -> Option<MemberRef> {
    let o = v.as_object()?;
    let value = match get_ci(o, "value")? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let member_type = get_ci(o, "type").and_then(Value::as_str).map(|t| {
        if t.eq_ignore_ascii_case("user") {
            "User".to_owned()
        } else if t.eq_ignore_ascii_case("group") {
            "Group".to_owned()
        } else {
            t.to_owned()
        }
    });
    let display = get_ci(o, "display")
        .or_else(|| get_ci(o, "displayName"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some(MemberRef {
        value,
        member_type,
        display,
    })
}

/// The email addresses of a resource's JSON, the primary one first: [`Resource::emails`] for a value
/// not wrapped in a [`Resource`] (a listing's cells, read from a borrowed projection).
pub fn emails_in(value: &Value) -> Vec<&str> {
    let Some(Value::Array(items)) = value.as_object().and_then(|o| get_ci(o, "emails")) else {
        return Vec::new();
    };
    let mut out: Vec<(bool, &str)> = items
        .iter()
        .filter_map(|e| {
            let o = e.as_object()?;
            let v = get_ci(o, "value")?.as_str()?;
            let primary = get_ci(o, "primary")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            Some((primary, v))
        })
        .collect();
    out.sort_by_key(|(p, _)| !*p);
    out.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_attributes_survive_a_round_trip() {
        let text = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"ana","secodaRole":"editor","urn:example:custom:1.0:User":{"badge":7}}"#;
        let r: Resource = serde_json::from_str(text).expect("resource");
        assert_eq!(serde_json::to_string(&r).expect("json"), text);
    }

    #[test]
    fn undeclared_core_attributes_are_reported() {
        let r =
            Resource::new(json!({"schemas":[USER_SCHEMA],"userName":"ana","secodaRole":"editor"}));
        assert_eq!(
            r.undeclared_attributes(&SchemaRegistry::builtin()),
            vec!["secodaRole"]
        );
    }

    /// A custom type's attributes are judged by its own schema when the registry knows it; an unknown
    /// base schema (SCIM 1.1) falls back to the User and Group schemas.
    #[test]
    fn a_custom_types_own_schema_declares_its_attributes() {
        let mut registry = SchemaRegistry::builtin();
        let role = crate::schema::Schema::from_json(&json!({
            "id": "urn:example:Role",
            "attributes": [{"name": "description", "type": "string"}, {"name": "displayName", "type": "string"}]
        }))
        .unwrap()
        .value;
        registry.insert(role);
        let r = Resource::new(
            json!({"schemas":["urn:example:Role"],"displayName":"Approver","description":"x","level":3}),
        );
        assert_eq!(r.undeclared_attributes(&registry), vec!["level"]);
        let old = Resource::new(json!({"schemas":["urn:scim:schemas:core:1.0"],"userName":"ana"}));
        assert!(old.undeclared_attributes(&registry).is_empty());
    }

    #[test]
    fn members_tell_not_returned_from_null_from_empty() {
        assert_eq!(
            Resource::new(json!({"displayName":"g"})).members(),
            Members::NotReturned
        );
        assert_eq!(
            Resource::new(json!({"members":null})).members(),
            Members::Null
        );
        assert_eq!(
            Resource::new(json!({"members":[]})).members(),
            Members::Listed(vec![])
        );
    }

    #[test]
    fn member_variants_are_normalised() {
        let r = Resource::new(
            json!({"members":[{"value":"1","type":"user","displayName":"Ana"},{"value":2}]}),
        );
        let Members::Listed(m) = r.members() else {
            panic!("listed")
        };
        assert_eq!(m[0].member_type.as_deref(), Some("User"));
        assert_eq!(m[0].display.as_deref(), Some("Ana"));
        assert_eq!(m[1].value, "2");
    }

    #[test]
    fn active_as_string_is_read() {
        assert_eq!(
            Resource::new(json!({"active":"False"})).active(),
            Some(false)
        );
    }
}
