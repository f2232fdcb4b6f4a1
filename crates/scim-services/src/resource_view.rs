//! The formatted view of a resource: the RFC 7643 attributes people look for, grouped into sections
//! (identity, contact, enterprise, status, meta) and read tolerantly from the JSON as the server sent
//! it — names case-insensitive, multi-valued lists with their type and primary shown. The one
//! reading of a user's summary: the detail pane shows it as served.

use serde::Serialize;
use serde_json::Value;
use specta::Type;

use scim_core::names::{get_ci, ENTERPRISE_USER_SCHEMA};

/// One line of the formatted view; an empty label continues the line above (a second email).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SummaryRow {
    pub label: String,
    pub value: String,
    /// Shown in the monospace font (ids, userNames, versions).
    pub mono: bool,
}

/// A titled group of rows; the one section of a group or custom resource has no title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SummarySection {
    pub title: String,
    pub rows: Vec<SummaryRow>,
}

fn get<'a>(o: Option<&'a Value>, name: &str) -> Option<&'a Value> {
    o.and_then(Value::as_object).and_then(|o| get_ci(o, name))
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v @ (Value::Object(_) | Value::Array(_))) => v.to_string(),
        Some(v) => v.to_string(),
    }
}

/// "work@example.com (work, primary)" for each value of a multi-valued attribute.
fn multi(v: Option<&Value>, value_of: impl Fn(&Value) -> String) -> Vec<String> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| {
            if !item.is_object() {
                return text(Some(item));
            }
            let tags: Vec<String> = [
                text(get(Some(item), "type")),
                if get(Some(item), "primary") == Some(&Value::Bool(true)) {
                    "primary".to_owned()
                } else {
                    String::new()
                },
            ]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect();
            let value = value_of(item);
            match (value.is_empty(), tags.is_empty()) {
                (true, _) => String::new(),
                (false, true) => value,
                (false, false) => format!("{value} ({})", tags.join(", ")),
            }
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn value_of(item: &Value) -> String {
    text(get(Some(item), "value"))
}

fn address(a: &Value) -> String {
    let formatted = text(get(Some(a), "formatted"));
    if !formatted.is_empty() {
        return formatted.replace('\n', ", ");
    }
    [
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
    ]
    .iter()
    .map(|k| text(get(Some(a), k)))
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

fn row(label: &str, value: String, mono: bool) -> Vec<SummaryRow> {
    if value.is_empty() {
        return Vec::new();
    }
    vec![SummaryRow {
        label: label.to_owned(),
        value,
        mono,
    }]
}

fn list(label: &str, values: Vec<String>) -> Vec<SummaryRow> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| SummaryRow {
            label: if i == 0 {
                label.to_owned()
            } else {
                String::new()
            },
            value,
            mono: false,
        })
        .collect()
}

/// A user's sections, those with nothing to show left out.
pub fn user_sections(r: &Value) -> Vec<SummarySection> {
    let r = Some(r);
    let name = get(r, "name");
    let ent = get(r, ENTERPRISE_USER_SCHEMA);
    let manager = get(ent, "manager");
    let meta = get(r, "meta");
    let full_name = {
        let formatted = text(get(name, "formatted"));
        if formatted.is_empty() {
            [
                "honorificPrefix",
                "givenName",
                "middleName",
                "familyName",
                "honorificSuffix",
            ]
            .iter()
            .map(|k| text(get(name, k)))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
        } else {
            formatted
        }
    };
    let manager_name = {
        let display = text(get(manager, "displayName"));
        if display.is_empty() {
            text(get(manager, "value"))
        } else {
            display
        }
    };
    let active = get(r, "active").map(|a| {
        vec![SummaryRow {
            label: "active".into(),
            value: if a == &Value::Bool(false) {
                "inactive"
            } else {
                "active"
            }
            .into(),
            mono: false,
        }]
    });
    let sections = [
        (
            "Identity",
            [
                row("userName", text(get(r, "userName")), true),
                row("name", full_name, false),
                row("displayName", text(get(r, "displayName")), false),
                row("nickName", text(get(r, "nickName")), false),
                row("title", text(get(r, "title")), false),
                row("userType", text(get(r, "userType")), false),
                row("language", text(get(r, "preferredLanguage")), false),
                row("locale", text(get(r, "locale")), false),
                row("timezone", text(get(r, "timezone")), false),
            ]
            .concat(),
        ),
        (
            "Contact",
            [
                list("emails", multi(get(r, "emails"), value_of)),
                list("phones", multi(get(r, "phoneNumbers"), value_of)),
                list("addresses", multi(get(r, "addresses"), address)),
                list("ims", multi(get(r, "ims"), value_of)),
            ]
            .concat(),
        ),
        (
            "Enterprise",
            [
                row("employeeNumber", text(get(ent, "employeeNumber")), true),
                row("department", text(get(ent, "department")), false),
                row("division", text(get(ent, "division")), false),
                row("organization", text(get(ent, "organization")), false),
                row("costCenter", text(get(ent, "costCenter")), false),
                row("manager", manager_name, false),
            ]
            .concat(),
        ),
        (
            "Status",
            [
                active.unwrap_or_default(),
                list("entitlements", multi(get(r, "entitlements"), value_of)),
                list("roles", multi(get(r, "roles"), value_of)),
            ]
            .concat(),
        ),
        (
            "Identifiers and meta",
            [
                row("id", text(get(r, "id")), true),
                row("externalId", text(get(r, "externalId")), true),
                row("created", text(get(meta, "created")), false),
                row("lastModified", text(get(meta, "lastModified")), false),
                row("version", text(get(meta, "version")), true),
                row("location", text(get(meta, "location")), true),
            ]
            .concat(),
        ),
    ];
    sections
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(title, rows)| SummarySection {
            title: title.to_owned(),
            rows,
        })
        .collect()
}

