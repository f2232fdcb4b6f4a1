//! Attribute-level diff of two resources, expressed as the PatchOp that turns the first into the second:
//! `apply(a, diff(a, b)) == b` (property-tested). Multi-valued attributes are matched by `value`;
//! `members` and `groups` are sets, so their order is not a change.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::filter::CompValue;
use crate::names::{find_key, get_ci, is_attr_name, is_urn};
use crate::patch::{OpKind, PatchOp, PatchOperation};
use crate::schema::{core_schema_of, Mutability, SchemaRegistry};
use crate::warning::{Tolerant, Warning};

/// What to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiffOptions<'a> {
    /// Also produce operations for read-only attributes (`id`, `meta`, `groups`). Off for patches meant
    /// for a server, which would refuse them; on for undo and for the round-trip law.
    pub include_read_only: bool,
    pub schemas: Option<&'a SchemaRegistry>,
}

/// Attributes whose values are a set: order carries no meaning.
fn is_set_attribute(name: &str) -> bool {
    name.eq_ignore_ascii_case("members") || name.eq_ignore_ascii_case("groups")
}

/// The patch that turns `a` into `b`, and warnings for differences no PATCH path can express.
pub fn diff_resources(a: &Value, b: &Value, options: &DiffOptions<'_>) -> Tolerant<PatchOp> {
    let mut d = Differ {
        ops: Vec::new(),
        warnings: Vec::new(),
        options,
        core: core_schema_of(b)
            .or_else(|| core_schema_of(a))
            .map(str::to_owned),
    };
    let empty = Map::new();
    let (ao, bo) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let mut schemas_change = None;
    for (key, va, vb) in paired_keys(ao, bo) {
        if key.eq_ignore_ascii_case("schemas") {
            if va != vb {
                schemas_change = Some((key, vb.cloned()));
            }
            continue;
        }
        if !options.include_read_only && d.is_read_only(&key) {
            continue;
        }
        if is_urn(&key) && (va.is_some_and(Value::is_object) || vb.is_some_and(Value::is_object)) {
            d.extension(&key, va, vb);
        } else {
            d.attribute(Prefix::Top, &key, va, vb);
        }
    }
    // `schemas` last, so it ends exactly as in `b` whatever the other operations did.
    if let Some((key, vb)) = schemas_change {
        match vb {
            Some(v) => d
                .ops
                .push(PatchOperation::new(OpKind::Replace, Some(&key), Some(v))),
            None => d
                .ops
                .push(PatchOperation::new(OpKind::Remove, Some(&key), None)),
        }
    }
    Tolerant {
        value: PatchOp::new(d.ops),
        warnings: d.warnings,
    }
}

