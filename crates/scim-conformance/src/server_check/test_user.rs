//! The check's test user, built so that strict servers take it: every attribute the server's own
//! User schema requires is filled with a valid value of its type (a required `name.formatted`, say),
//! and the addresses are on `example.com` (RFC 2606: obviously fake, yet a domain validators accept).

use scim_core::names::{get_ci, USER_SCHEMA};
use scim_core::schema::{AttrType, Attribute, Mutability, SchemaRegistry};
use serde_json::{json, Map, Value};

/// A value of `a`'s type that any server should accept for it.
fn sample(a: &Attribute) -> Value {
    match a.attr_type {
        AttrType::String => match a.canonical_values.first() {
            Some(c) => json!(c),
            None if a.name.eq_ignore_ascii_case("formatted") => json!("Check User"),
            None => json!("scimx check"),
        },
        AttrType::Boolean => json!(true),
        AttrType::Integer => json!(1),
        AttrType::Decimal => json!(1.5),
        AttrType::DateTime => json!("2026-01-01T00:00:00Z"),
        AttrType::Reference => json!("https://example.com/scimx-check"),
        AttrType::Binary => json!("AA=="),
        AttrType::Complex => {
            let mut o = Map::new();
            fill(&mut o, &a.sub_attributes);
            Value::Object(o)
        }
    }
}

/// Fills into `o` every required, writable attribute of `attributes` it lacks, and the required
/// sub-attributes of the complex ones it has.
fn fill(o: &mut Map<String, Value>, attributes: &[Attribute]) {
    for a in attributes {
        let writable = !matches!(a.mutability, Mutability::ReadOnly);
        let present = get_ci(o, &a.name).is_some();
        if a.required && writable && !present {
            let value = sample(a);
            let value = if a.multi_valued {
                json!([value])
            } else {
                value
            };
            o.insert(a.name.clone(), value);
        } else if present && a.attr_type == AttrType::Complex && !a.multi_valued {
            if let Some(Value::Object(inner)) = scim_core::names::get_ci_mut(o, &a.name) {
                fill(inner, &a.sub_attributes);
            }
        }
    }
}

/// The test user of the run tagged `tag`, completed from `schemas`.
pub(super) fn test_user(tag: &str, schemas: &SchemaRegistry) -> Value {
    let user_name = format!("{tag}@example.com");
    let mut user = json!({
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "externalId": format!("{tag}-ext"),
        "name": {"givenName": "Check", "familyName": "User"},
        "displayName": "SCIM Explorer check",
        "active": true,
        "emails": [
            {"value": user_name, "type": "work", "primary": true},
            {"value": format!("{tag}.home@example.com"), "type": "home"}
        ]
    });
    if let (Some(schema), Some(o)) = (schemas.schema(USER_SCHEMA), user.as_object_mut()) {
        fill(o, &schema.attributes);
    }
    user
}

/// The optional attributes of `user` that a refusal's text names (`emails`, `name`…), or, when it
/// names none, every optional one: what to leave out on the one retry.
pub(super) fn refused_attributes(
    user: &Value,
    refusal: &str,
    schemas: &SchemaRegistry,
) -> Vec<String> {
    let required = |name: &str| {
        name.eq_ignore_ascii_case("userName")
            || name.eq_ignore_ascii_case("schemas")
            || schemas
                .schema(USER_SCHEMA)
                .and_then(|s| s.attribute(name))
                .is_some_and(|a| a.required)
    };
    let optional: Vec<String> = user
        .as_object()
        .map(|o| o.keys().filter(|k| !required(k)).cloned().collect())
        .unwrap_or_default();
    let text = refusal.to_lowercase();
    // A name as a word of its own: `name` is not named by "userName".
    let names_word = |word: &str| {
        text.match_indices(word).any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric())
        })
    };
    let named: Vec<String> = optional
        .iter()
        .filter(|k| {
            let k = k.to_lowercase();
            // `emails` is named as `email` or `emails[…]` as often as by its name.
            names_word(&k) || names_word(k.trim_end_matches('s'))
        })
        .cloned()
        .collect();
    if named.is_empty() {
        optional
    } else {
        named
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_attributes_of_the_servers_schema_are_filled_with_valid_values() {
        let mut schemas = SchemaRegistry::builtin();
        let mut user_schema = schemas.schema(USER_SCHEMA).cloned().expect("core User");
        for a in &mut user_schema.attributes {
            if a.name == "name" {
                a.required = true;
                for s in &mut a.sub_attributes {
                    if s.name == "formatted" {
                        s.required = true;
                    }
                }
            }
            if a.name == "title" {
                a.required = true;
            }
        }
        schemas.insert(user_schema);
        let user = test_user("scimx-check-t1", &schemas);
        assert_eq!(user["name"]["formatted"], "Check User");
        assert_eq!(user["name"]["givenName"], "Check", "what was there stays");
        assert_eq!(user["title"], "scimx check");
        assert!(user["emails"][0]["value"]
            .as_str()
            .unwrap()
            .ends_with("@example.com"));
        // The built-in schema requires nothing more: nothing is added.
        let plain = test_user("scimx-check-t1", &SchemaRegistry::builtin());
        assert!(plain.get("title").is_none() && plain["name"].get("formatted").is_none());
    }

    #[test]
    fn a_refusal_names_what_to_leave_out_on_the_retry() {
        let schemas = SchemaRegistry::builtin();
        let user = test_user("t", &schemas);
        assert_eq!(
            refused_attributes(
                &user,
                "HTTP 400 [invalidValue] — email t@example.com is not deliverable",
                &schemas
            ),
            vec!["emails".to_owned()]
        );
        let all = refused_attributes(&user, "HTTP 400: bad request", &schemas);
        assert!(all.contains(&"emails".to_owned()) && all.contains(&"name".to_owned()));
        assert!(!all.contains(&"userName".to_owned()) && !all.contains(&"schemas".to_owned()));
        assert_eq!(
            refused_attributes(
                &user,
                "userName must be unique; displayName too long",
                &schemas
            ),
            vec!["displayName".to_owned()],
            "`name` is not named by userName or displayName"
        );
    }
}
