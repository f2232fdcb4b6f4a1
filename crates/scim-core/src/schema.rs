//! Schemas and attribute characteristics (RFC 7643 §2.2, §7): what the UI builders offer, how filters
//! compare values (caseExact, type) and what PATCH may change (mutability).
//!
//! Read tolerantly: servers omit characteristics (the RFC defaults apply), spell booleans as strings,
//! or invent types; each oddity becomes a [`Warning`].

use serde::Serialize;
use serde_json::Value;

use crate::filter::AttrPath;
use crate::names::{get_ci, is_core_schema, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
use crate::warning::{Tolerant, Warning};

/// RFC 7643 §2.3 data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Reference,
    Complex,
    Binary,
}

impl AttrType {
    fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "string" => Self::String,
            "boolean" => Self::Boolean,
            "decimal" => Self::Decimal,
            "integer" => Self::Integer,
            "datetime" => Self::DateTime,
            "reference" => Self::Reference,
            "complex" => Self::Complex,
            "binary" => Self::Binary,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

/// One attribute definition with its characteristics (RFC 7643 §7).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    pub name: String,
    #[serde(rename = "type")]
    pub attr_type: AttrType,
    pub multi_valued: bool,
    pub description: Option<String>,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub canonical_values: Vec<String>,
    pub reference_types: Vec<String>,
    pub sub_attributes: Vec<Attribute>,
}

impl Attribute {
    /// The sub-attribute `name`, matched case-insensitively.
    pub fn sub_attribute(&self, name: &str) -> Option<&Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// A schema: its URN and attributes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub attributes: Vec<Attribute>,
}

impl Schema {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Reads a schema as a server sent it (`/Schemas` entry).
    pub fn from_json(value: &Value) -> Result<Tolerant<Schema>, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "a schema must be a JSON object".to_owned())?;
        let id = get_ci(obj, "id")
            .and_then(Value::as_str)
            .ok_or_else(|| "a schema has no `id`".to_owned())?
            .to_owned();
        let mut warnings = Vec::new();
        let attributes = match get_ci(obj, "attributes") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|a| read_attribute(a, &id, &mut warnings))
                .collect(),
            None | Some(Value::Null) => {
                warnings.push(Warning::new(
                    "schema.noAttributes",
                    format!("schema {id} lists no attributes"),
                ));
                Vec::new()
            }
            Some(_) => {
                warnings.push(Warning::new(
                    "schema.attributesNotArray",
                    format!("schema {id}: `attributes` is not an array and was ignored"),
                ));
                Vec::new()
            }
        };
        Ok(Tolerant {
            value: Schema {
                name: get_ci(obj, "name")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                description: get_ci(obj, "description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                id,
                attributes,
            },
            warnings,
        })
    }
}

fn read_bool(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    default: bool,
    ctx: &str,
    warnings: &mut Vec<Warning>,
) -> bool {
    match get_ci(obj, key) {
        None | Some(Value::Null) => default,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s))
            if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
        {
            warnings.push(Warning::new(
                "schema.booleanAsString",
                format!("{ctx}: `{key}` is the string \"{s}\", read as a boolean"),
            ));
            s.eq_ignore_ascii_case("true")
        }
        Some(other) => {
            warnings.push(Warning::new(
                "schema.badCharacteristic",
                format!("{ctx}: `{key}` is {other}, not a boolean; used the default {default}"),
            ));
            default
        }
    }
}

fn read_enum<T: Copy>(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    default: T,
    parse: fn(&str) -> Option<T>,
    ctx: &str,
    warnings: &mut Vec<Warning>,
) -> T {
    match get_ci(obj, key) {
        None | Some(Value::Null) => default,
        Some(Value::String(s)) => parse(s).unwrap_or_else(|| {
            warnings.push(Warning::new(
                "schema.badCharacteristic",
                format!("{ctx}: unknown {key} \"{s}\"; used the RFC default"),
            ));
            default
        }),
        Some(other) => {
            warnings.push(Warning::new(
                "schema.badCharacteristic",
                format!("{ctx}: `{key}` is {other}; used the RFC default"),
            ));
            default
        }
    }
}

fn read_strings(obj: &serde_json::Map<String, Value>, key: &str) -> Vec<String> {
    match get_ci(obj, key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn read_attribute(value: &Value, parent: &str, warnings: &mut Vec<Warning>) -> Option<Attribute> {
    let Some(obj) = value.as_object() else {
        warnings.push(Warning::new(
            "schema.badAttribute",
            format!("{parent}: an attribute definition is not an object and was skipped"),
        ));
        return None;
    };
    let Some(name) = get_ci(obj, "name").and_then(Value::as_str) else {
        warnings.push(Warning::new(
            "schema.badAttribute",
            format!("{parent}: an attribute definition has no name and was skipped"),
        ));
        return None;
    };
    let ctx = format!("{parent}:{name}");
    let attr_type = read_enum(
        obj,
        "type",
        AttrType::String,
        AttrType::parse,
        &ctx,
        warnings,
    );
    let sub_attributes: Vec<Attribute> = match get_ci(obj, "subAttributes") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|a| read_attribute(a, &ctx, warnings))
            .collect(),
        _ => Vec::new(),
    };
    Some(Attribute {
        name: name.to_owned(),
        attr_type,
        multi_valued: read_bool(obj, "multiValued", false, &ctx, warnings),
        description: get_ci(obj, "description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        required: read_bool(obj, "required", false, &ctx, warnings),
        case_exact: read_bool(obj, "caseExact", false, &ctx, warnings),
        mutability: read_enum(
            obj,
            "mutability",
            Mutability::ReadWrite,
            |s| match s.to_ascii_lowercase().as_str() {
                "readonly" => Some(Mutability::ReadOnly),
                "readwrite" => Some(Mutability::ReadWrite),
                "immutable" => Some(Mutability::Immutable),
                "writeonly" => Some(Mutability::WriteOnly),
                _ => None,
            },
            &ctx,
            warnings,
        ),
        returned: read_enum(
            obj,
            "returned",
            Returned::Default,
            |s| match s.to_ascii_lowercase().as_str() {
                "always" => Some(Returned::Always),
                "never" => Some(Returned::Never),
                "default" => Some(Returned::Default),
                "request" => Some(Returned::Request),
                _ => None,
            },
            &ctx,
            warnings,
        ),
        uniqueness: read_enum(
            obj,
            "uniqueness",
            Uniqueness::None,
            |s| match s.to_ascii_lowercase().as_str() {
                "none" => Some(Uniqueness::None),
                "server" => Some(Uniqueness::Server),
                "global" => Some(Uniqueness::Global),
                _ => None,
            },
            &ctx,
            warnings,
        ),
        canonical_values: read_strings(obj, "canonicalValues"),
        reference_types: read_strings(obj, "referenceTypes"),
        sub_attributes,
    })
}

/// RFC 7643 §8.7.1 User, Group and EnterpriseUser schemas as `/Schemas` would serve them.
pub const BUILTIN_SCHEMAS_JSON: &str = include_str!("builtin_schemas.json");

/// The schemas known for a connection; starts with the RFC 7643 §8.7.1 core and enterprise schemas,
/// replaced by what the server's `/Schemas` declares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaRegistry {
    pub schemas: Vec<Schema>,
}

