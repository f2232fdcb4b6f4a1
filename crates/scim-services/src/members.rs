//! A group's members, loaded when the user opens them (a group can hold 100k members, so its
//! detail is fetched without them first) and served in windows for a virtualized list: each member
//! labelled from the loaded users and groups, and flagged when it matches neither.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use specta::Type;

use scim_core::resource::MemberRef;
use scim_core::Resource;

/// What a member is: `unknown` when neither the member nor the loaded data say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum MemberKind {
    User,
    Group,
    Unknown,
}

impl MemberKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberKind::User => "user",
            MemberKind::Group => "group",
            MemberKind::Unknown => "unknown",
        }
    }
}

/// One member as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MemberRow {
    pub value: String,
    pub label: String,
    pub kind: MemberKind,
    /// Not among the loaded users or groups (only said when every user is loaded).
    pub missing: bool,
}

/// A window of a group's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MembersWindow {
    pub total: u32,
    pub matched: u32,
    /// How many members match no loaded user or group.
    pub missing: u32,
    pub offset: u32,
    pub rows: Vec<MemberRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MembersQuery {
    pub offset: u32,
    pub limit: u32,
    #[serde(default)]
    pub quick: Option<String>,
}

/// Loaded resources' labels by id: the only thing a member list reads of them.
pub type Labels = HashMap<String, String>;

/// The labels of `resources` as a member list shows them: people by their name, as an admin knows
/// them (the userName when there is none), groups by theirs.
pub fn labels_of(resources: &[Resource]) -> Labels {
    resources
        .iter()
        .filter_map(|r| {
            let label = r.display_name().map_or_else(|| r.label(), str::to_owned);
            Some((r.id_string()?, label))
        })
        .collect()
}

/// Labels and flags the members of a group with what is loaded. `users` and `groups` are the loaded
/// sets (empty when not loaded); `complete` says whether every user is loaded.
pub fn resolve(
    members: Vec<MemberRef>,
    users: &Labels,
    groups: &Labels,
    complete: bool,
) -> Vec<MemberRow> {
    let mut rows: Vec<MemberRow> = members
        .into_iter()
        .map(|m| {
            let user = users.get(&m.value);
            let group = groups.get(&m.value);
            let kind = match (m.member_type.as_deref(), user, group) {
                (Some(t), _, _) if t.eq_ignore_ascii_case("group") => MemberKind::Group,
                (Some(t), _, _) if t.eq_ignore_ascii_case("user") => MemberKind::User,
                (_, Some(_), _) => MemberKind::User,
                (_, _, Some(_)) => MemberKind::Group,
                _ => MemberKind::Unknown,
            };
            let label = m
                .display
                .clone()
                .filter(|d| !d.is_empty())
                .or_else(|| user.cloned())
                .or_else(|| group.cloned())
                .unwrap_or_else(|| m.value.clone());
            MemberRow {
                missing: complete && user.is_none() && group.is_none(),
                label,
                kind,
                value: m.value,
            }
        })
        .collect();
    rows.sort_by_cached_key(|r| (r.kind != MemberKind::Group, r.label.to_lowercase()));
    rows
}

/// The window `q` of `rows`.
pub fn window(rows: &[MemberRow], q: &MembersQuery) -> MembersWindow {
    let quick = q
        .quick
        .as_deref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    let matched: Vec<&MemberRow> = rows
        .iter()
        .filter(|r| {
            quick.as_ref().is_none_or(|q| {
                r.label.to_lowercase().contains(q.as_str())
                    || r.value.to_lowercase().contains(q.as_str())
            })
        })
        .collect();
    let start = (q.offset as usize).min(matched.len());
    let end = (start + q.limit.min(1000) as usize).min(matched.len());
    MembersWindow {
        total: rows.len() as u32,
        matched: matched.len() as u32,
        missing: rows.iter().filter(|r| r.missing).count() as u32,
        offset: start as u32,
        rows: matched[start..end].iter().map(|r| (*r).clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(value: &str, display: Option<&str>, t: Option<&str>) -> MemberRef {
        MemberRef {
            value: value.into(),
            display: display.map(str::to_owned),
            member_type: t.map(str::to_owned),
        }
    }

    #[test]
    fn members_are_labelled_from_the_loaded_data_and_flagged_when_unknown() {
        let users = vec![Resource::new(
            json!({"id": "u1", "userName": "ana", "displayName": "Ana Díaz"}),
        )];
        let groups = vec![Resource::new(json!({"id": "g1", "displayName": "Ops"}))];
        let members = vec![
            m("u1", None, None),
            m("g1", None, None),
            m("ghost", Some("Ghost"), Some("User")),
        ];
        let (users, groups) = (labels_of(&users), labels_of(&groups));
        let rows = resolve(members.clone(), &users, &groups, true);
        let seen: Vec<_> = rows
            .iter()
            .map(|r| (r.label.as_str(), r.kind.as_str(), r.missing))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("Ops", "group", false),
                ("Ana Díaz", "user", false),
                ("Ghost", "user", true)
            ]
        );
        // Without every user loaded nobody is called missing.
        assert!(resolve(members, &users, &groups, false)
            .iter()
            .all(|r| !r.missing));
        let w = window(
            &rows,
            &MembersQuery {
                offset: 0,
                limit: 10,
                quick: Some("AN".into()),
            },
        );
        assert_eq!((w.total, w.matched, w.missing, w.rows.len()), (3, 1, 1, 1));
    }
}
