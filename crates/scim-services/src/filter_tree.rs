//! The visual filter builder's model: a filter as an editable tree (n-ary and/or groups that may be
//! negated, conditions, value paths) converted to and from the text the core parser reads, so the
//! builder and the text editor always show the same filter. Also the attributes the builder offers,
//! from the connection's schemas.

use serde::{Deserialize, Serialize};
use specta::Type;

use scim_core::filter::{parse_filter, AttrPath, CompValue, CompareOp, Filter};
use scim_core::names::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
use scim_core::schema::{AttrType, Attribute, Returned, SchemaRegistry};

use crate::error::AppError;
use crate::filter_check::{check_filter, FilterCheck};

/// How a group joins its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Join {
    And,
    Or,
}

/// A typed comparison value as the builder edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "type", content = "text", rename_all = "camelCase")]
pub enum ValueInput {
    String(String),
    /// Kept as typed; checked to be a JSON number.
    Number(String),
    Boolean(bool),
    Null,
}

/// One node of the builder's tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FilterNode {
    Group {
        join: Join,
        negate: bool,
        children: Vec<FilterNode>,
    },
    /// `path op value`, or `path pr` when `op` is `pr` (no value).
    Condition {
        path: String,
        op: String,
        value: Option<ValueInput>,
    },
    /// `path[filter]`: some value of a multi-valued attribute matches the inner filter.
    ValuePath {
        path: String,
        filter: Box<FilterNode>,
    },
}

fn value_input(v: &CompValue) -> ValueInput {
    match v {
        CompValue::Null => ValueInput::Null,
        CompValue::Bool(b) => ValueInput::Boolean(*b),
        CompValue::Number(n) => ValueInput::Number(n.to_string()),
        CompValue::String(s) => ValueInput::String(s.clone()),
    }
}

fn flatten(f: &Filter, join: Join, out: &mut Vec<FilterNode>) {
    match (f, join) {
        (Filter::And { left, right }, Join::And) | (Filter::Or { left, right }, Join::Or) => {
            flatten(left, join, out);
            flatten(right, join, out);
        }
        _ => out.push(node(f)),
    }
}

fn node(f: &Filter) -> FilterNode {
    match f {
        Filter::Present { attr } => FilterNode::Condition {
            path: attr.to_string(),
            op: "pr".into(),
            value: None,
        },
        Filter::Compare { attr, op, value } => FilterNode::Condition {
            path: attr.to_string(),
            op: op.as_str().into(),
            value: Some(value_input(value)),
        },
        Filter::And { .. } => {
            let mut children = Vec::new();
            flatten(f, Join::And, &mut children);
            FilterNode::Group {
                join: Join::And,
                negate: false,
                children,
            }
        }
        Filter::Or { .. } => {
            let mut children = Vec::new();
            flatten(f, Join::Or, &mut children);
            FilterNode::Group {
                join: Join::Or,
                negate: false,
                children,
            }
        }
        Filter::Not { filter } => match node(filter) {
            FilterNode::Group {
                join,
                negate,
                children,
            } => FilterNode::Group {
                join,
                negate: !negate,
                children,
            },
            other => FilterNode::Group {
                join: Join::And,
                negate: true,
                children: vec![other],
            },
        },
        Filter::ValuePath { attr, filter } => FilterNode::ValuePath {
            path: attr.to_string(),
            filter: Box::new(root(node(filter))),
        },
    }
}

/// The builder always edits a group at the top.
fn root(n: FilterNode) -> FilterNode {
    match n {
        g @ FilterNode::Group { .. } => g,
        other => FilterNode::Group {
            join: Join::And,
            negate: false,
            children: vec![other],
        },
    }
}

/// A filter text as the visual builder's tree, or why it cannot be one.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TreeResult {
    pub tree: Option<FilterNode>,
    pub check: FilterCheck,
}