impl SchemaRegistry {
    /// User, Group and EnterpriseUser as RFC 7643 §8.7.1 defines them.
    pub fn builtin() -> Self {
        let value: Value =
            serde_json::from_str(BUILTIN_SCHEMAS_JSON).unwrap_or(Value::Array(Vec::new()));
        let schemas = value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|s| Schema::from_json(s).ok().map(|t| t.value))
                    .collect()
            })
            .unwrap_or_default();
        Self { schemas }
    }

    pub fn schema(&self, urn: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Adds or replaces a schema (server-declared schemas win over the built-in ones).
    pub fn insert(&mut self, schema: Schema) {
        match self
            .schemas
            .iter_mut()
            .find(|s| s.id.eq_ignore_ascii_case(&schema.id))
        {
            Some(existing) => *existing = schema,
            None => self.schemas.push(schema),
        }
    }

    /// The definition of `path` (attribute or sub-attribute) for a resource whose core schema is
    /// `core_schema` (User or Group). Without a core schema, User then Group are tried.
    pub fn attribute(&self, core_schema: Option<&str>, path: &AttrPath) -> Option<&Attribute> {
        let top = match &path.urn {
            Some(urn) => self.schema(urn)?.attribute(&path.name)?,
            None => {
                let candidates: Vec<&str> = match core_schema {
                    Some(s) => vec![s],
                    None => vec![USER_SCHEMA, GROUP_SCHEMA],
                };
                candidates
                    .into_iter()
                    .find_map(|urn| self.schema(urn)?.attribute(&path.name))?
            }
        };
        match &path.sub {
            Some(sub) => top.sub_attribute(sub),
            None => Some(top),
        }
    }
}

/// The core schema of a resource from its `schemas` list, e.g. the User schema.
pub fn core_schema_of(resource: &Value) -> Option<&str> {
    let schemas = resource
        .as_object()
        .and_then(|o| get_ci(o, "schemas"))?
        .as_array()?;
    schemas
        .iter()
        .filter_map(Value::as_str)
        .find(|s| is_core_schema(s))
}

/// True when `urn` is the RFC enterprise extension.
pub fn is_enterprise(urn: &str) -> bool {
    urn.eq_ignore_ascii_case(ENTERPRISE_USER_SCHEMA)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtin_schemas_know_the_core_attributes() {
        let reg = SchemaRegistry::builtin();
        let user_name = reg
            .attribute(Some(USER_SCHEMA), &AttrPath::new("USERNAME"))
            .expect("userName");
        assert_eq!(user_name.uniqueness, Uniqueness::Server);
        assert!(!user_name.case_exact);
        let id = reg
            .attribute(Some(USER_SCHEMA), &AttrPath::new("id"))
            .expect("id");
        assert_eq!(id.mutability, Mutability::ReadOnly);
        assert!(id.case_exact);
        let value = reg
            .attribute(
                Some(GROUP_SCHEMA),
                &AttrPath::new("members").with_sub("value"),
            )
            .expect("members.value");
        assert_eq!(value.mutability, Mutability::Immutable);
        let dept = reg
            .attribute(
                None,
                &AttrPath::new("department").with_urn(ENTERPRISE_USER_SCHEMA),
            )
            .expect("department");
        assert_eq!(dept.attr_type, AttrType::String);
    }

    #[test]
    fn missing_characteristics_take_the_rfc_defaults() {
        let s = Schema::from_json(&json!({"id": "urn:x", "attributes": [{"name": "a"}]}))
            .expect("schema");
        let a = &s.value.attributes[0];
        assert_eq!(a.attr_type, AttrType::String);
        assert_eq!(a.mutability, Mutability::ReadWrite);
        assert_eq!(a.returned, Returned::Default);
        assert!(!a.multi_valued && !a.required && !a.case_exact);
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn booleans_as_strings_are_read_with_a_warning() {
        let s = Schema::from_json(
            &json!({"id": "urn:x", "attributes": [{"name": "a", "multiValued": "true"}]}),
        )
        .expect("schema");
        assert!(s.value.attributes[0].multi_valued);
        assert_eq!(s.warnings[0].code, "schema.booleanAsString");
    }
}
