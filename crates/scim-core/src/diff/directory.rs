//! Directory diff: two sets of users and groups (snapshots, live tenants, an IdP export) matched by a key,
//! yielding added / removed / changed resources and membership changes, each narrated in one line
//! ("ana.diaz added to Project: Transmission line (Full access)").

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use super::resource::{diff_resources, DiffOptions};
use crate::kind::ResourceKind;
use crate::names::get_ci;
use crate::warning::Warning;

/// How resources of side A are paired with those of side B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MatchKey {
    /// Same tenant: the server's `id`.
    Id,
    /// Across tenants: `externalId` (exact), groups by `externalId` else `displayName`.
    ExternalId,
    /// Across tenants: `userName`, case-insensitively; groups by `displayName`.
    UserName,
    /// Across tenants: the primary email, case-insensitively; groups by `displayName`.
    Email,
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy)]
pub struct Directory<'a> {
    pub users: &'a [Value],
    pub groups: &'a [Value],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// A user or group that appeared, disappeared or changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceChange {
    pub kind: ChangeKind,
    pub resource: ResourceKind,
    /// Index in side A's list (absent for additions).
    pub index_a: Option<usize>,
    /// Index in side B's list (absent for removals).
    pub index_b: Option<usize>,
    pub label: String,
    /// The attributes that changed (top-level names), for `Changed`.
    pub attributes: Vec<String>,
    pub narration: String,
}

/// A member added to or removed from a group present on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipChange {
    pub added: bool,
    pub group: String,
    pub member: String,
    pub narration: String,
}

/// How many resources of each side found a partner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchRate {
    pub matched: usize,
    pub total_a: usize,
    pub total_b: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryDiff {
    pub key: MatchKey,
    pub users: Vec<ResourceChange>,
    pub groups: Vec<ResourceChange>,
    pub memberships: Vec<MembershipChange>,
    pub user_match: MatchRate,
    pub group_match: MatchRate,
    pub warnings: Vec<Warning>,
}

impl DirectoryDiff {
    /// Every narration line, users first, then groups, then memberships.
    pub fn narration(&self) -> impl Iterator<Item = &str> {
        self.users
            .iter()
            .chain(&self.groups)
            .map(|c| c.narration.as_str())
            .chain(self.memberships.iter().map(|m| m.narration.as_str()))
    }
}

fn str_field<'v>(r: &'v Value, name: &str) -> Option<&'v str> {
    r.as_object()
        .and_then(|o| get_ci(o, name))
        .and_then(Value::as_str)
}

fn id_of(r: &Value) -> Option<String> {
    match r.as_object().and_then(|o| get_ci(o, "id"))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The primary email, else the first one.
fn primary_email(r: &Value) -> Option<&str> {
    let emails = r
        .as_object()
        .and_then(|o| get_ci(o, "emails"))?
        .as_array()?;
    fn value(e: &Value) -> Option<&str> {
        e.as_object()
            .and_then(|o| get_ci(o, "value"))
            .and_then(Value::as_str)
    }
    emails
        .iter()
        .find(|e| e.as_object().and_then(|o| get_ci(o, "primary")) == Some(&Value::Bool(true)))
        .and_then(value)
        .or_else(|| emails.first().and_then(value))
}

fn user_key(r: &Value, key: MatchKey) -> Option<String> {
    match key {
        MatchKey::Id => id_of(r),
        MatchKey::ExternalId => str_field(r, "externalId").map(str::to_owned),
        MatchKey::UserName => str_field(r, "userName").map(str::to_lowercase),
        MatchKey::Email => primary_email(r).map(str::to_lowercase),
    }
}

fn group_key(r: &Value, key: MatchKey) -> Option<String> {
    match key {
        MatchKey::Id => id_of(r),
        MatchKey::ExternalId => str_field(r, "externalId")
            .map(|e| format!("x:{e}"))
            .or_else(|| str_field(r, "displayName").map(|d| format!("d:{}", d.to_lowercase()))),
        MatchKey::UserName | MatchKey::Email => str_field(r, "displayName").map(str::to_lowercase),
    }
}

fn label_of(r: &Value) -> String {
    str_field(r, "userName")
        .or_else(|| str_field(r, "displayName"))
        .map(str::to_owned)
        .or_else(|| id_of(r))
        .unwrap_or_else(|| "(no id)".to_owned())
}

struct Index {
    by_key: HashMap<String, usize>,
    unkeyed: usize,
    duplicates: usize,
}

fn index(items: &[Value], key: impl Fn(&Value) -> Option<String>) -> Index {
    let mut by_key = HashMap::with_capacity(items.len());
    let (mut unkeyed, mut duplicates) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        match key(item) {
            Some(k) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = by_key.entry(k) {
                    slot.insert(i);
                } else {
                    duplicates += 1;
                }
            }
            None => unkeyed += 1,
        }
    }
    Index {
        by_key,
        unkeyed,
        duplicates,
    }
}