/// What the builder shows for `text`: its tree and the parser's verdict, or the verdict alone.
pub fn tree_result(text: &str) -> TreeResult {
    match to_tree(text) {
        Ok(tree) => TreeResult {
            tree: Some(tree),
            check: check_filter(text),
        },
        Err(check) => TreeResult { tree: None, check },
    }
}

/// The tree of a filter text; an empty text is an empty group. Invalid text gives the parser's
/// verdict (message and span) so the text editor can show it.
pub fn to_tree(text: &str) -> Result<FilterNode, FilterCheck> {
    if text.trim().is_empty() {
        return Ok(FilterNode::Group {
            join: Join::And,
            negate: false,
            children: Vec::new(),
        });
    }
    parse_filter(text)
        .map(|f| root(node(&f)))
        .map_err(|_| check_filter(text))
}

fn attr_path(path: &str) -> Result<AttrPath, AppError> {
    match parse_filter(&format!("{path} pr")) {
        Ok(Filter::Present { attr }) => Ok(attr),
        _ => Err(AppError::invalid_input(format!(
            "\"{path}\" is not an attribute path."
        ))),
    }
}

fn comp_value(v: &ValueInput) -> Result<CompValue, AppError> {
    Ok(match v {
        ValueInput::String(s) => CompValue::String(s.clone()),
        ValueInput::Boolean(b) => CompValue::Bool(*b),
        ValueInput::Null => CompValue::Null,
        ValueInput::Number(n) => match serde_json::from_str::<serde_json::Value>(n.trim()) {
            Ok(serde_json::Value::Number(num)) => CompValue::Number(num),
            _ => return Err(AppError::invalid_input(format!("\"{n}\" is not a number."))),
        },
    })
}

/// The core filter of a node; `None` for an empty group (no condition yet).
fn filter_of(n: &FilterNode) -> Result<Option<Filter>, AppError> {
    Ok(match n {
        FilterNode::Condition { path, op, value } => {
            if path.trim().is_empty() {
                return Err(AppError::invalid_input(
                    "Pick an attribute for every condition.",
                ));
            }
            let attr = attr_path(path.trim())?;
            if op == "pr" {
                Some(Filter::Present { attr })
            } else {
                let op = CompareOp::parse(op).ok_or_else(|| {
                    AppError::invalid_input(format!("\"{op}\" is not a filter operator."))
                })?;
                let value = value.as_ref().ok_or_else(|| {
                    AppError::invalid_input(format!("Give {path} a value to compare with."))
                })?;
                Some(Filter::Compare {
                    attr,
                    op,
                    value: comp_value(value)?,
                })
            }
        }
        FilterNode::Group {
            join,
            negate,
            children,
        } => {
            let mut parts = Vec::new();
            for c in children {
                if let Some(f) = filter_of(c)? {
                    parts.push(f);
                }
            }
            let mut iter = parts.into_iter();
            let Some(first) = iter.next() else {
                return Ok(None);
            };
            let joined = iter.fold(first, |acc, f| match join {
                Join::And => acc.and(f),
                Join::Or => acc.or(f),
            });
            Some(if *negate { joined.not() } else { joined })
        }
        FilterNode::ValuePath { path, filter } => {
            let attr = attr_path(path.trim())?;
            match filter_of(filter)? {
                Some(inner) => Some(Filter::ValuePath {
                    attr,
                    filter: Box::new(inner),
                }),
                None => {
                    return Err(AppError::invalid_input(format!(
                        "Add a condition inside {path}[…]."
                    )))
                }
            }
        }
    })
}

/// The canonical text of a tree (empty for an empty tree). The text is parsed back as a check, so
/// what the builder produces is always what the text editor accepts.
pub fn to_text(n: &FilterNode) -> Result<String, AppError> {
    let Some(f) = filter_of(n)? else {
        return Ok(String::new());
    };
    let text = f.to_string();
    parse_filter(&text).map_err(|e| {
        AppError::internal(format!(
            "the builder produced a filter the parser refuses ({e}): {text}"
        ))
    })?;
    Ok(text)
}

