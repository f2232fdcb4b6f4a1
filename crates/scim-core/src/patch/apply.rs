//! Applies a PatchOp to a resource with RFC 7644 §3.5.2 semantics, the way a careful server would.
//!
//! The demo server answers PATCH with this, the PATCH builder previews with it ("dry run"), and the
//! app compares its prediction with what a real server did. It also accepts the shapes identity
//! providers send (Entra's `"False"` strings and remove-with-value-list, dotted pathless keys of
//! `aadOptscim062020`, Okta's pathless `{id, displayName}` rename), recording each as a warning.
//!
//! Requests are atomic: the resource is patched on a copy, returned only when every operation succeeded.

use serde_json::{Map, Value};

use super::path::{parse_path, PatchPath};
use super::{OpKind, PatchError, PatchOp, PatchOperation};
use crate::error::ScimType;
use crate::filter::{builtin_schemas, matches_element, AttrPath, CompValue, CompareOp, Filter};
use crate::names::{
    find_key, get_ci, get_ci_mut, is_core_schema, is_urn, remove_ci, set_ci, split_urn_attr,
};
use crate::schema::{core_schema_of, AttrType, Attribute, Mutability, SchemaRegistry};
use crate::warning::{Tolerant, Warning};

/// How strictly to apply.
#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions<'a> {
    /// The connection's schemas; the RFC built-ins when `None`.
    pub schemas: Option<&'a SchemaRegistry>,
    /// Refuse changes to readOnly/immutable attributes and removal of required ones (RFC 7644
    /// `mutability`), as a server must. Off for local what-if computations such as undo.
    pub enforce_mutability: bool,
}

impl Default for ApplyOptions<'_> {
    fn default() -> Self {
        Self {
            schemas: None,
            enforce_mutability: true,
        }
    }
}

/// Applies `patch` to `resource`, returning the patched resource or the first failure.
pub fn apply_patch(
    resource: &Value,
    patch: &PatchOp,
    options: &ApplyOptions<'_>,
) -> Result<Tolerant<Value>, PatchError> {
    let mut doc = resource.clone();
    let Some(obj) = doc.as_object_mut() else {
        return Err(PatchError::new(
            ScimType::InvalidSyntax,
            "the resource is not a JSON object",
        ));
    };
    let core = core_schema_of(resource).map(str::to_owned);
    let mut ctx = Ctx {
        schemas: options.schemas.unwrap_or_else(|| builtin_schemas()),
        core,
        enforce: options.enforce_mutability,
        warnings: Vec::new(),
    };
    for (index, operation) in patch.operations.iter().enumerate() {
        ctx.apply_operation(obj, operation).map_err(|mut e| {
            e.operation = Some(index);
            e.message = format!(
                "operation {} ({}): {}",
                index + 1,
                operation.op.as_str(),
                e.message
            );
            e
        })?;
    }
    Ok(Tolerant {
        value: doc,
        warnings: ctx.warnings,
    })
}

/// The patch that undoes `patch` on `before` (for undo): apply it, then diff back.
pub fn invert_patch(
    before: &Value,
    patch: &PatchOp,
    options: &ApplyOptions<'_>,
) -> Result<PatchOp, PatchError> {
    let after = apply_patch(before, patch, options)?.value;
    let diff_options = crate::diff::DiffOptions {
        include_read_only: !options.enforce_mutability,
        schemas: options.schemas,
    };
    Ok(crate::diff::diff_resources(&after, before, &diff_options).value)
}

/// Where an operation lands: a top-level key taken as a whole (an extension block), or a path.
enum Target {
    WholeKey(String),
    Path(Box<PatchPath>),
}

struct Ctx<'a> {
    schemas: &'a SchemaRegistry,
    core: Option<String>,
    enforce: bool,
    warnings: Vec<Warning>,
}

fn invalid_path(message: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::InvalidPath, message)
}
fn invalid_value(message: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::InvalidValue, message)
}
fn no_target(message: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::NoTarget, message)
}
fn mutability(message: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::Mutability, message)
}