/// Pairs (index in A, index in B), and the unmatched of each side.
struct Pairing {
    pairs: Vec<(usize, usize)>,
    only_a: Vec<usize>,
    only_b: Vec<usize>,
}

fn pair(
    a: &[Value],
    b: &[Value],
    key: &dyn Fn(&Value) -> Option<String>,
    what: &str,
    warnings: &mut Vec<Warning>,
) -> Pairing {
    let ia = index(a, key);
    let ib = index(b, key);
    for (side, idx) in [("A", &ia), ("B", &ib)] {
        if idx.duplicates > 0 {
            warnings.push(Warning::new(
                "diff.duplicateKey",
                format!("{} {what} on side {side} share a match key with another; only the first is compared", idx.duplicates),
            ));
        }
        if idx.unkeyed > 0 {
            warnings.push(Warning::new(
                "diff.missingKey",
                format!("{} {what} on side {side} have no value for the match key and count as added/removed", idx.unkeyed),
            ));
        }
    }
    let mut pairs = Vec::new();
    let mut matched_b = vec![false; b.len()];
    let mut only_a = Vec::new();
    for (i, item) in a.iter().enumerate() {
        match key(item).and_then(|k| ib.by_key.get(&k).copied()) {
            Some(j) if !matched_b[j] => {
                matched_b[j] = true;
                pairs.push((i, j));
            }
            _ => only_a.push(i),
        }
    }
    let only_b = (0..b.len()).filter(|&j| !matched_b[j]).collect();
    Pairing {
        pairs,
        only_a,
        only_b,
    }
}

/// "ana: deactivated", "ana: title, emails changed", or both: a flip of `active` is said in words,
/// since it is the change an admin looks for first.
fn narrate_change(label: &str, attributes: &[String], a: &Value, b: &Value) -> String {
    let active = |v: &Value| {
        v.as_object()
            .and_then(|o| get_ci(o, "active"))
            .and_then(Value::as_bool)
    };
    let mut parts = Vec::new();
    let mut rest: Vec<&str> = attributes.iter().map(String::as_str).collect();
    if let (Some(before), Some(after)) = (active(a), active(b)) {
        if before != after {
            parts.push(if after { "reactivated" } else { "deactivated" }.to_owned());
            rest.retain(|n| !n.eq_ignore_ascii_case("active"));
        }
    }
    if !rest.is_empty() {
        parts.push(format!("{} changed", rest.join(", ")));
    }
    format!("{label}: {}", parts.join("; "))
}

fn changed_attributes(a: &Value, b: &Value) -> Vec<String> {
    let patch = diff_resources(a, b, &DiffOptions::default()).value;
    let mut names: Vec<String> = Vec::new();
    for op in &patch.operations {
        let name = match (&op.path, &op.value) {
            (Some(p), _) => {
                let head = p.split('[').next().unwrap_or(p);
                let head = match crate::names::split_urn_attr(head) {
                    Some((_, attr)) => attr,
                    None => head,
                };
                head.split('.').next().unwrap_or(head).to_owned()
            }
            (None, Some(Value::Object(o))) => o.keys().next().cloned().unwrap_or_default(),
            _ => continue,
        };
        if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.push(name);
        }
    }
    names
}