/// An attribute the builder's picker offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FilterAttribute {
    /// The path as the filter writes it (`emails.type`, `urn:…:User:department`).
    pub path: String,
    pub label: String,
    /// `string`, `boolean`, `dateTime`, `decimal`, `integer`, `reference`, `binary` or `complex`.
    pub attr_type: String,
    pub multi_valued: bool,
    pub canonical_values: Vec<String>,
    /// `core`, `enterprise`, `extension` or `undeclared`.
    pub source: String,
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

fn push(out: &mut Vec<FilterAttribute>, a: &Attribute, prefix: &str, source: &str) {
    if a.returned == Returned::Never {
        return;
    }
    let path = format!("{prefix}{}", a.name);
    let label = a.name.clone();
    if a.attr_type == AttrType::Complex {
        if a.multi_valued {
            // `emails` compares by its `value`; the sub-attributes are offered too.
            out.push(FilterAttribute {
                path: path.clone(),
                label: label.clone(),
                attr_type: "string".into(),
                multi_valued: true,
                canonical_values: Vec::new(),
                source: source.into(),
            });
        }
        for sub in &a.sub_attributes {
            if sub.returned == Returned::Never || sub.attr_type == AttrType::Complex {
                continue;
            }
            out.push(FilterAttribute {
                path: format!("{path}.{}", sub.name),
                label: format!("{label}.{}", sub.name),
                attr_type: type_name(sub.attr_type).into(),
                multi_valued: a.multi_valued,
                canonical_values: sub.canonical_values.clone(),
                source: source.into(),
            });
        }
    } else {
        out.push(FilterAttribute {
            path,
            label,
            attr_type: type_name(a.attr_type).into(),
            multi_valued: a.multi_valued,
            canonical_values: a.canonical_values.clone(),
            source: source.into(),
        });
    }
}

