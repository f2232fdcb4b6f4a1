//! The compare screen's model: two directories (snapshots, the open connection read now, or another
//! saved connection), diffed once in Rust, then served as windows of narrated lines — filtered by
//! kind of change and by text — and, on demand, the field diff of one line. A 100k-user diff never
//! crosses the IPC bridge whole.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use scim_core::diff::{
    diff_directories, field_changes, ChangeKind, Directory as Side, DirectoryDiff, MatchKey,
    ResourceKind,
};
use scim_core::Resource;

use crate::snapshot::{Snapshot, SnapshotHeader};
use scim_base::error::AppError;

/// How resources are paired (see the core's `MatchKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum MatchBy {
    Id,
    ExternalId,
    UserName,
    Email,
}

impl MatchBy {
    fn key(self) -> MatchKey {
        match self {
            MatchBy::Id => MatchKey::Id,
            MatchBy::ExternalId => MatchKey::ExternalId,
            MatchBy::UserName => MatchKey::UserName,
            MatchBy::Email => MatchKey::Email,
        }
    }
}

/// One side of a comparison, as the user picked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SideSpec {
    /// A snapshot file.
    Snapshot { path: String },
    /// The open directory, read now.
    Live,
    /// Another saved connection, read now.
    Connection { name: String },
}

/// Where one side came from, for the header and for exports' provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SideInfo {
    pub label: String,
    pub connection: String,
    pub taken_at: String,
    pub sha256: String,
    pub users: u32,
    pub groups: u32,
}

impl SideInfo {
    fn of(label: String, h: &SnapshotHeader) -> Self {
        Self {
            label,
            connection: h.connection.clone(),
            taken_at: h.taken_at.clone(),
            sha256: h.sha256.clone(),
            users: h.users,
            groups: h.groups,
        }
    }
}

/// The counters at the top of the compare screen; each is also a filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiffCounts {
    pub users_added: u32,
    pub users_removed: u32,
    pub users_changed: u32,
    pub groups_added: u32,
    pub groups_removed: u32,
    pub groups_changed: u32,
    pub members_added: u32,
    pub members_removed: u32,
}

/// What a comparison found, without its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CompareSummary {
    pub a: SideInfo,
    pub b: SideInfo,
    pub by: MatchBy,
    pub counts: DiffCounts,
    /// Users of A paired with one of B, of A's total and B's total.
    pub user_match: [u32; 3],
    pub group_match: [u32; 3],
    pub lines: u32,
    pub warnings: Vec<String>,
    pub elapsed_ms: u32,
}

/// What a compare line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum DiffCategory {
    User,
    Group,
    Membership,
}

impl DiffCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffCategory::User => "user",
            DiffCategory::Group => "group",
            DiffCategory::Membership => "membership",
        }
    }
}

/// What happened to it from A to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum DiffChange {
    Added,
    Removed,
    Changed,
}

impl DiffChange {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffChange::Added => "added",
            DiffChange::Removed => "removed",
            DiffChange::Changed => "changed",
        }
    }
}

impl From<ChangeKind> for DiffChange {
    fn from(k: ChangeKind) -> Self {
        match k {
            ChangeKind::Added => DiffChange::Added,
            ChangeKind::Removed => DiffChange::Removed,
            ChangeKind::Changed => DiffChange::Changed,
        }
    }
}

/// One narrated line.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiffLine {
    /// Its position in the whole comparison (stable across filters), for `line_detail`.
    pub index: u32,
    pub category: DiffCategory,
    pub change: DiffChange,
    pub label: String,
    pub attributes: Vec<String>,
    pub narration: String,
    /// The person the line names (a user's label, a member's), masked in exports when asked.
    pub person: Option<String>,
}

/// Which lines to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiffQuery {
    /// Empty means all.
    #[serde(default)]
    pub categories: Vec<DiffCategory>,
    /// Empty means all.
    #[serde(default)]
    pub changes: Vec<DiffChange>,
    /// Text the narration must contain (case-insensitive).
    #[serde(default)]
    pub quick: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiffWindow {
    pub matched: u32,
    pub offset: u32,
    pub lines: Vec<DiffLine>,
}

