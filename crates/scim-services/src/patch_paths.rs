//! What the PATCH builder's path picker and typed value editor offer for one resource: every
//! attribute of its schemas (core, enterprise, other extensions by URN) with its sub-attributes,
//! type, canonical values and mutability, plus the undeclared attributes the resource carries
//! (Secoda's `secodaRole`), so a person picks a path instead of typing one.

use serde::Serialize;
use serde_json::Value;
use specta::Type;

use scim_core::names::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
use scim_core::schema::{AttrType, Attribute, Mutability, Returned, SchemaRegistry};
use scim_core::Resource;

/// One attribute the builder can target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PatchAttribute {
    /// The PATCH path (`name.givenName`, `urn:…:User:department`).
    pub path: String,
    /// The attribute's own name, for display.
    pub name: String,
    /// `string`, `boolean`, `dateTime`, `decimal`, `integer`, `reference`, `binary` or `complex`.
    pub attr_type: String,
    pub multi_valued: bool,
    pub required: bool,
    /// `readWrite`, `readOnly`, `immutable` or `writeOnly`.
    pub mutability: String,
    pub canonical_values: Vec<String>,
    /// `core`, `enterprise`, `extension` or `undeclared`.
    pub source: String,
    pub description: Option<String>,
    pub sub_attributes: Vec<PatchAttribute>,
}

fn type_name(t: AttrType) -> &'static str {
    match t {
        AttrType::String => "string",
        AttrType::Boolean => "boolean",
        AttrType::Decimal => "decimal",
        AttrType::Integer => "integer",
        AttrType::DateTime => "dateTime",
        AttrType::Reference => "reference",
        AttrType::Complex => "complex",
        AttrType::Binary => "binary",
    }
}

fn mutability_name(m: Mutability) -> &'static str {
    match m {
        Mutability::ReadOnly => "readOnly",
        Mutability::ReadWrite => "readWrite",
        Mutability::Immutable => "immutable",
        Mutability::WriteOnly => "writeOnly",
    }
}

fn convert(a: &Attribute, path: String, source: &str) -> PatchAttribute {
    PatchAttribute {
        sub_attributes: a
            .sub_attributes
            .iter()
            .filter(|s| s.returned != Returned::Never || s.mutability == Mutability::WriteOnly)
            .map(|s| convert(s, format!("{path}.{}", s.name), source))
            .collect(),
        path,
        name: a.name.clone(),
        attr_type: type_name(a.attr_type).into(),
        multi_valued: a.multi_valued,
        required: a.required,
        mutability: mutability_name(a.mutability).into(),
        canonical_values: a.canonical_values.clone(),
        source: source.into(),
        description: a.description.clone(),
    }
}

/// The attributes of `kind` (`Users` or `Groups`), and those `resource` has that no schema declares.
pub fn patch_attributes(
    kind: &str,
    schemas: &SchemaRegistry,
    resource: Option<&Value>,
) -> Vec<PatchAttribute> {
    let users = kind.eq_ignore_ascii_case("Users");
    let core = if users { USER_SCHEMA } else { GROUP_SCHEMA };
    let mut out: Vec<PatchAttribute> = schemas
        .schema(core)
        .map(|s| {
            s.attributes
                .iter()
                .filter(|a| !a.name.eq_ignore_ascii_case("id"))
                .map(|a| convert(a, a.name.clone(), "core"))
                .collect()
        })
        .unwrap_or_default();
    if !out
        .iter()
        .any(|a| a.path.eq_ignore_ascii_case("externalId"))
    {
        // A common attribute (RFC 7643 §3.1) that schemas often leave out.
        out.push(PatchAttribute {
            path: "externalId".into(),
            name: "externalId".into(),
            attr_type: "string".into(),
            multi_valued: false,
            required: false,
            mutability: "readWrite".into(),
            canonical_values: Vec::new(),
            source: "core".into(),
            description: Some("The identifier the provisioning client uses for it".into()),
            sub_attributes: Vec::new(),
        });
    }
    for s in &schemas.schemas {
        let enterprise = s.id.eq_ignore_ascii_case(ENTERPRISE_USER_SCHEMA);
        let extension = enterprise || s.id.contains(":extension:");
        // Extensions of the other resource type are not offered (a Group has no enterprise data).
        if !extension || (enterprise && !users) || (!users && s.id.ends_with(":User")) {
            continue;
        }
        if users && s.id.ends_with(":Group") {
            continue;
        }
        let source = if enterprise {
            "enterprise"
        } else {
            "extension"
        };
        for a in &s.attributes {
            out.push(convert(a, format!("{}:{}", s.id, a.name), source));
        }
    }
    if let Some(r) = resource {
        for name in Resource::new(r.clone()).undeclared_attributes(schemas) {
            if out.iter().any(|a| a.path.eq_ignore_ascii_case(name)) {
                continue;
            }
            let value = r.get(name);
            let attr_type = match value {
                Some(Value::Bool(_)) => "boolean",
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => "integer",
                Some(Value::Number(_)) => "decimal",
                _ => "string",
            };
            out.push(PatchAttribute {
                path: name.to_owned(),
                name: name.to_owned(),
                attr_type: attr_type.into(),
                multi_valued: matches!(value, Some(Value::Array(_))),
                required: false,
                mutability: "readWrite".into(),
                canonical_values: Vec::new(),
                source: "undeclared".into(),
                description: Some(
                    "Not declared by the server's /Schemas: seen on this resource".into(),
                ),
                sub_attributes: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn users_get_core_enterprise_and_undeclared_attributes_with_their_types() {
        let schemas = SchemaRegistry::builtin();
        let user = json!({"schemas": [USER_SCHEMA], "userName": "ana", "secodaRole": "editor"});
        let attrs = patch_attributes("Users", &schemas, Some(&user));
        let find = |p: &str| {
            attrs
                .iter()
                .find(|a| a.path == p)
                .unwrap_or_else(|| panic!("{p}"))
        };
        assert_eq!(find("active").attr_type, "boolean");
        assert!(find("userName").required);
        let emails = find("emails");
        assert!(emails.multi_valued);
        let kind = emails
            .sub_attributes
            .iter()
            .find(|s| s.path == "emails.type")
            .unwrap();
        assert!(kind.canonical_values.contains(&"work".to_owned()));
        assert_eq!(
            find(&format!("{ENTERPRISE_USER_SCHEMA}:department")).source,
            "enterprise"
        );
        assert_eq!(find("secodaRole").source, "undeclared");
        assert_eq!(find("meta").mutability, "readOnly");
        assert!(attrs.iter().all(|a| a.path != "id"));
        assert!(
            !attrs.iter().any(|a| a.path == "members"),
            "members are a group's"
        );
    }

    #[test]
    fn groups_get_members_and_no_user_extension() {
        let attrs = patch_attributes("Groups", &SchemaRegistry::builtin(), None);
        assert!(attrs.iter().any(|a| a.path == "members" && a.multi_valued));
        assert!(attrs.iter().all(|a| a.source != "enterprise"));
    }
}