impl Ctx<'_> {
    fn apply_operation(
        &mut self,
        doc: &mut Map<String, Value>,
        operation: &PatchOperation,
    ) -> Result<(), PatchError> {
        match &operation.path {
            None => match operation.op {
                OpKind::Remove => Err(no_target("a remove operation needs a `path`")),
                op => {
                    let Some(Value::Object(values)) = &operation.value else {
                        return Err(invalid_value(format!(
                            "an {} without a path needs an object `value`",
                            op.as_str()
                        )));
                    };
                    for (key, value) in values {
                        self.apply_pathless_key(doc, op, key, value)?;
                    }
                    Ok(())
                }
            },
            Some(raw) => {
                let target = self.resolve(doc, raw, operation.value.as_ref())?;
                self.apply_target(doc, operation.op, target, operation.value.as_ref())
            }
        }
    }

    /// One key of a pathless add/replace: an attribute, a dotted `name.givenName`
    /// (aadOptscim062020), a URN-qualified attribute, or a whole extension block.
    fn apply_pathless_key(
        &mut self,
        doc: &mut Map<String, Value>,
        op: OpKind,
        key: &str,
        value: &Value,
    ) -> Result<(), PatchError> {
        if key.contains('.') && !is_urn(key) {
            self.warnings.push(Warning::new(
                "patch.dottedPathlessKey",
                format!(
                    "a pathless {} used the dotted key `{key}` (Entra's aadOptscim062020 form)",
                    op.as_str()
                ),
            ));
        }
        match self.resolve(doc, key, Some(value)) {
            Ok(target) => self.apply_target(doc, op, target, Some(value)),
            Err(_) => {
                // Not expressible as a path (e.g. a key with a space): keep it as the client sent it.
                self.warnings.push(Warning::new(
                    "patch.rawKey",
                    format!("`{key}` is not a valid attribute path; it was set as a plain key"),
                ));
                set_ci(doc, key, value.clone());
                Ok(())
            }
        }
    }

    /// True when `urn` names an extension this resource has or could have.
    fn is_extension(&self, doc: &Map<String, Value>, urn: &str) -> bool {
        find_key(doc, urn).is_some()
            || self.schemas.schema(urn).is_some()
            || get_ci(doc, "schemas")
                .and_then(Value::as_array)
                .is_some_and(|s| {
                    s.iter()
                        .any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(urn)))
                })
    }

    fn resolve(
        &self,
        doc: &Map<String, Value>,
        raw: &str,
        value: Option<&Value>,
    ) -> Result<Target, PatchError> {
        let raw = raw.trim();
        if is_urn(raw) && !raw.contains('[') && !is_core_schema(raw) {
            let whole = self.is_extension(doc, raw);
            let qualified = split_urn_attr(raw)
                .is_some_and(|(urn, _)| self.is_extension(doc, urn) || is_core_schema(urn));
            // An unknown URN holding an object is a new extension block rather than an attribute.
            if whole || (!qualified && value.is_some_and(Value::is_object)) {
                return Ok(Target::WholeKey(raw.to_owned()));
            }
        }
        parse_path(raw)
            .map(|p| Target::Path(Box::new(p)))
            .map_err(|e| invalid_path(format!("`{raw}` is not a valid path: {e}")))
    }

    fn apply_target(
        &mut self,
        doc: &mut Map<String, Value>,
        op: OpKind,
        target: Target,
        value: Option<&Value>,
    ) -> Result<(), PatchError> {
        match target {
            Target::WholeKey(key) => self.apply_whole_key(doc, op, &key, value),
            Target::Path(path) => self.apply_path(doc, op, &path, value),
        }
    }

    fn apply_whole_key(
        &mut self,
        doc: &mut Map<String, Value>,
        op: OpKind,
        key: &str,
        value: Option<&Value>,
    ) -> Result<(), PatchError> {
        match op {
            OpKind::Remove => {
                remove_ci(doc, key);
                Ok(())
            }
            OpKind::Add | OpKind::Replace => {
                let value = value.ok_or_else(|| {
                    invalid_value(format!("{} of `{key}` needs a value", op.as_str()))
                })?;
                match (get_ci_mut(doc, key), value) {
                    (Some(Value::Object(existing)), Value::Object(incoming)) => {
                        for (k, v) in incoming {
                            set_ci(existing, k, v.clone());
                        }
                    }
                    _ => set_ci(doc, key, value.clone()),
                }
                Ok(())
            }
        }
    }

    fn definition(&self, attr: &AttrPath) -> Option<&Attribute> {
        self.schemas.attribute(self.core.as_deref(), attr)
    }

    fn apply_path(
        &mut self,
        doc: &mut Map<String, Value>,
        op: OpKind,
        path: &PatchPath,
        value: Option<&Value>,
    ) -> Result<(), PatchError> {
        if op != OpKind::Remove && value.is_none() {
            return Err(invalid_value(format!(
                "{} of `{path}` needs a value",
                op.as_str()
            )));
        }
        let top = AttrPath {
            sub: None,
            ..path.attr.clone()
        };
        let top_def = self.definition(&top).cloned();
        let sub_def = path
            .target_sub()
            .and_then(|s| top_def.as_ref().and_then(|d| d.sub_attribute(s)))
            .cloned();
        let target_def = if path.target_sub().is_some() {
            sub_def.as_ref()
        } else {
            top_def.as_ref()
        };
        let value = value.map(|v| self.coerce(v, target_def, &path.to_string()));
        let value = value.as_ref();

        // The object holding the attribute: the resource, or its extension block.
        let container: &mut Map<String, Value> = match &path.attr.urn {
            Some(urn) if !is_core_schema(urn) => {
                if find_key(doc, urn).is_none() {
                    if op == OpKind::Remove {
                        return Ok(());
                    }
                    doc.insert(urn.clone(), Value::Object(Map::new()));
                }
                match get_ci_mut(doc, urn) {
                    Some(Value::Object(o)) => o,
                    _ => {
                        return Err(invalid_path(format!(
                            "`{urn}` is not an extension object on this resource"
                        )))
                    }
                }
            }
            _ => doc,
        };
        let name = path.attr.name.as_str();

        if self.enforce {
            let existing = get_ci(container, name);
            self.check_mutability(op, path, top_def.as_ref(), target_def, existing, value)?;
        }

        match (&path.filter, path.target_sub()) {
            (None, None) => self.whole_attribute(container, op, name, top_def.as_ref(), value),
            (None, Some(sub)) => {
                self.sub_attribute(container, op, name, sub, top_def.as_ref(), value)
            }
            (Some(filter), sub) => self.filtered(container, op, path, filter, sub, value),
        }
    }

    fn whole_attribute(
        &mut self,
        container: &mut Map<String, Value>,
        op: OpKind,
        name: &str,
        def: Option<&Attribute>,
        value: Option<&Value>,
    ) -> Result<(), PatchError> {
        let multi = def.is_some_and(|d| d.multi_valued);
        match op {
            OpKind::Remove => {
                // Entra's legacy member removal: `remove members` with the members to drop as the value.
                if let (Some(Value::Array(existing)), Some(doomed)) =
                    (get_ci_mut(container, name), value)
                {
                    let doomed: Vec<&Value> = match doomed {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    self.warnings.push(Warning::new(
                        "patch.removeWithValue",
                        format!("remove of `{name}` carried a value list (Entra's legacy form); only those values were removed"),
                    ));
                    existing.retain(|item| !doomed.iter().any(|d| same_value(item, d)));
                    if existing.is_empty() {
                        remove_ci(container, name);
                    }
                    return Ok(());
                }
                remove_ci(container, name);
                Ok(())
            }
            OpKind::Add => {
                let value = value.cloned().unwrap_or(Value::Null);
                let existing = get_ci_mut(container, name);
                match existing {
                    Some(Value::Array(items)) => {
                        let before: Vec<bool> = items.iter().map(is_primary).collect();
                        let incoming = match value {
                            Value::Array(v) => v,
                            other => vec![other],
                        };
                        // Checked against the values held before this operation: what the
                        // request itself lists twice, it asked for twice.
                        let held = items.len();
                        for item in incoming {
                            if !items[..held].iter().any(|e| already_holds(e, &item)) {
                                items.push(item);
                            }
                        }
                        enforce_single_primary(items, &before);
                    }
                    Some(Value::Object(existing)) if value.is_object() && !multi => {
                        if let Value::Object(incoming) = value {
                            merge_sub_attributes(existing, incoming);
                        }
                    }
                    _ => {
                        let value = match value {
                            v @ Value::Array(_) => v,
                            v if multi && !v.is_null() => Value::Array(vec![v]),
                            v => v,
                        };
                        set_ci(container, name, value);
                    }
                }
                Ok(())
            }
            OpKind::Replace => {
                let value = value.cloned().unwrap_or(Value::Null);
                match get_ci_mut(container, name) {
                    Some(Value::Object(existing)) if value.is_object() && !multi => {
                        if let Value::Object(incoming) = value {
                            merge_sub_attributes(existing, incoming);
                        }
                    }
                    _ => {
                        let value = match value {
                            v if multi && !v.is_array() && !v.is_null() => Value::Array(vec![v]),
                            v => v,
                        };
                        set_ci(container, name, value);
                    }
                }
                Ok(())
            }
        }
    }

    fn sub_attribute(
        &mut self,
        container: &mut Map<String, Value>,
        op: OpKind,
        name: &str,
        sub: &str,
        def: Option<&Attribute>,
        value: Option<&Value>,
    ) -> Result<(), PatchError> {
        let set_sub = |obj: &mut Map<String, Value>| match op {
            OpKind::Remove => {
                remove_ci(obj, sub);
            }
            OpKind::Add | OpKind::Replace => {
                set_ci(obj, sub, value.cloned().unwrap_or(Value::Null))
            }
        };
        match get_ci_mut(container, name) {
            Some(Value::Object(obj)) => {
                set_sub(obj);
                Ok(())
            }
            // No filter on a multi-valued attribute: the sub-attribute of every value.
            Some(Value::Array(items)) => {
                for item in items.iter_mut() {
                    if let Value::Object(obj) = item {
                        set_sub(obj);
                    }
                }
                Ok(())
            }
            None | Some(Value::Null) => {
                if op == OpKind::Remove {
                    return Ok(());
                }
                let mut obj = Map::new();
                set_sub(&mut obj);
                let created = if def.is_some_and(|d| d.multi_valued) {
                    Value::Array(vec![Value::Object(obj)])
                } else {
                    Value::Object(obj)
                };
                set_ci(container, name, created);
                Ok(())
            }
            Some(_) => Err(invalid_path(format!(
                "`{name}` is not complex, so `{name}.{sub}` does not exist"
            ))),
        }
    }

    fn filtered(
        &mut self,
        container: &mut Map<String, Value>,
        op: OpKind,
        path: &PatchPath,
        filter: &Filter,
        sub: Option<&str>,
        value: Option<&Value>,
    ) -> Result<(), PatchError> {
        let name = path.attr.name.as_str();
        let parent = AttrPath {
            sub: None,
            ..path.attr.clone()
        };
        let core = self.core.clone();
        let schemas = self.schemas;
        let matches = |item: &Value| -> Result<bool, PatchError> {
            match item.as_object() {
                Some(obj) => matches_element(filter, obj, &parent, core.as_deref(), Some(schemas))
                    .map_err(|e| PatchError::new(ScimType::InvalidFilter, e.0)),
                None => Ok(false),
            }
        };
        let mut matched = Vec::new();
        if let Some(Value::Array(items)) = get_ci(container, name) {
            for (i, item) in items.iter().enumerate() {
                if matches(item)? {
                    matched.push(i);
                }
            }
        } else if get_ci(container, name).is_some_and(|v| !v.is_null()) {
            return Err(invalid_path(format!(
                "`{name}` is not multi-valued, so `{path}` selects nothing"
            )));
        }

        if matched.is_empty() {
            return match op {
                OpKind::Remove => Ok(()),
                OpKind::Replace => Err(no_target(format!(
                    "no value of `{name}` matches `{filter}`"
                ))),
                // Entra adds `emails[type eq "work"].value` for an email that does not exist yet: create
                // the record the filter describes when the filter is a plain `eq` conjunction.
                OpKind::Add => {
                    let Some(mut record) = record_from_filter(filter) else {
                        return Err(no_target(format!("no value of `{name}` matches `{filter}`, and the filter does not describe a new value")));
                    };
                    match (sub, value) {
                        (Some(s), Some(v)) => set_ci(&mut record, s, v.clone()),
                        (None, Some(Value::Object(v))) => {
                            for (k, val) in v {
                                set_ci(&mut record, k, val.clone());
                            }
                        }
                        _ => return Err(invalid_value(format!("add to `{path}` needs a value"))),
                    }
                    self.warnings.push(Warning::new(
                        "patch.addCreatedValue",
                        format!("no value of `{name}` matched `{filter}`; a new one was added"),
                    ));
                    match get_ci_mut(container, name) {
                        Some(Value::Array(items)) => {
                            let before: Vec<bool> = items.iter().map(is_primary).collect();
                            items.push(Value::Object(record));
                            enforce_single_primary(items, &before);
                        }
                        _ => set_ci(container, name, Value::Array(vec![Value::Object(record)])),
                    }
                    Ok(())
                }
            };
        }

        let Some(Value::Array(items)) = get_ci_mut(container, name) else {
            return Ok(());
        };
        let before: Vec<bool> = items.iter().map(is_primary).collect();
        match (op, sub) {
            (OpKind::Remove, None) => {
                let mut index = 0;
                items.retain(|_| {
                    let keep = !matched.contains(&index);
                    index += 1;
                    keep
                });
                if items.is_empty() {
                    remove_ci(container, name);
                }
                return Ok(());
            }
            (OpKind::Remove, Some(s)) => {
                for &i in &matched {
                    if let Some(Value::Object(obj)) = items.get_mut(i) {
                        remove_ci(obj, s);
                    }
                }
            }
            (_, Some(s)) => {
                for &i in &matched {
                    if let Some(Value::Object(obj)) = items.get_mut(i) {
                        set_ci(obj, s, value.cloned().unwrap_or(Value::Null));
                    }
                }
            }
            (_, None) => {
                let Some(Value::Object(incoming)) = value else {
                    return Err(invalid_value(format!(
                        "{} of `{path}` needs an object value",
                        op.as_str()
                    )));
                };
                for &i in &matched {
                    if let Some(Value::Object(obj)) = items.get_mut(i) {
                        for (k, v) in incoming {
                            set_ci(obj, k, v.clone());
                        }
                    }
                }
            }
        }
        enforce_single_primary(items, &before);
        Ok(())
    }

    /// RFC 7644 §3.5.2: readOnly attributes cannot change, immutable ones only be set once, and
    /// required ones not be removed. Sending the value an attribute already has is not a change
    /// (Okta sends the group `id` in every rename).
    fn check_mutability(
        &self,
        op: OpKind,
        path: &PatchPath,
        top: Option<&Attribute>,
        target: Option<&Attribute>,
        existing: Option<&Value>,
        value: Option<&Value>,
    ) -> Result<(), PatchError> {
        for def in [top, target].into_iter().flatten() {
            let unchanged = path.filter.is_none()
                && path.target_sub().is_none()
                && existing.is_some()
                && existing == value;
            match def.mutability {
                Mutability::ReadOnly if !unchanged => {
                    return Err(mutability(format!("`{path}` is read-only")));
                }
                Mutability::Immutable if !unchanged && op != OpKind::Add => {
                    return Err(mutability(format!(
                        "`{path}` is immutable: it can be set once, not changed"
                    )));
                }
                _ => {}
            }
        }
        if op == OpKind::Remove
            && path.filter.is_none()
            && path.target_sub().is_none()
            && top.is_some_and(|d| d.required)
        {
            return Err(mutability(format!(
                "`{path}` is required and cannot be removed"
            )));
        }
        Ok(())
    }

    /// Booleans sent as strings (`"False"`, Entra legacy; OneLogin templates) become booleans.
    fn coerce(&mut self, value: &Value, def: Option<&Attribute>, path: &str) -> Value {
        let Some(def) = def else { return value.clone() };
        match (def.attr_type, value) {
            (AttrType::Boolean, Value::String(s))
                if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
            {
                self.warnings.push(Warning::new(
                    "patch.booleanAsString",
                    format!("`{path}` was sent the string \"{s}\"; read as a boolean"),
                ));
                Value::Bool(s.eq_ignore_ascii_case("true"))
            }
            (AttrType::Complex, Value::Object(obj)) => {
                let mut out = Map::new();
                for (k, v) in obj {
                    let sub = def.sub_attribute(k);
                    out.insert(k.clone(), self.coerce(v, sub, &format!("{path}.{k}")));
                }
                Value::Object(out)
            }
            (_, Value::Array(items)) if def.multi_valued => Value::Array(
                items
                    .iter()
                    .map(|v| {
                        self.coerce(
                            v,
                            Some(&Attribute {
                                multi_valued: false,
                                ..def.clone()
                            }),
                            path,
                        )
                    })
                    .collect(),
            ),
            _ => value.clone(),
        }
    }
}