/// The attributes of `kind` (`Users`/`Groups`) a filter can name: the core schema's, the common
/// ones (id, externalId, meta dates), extensions (URN-qualified), and `undeclared` names seen in data.
pub fn attributes(
    kind: &str,
    schemas: &SchemaRegistry,
    undeclared: &[String],
) -> Vec<FilterAttribute> {
    let users = kind.eq_ignore_ascii_case("Users");
    let core = if users { USER_SCHEMA } else { GROUP_SCHEMA };
    let mut out = Vec::new();
    let common = |path: &str, t: &str| FilterAttribute {
        path: path.into(),
        label: path.into(),
        attr_type: t.into(),
        multi_valued: false,
        canonical_values: Vec::new(),
        source: "core".into(),
    };
    if let Some(s) = schemas.schema(core) {
        for a in &s.attributes {
            push(&mut out, a, "", "core");
        }
    }
    for (p, t) in [
        ("id", "string"),
        ("externalId", "string"),
        ("meta.created", "dateTime"),
        ("meta.lastModified", "dateTime"),
        ("meta.resourceType", "string"),
    ] {
        if !out.iter().any(|a| a.path.eq_ignore_ascii_case(p)) {
            out.push(common(p, t));
        }
    }
    for s in &schemas.schemas {
        let is_core =
            s.id.eq_ignore_ascii_case(USER_SCHEMA) || s.id.eq_ignore_ascii_case(GROUP_SCHEMA);
        let enterprise = s.id.eq_ignore_ascii_case(ENTERPRISE_USER_SCHEMA);
        if is_core || (enterprise && !users) || !s.id.starts_with("urn:") {
            continue;
        }
        // Extensions of the other resource type are not offered (a Group has no enterprise data).
        let source = if enterprise {
            "enterprise"
        } else {
            "extension"
        };
        if !enterprise && !s.id.contains(":extension:") {
            continue;
        }
        for a in &s.attributes {
            push(&mut out, a, &format!("{}:", s.id), source);
        }
    }
    for name in undeclared {
        if !out.iter().any(|a| a.path.eq_ignore_ascii_case(name)) {
            out.push(FilterAttribute {
                path: name.clone(),
                label: name.clone(),
                attr_type: "string".into(),
                multi_valued: false,
                canonical_values: Vec::new(),
                source: "undeclared".into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let tree = to_tree(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        to_text(&tree).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    #[test]
    fn filters_round_trip_through_the_tree() {
        for text in [
            r#"userName sw "ana""#,
            r#"userName sw "ana" and active eq true"#,
            r#"title pr or (emails[type eq "work" and value ew "@example.com"] and not (active eq false))"#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Finance""#,
            r#"meta.lastModified gt "2024-01-01T00:00:00Z" and x.y eq null and n ge 1.5"#,
        ] {
            let once = round_trip(text);
            // Canonical text is a fixed point, and means what the original meant.
            assert_eq!(round_trip(&once), once);
            assert_eq!(
                parse_filter(&once).expect("parses"),
                parse_filter(text).expect("parses"),
                "{text} -> {once}"
            );
        }
    }

    #[test]
    fn and_chains_become_one_group_and_not_marks_the_group() {
        let tree = to_tree(r#"a eq 1 and b eq 2 and not (c eq 3 or d pr)"#).expect("tree");
        let FilterNode::Group {
            join,
            negate,
            children,
        } = tree
        else {
            panic!("a group")
        };
        assert_eq!((join, negate, children.len()), (Join::And, false, 3));
        assert!(matches!(
            &children[2],
            FilterNode::Group { join: Join::Or, negate: true, children } if children.len() == 2
        ));
    }

    #[test]
    fn incomplete_trees_are_explained() {
        let empty = FilterNode::Group {
            join: Join::Or,
            negate: false,
            children: vec![],
        };
        assert_eq!(to_text(&empty).expect("empty"), "");
        let no_value = FilterNode::Condition {
            path: "userName".into(),
            op: "eq".into(),
            value: None,
        };
        assert!(to_text(&no_value)
            .expect_err("value")
            .message
            .contains("value"));
        let bad_number = FilterNode::Condition {
            path: "n".into(),
            op: "gt".into(),
            value: Some(ValueInput::Number("12abc".into())),
        };
        assert!(to_text(&bad_number)
            .expect_err("number")
            .message
            .contains("not a number"));
        let quote = FilterNode::Condition {
            path: "displayName".into(),
            op: "eq".into(),
            value: Some(ValueInput::String(r#"Say "hi""#.into())),
        };
        assert_eq!(
            to_text(&quote).expect("escaped"),
            r#"displayName eq "Say \"hi\"""#
        );
        assert!(to_tree("userName equals 1").is_err());
    }

    #[test]
    fn the_picker_offers_sub_attributes_extensions_and_canonical_values() {
        let attrs = attributes("Users", &SchemaRegistry::builtin(), &["secodaRole".into()]);
        let find = |p: &str| attrs.iter().find(|a| a.path == p);
        assert!(find("emails").is_some_and(|a| a.multi_valued));
        assert!(find("emails.type").is_some_and(|a| a.canonical_values.iter().any(|v| v == "work")));
        assert_eq!(
            find("active").map(|a| a.attr_type.as_str()),
            Some("boolean")
        );
        assert_eq!(
            find("meta.created").map(|a| a.attr_type.as_str()),
            Some("dateTime")
        );
        assert!(
            find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").is_some()
        );
        assert!(find("password").is_none());
        assert_eq!(
            find("secodaRole").map(|a| a.source.as_str()),
            Some("undeclared")
        );
        let groups = attributes("Groups", &SchemaRegistry::builtin(), &[]);
        assert!(groups.iter().all(|a| !a.path.contains("enterprise")));
        assert!(groups.iter().any(|a| a.path == "members.value"));
    }
}
