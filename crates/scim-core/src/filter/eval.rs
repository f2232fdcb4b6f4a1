//! Evaluates a filter against a resource locally, the way RFC 7644 §3.4.2.2 says a server should:
//! names case-insensitive, strings compared per `caseExact`, dateTimes as instants, and a multi-valued
//! attribute matching when any of its values does.
//!
//! `ne` is the negation of `eq` (an absent attribute is "not equal"), which is how most servers read it.

use std::cmp::Ordering;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::datetime::parse_datetime;
use crate::names::{get_ci, is_core_schema};
use crate::schema::{core_schema_of, AttrType, Attribute, SchemaRegistry};

/// What the evaluator knows about the attributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions<'a> {
    /// The connection's schemas; the RFC built-ins when `None`.
    pub schemas: Option<&'a SchemaRegistry>,
}

/// A filter that is well-formed but cannot be evaluated (RFC 7644 `invalidFilter`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

fn builtin() -> &'static SchemaRegistry {
    static BUILTIN: OnceLock<SchemaRegistry> = OnceLock::new();
    BUILTIN.get_or_init(SchemaRegistry::builtin)
}

/// True when `resource` matches `filter`.
pub fn evaluate(
    filter: &Filter,
    resource: &Value,
    options: &EvalOptions<'_>,
) -> Result<bool, EvalError> {
    let Some(obj) = resource.as_object() else {
        return Ok(false);
    };
    let schemas: &SchemaRegistry = match options.schemas {
        Some(s) => s,
        None => builtin(),
    };
    let ctx = Ctx {
        schemas,
        core: core_schema_of(resource),
    };
    ctx.eval(filter, obj, None)
}

/// True when one value of a multi-valued attribute (`element`, inside `parent[…]`) matches `filter`.
/// PATCH uses this to find the records a valuePath selects.
pub(crate) fn matches_element(
    filter: &Filter,
    element: &Map<String, Value>,
    parent: &AttrPath,
    core: Option<&str>,
    schemas: Option<&SchemaRegistry>,
) -> Result<bool, EvalError> {
    let ctx = Ctx {
        schemas: match schemas {
            Some(s) => s,
            None => builtin(),
        },
        core,
    };
    ctx.eval(filter, element, Some(parent))
}

pub(crate) fn builtin_schemas() -> &'static SchemaRegistry {
    builtin()
}

struct Ctx<'s, 'r> {
    schemas: &'s SchemaRegistry,
    core: Option<&'r str>,
}

impl Ctx<'_, '_> {
    fn eval(
        &self,
        filter: &Filter,
        obj: &Map<String, Value>,
        parent: Option<&AttrPath>,
    ) -> Result<bool, EvalError> {
        match filter {
            Filter::And { left, right } => {
                Ok(self.eval(left, obj, parent)? && self.eval(right, obj, parent)?)
            }
            Filter::Or { left, right } => {
                Ok(self.eval(left, obj, parent)? || self.eval(right, obj, parent)?)
            }
            Filter::Not { filter } => Ok(!self.eval(filter, obj, parent)?),
            Filter::Present { attr } => Ok(values_at(obj, attr).iter().any(|v| is_present(v))),
            Filter::Compare { attr, op, value } => {
                let def = self.definition(attr, parent);
                let values = values_at(obj, attr);
                check_operator(attr, *op, value, def)?;
                let any_eq = |op| -> Result<bool, EvalError> {
                    for v in &values {
                        if compare(v, op, value, def) {
                            return Ok(true);
                        }
                    }
                    Ok(false)
                };
                match (op, value) {
                    (CompareOp::Eq, CompValue::Null) => Ok(!values.iter().any(|v| is_present(v))),
                    (CompareOp::Ne, CompValue::Null) => Ok(values.iter().any(|v| is_present(v))),
                    (CompareOp::Ne, _) => Ok(!any_eq(CompareOp::Eq)?),
                    (op, _) => any_eq(*op),
                }
            }
            Filter::ValuePath { attr, filter } => {
                let container = container_for(obj, attr);
                let Some(found) = container.and_then(|c| get_ci(c, &attr.name)) else {
                    return Ok(false);
                };
                let elements: Vec<&Map<String, Value>> = match found {
                    Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
                    Value::Object(o) => vec![o],
                    _ => Vec::new(),
                };
                for element in elements {
                    if self.eval(filter, element, Some(attr))? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    /// The schema definition of `attr`; inside `parent[…]`, names are parent's sub-attributes.
    fn definition(&self, attr: &AttrPath, parent: Option<&AttrPath>) -> Option<&Attribute> {
        match parent {
            Some(p) => {
                let path = AttrPath {
                    urn: p.urn.clone(),
                    name: p.name.clone(),
                    sub: Some(attr.name.clone()),
                    span: attr.span,
                };
                self.schemas.attribute(self.core, &path)
            }
            None => self.schemas.attribute(self.core, attr),
        }
    }
}

/// The object holding `attr`: the resource itself, or the extension block named by its URN.
fn container_for<'a>(
    obj: &'a Map<String, Value>,
    attr: &AttrPath,
) -> Option<&'a Map<String, Value>> {
    match &attr.urn {
        Some(urn) if !is_core_schema(urn) => get_ci(obj, urn).and_then(Value::as_object),
        _ => Some(obj),
    }
}

/// Every value `attr` denotes, flattened: multi-valued attributes give each value, and complex values
/// of a multi-valued attribute compare by their `value` sub-attribute (RFC 7644 §3.4.2.2).
pub fn values_at<'a>(obj: &'a Map<String, Value>, attr: &AttrPath) -> Vec<&'a Value> {
    let Some(found) = container_for(obj, attr).and_then(|c| get_ci(c, &attr.name)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match (&attr.sub, found) {
        (Some(sub), Value::Array(items)) => {
            for item in items {
                if let Some(v) = item.as_object().and_then(|o| get_ci(o, sub)) {
                    push_flat(&mut out, v);
                }
            }
        }
        (Some(sub), Value::Object(o)) => {
            if let Some(v) = get_ci(o, sub) {
                push_flat(&mut out, v);
            }
        }
        (Some(_), _) => {}
        (None, Value::Array(items)) => {
            for item in items {
                match item {
                    Value::Object(o) => {
                        if let Some(v) = get_ci(o, "value") {
                            out.push(v);
                        }
                    }
                    other => out.push(other),
                }
            }
        }
        (None, other) => out.push(other),
    }
    out
}

fn push_flat<'a>(out: &mut Vec<&'a Value>, v: &'a Value) {
    match v {
        Value::Array(items) => out.extend(items.iter()),
        other => out.push(other),
    }
}

fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(is_present),
        Value::Object(o) => o.values().any(is_present),
        _ => true,
    }
}

/// Rejects what RFC 7644 calls an invalid filter: ordering on booleans or binary, substrings on
/// non-strings.
fn check_operator(
    attr: &AttrPath,
    op: CompareOp,
    value: &CompValue,
    def: Option<&Attribute>,
) -> Result<(), EvalError> {
    let attr_type = def.map(|d| d.attr_type);
    if op.is_ordering() {
        if matches!(value, CompValue::Bool(_)) || attr_type == Some(AttrType::Boolean) {
            return Err(EvalError(format!(
                "`{}` cannot order booleans (`{attr}`)",
                op.as_str()
            )));
        }
        if attr_type == Some(AttrType::Binary) {
            return Err(EvalError(format!(
                "`{}` cannot order binary values (`{attr}`)",
                op.as_str()
            )));
        }
        if matches!(value, CompValue::Null) {
            return Err(EvalError(format!(
                "`{}` cannot compare with null (`{attr}`)",
                op.as_str()
            )));
        }
    }
    if op.is_substring() && !matches!(value, CompValue::String(_)) {
        return Err(EvalError(format!(
            "`{}` needs a string value (`{attr}`)",
            op.as_str()
        )));
    }
    Ok(())
}

fn compare(actual: &Value, op: CompareOp, expected: &CompValue, def: Option<&Attribute>) -> bool {
    match expected {
        CompValue::Null => false,
        CompValue::Bool(b) => match actual {
            Value::Bool(a) => op == CompareOp::Eq && a == b,
            // Tolerate booleans stored as strings ("True"), as Entra and OneLogin send them.
            Value::String(s)
                if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
            {
                op == CompareOp::Eq && s.eq_ignore_ascii_case("true") == *b
            }
            _ => false,
        },
        CompValue::Number(n) => {
            let Some(expected) = n.as_f64() else {
                return false;
            };
            let actual = match actual {
                Value::Number(a) => a.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            actual
                .and_then(|a| a.partial_cmp(&expected))
                .is_some_and(|ord| ordering_matches(op, ord))
        }
        CompValue::String(expected) => {
            let actual_text;
            let actual: &str = match actual {
                Value::String(s) => s,
                Value::Number(n) => {
                    actual_text = n.to_string();
                    &actual_text
                }
                Value::Bool(b) => {
                    actual_text = b.to_string();
                    &actual_text
                }
                _ => return false,
            };
            let is_datetime = def.map(|d| d.attr_type == AttrType::DateTime);
            if is_datetime != Some(false) && !op.is_substring() {
                if let (Some(a), Some(e)) = (parse_datetime(actual), parse_datetime(expected)) {
                    return ordering_matches(op, a.cmp(&e));
                }
            }
            let case_exact = def.is_some_and(|d| d.case_exact);
            compare_text(actual, op, expected, case_exact)
        }
    }
}

fn compare_text(actual: &str, op: CompareOp, expected: &str, case_exact: bool) -> bool {
    let (a, e) = if case_exact {
        (
            std::borrow::Cow::Borrowed(actual),
            std::borrow::Cow::Borrowed(expected),
        )
    } else {
        (actual.to_lowercase().into(), expected.to_lowercase().into())
    };
    match op {
        CompareOp::Co => a.contains(e.as_ref()),
        CompareOp::Sw => a.starts_with(e.as_ref()),
        CompareOp::Ew => a.ends_with(e.as_ref()),
        _ => ordering_matches(op, a.cmp(&e)),
    }
}

fn ordering_matches(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}