/// Keys of `a` in order, then keys only in `b`, matched case-insensitively.
fn paired_keys<'a>(
    a: &'a Map<String, Value>,
    b: &'a Map<String, Value>,
) -> Vec<(String, Option<&'a Value>, Option<&'a Value>)> {
    let mut out: Vec<(String, Option<&Value>, Option<&Value>)> = a
        .iter()
        .map(|(k, va)| (k.clone(), Some(va), get_ci(b, k)))
        .collect();
    for (k, vb) in b {
        if find_key(a, k).is_none() {
            out.push((k.clone(), None, Some(vb)));
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Prefix<'a> {
    Top,
    Extension(&'a str),
    Parent(&'a str),
}

impl Prefix<'_> {
    fn path(&self, name: &str) -> String {
        match self {
            Prefix::Top => name.to_owned(),
            Prefix::Extension(urn) => format!("{urn}:{name}"),
            Prefix::Parent(parent) => format!("{parent}.{name}"),
        }
    }
}

struct Differ<'o> {
    ops: Vec<PatchOperation>,
    warnings: Vec<Warning>,
    options: &'o DiffOptions<'o>,
    core: Option<String>,
}

impl Differ<'_> {
    fn is_read_only(&self, key: &str) -> bool {
        if !is_attr_name(key) {
            return false;
        }
        // RFC 7643 §3.1 common attributes: read-only whether or not a server's schema lists them
        // (scim2-server's does not, and refuses a PATCH that touches `meta`).
        if key.eq_ignore_ascii_case("id") || key.eq_ignore_ascii_case("meta") {
            return true;
        }
        let registry = match self.options.schemas {
            Some(s) => s,
            None => crate::filter::builtin_schemas(),
        };
        registry
            .attribute(self.core.as_deref(), &crate::filter::AttrPath::new(key))
            .is_some_and(|d| d.mutability == Mutability::ReadOnly)
    }

    fn push(&mut self, op: OpKind, path: String, value: Option<Value>) {
        self.ops.push(PatchOperation::new(op, Some(&path), value));
    }

    fn extension(&mut self, urn: &str, va: Option<&Value>, vb: Option<&Value>) {
        match (va, vb) {
            (Some(Value::Object(a)), Some(Value::Object(b))) => {
                for (key, x, y) in paired_keys(a, b) {
                    self.attribute(Prefix::Extension(urn), &key, x, y);
                }
            }
            (_, None) => self.push(OpKind::Remove, urn.to_owned(), None),
            (_, Some(v)) => {
                // A pathless add creates (or merges into) the whole extension block.
                let mut value = Map::new();
                value.insert(urn.to_owned(), v.clone());
                if va.is_some() {
                    self.push(OpKind::Remove, urn.to_owned(), None);
                }
                self.ops.push(PatchOperation::new(
                    OpKind::Add,
                    None,
                    Some(Value::Object(value)),
                ));
            }
        }
    }

    fn attribute(
        &mut self,
        prefix: Prefix<'_>,
        name: &str,
        va: Option<&Value>,
        vb: Option<&Value>,
    ) {
        if va == vb {
            return;
        }
        if !is_attr_name(name) {
            self.unexpressible(prefix, name, vb);
            return;
        }
        let path = prefix.path(name);
        match (va, vb) {
            (None, None) => {}
            (Some(_), None) => self.push(OpKind::Remove, path, None),
            (None, Some(v)) => self.push(OpKind::Add, path, Some(v.clone())),
            (Some(Value::Object(a)), Some(Value::Object(b)))
                if !matches!(prefix, Prefix::Parent(_)) =>
            {
                for (key, x, y) in paired_keys(a, b) {
                    self.attribute(Prefix::Parent(&path), &key, x, y);
                }
            }
            (Some(Value::Array(a)), Some(Value::Array(b)))
                if !matches!(prefix, Prefix::Parent(_)) =>
            {
                self.array(&path, name, a, b);
            }
            (Some(_), Some(v)) => {
                // Deeper than `attr.sub`, replace would merge objects: remove first so `v` lands whole.
                if v.is_object() {
                    self.push(OpKind::Remove, path.clone(), None);
                    self.push(OpKind::Add, path, Some(v.clone()));
                } else {
                    self.push(OpKind::Replace, path, Some(v.clone()));
                }
            }
        }
    }

    fn unexpressible(&mut self, prefix: Prefix<'_>, name: &str, vb: Option<&Value>) {
        match (prefix, vb) {
            (Prefix::Top, Some(v)) => {
                let mut value = Map::new();
                value.insert(name.to_owned(), v.clone());
                self.ops.push(PatchOperation::new(OpKind::Replace, None, Some(Value::Object(value))));
            }
            _ => self.warnings.push(Warning::new(
                "diff.unexpressible",
                format!("`{}` differs but is not a valid attribute name, so no PATCH path can change it", prefix.path(name)),
            )),
        }
    }

    fn array(&mut self, path: &str, name: &str, a: &[Value], b: &[Value]) {
        let set = is_set_attribute(name);
        if let (Some(ka), Some(kb)) = (value_keys(a), value_keys(b)) {
            let index_a: HashMap<&str, usize> = ka
                .iter()
                .enumerate()
                .map(|(i, k)| (k.as_str(), i))
                .collect();
            let index_b: HashMap<&str, usize> = kb
                .iter()
                .enumerate()
                .map(|(i, k)| (k.as_str(), i))
                .collect();
            // A value whose other sub-attributes changed is removed and added again.
            let removed: Vec<usize> = (0..a.len())
                .filter(|&i| index_b.get(ka[i].as_str()).is_none_or(|&j| b[j] != a[i]))
                .collect();
            let added: Vec<usize> = (0..b.len())
                .filter(|&j| index_a.get(kb[j].as_str()).is_none_or(|&i| a[i] != b[j]))
                .collect();
            let worth_it = removed.len() + added.len() <= b.len().max(1) && !b.is_empty();
            let same_order = || {
                let removed_set: HashSet<usize> = removed.iter().copied().collect();
                let kept = (0..a.len())
                    .filter(|i| !removed_set.contains(i))
                    .map(|i| &a[i]);
                kept.chain(added.iter().map(|&j| &b[j])).eq(b.iter())
            };
            if worth_it && (set || same_order()) {
                for &i in &removed {
                    let key = a[i]
                        .as_object()
                        .and_then(|o| get_ci(o, "value"))
                        .and_then(CompValue::from_json);
                    match key {
                        Some(lit) => {
                            self.push(OpKind::Remove, format!("{path}[value eq {lit}]"), None)
                        }
                        None => {
                            return self.push(
                                OpKind::Replace,
                                path.to_owned(),
                                Some(Value::Array(b.to_vec())),
                            )
                        }
                    }
                }
                if !added.is_empty() {
                    self.push(
                        OpKind::Add,
                        path.to_owned(),
                        Some(Value::Array(added.iter().map(|&j| b[j].clone()).collect())),
                    );
                }
                return;
            }
        } else if b.len() > a.len() && b.starts_with(a) && appendable(a, &b[a.len()..]) {
            self.push(
                OpKind::Add,
                path.to_owned(),
                Some(Value::Array(b[a.len()..].to_vec())),
            );
            return;
        }
        self.push(
            OpKind::Replace,
            path.to_owned(),
            Some(Value::Array(b.to_vec())),
        );
    }
}

/// `add` skips values already present, so an append is only faithful for new, distinct values.
fn appendable(existing: &[Value], tail: &[Value]) -> bool {
    tail.iter()
        .enumerate()
        .all(|(i, t)| !existing.contains(t) && !tail[..i].contains(t))
}

/// A key per element (its scalar `value`, typed so `1` and `"1"` differ) when every element has a
/// distinct one.
fn value_keys(items: &[Value]) -> Option<Vec<String>> {
    let mut keys = Vec::with_capacity(items.len());
    let mut seen = HashSet::with_capacity(items.len());
    for item in items {
        let key = match item.as_object().and_then(|o| get_ci(o, "value"))? {
            Value::String(s) => format!("s{s}"),
            Value::Number(n) => format!("n{n}"),
            _ => return None,
        };
        // A `[value eq "…"]` filter matches without case where the attribute is not case-exact
        // (members, emails): two values equal but for case cannot be told apart by it.
        if !seen.insert(key.to_lowercase()) {
            return None;
        }
        keys.push(key);
    }
    Some(keys)
}

impl CompValue {
    /// The filter literal for a JSON scalar.
    pub fn from_json(v: &Value) -> Option<CompValue> {
        match v {
            Value::String(s) => Some(CompValue::String(s.clone())),
            Value::Number(n) => Some(CompValue::Number(n.clone())),
            Value::Bool(b) => Some(CompValue::Bool(*b)),
            Value::Null => Some(CompValue::Null),
            _ => None,
        }
    }
}
