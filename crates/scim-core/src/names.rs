//! Attribute names and schema URNs: SCIM compares names case-insensitively (RFC 7643 §2.1), so every
//! lookup in a resource goes through here rather than through a plain map lookup.

use serde_json::{Map, Value};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
pub const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// The key under which `name` is stored in `map`, matched case-insensitively.
pub fn find_key<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    if map.contains_key(name) {
        return map.get_key_value(name).map(|(k, _)| k.as_str());
    }
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .map(String::as_str)
}

/// `map[name]`, with the name matched case-insensitively.
pub fn get_ci<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    match map.get(name) {
        Some(v) => Some(v),
        None => find_key(map, name).and_then(|k| map.get(k)),
    }
}

/// `&mut map[name]`, with the name matched case-insensitively.
pub fn get_ci_mut<'a>(map: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    let key = find_key(map, name)?.to_owned();
    map.get_mut(&key)
}

/// Removes `name` (case-insensitively), returning its value.
pub fn remove_ci(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let key = find_key(map, name)?.to_owned();
    map.shift_remove(&key)
}

/// Sets `name`, keeping the existing key's spelling when the attribute is already there.
pub fn set_ci(map: &mut Map<String, Value>, name: &str, value: Value) {
    match find_key(map, name).map(str::to_owned) {
        Some(key) => {
            map.insert(key, value);
        }
        None => {
            map.insert(name.to_owned(), value);
        }
    }
}

/// True for a schema URN (`urn:…`), the prefix of extension attributes and URN-qualified paths.
pub fn is_urn(s: &str) -> bool {
    // `get`, not `[..4]`: a name such as `名前` has no character boundary at byte 4.
    s.len() > 4 && s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
}

/// True for the core schemas whose attributes live at the top level of a resource.
pub fn is_core_schema(urn: &str) -> bool {
    urn.eq_ignore_ascii_case(USER_SCHEMA) || urn.eq_ignore_ascii_case(GROUP_SCHEMA)
}

/// Splits `urn:…:User:userName` into (`urn:…:User`, `userName`): the attribute is the part after the
/// last colon (RFC 7644 §3.10). A dotted sub-attribute stays with the attribute.
pub fn split_urn_attr(qualified: &str) -> Option<(&str, &str)> {
    let idx = qualified.rfind(':')?;
    let (urn, rest) = qualified.split_at(idx);
    let attr = &rest[1..];
    if attr.is_empty() || !is_urn(urn) {
        return None;
    }
    Some((urn, attr))
}

/// RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar); `$ref` is accepted as well (RFC 7644 errata).
pub fn is_attr_name(s: &str) -> bool {
    if s == "$ref" {
        return true;
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_match_case_insensitively() {
        let v = json!({"userName": "ana"});
        let map = v.as_object().expect("object");
        assert_eq!(get_ci(map, "USERNAME"), Some(&json!("ana")));
        assert_eq!(find_key(map, "username"), Some("userName"));
    }

    #[test]
    fn set_keeps_the_servers_spelling() {
        let mut v = json!({"userName": "ana"});
        let map = v.as_object_mut().expect("object");
        set_ci(map, "USERNAME", json!("ben"));
        assert_eq!(v, json!({"userName": "ben"}));
    }

    #[test]
    fn urn_qualified_names_split_at_the_last_colon() {
        assert_eq!(
            split_urn_attr(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
            ),
            Some((ENTERPRISE_USER_SCHEMA, "manager.value"))
        );
        assert_eq!(split_urn_attr("userName"), None);
    }

    #[test]
    fn attr_names_follow_the_rfc_grammar() {
        assert!(is_attr_name("userName"));
        assert!(is_attr_name("x509Certificates"));
        assert!(is_attr_name("$ref"));
        assert!(!is_attr_name("1abc"));
        assert!(!is_attr_name("a b"));
        assert!(!is_attr_name(""));
    }
}