/// A group's or a custom resource's few fields, as one untitled section.
pub fn summary_section(r: &Value) -> Vec<SummarySection> {
    let r = Some(r);
    let ent = get(r, ENTERPRISE_USER_SCHEMA);
    let emails = match get(r, "emails") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|e| {
                let t = text(get(Some(e), "type"));
                let v = text(get(Some(e), "value"));
                if t.is_empty() {
                    v
                } else {
                    format!("{v} ({t})")
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    };
    let rows = [
        row("userName", text(get(r, "userName")), false),
        row("displayName", text(get(r, "displayName")), false),
        row("title", text(get(r, "title")), false),
        row("description", text(get(r, "description")), false),
        row("department", text(get(ent, "department")), false),
        row("emails", emails, false),
        row("active", text(get(r, "active")), false),
        row("externalId", text(get(r, "externalId")), true),
        row("id", text(get(r, "id")), true),
        row(
            "lastModified",
            text(get(get(r, "meta"), "lastModified")),
            false,
        ),
    ]
    .concat();
    vec![SummarySection {
        title: String::new(),
        rows,
    }]
}

/// The formatted view of a resource of `endpoint` (`Users`, `Groups`, `Roles`).
pub fn sections(endpoint: &str, r: &Value) -> Vec<SummarySection> {
    if endpoint == "Users" {
        user_sections(r)
    } else {
        summary_section(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Moved from the UI's `userView.test.ts` when the summary moved to Rust (its one home).
    #[test]
    fn groups_the_attributes_people_look_for_tolerant_of_case_and_shape() {
        let sections = user_sections(&json!({
            "UserName": "ana.diaz",
            "name": {"givenName": "Ana", "familyName": "Díaz"},
            "emails": [
                {"value": "ana@home.example", "type": "home"},
                {"value": "ana@work.example", "type": "work", "primary": true}
            ],
            "phoneNumbers": [{"value": "+34 600 000 000", "type": "mobile"}],
            "addresses": [{"streetAddress": "Calle 1", "locality": "Madrid", "country": "ES", "type": "work"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Finance", "manager": {"value": "m1", "displayName": "Bea"}},
            "active": false,
            "meta": {"created": "2024-01-01T00:00:00Z"}
        }));
        let find = |title: &str| -> Vec<String> {
            sections
                .iter()
                .find(|s| s.title == title)
                .map(|s| {
                    s.rows
                        .iter()
                        .map(|r| format!("{}={}", r.label, r.value))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(find("Identity"), ["userName=ana.diaz", "name=Ana Díaz"]);
        assert_eq!(
            find("Contact"),
            [
                "emails=ana@home.example (home)",
                "=ana@work.example (work, primary)",
                "phones=+34 600 000 000 (mobile)",
                "addresses=Calle 1, Madrid, ES (work)"
            ]
        );
        assert_eq!(find("Enterprise"), ["department=Finance", "manager=Bea"]);
        assert_eq!(find("Status"), ["active=inactive"]);
        assert!(sections.iter().all(|s| !s.rows.is_empty()));
        let group = summary_section(&json!({"id": "g1", "displayName": "Admins"}));
        assert_eq!(
            group[0]
                .rows
                .iter()
                .map(|r| (r.label.as_str(), r.mono))
                .collect::<Vec<_>>(),
            [("displayName", false), ("id", true)]
        );
    }
}
