//! Attributes whose values never leave the app in clear text: `password` always, and whatever a
//! server's schemas mark `writeOnly` or `returned: never`. They are found as JSON keys, as the `path`
//! of a PATCH operation (`{"op":"replace","path":"password","value":"…"}`), as URN-qualified or dotted
//! names, and inside `value` objects — one rule for the change log, the request log, curl commands,
//! previews and outcome screens.

use serde_json::Value;

use crate::names::{is_urn, split_urn_attr};
use crate::schema::{Attribute, Mutability, Returned, SchemaRegistry};

/// The secret attribute names of one connection (lowercase, compared case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretAttributes {
    names: Vec<String>,
}

impl Default for SecretAttributes {
    /// `password` (RFC 7643 §4.1.1: writeOnly, returned never), even when no schema says so.
    fn default() -> Self {
        Self {
            names: vec!["password".to_owned()],
        }
    }
}

impl SecretAttributes {
    /// `password` and every attribute (or sub-attribute) the schemas mark writeOnly or never returned.
    pub fn from_schemas(schemas: &SchemaRegistry) -> Self {
        let mut out = Self::default();
        fn walk(attrs: &[Attribute], out: &mut SecretAttributes) {
            for a in attrs {
                if a.mutability == Mutability::WriteOnly || a.returned == Returned::Never {
                    out.add(&a.name);
                }
                walk(&a.sub_attributes, out);
            }
        }
        for schema in &schemas.schemas {
            walk(&schema.attributes, &mut out);
        }
        out
    }

    pub fn add(&mut self, name: &str) {
        let lower = name.to_lowercase();
        if !lower.is_empty() && !self.names.contains(&lower) {
            self.names.push(lower);
        }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn is_name(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// True when `path` names a secret: `password`, `urn:…:User:password`, `x.password`,
    /// `creds[type eq "x"].secret`. Any named part counts: better one mask too many than a leak.
    pub fn is_secret_path(&self, path: &str) -> bool {
        let attr = if is_urn(path) {
            match split_urn_attr(path) {
                Some((_, attr)) => attr,
                // A bare extension URN names a whole block; its keys are checked one by one.
                None => return false,
            }
        } else {
            path
        };
        // Only the parts outside a value filter name attributes (`emails[value eq "password"]` does not).
        let mut outside = String::with_capacity(attr.len());
        let mut depth = 0usize;
        for c in attr.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                c if depth == 0 => outside.push(c),
                _ => {}
            }
        }
        outside.split('.').any(|part| self.is_name(part.trim()))
    }

    /// True for a PATCH operation (`op` and `path`) whose path names a secret: its `value` is one.
    pub fn is_secret_operation(&self, o: &serde_json::Map<String, Value>) -> bool {
        o.keys().any(|k| k.eq_ignore_ascii_case("op"))
            && o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("path"))
                .and_then(|(_, p)| p.as_str())
                .is_some_and(|p| self.is_secret_path(p))
    }

    /// Replaces every secret value in `v` with `mask`: keys that name a secret, and the `value` of a
    /// PATCH operation whose `path` does. Nulls stay null (a removal shows as a removal).
    pub fn mask(&self, v: &mut Value, mask: &str) {
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(o) => {
                    let op_on_secret = self.is_secret_operation(o);
                    for (k, child) in o.iter_mut() {
                        let secret = self.is_secret_path(k)
                            || (op_on_secret && k.eq_ignore_ascii_case("value"));
                        if secret && !child.is_null() {
                            *child = Value::String(mask.to_owned());
                        } else {
                            stack.push(child);
                        }
                    }
                }
                Value::Array(items) => stack.extend(items.iter_mut()),
                _ => {}
            }
        }
    }

    /// Removes secrets from `v` instead of masking them: for bodies that may be sent again (an undo),
    /// where a mask would become the new password. PATCH operations on a secret are dropped whole.
    pub fn strip(&self, v: &mut Value) {
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(o) => {
                    o.retain(|k, _| !self.is_secret_path(k));
                    stack.extend(o.values_mut());
                }
                Value::Array(items) => {
                    items.retain(|item| {
                        !item
                            .as_object()
                            .is_some_and(|o| self.is_secret_operation(o))
                    });
                    stack.extend(items.iter_mut());
                }
                _ => {}
            }
        }
    }

    /// `v` masked, leaving the original as it is.
    pub fn masked(&self, v: &Value, mask: &str) -> Value {
        let mut copy = v.clone();
        self.mask(&mut copy, mask);
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_paths_keys_and_urns_are_masked() {
        let s = SecretAttributes::default();
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "replace", "path": "password", "value": "hunter2"},
                {"op": "Replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:PASSWORD", "value": "h2"},
                {"op": "add", "value": {"userName": "ana", "password": "h3", "name": {"givenName": "Ana"}}},
                {"op": "replace", "value": {"urn:ietf:params:scim:schemas:core:2.0:User:password": "h4"}},
                {"op": "replace", "path": "emails[value eq \"password\"].value", "value": "x@y"},
                {"op": "remove", "path": "password"}
            ]
        });
        s.mask(&mut body, "***");
        let text = body.to_string();
        for leaked in ["hunter2", "\"h2\"", "\"h3\"", "\"h4\""] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        assert!(text.contains("Ana") && text.contains("x@y"), "{text}");
        assert_eq!(body["Operations"][5].get("value"), None);
    }

    #[test]
    fn stripping_drops_secrets_and_operations_on_them() {
        let s = SecretAttributes::default();
        let mut body = json!({"Operations": [
            {"op": "replace", "path": "password", "value": "x"},
            {"op": "replace", "path": "title", "value": "CTO"},
            {"op": "add", "value": {"password": "y", "nickName": "n"}}
        ]});
        s.strip(&mut body);
        assert_eq!(
            body,
            json!({"Operations": [
                {"op": "replace", "path": "title", "value": "CTO"},
                {"op": "add", "value": {"nickName": "n"}}
            ]})
        );
    }

    #[test]
    fn schemas_add_their_write_only_and_never_returned_attributes() {
        let mut reg = SchemaRegistry::builtin();
        let custom = crate::schema::Schema::from_json(&json!({
            "id": "urn:example:Secrets",
            "attributes": [
                {"name": "pin", "type": "string", "mutability": "writeOnly", "returned": "never"},
                {"name": "hint", "type": "string", "returned": "never"},
                {"name": "color", "type": "string"}
            ]
        }))
        .expect("schema")
        .value;
        reg.insert(custom);
        let s = SecretAttributes::from_schemas(&reg);
        assert!(s.is_secret_path("pin") && s.is_secret_path("urn:example:Secrets:hint"));
        assert!(s.is_secret_path("Password"));
        assert!(!s.is_secret_path("color") && !s.is_secret_path("名前"));
    }
}