/// A complex value patched with sub-attributes: listed ones replaced or added, the others kept
/// (RFC 7644 §3.5.2.1 and §3.5.2.3).
fn merge_sub_attributes(existing: &mut Map<String, Value>, incoming: Map<String, Value>) {
    for (k, v) in incoming {
        set_ci(existing, &k, v);
    }
}

/// An added value that is already there (RFC 7644 §3.5.2.1: no change): equal, or a complex value
/// whose every sub-attribute the existing one has alike — `{"value": id}` is the member
/// `{"value": id, "display": …}` that the server filled in.
fn already_holds(existing: &Value, added: &Value) -> bool {
    match (existing, added) {
        (Value::Object(e), Value::Object(a)) if !a.is_empty() => {
            a.iter().all(|(k, v)| get_ci(e, k) == Some(v))
        }
        _ => existing == added,
    }
}

/// Two values of a multi-valued attribute denote the same thing: equal, or equal `value`s.
fn same_value(item: &Value, other: &Value) -> bool {
    if item == other {
        return true;
    }
    let key = |v: &Value| -> Option<String> {
        match v {
            Value::Object(o) => match get_ci(o, "value")? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            },
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    };
    matches!((key(item), key(other)), (Some(a), Some(b)) if a == b)
}

fn is_primary(v: &Value) -> bool {
    v.as_object()
        .and_then(|o| get_ci(o, "primary"))
        .is_some_and(|p| p == &Value::Bool(true))
}