fn without_members(g: &Value) -> Value {
    match g.as_object() {
        Some(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("members"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        None => g.clone(),
    }
}

fn resource_changes(
    kind: ResourceKind,
    a: &[Value],
    b: &[Value],
    pairing: &Pairing,
    strip: fn(&Value) -> Value,
) -> Vec<ResourceChange> {
    let mut out = Vec::new();
    for &(i, j) in &pairing.pairs {
        if a[i] == b[j] {
            continue;
        }
        let attributes = if kind == ResourceKind::Groups {
            changed_attributes(&strip(&a[i]), &strip(&b[j]))
        } else {
            changed_attributes(&a[i], &b[j])
        };
        if attributes.is_empty() {
            continue; // only read-only bookkeeping (meta, ids) or membership differ
        }
        let label = label_of(&b[j]);
        out.push(ResourceChange {
            kind: ChangeKind::Changed,
            resource: kind.clone(),
            index_a: Some(i),
            index_b: Some(j),
            narration: narrate_change(&label, &attributes, &a[i], &b[j]),
            label,
            attributes,
        });
    }
    for &i in &pairing.only_a {
        let label = label_of(&a[i]);
        out.push(ResourceChange {
            kind: ChangeKind::Removed,
            resource: kind.clone(),
            index_a: Some(i),
            index_b: None,
            narration: format!("{label} removed"),
            label,
            attributes: Vec::new(),
        });
    }
    for &j in &pairing.only_b {
        let label = label_of(&b[j]);
        out.push(ResourceChange {
            kind: ChangeKind::Added,
            resource: kind.clone(),
            index_a: None,
            index_b: Some(j),
            narration: format!("{label} added"),
            label,
            attributes: Vec::new(),
        });
    }
    out
}

fn member_ids(g: &Value) -> Vec<String> {
    let Some(Value::Array(items)) = g.as_object().and_then(|o| get_ci(o, "members")) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|m| match m.as_object().and_then(|o| get_ci(o, "value"))? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// Compares two directories.
pub fn diff_directories(a: &Directory<'_>, b: &Directory<'_>, key: MatchKey) -> DirectoryDiff {
    let mut warnings = Vec::new();
    let users = pair(
        a.users,
        b.users,
        &|r| user_key(r, key),
        "users",
        &mut warnings,
    );
    let groups = pair(
        a.groups,
        b.groups,
        &|r| group_key(r, key),
        "groups",
        &mut warnings,
    );

    // Member ids of side A translated to side B's ids through the pairings.
    let mut a_to_b: HashMap<String, String> = HashMap::new();
    let user_pairs = users.pairs.iter().map(|&(i, j)| (&a.users[i], &b.users[j]));
    let group_pairs = groups
        .pairs
        .iter()
        .map(|&(i, j)| (&a.groups[i], &b.groups[j]));
    for (ra, rb) in user_pairs.chain(group_pairs) {
        if let (Some(ia), Some(ib)) = (id_of(ra), id_of(rb)) {
            a_to_b.insert(ia, ib);
        }
    }
    let labels_a = labels_by_id(a);
    let labels_b = labels_by_id(b);

    let mut memberships = Vec::new();
    for &(i, j) in &groups.pairs {
        let (ga, gb) = (&a.groups[i], &b.groups[j]);
        let group_label = label_of(gb);
        let before: HashSet<String> = member_ids(ga)
            .into_iter()
            .map(|m| {
                a_to_b
                    .get(&m)
                    .cloned()
                    .unwrap_or_else(|| format!("\u{0}{m}"))
            })
            .collect();
        let after_list = member_ids(gb);
        let after: HashSet<&String> = after_list.iter().collect();
        for m in &after_list {
            if !before.contains(m) {
                let member = labels_b
                    .get(m.as_str())
                    .cloned()
                    .unwrap_or_else(|| m.clone());
                memberships.push(MembershipChange {
                    added: true,
                    narration: format!("{member} added to {group_label}"),
                    group: group_label.clone(),
                    member,
                });
            }
        }
        for m in member_ids(ga) {
            let mapped = a_to_b
                .get(&m)
                .cloned()
                .unwrap_or_else(|| format!("\u{0}{m}"));
            if !after.contains(&mapped) {
                let member = labels_a.get(m.as_str()).cloned().unwrap_or(m);
                memberships.push(MembershipChange {
                    added: false,
                    narration: format!("{member} removed from {group_label}"),
                    group: group_label.clone(),
                    member,
                });
            }
        }
    }

    DirectoryDiff {
        key,
        users: resource_changes(ResourceKind::Users, a.users, b.users, &users, |v| v.clone()),
        groups: resource_changes(
            ResourceKind::Groups,
            a.groups,
            b.groups,
            &groups,
            without_members,
        ),
        memberships,
        user_match: MatchRate {
            matched: users.pairs.len(),
            total_a: a.users.len(),
            total_b: b.users.len(),
        },
        group_match: MatchRate {
            matched: groups.pairs.len(),
            total_a: a.groups.len(),
            total_b: b.groups.len(),
        },
        warnings,
    }
}

fn labels_by_id(d: &Directory<'_>) -> HashMap<String, String> {
    d.users
        .iter()
        .chain(d.groups)
        .filter_map(|r| Some((id_of(r)?, label_of(r))))
        .collect()
}