/// One line opened: the two resources and what differs between them.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LineDetail {
    pub narration: String,
    pub a: Option<String>,
    pub b: Option<String>,
    pub fields: Vec<FieldDiff>,
}

/// A computed comparison, kept while the compare screen shows it.
#[derive(Debug)]
pub struct Comparison {
    pub summary: CompareSummary,
    a: Snapshot,
    b: Snapshot,
    diff: DirectoryDiff,
    lines: Vec<DiffLine>,
    /// Lower-cased narrations, for the text filter.
    search: Vec<String>,
}

/// The narrated lines of a diff (users and groups, then memberships) and their counts: the one
/// layout the compare screen, its CSV and `scimx diff --format csv` share.
pub fn lines_of(diff: &DirectoryDiff) -> (Vec<DiffLine>, DiffCounts) {
    let mut counts = DiffCounts::default();
    let mut lines =
        Vec::with_capacity(diff.users.len() + diff.groups.len() + diff.memberships.len());
    for c in diff.users.iter().chain(diff.groups.iter()) {
        let user = c.resource == ResourceKind::Users;
        let slot = match (user, c.kind) {
            (true, ChangeKind::Added) => &mut counts.users_added,
            (true, ChangeKind::Removed) => &mut counts.users_removed,
            (true, ChangeKind::Changed) => &mut counts.users_changed,
            (false, ChangeKind::Added) => &mut counts.groups_added,
            (false, ChangeKind::Removed) => &mut counts.groups_removed,
            (false, ChangeKind::Changed) => &mut counts.groups_changed,
        };
        *slot += 1;
        lines.push(DiffLine {
            index: lines.len() as u32,
            category: if user {
                DiffCategory::User
            } else {
                DiffCategory::Group
            },
            change: c.kind.into(),
            label: c.label.clone(),
            attributes: c.attributes.clone(),
            narration: c.narration.clone(),
            person: user.then(|| c.label.clone()),
        });
    }
    for m in &diff.memberships {
        if m.added {
            counts.members_added += 1;
        } else {
            counts.members_removed += 1;
        }
        lines.push(DiffLine {
            index: lines.len() as u32,
            category: DiffCategory::Membership,
            change: if m.added {
                DiffChange::Added
            } else {
                DiffChange::Removed
            },
            label: m.group.clone(),
            attributes: Vec::new(),
            narration: m.narration.clone(),
            person: Some(m.member.clone()),
        });
    }
    (lines, counts)
}

/// Lines as CSV (RFC 4180, CRLF): one header, one row per line; `mask` hides the people named.
pub fn lines_to_csv<'a>(lines: impl IntoIterator<Item = &'a DiffLine>, mask: bool) -> String {
    let mut out =
        scim_base::export::csv_line(&["category", "change", "label", "attributes", "narration"]);
    for l in lines {
        let mut l = l.clone();
        if mask {
            if let Some(person) = &l.person {
                let hidden = scim_base::masking::mask_cell("userName", person);
                l.narration = l.narration.replace(person.as_str(), &hidden);
                if l.category == DiffCategory::User {
                    l.label = hidden;
                }
            }
            l.narration = scim_base::masking::mask_text(&l.narration);
        }
        out.push_str(&scim_base::export::csv_line(&[
            l.category.as_str().to_owned(),
            l.change.as_str().to_owned(),
            l.label,
            l.attributes.join(" "),
            l.narration,
        ]));
    }
    out
}