/// RFC 7643 §2.4: at most one value is primary. The value made primary by this operation wins.
fn enforce_single_primary(items: &mut [Value], primary_before: &[bool]) {
    let now: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, v)| is_primary(v))
        .map(|(i, _)| i)
        .collect();
    if now.len() <= 1 {
        return;
    }
    let newly: Vec<usize> = now
        .iter()
        .copied()
        .filter(|&i| !primary_before.get(i).copied().unwrap_or(false))
        .collect();
    let keep = newly.last().or(now.last()).copied();
    for i in now {
        if Some(i) != keep {
            if let Some(Value::Object(o)) = items.get_mut(i) {
                set_ci(o, "primary", Value::Bool(false));
            }
        }
    }
}

/// `type eq "work" and primary eq true` → `{"type":"work","primary":true}`; `None` for other filters.
fn record_from_filter(filter: &Filter) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    fn walk(f: &Filter, out: &mut Map<String, Value>) -> bool {
        match f {
            Filter::Compare {
                attr,
                op: CompareOp::Eq,
                value,
            } if attr.sub.is_none() && attr.urn.is_none() && *value != CompValue::Null => {
                out.insert(attr.name.clone(), value.to_json());
                true
            }
            Filter::And { left, right } => walk(left, out) && walk(right, out),
            _ => false,
        }
    }
    walk(filter, &mut out).then_some(out)
}