impl Comparison {
    /// Diffs `a` against `b` (what changed from A to B).
    pub fn new(a: Snapshot, a_label: String, b: Snapshot, b_label: String, by: MatchBy) -> Self {
        let started = std::time::Instant::now();
        let diff = diff_directories(
            &Side {
                users: &a.users,
                groups: &a.groups,
            },
            &Side {
                users: &b.users,
                groups: &b.groups,
            },
            by.key(),
        );
        let (lines, counts) = lines_of(&diff);
        let search = lines.iter().map(|l| l.narration.to_lowercase()).collect();
        let rate =
            |m: &scim_core::diff::MatchRate| [m.matched as u32, m.total_a as u32, m.total_b as u32];
        let summary = CompareSummary {
            a: SideInfo::of(a_label, &a.header),
            b: SideInfo::of(b_label, &b.header),
            by,
            counts,
            user_match: rate(&diff.user_match),
            group_match: rate(&diff.group_match),
            lines: lines.len() as u32,
            warnings: diff.warnings.iter().map(|w| w.message.clone()).collect(),
            elapsed_ms: started.elapsed().as_millis().min(u32::MAX as u128) as u32,
        };
        Self {
            summary,
            a,
            b,
            diff,
            lines,
            search,
        }
    }

    fn matches(&self, i: usize, q: &DiffQuery, quick: Option<&str>) -> bool {
        let l = &self.lines[i];
        (q.categories.is_empty() || q.categories.contains(&l.category))
            && (q.changes.is_empty() || q.changes.contains(&l.change))
            && quick.is_none_or(|t| self.search[i].contains(t))
    }

    /// The lines the query selects, `limit` of them from `offset`.
    pub fn window(&self, q: &DiffQuery) -> DiffWindow {
        let quick = q
            .quick
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase);
        let mut matched = 0u32;
        let mut lines = Vec::new();
        for i in 0..self.lines.len() {
            if !self.matches(i, q, quick.as_deref()) {
                continue;
            }
            if matched >= q.offset && lines.len() < q.limit as usize {
                lines.push(self.lines[i].clone());
            }
            matched += 1;
        }
        DiffWindow {
            matched,
            offset: q.offset,
            lines,
        }
    }

    /// Every line the query selects (for exports).
    pub fn all(&self, q: &DiffQuery) -> Vec<DiffLine> {
        self.window(&DiffQuery {
            offset: 0,
            limit: u32::MAX,
            ..q.clone()
        })
        .lines
    }

    /// The two resources behind line `index` and their field diff. For a membership line, the group.
    pub fn detail(&self, index: u32) -> Result<LineDetail, AppError> {
        let line = self.lines.get(index as usize).ok_or_else(|| {
            AppError::invalid_input(format!("No line {index} in this comparison."))
        })?;
        let resource_changes = self.diff.users.len() + self.diff.groups.len();
        let (a, b) = if (index as usize) < resource_changes {
            let c = self
                .diff
                .users
                .iter()
                .chain(self.diff.groups.iter())
                .nth(index as usize)
                .ok_or_else(|| AppError::internal("a diff line lost its change"))?;
            let (list_a, list_b) = if c.resource == ResourceKind::Users {
                (&self.a.users, &self.b.users)
            } else {
                (&self.a.groups, &self.b.groups)
            };
            (
                c.index_a.and_then(|i| list_a.get(i)),
                c.index_b.and_then(|i| list_b.get(i)),
            )
        } else {
            let by_name = |list: &'_ [Value]| -> Option<usize> {
                list.iter()
                    .position(|g| Resource::new(g.clone()).label() == line.label)
            };
            (
                by_name(&self.a.groups).and_then(|i| self.a.groups.get(i)),
                by_name(&self.b.groups).and_then(|i| self.b.groups.get(i)),
            )
        };
        let empty = Value::Object(Default::default());
        Ok(LineDetail {
            narration: line.narration.clone(),
            a: a.map(|v| serde_json::to_string_pretty(v).unwrap_or_default()),
            b: b.map(|v| serde_json::to_string_pretty(v).unwrap_or_default()),
            fields: field_changes(a.unwrap_or(&empty), b.unwrap_or(&empty), &["meta"])
                .into_iter()
                .map(FieldDiff::from)
                .collect(),
        })
    }

    /// The selected lines as RFC 4180 CSV with a provenance comment line first; `mask` applies
    /// presentation-mode masking to the people the lines name.
    pub fn to_csv(&self, q: &DiffQuery, mask: bool) -> String {
        let s = &self.summary;
        let mut out = scim_base::export::csv_line(&[format!(
            "# A: {} ({}, {}, sha256 {}); B: {} ({}, {}, sha256 {}); matched by {:?}; {}",
            s.a.label,
            s.a.connection,
            s.a.taken_at,
            s.a.sha256,
            s.b.label,
            s.b.connection,
            s.b.taken_at,
            s.b.sha256,
            s.by,
            scim_base::export::FORMULA_NOTE
        )]);
        out.push_str(&lines_to_csv(self.all(q).iter(), mask));
        out
    }
}

/// A field that differs, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldDiff {
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<scim_core::diff::FieldChange> for FieldDiff {
    fn from(c: scim_core::diff::FieldChange) -> Self {
        Self {
            path: c.path,
            before: c.before,
            after: c.after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snap(users: Vec<Value>, groups: Vec<Value>) -> Snapshot {
        Snapshot {
            header: SnapshotHeader {
                format: crate::snapshot::FORMAT.into(),
                version: 1,
                connection: "Demo".into(),
                base_url: "http://x".into(),
                taken_at: "2026-11-23T00:00:00Z".into(),
                app_version: "0".into(),
                users: users.len() as u32,
                groups: groups.len() as u32,
                user_filter: None,
                group_filter: None,
                sha256: "abc".into(),
            },
            users,
            groups,
            schemas: Vec::new(),
            capabilities: Value::Null,
        }
    }

    #[test]
    fn lines_are_counted_filtered_and_opened() {
        let u = |id: &str, name: &str, active: bool| json!({"id": id, "userName": name, "active": active});
        let g = |members: &[&str]| {
            json!({"id": "g1", "displayName": "Profile: Administrator",
                   "members": members.iter().map(|m| json!({"value": m})).collect::<Vec<_>>()})
        };
        let a = snap(
            vec![u("1", "ana", true), u("2", "ben", true)],
            vec![g(&["1", "2"])],
        );
        let b = snap(
            vec![u("1", "ana", false), u("3", "carla", true)],
            vec![g(&["1", "3"])],
        );
        let c = Comparison::new(a, "A".into(), b, "B".into(), MatchBy::Id);
        let counts = &c.summary.counts;
        assert_eq!(
            (
                counts.users_added,
                counts.users_removed,
                counts.users_changed
            ),
            (1, 1, 1)
        );
        assert_eq!((counts.members_added, counts.members_removed), (1, 1));
        let all = c.window(&DiffQuery {
            limit: 100,
            ..Default::default()
        });
        assert_eq!(all.matched, c.summary.lines);
        let removed_members = c.window(&DiffQuery {
            categories: vec![DiffCategory::Membership],
            changes: vec![DiffChange::Removed],
            limit: 100,
            ..Default::default()
        });
        assert_eq!(removed_members.matched, 1);
        assert!(
            removed_members.lines[0]
                .narration
                .contains("removed from Profile: Administrator"),
            "{:?}",
            removed_members.lines[0]
        );
        let changed = c
            .window(&DiffQuery {
                changes: vec![DiffChange::Changed],
                categories: vec![DiffCategory::User],
                limit: 10,
                ..Default::default()
            })
            .lines;
        let detail = c.detail(changed[0].index).unwrap();
        assert_eq!(detail.fields.len(), 1);
        assert_eq!(detail.fields[0].path, "active");
        let quick = c.window(&DiffQuery {
            quick: Some("CARLA".into()),
            limit: 10,
            ..Default::default()
        });
        assert!(
            quick.matched >= 1
                && quick
                    .lines
                    .iter()
                    .all(|l| l.narration.to_lowercase().contains("carla"))
        );
        let csv = c.to_csv(&DiffQuery::default(), false);
        assert!(csv.starts_with("\"# A: A (Demo"), "{csv}");
        assert_eq!(csv.lines().count(), 2 + c.summary.lines as usize);
        assert!(csv.contains("carla"));
        let masked = c.to_csv(&DiffQuery::default(), true);
        assert!(
            !masked.contains("carla") && !masked.contains("ben"),
            "{masked}"
        );
        assert!(
            masked.contains("Profile: Administrator"),
            "group names stay"
        );
    }
}
