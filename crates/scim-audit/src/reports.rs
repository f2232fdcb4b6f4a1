//! Membership audits over a directory (a snapshot or a live load): who has access to what, and the
//! data problems that break provisioning — users in no group, inactive users still in groups,
//! missing or duplicate externalIds (Netdata keys users by externalId = OIDC `sub`), duplicate
//! userNames or emails, member references to nothing, empty groups. Each report is a table that
//! exports to CSV (RFC 4180) or JSON with its provenance.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use scim_core::identity::SsoKey;
use scim_core::resource::Members;
use scim_core::Resource;

use crate::roles::{Holding, Memberships};
use scim_base::error::AppError;
use scim_base::export::csv_line;

/// Which report to build: the names `scimx report` takes (`no-group`, `access:Admins`), and what the
/// UI sends (a union in TypeScript, so a misspelt report fails to compile).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    MembershipMatrix,
    NoGroup,
    InactiveInGroups,
    /// Users whose single-sign-on key (the connection's: externalId, userName or email) is
    /// missing or shared.
    MissingKey,
    Duplicates,
    Orphans,
    EmptyGroups,
    /// Who holds one group or role (named by displayName, case-insensitive, or id).
    Access(String),
}

impl ReportKind {
    /// The reports over a whole directory (every kind but the per-group access report).
    pub const ALL: [ReportKind; 7] = [
        ReportKind::MembershipMatrix,
        ReportKind::NoGroup,
        ReportKind::InactiveInGroups,
        ReportKind::MissingKey,
        ReportKind::Duplicates,
        ReportKind::Orphans,
        ReportKind::EmptyGroups,
    ];

    /// The name as `scimx report` takes it and exports state it.
    pub fn name(&self) -> String {
        match self {
            ReportKind::Access(group) => format!("access:{group}"),
            other => serde_json::to_value(other)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        }
    }

    /// Reads a report name (`no-group`, `access:Admins`), naming the choices when it is none.
    pub fn parse(name: &str) -> Result<Self, AppError> {
        if let Some(target) = name.strip_prefix("access:") {
            return Ok(ReportKind::Access(target.to_owned()));
        }
        // Its name before the key was the connection's to choose.
        if name == "missing-externalid" {
            return Ok(ReportKind::MissingKey);
        }
        ReportKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                let names: Vec<String> = ReportKind::ALL.iter().map(ReportKind::name).collect();
                AppError::invalid_input(format!(
                    "There is no report \"{name}\"; choose one of {}.",
                    names.join(", ")
                ))
            })
    }
}

/// A file a report (or a diff) is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// RFC 4180 with a provenance comment line first.
    Csv,
    /// A sheet for the report and one for its provenance.
    Xlsx,
    Json,
}

/// The bytes of `r` as `format`: the one place each report layout is written.
pub fn encode(r: &Report, format: ExportFormat) -> Result<Vec<u8>, AppError> {
    Ok(match format {
        ExportFormat::Csv => to_csv_with_provenance(r).into_bytes(),
        ExportFormat::Xlsx => to_xlsx(std::slice::from_ref(r))?,
        ExportFormat::Json => {
            (serde_json::to_string_pretty(r).unwrap_or_default() + "\n").into_bytes()
        }
    })
}

/// Where a report's data came from, stated in every export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    pub connection: String,
    pub base_url: String,
    /// When the directory was read (RFC 3339).
    pub taken_at: String,
    /// The snapshot's SHA-256, when the data is a snapshot.
    pub snapshot_sha256: Option<String>,
    pub filter: Option<String>,
    pub generated_at: String,
}

/// One audit as a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub name: String,
    pub title: String,
    /// What the report answers, in a sentence.
    pub description: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub provenance: Provenance,
}

/// One report of the catalogue, as the reports screen lists it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportInfo {
    pub kind: ReportKind,
    pub name: String,
    pub title: String,
    pub description: String,
}

/// The whole-directory reports with their titles and what they answer.
pub fn catalog() -> Vec<ReportInfo> {
    let empty = Provenance {
        connection: String::new(),
        base_url: String::new(),
        taken_at: String::new(),
        snapshot_sha256: None,
        filter: None,
        generated_at: String::new(),
    };
    ReportKind::ALL
        .iter()
        .filter_map(|k| build(k, &[], &[], empty.clone()).ok().map(|r| (k, r)))
        .map(|(k, r)| ReportInfo {
            kind: k.clone(),
            name: r.name,
            title: r.title,
            description: r.description,
        })
        .collect()
}

impl Provenance {
    /// Where a snapshot's (or a directory read now's) data came from; a directory read now has no
    /// file, hence no hash.
    pub fn of_snapshot(snap: &crate::snapshot::Snapshot) -> Self {
        Provenance {
            connection: snap.header.connection.clone(),
            base_url: snap.header.base_url.clone(),
            taken_at: snap.header.taken_at.clone(),
            snapshot_sha256: (!snap.header.sha256.is_empty()).then(|| snap.header.sha256.clone()),
            filter: snap.header.user_filter.clone(),
            generated_at: crate::snapshot::now_rfc3339(),
        }
    }
}

/// A report as the reports screen shows it: everything but its rows.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    pub name: String,
    pub title: String,
    pub description: String,
    pub columns: Vec<String>,
    pub rows: u32,
    pub provenance: Provenance,
}

/// A window of a report's rows, quick-filtered.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportQuery {
    pub offset: u32,
    pub limit: u32,
    #[serde(default)]
    pub quick: Option<String>,
}

/// Rows of the shown report that contain `quick` (any cell, case-insensitive).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportRows {
    pub matched: u32,
    pub offset: u32,
    pub rows: Vec<Vec<String>>,
}

impl Report {
    pub fn view(&self) -> ReportView {
        ReportView {
            name: self.name.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            columns: self.columns.clone(),
            rows: self.rows.len() as u32,
            provenance: self.provenance.clone(),
        }
    }

    /// The rows of `query`'s window among those containing its quick filter.
    pub fn window(&self, query: &ReportQuery) -> ReportRows {
        let quick = query
            .quick
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase);
        let mut matched = 0u32;
        let mut rows = Vec::new();
        for row in &self.rows {
            if let Some(q) = &quick {
                if !row.iter().any(|c| c.to_lowercase().contains(q.as_str())) {
                    continue;
                }
            }
            if matched >= query.offset && rows.len() < query.limit as usize {
                rows.push(row.clone());
            }
            matched += 1;
        }
        ReportRows {
            matched,
            offset: query.offset,
            rows,
        }
    }
}

fn user_label(u: &Resource) -> String {
    u.user_name()
        .map(str::to_owned)
        .unwrap_or_else(|| u.label())
}

fn text(v: Option<&str>) -> String {
    v.unwrap_or_default().to_owned()
}

/// What a report is before its name and provenance are put on it.
struct Table {
    title: String,
    description: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn table(title: &str, description: &str, columns: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        title: title.to_owned(),
        description: description.to_owned(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        rows,
    }
}

/// A directory as every report reads it: resources, memberships and group names, computed once.
struct Inputs {
    /// What users are keyed to single sign-on by.
    key: SsoKey,
    users: Vec<Resource>,
    groups: Vec<Resource>,
    memberships: Memberships,
    group_names: Vec<(String, String)>,
}

impl Inputs {
    fn new(users: &[Value], groups: &[Value], key: SsoKey) -> Self {
        let users: Vec<Resource> = users.iter().cloned().map(Resource::new).collect();
        let groups: Vec<Resource> = groups.iter().cloned().map(Resource::new).collect();
        let memberships = Memberships::compute(&groups);
        let group_names = groups
            .iter()
            .filter_map(|g| Some((g.id_string()?, g.label())))
            .collect();
        Inputs {
            key,
            users,
            groups,
            memberships,
            group_names,
        }
    }

    /// The groups `user` holds (by name), and how.
    fn groups_of(&self, user: &str) -> Vec<(String, Holding)> {
        self.group_names
            .iter()
            .filter_map(|(id, name)| Some((name.clone(), self.memberships.holding(id, user)?)))
            .collect()
    }

    /// Who has access to one group or role: its direct members and those holding it through a
    /// nested group. The group is named by displayName (case-insensitive) or id.
    fn access(&self, target: &str) -> Result<Table, AppError> {
        let (users, memberships, group_names) = (&self.users, &self.memberships, &self.group_names);
        // Who has access to one group or role: its direct members and those holding it through a
        // nested group. The group is named by displayName (case-insensitive) or id.
        let (gid, gname) = group_names
            .iter()
            .find(|(id, n)| id == target || n.eq_ignore_ascii_case(target))
            .cloned()
            .ok_or_else(|| {
                AppError::invalid_input(format!("No group \"{target}\" in this directory."))
            })?;
        let mut rows: Vec<Vec<String>> = users
            .iter()
            .filter_map(|u| {
                let id = u.id_string()?;
                let how = match memberships.holding(&gid, &id)? {
                    Holding::Direct => "direct",
                    Holding::Nested => "through a nested group",
                };
                Some(vec![
                    user_label(u),
                    text(u.display_name()),
                    u.active().map(|a| a.to_string()).unwrap_or_default(),
                    how.to_owned(),
                    id,
                ])
            })
            .collect();
        rows.sort_by(|a, b| {
            a[3].cmp(&b[3])
                .then_with(|| a[0].to_lowercase().cmp(&b[0].to_lowercase()))
        });
        Ok(table(
            &format!("Who has access to {gname}"),
            "Users holding this group or role, directly or through a nested group.",
            &["userName", "displayName", "active", "access", "id"],
            rows,
        ))
    }

    fn membership_matrix(&self) -> Table {
        let (users, memberships, group_names) = (&self.users, &self.memberships, &self.group_names);
        let mut columns: Vec<&str> = vec!["userName", "displayName", "active"];
        columns.extend(group_names.iter().map(|(_, n)| n.as_str()));
        let rows = users
            .iter()
            .filter_map(|u| {
                let id = u.id_string()?;
                let mut row = vec![
                    user_label(u),
                    text(u.display_name()),
                    u.active().map(|a| a.to_string()).unwrap_or_default(),
                ];
                row.extend(group_names.iter().map(
                    |(gid, _)| match memberships.holding(gid, &id) {
                        Some(Holding::Direct) => "direct".to_owned(),
                        Some(Holding::Nested) => "nested".to_owned(),
                        None => String::new(),
                    },
                ));
                Some(row)
            })
            .collect();
        table(
            "Membership matrix",
            "Every user against every group: direct member, member through a nested group, or not a member.",
            &columns,
            rows,
        )
    }

    fn no_group(&self) -> Table {
        let users = &self.users;
        let groups_of = |user: &str| self.groups_of(user);
        table(
            "Users in no group",
            "Users who belong to no group at all, directly or through nesting.",
            &["userName", "displayName", "active", "id"],
            users
                .iter()
                .filter_map(|u| {
                    let id = u.id_string()?;
                    groups_of(&id).is_empty().then(|| {
                        vec![
                            user_label(u),
                            text(u.display_name()),
                            u.active().map(|a| a.to_string()).unwrap_or_default(),
                            id,
                        ]
                    })
                })
                .collect(),
        )
    }

    fn inactive_in_groups(&self) -> Table {
        let users = &self.users;
        let groups_of = |user: &str| self.groups_of(user);
        table(
            "Inactive users still in groups",
            "Users marked inactive who still hold group memberships (and so, often, access).",
            &["userName", "displayName", "groups", "id"],
            users
                .iter()
                .filter(|u| u.active() == Some(false))
                .filter_map(|u| {
                    let id = u.id_string()?;
                    let held = groups_of(&id);
                    (!held.is_empty()).then(|| {
                        vec![
                            user_label(u),
                            text(u.display_name()),
                            held.iter()
                                .map(|(n, h)| match h {
                                    Holding::Direct => n.clone(),
                                    Holding::Nested => format!("{n} (nested)"),
                                })
                                .collect::<Vec<_>>()
                                .join("; "),
                            id,
                        ]
                    })
                })
                .collect(),
        )
    }

    fn missing_key(&self) -> Table {
        let key = self.key.label();
        table(
            &format!("Missing or shared {key}"),
            &format!(
                "Users without a {key}, or sharing one: users are keyed to single sign-on by {key} \
                 ({}), so these cannot be signed in reliably.",
                self.key.meaning()
            ),
            &["userName", key, "problem", "id"],
            scim_core::identity::key_problems(&self.users, self.key)
                .into_iter()
                .map(|(i, value, problem)| {
                    let u = &self.users[i];
                    vec![
                        user_label(u),
                        value.unwrap_or_default(),
                        problem,
                        u.id_string().unwrap_or_default(),
                    ]
                })
                .collect(),
        )
    }

    fn duplicates(&self) -> Table {
        let users = &self.users;
        let mut by_name: HashMap<String, Vec<&Resource>> = HashMap::new();
        let mut by_email: HashMap<String, Vec<&Resource>> = HashMap::new();
        for u in users {
            if let Some(n) = u.user_name() {
                by_name.entry(n.to_lowercase()).or_default().push(u);
            }
            let mut seen = HashSet::new();
            for e in u.emails() {
                let e = e.to_lowercase();
                if seen.insert(e.clone()) {
                    by_email.entry(e).or_default().push(u);
                }
            }
        }
        let mut rows = Vec::new();
        for (what, map) in [("userName", &by_name), ("email", &by_email)] {
            let mut keys: Vec<&String> = map.keys().filter(|k| map[*k].len() > 1).collect();
            keys.sort();
            for k in keys {
                for u in &map[k] {
                    rows.push(vec![
                        what.to_owned(),
                        k.clone(),
                        user_label(u),
                        u.id_string().unwrap_or_default(),
                    ]);
                }
            }
        }
        table(
            "Duplicate userNames and emails",
            "Users sharing a userName or an email, compared case-insensitively.",
            &["duplicated", "value", "userName", "id"],
            rows,
        )
    }

    fn orphans(&self) -> Table {
        let (users, groups) = (&self.users, &self.groups);
        let known: HashSet<String> = users
            .iter()
            .chain(groups.iter())
            .filter_map(Resource::id_string)
            .collect();
        let mut rows = Vec::new();
        for g in groups {
            if let Members::Listed(list) = g.members() {
                for m in list.into_iter().filter(|m| !known.contains(&m.value)) {
                    rows.push(vec![
                        g.label(),
                        m.value,
                        m.display.unwrap_or_default(),
                        m.member_type.unwrap_or_default(),
                    ]);
                }
            }
        }
        table(
            "Member references to nothing",
            "Group members whose id matches no user or group in the directory.",
            &["group", "member id", "member display", "member type"],
            rows,
        )
    }

    fn empty_groups(&self) -> Table {
        let groups = &self.groups;
        table(
            "Groups with no members",
            "Groups listing no member (or whose members the server did not return).",
            &["displayName", "members", "id"],
            groups
                .iter()
                .filter_map(|g| {
                    let state = match g.members() {
                        Members::Listed(l) if l.is_empty() => "none",
                        Members::Listed(_) => return None,
                        _ => "not returned",
                    };
                    Some(vec![
                        g.label(),
                        state.to_owned(),
                        g.id_string().unwrap_or_default(),
                    ])
                })
                .collect(),
        )
    }
}

/// Builds report `kind` over `users` and `groups`, users keyed to single sign-on by externalId.
pub fn build(
    kind: &ReportKind,
    users: &[Value],
    groups: &[Value],
    provenance: Provenance,
) -> Result<Report, AppError> {
    build_keyed(kind, users, groups, provenance, SsoKey::ExternalId)
}

/// Builds report `kind` over `users` and `groups`, users keyed to single sign-on by `key`: one
/// method of [`Inputs`] per report.
pub fn build_keyed(
    kind: &ReportKind,
    users: &[Value],
    groups: &[Value],
    provenance: Provenance,
    key: SsoKey,
) -> Result<Report, AppError> {
    let inputs = Inputs::new(users, groups, key);
    let t = match kind {
        ReportKind::Access(target) => inputs.access(target)?,
        ReportKind::MembershipMatrix => inputs.membership_matrix(),
        ReportKind::NoGroup => inputs.no_group(),
        ReportKind::InactiveInGroups => inputs.inactive_in_groups(),
        ReportKind::MissingKey => inputs.missing_key(),
        ReportKind::Duplicates => inputs.duplicates(),
        ReportKind::Orphans => inputs.orphans(),
        ReportKind::EmptyGroups => inputs.empty_groups(),
    };
    Ok(Report {
        name: kind.name(),
        title: t.title,
        description: t.description,
        columns: t.columns,
        rows: t.rows,
        provenance,
    })
}

/// The report as CSV (RFC 4180, CRLF): one header line, then one line per row. The provenance is
/// not inside the CSV (it would break its one-header contract); `provenance_line` gives it.
pub fn to_csv(r: &Report) -> String {
    let mut out = csv_line(&r.columns);
    for row in &r.rows {
        out.push_str(&csv_line(row));
    }
    out
}

/// The report as a file that stands alone: a `# provenance` comment line, then the CSV.
pub fn to_csv_with_provenance(r: &Report) -> String {
    let mut out = format!(
        "# {}: {}; {}\r\n",
        r.title,
        provenance_line(&r.provenance),
        scim_base::export::FORMULA_NOTE
    );
    out.push_str(&to_csv(r));
    out
}

/// The report with presentation-mode masking applied to its personal columns (for exports made
/// while presenting, when the user asks for it).
pub fn masked(r: &Report) -> Report {
    let mut out = r.clone();
    for row in &mut out.rows {
        for (cell, column) in row.iter_mut().zip(&r.columns) {
            *cell = scim_base::masking::mask_cell(column, cell);
        }
    }
    out
}

/// The most characters an XLSX cell holds (Excel's limit; the writer refuses more).
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// A cell as XLSX can hold it: cut to the limit with a closing `…`, and whether it was cut. A
/// server's 40,000-character display name must not make the whole export fail.
fn xlsx_cell(value: &str) -> (std::borrow::Cow<'_, str>, bool) {
    if value.chars().count() <= XLSX_MAX_CELL_CHARS {
        return (value.into(), false);
    }
    let mut cut: String = value.chars().take(XLSX_MAX_CELL_CHARS - 1).collect();
    cut.push('…');
    (cut.into(), true)
}

/// The reports as an XLSX workbook: one sheet per report (bold header row, frozen), then a
/// "Provenance" sheet saying where the data came from, and which cells were cut to fit.
pub fn to_xlsx(reports: &[Report]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| {
        AppError::internal(format!("the XLSX workbook could not be written: {e}"))
    };
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let mut cut_cells = 0usize;
    for r in reports {
        let sheet = book.add_worksheet();
        // Sheet names: at most 31 characters, none of []:*?/\.
        let name: String = r
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet.set_name(&name).map_err(fail)?;
        for (c, title) in r.columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, title, &bold)
                .map_err(fail)?;
        }
        for (i, row) in r.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let (value, cut) = xlsx_cell(value);
                cut_cells += usize::from(cut);
                sheet
                    .write_string((i + 1) as u32, c as u16, value.as_ref())
                    .map_err(fail)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
    }
    if let Some(first) = reports.first() {
        let p = &first.provenance;
        let sheet = book.add_worksheet();
        sheet.set_name("Provenance").map_err(fail)?;
        let mut lines = vec![
            ("Connection", p.connection.clone()),
            ("Base URL", p.base_url.clone()),
            ("Directory read at", p.taken_at.clone()),
            (
                "Snapshot SHA-256",
                p.snapshot_sha256.clone().unwrap_or_default(),
            ),
            ("Filter", p.filter.clone().unwrap_or_default()),
            ("Generated at", p.generated_at.clone()),
            (
                "Reports",
                reports
                    .iter()
                    .map(|r| r.title.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ];
        if cut_cells > 0 {
            lines.push((
                "Note",
                format!(
                    "{cut_cells} cell{} cut to the {XLSX_MAX_CELL_CHARS}-character limit of a spreadsheet cell (marked …); the CSV export holds them whole",
                    if cut_cells == 1 { " was" } else { "s were" }
                ),
            ));
        }
        for (i, (k, v)) in lines.iter().enumerate() {
            sheet
                .write_string_with_format(i as u32, 0, *k, &bold)
                .map_err(fail)?;
            let (v, _) = xlsx_cell(v);
            sheet.write_string(i as u32, 1, v.as_ref()).map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// One line saying where a report came from, for stderr and export footers.
pub fn provenance_line(p: &Provenance) -> String {
    format!(
        "{} ({}) as of {}{}{}; generated {}",
        p.connection,
        p.base_url,
        p.taken_at,
        p.snapshot_sha256
            .as_deref()
            .map(|h| format!(", snapshot sha256 {h}"))
            .unwrap_or_default(),
        p.filter
            .as_deref()
            .map(|f| format!(", filter {f}"))
            .unwrap_or_default(),
        p.generated_at
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A report by the name `scimx report` takes, as the CLI reads it.
    fn by_name(name: &str, u: &[Value], g: &[Value]) -> Result<Report, AppError> {
        ReportKind::parse(name).and_then(|k| build(&k, u, g, prov()))
    }

    fn prov() -> Provenance {
        Provenance {
            connection: "Demo".into(),
            base_url: "http://x".into(),
            taken_at: "2026-11-22T10:00:00Z".into(),
            snapshot_sha256: Some("ab".into()),
            filter: None,
            generated_at: "2026-11-22T11:00:00Z".into(),
        }
    }

    /// A directory with one seeded instance of every problem the reports look for.
    fn fixture() -> (Vec<Value>, Vec<Value>) {
        let users = vec![
            json!({"id": "u1", "userName": "ana", "externalId": "sub-1", "active": true, "emails": [{"value": "ana@x.io"}]}),
            json!({"id": "u2", "userName": "ben", "externalId": "sub-2", "active": false, "emails": [{"value": "ben@x.io"}]}),
            json!({"id": "u3", "userName": "carla", "active": true, "emails": [{"value": "ANA@x.io"}]}),
            json!({"id": "u4", "userName": "Ana", "externalId": "sub-2", "active": true}),
        ];
        let groups = vec![
            json!({"id": "g1", "displayName": "Profile: Admin", "members": [{"value": "u1", "type": "User"}, {"value": "g2", "type": "Group"}, {"value": "gone", "display": "Old"}]}),
            json!({"id": "g2", "displayName": "Ops", "members": [{"value": "u2", "type": "User"}]}),
            json!({"id": "g3", "displayName": "Empty", "members": []}),
        ];
        (users, groups)
    }

    fn rows(name: &str) -> Vec<Vec<String>> {
        let (u, g) = fixture();
        by_name(name, &u, &g).expect("report").rows
    }

    #[test]
    fn each_report_finds_exactly_the_seeded_problems() {
        assert_eq!(
            rows("no-group")
                .iter()
                .map(|r| r[0].as_str())
                .collect::<Vec<_>>(),
            vec!["carla", "Ana"]
        );
        assert_eq!(
            rows("inactive-in-groups"),
            vec![vec![
                "ben".to_owned(),
                String::new(),
                "Profile: Admin (nested); Ops".to_owned(),
                "u2".to_owned()
            ]]
        );
        let ext: Vec<_> = rows("missing-key")
            .iter()
            .map(|r| (r[0].clone(), r[2].clone()))
            .collect();
        assert_eq!(
            ext,
            vec![
                ("ben".to_owned(), "shared by 2 users".to_owned()),
                ("carla".to_owned(), "missing".to_owned()),
                ("Ana".to_owned(), "shared by 2 users".to_owned())
            ]
        );
        let dup: Vec<_> = rows("duplicates")
            .iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
            .collect();
        assert_eq!(
            dup,
            vec![
                ("userName".into(), "ana".into(), "ana".into()),
                ("userName".into(), "ana".into(), "Ana".into()),
                ("email".into(), "ana@x.io".into(), "ana".into()),
                ("email".into(), "ana@x.io".into(), "carla".into()),
            ]
        );
        assert_eq!(
            rows("orphans"),
            vec![vec![
                "Profile: Admin".to_owned(),
                "gone".into(),
                "Old".into(),
                String::new()
            ]]
        );
        assert_eq!(
            rows("empty-groups"),
            vec![vec!["Empty".to_owned(), "none".into(), "g3".into()]]
        );
    }

    #[test]
    fn access_to_a_group_lists_direct_and_nested_holders() {
        let access: Vec<_> = rows("access:profile: admin")
            .iter()
            .map(|r| (r[0].clone(), r[3].clone()))
            .collect();
        assert_eq!(
            access,
            vec![
                ("ana".to_owned(), "direct".to_owned()),
                ("ben".to_owned(), "through a nested group".to_owned())
            ]
        );
        let (u, g) = fixture();
        assert!(by_name("access:nope", &u, &g).is_err());
        let masked = masked(&by_name("access:g1", &u, &g).unwrap());
        assert_eq!(masked.rows[0][0], "a•••", "userName masked");
        assert_eq!(masked.rows[0][3], "direct", "the rest kept");
        assert!(to_csv_with_provenance(&masked)
            .starts_with("# Who has access to Profile: Admin: Demo (http://x)"));
    }

    #[test]
    fn the_matrix_has_a_column_per_group_and_csv_is_rfc4180() {
        let (u, g) = fixture();
        let r = by_name("membership-matrix", &u, &g).expect("matrix");
        assert_eq!(
            r.columns,
            vec![
                "userName",
                "displayName",
                "active",
                "Profile: Admin",
                "Ops",
                "Empty"
            ]
        );
        assert_eq!(r.rows[1], vec!["ben", "", "false", "nested", "direct", ""]);
        let mut with_comma = r.clone();
        with_comma.rows[0][1] = "Díaz, \"Ana\"".into();
        let csv = to_csv(&with_comma);
        assert!(csv.starts_with("userName,displayName,active,Profile: Admin,Ops,Empty\r\n"));
        assert!(
            csv.contains("ana,\"Díaz, \"\"Ana\"\"\",true,direct,,\r\n"),
            "{csv}"
        );
        assert!(by_name("who-knows", &u, &g).is_err());
        assert!(provenance_line(&r.provenance).contains("snapshot sha256 ab"));
    }

    /// A sheet read back: its name and its rows of text cells.
    type Sheet = (String, Vec<Vec<String>>);

    /// Every sheet of an XLSX as text cells, read by calamine, and whether any cell holds a formula.
    fn read_xlsx(bytes: &[u8]) -> (Vec<Sheet>, bool) {
        use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
        let mut book: Xlsx<_> =
            open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("a readable XLSX");
        let mut formulas = false;
        let sheets = book
            .sheet_names()
            .into_iter()
            .map(|name| {
                let range = book.worksheet_range(&name).expect("sheet");
                formulas |= book
                    .worksheet_formula(&name)
                    .expect("formulas")
                    .used_cells()
                    .any(|(_, _, f)| !f.is_empty());
                let rows = range
                    .rows()
                    .map(|row| {
                        row.iter()
                            .map(|cell| match cell {
                                Data::String(s) => s.clone(),
                                Data::Empty => String::new(),
                                other => panic!("{name}: a cell that is not text: {other:?}"),
                            })
                            .collect()
                    })
                    .collect();
                (name, rows)
            })
            .collect();
        (sheets, formulas)
    }

    #[test]
    fn xlsx_holds_every_report_cell_for_cell_and_the_provenance() {
        let (u, g) = fixture();
        let all: Vec<Report> = ReportKind::ALL
            .iter()
            .map(|k| build(k, &u, &g, prov()).expect("report"))
            .collect();
        let (sheets, formulas) = read_xlsx(&to_xlsx(&all).expect("xlsx"));
        assert!(!formulas, "every cell is a value");
        assert_eq!(
            sheets.len(),
            all.len() + 1,
            "a sheet per report, then the provenance"
        );
        for (report, (name, rows)) in all.iter().zip(&sheets) {
            assert_eq!(name, &report.name);
            let mut expected = vec![report.columns.clone()];
            expected.extend(report.rows.iter().cloned());
            // A sheet ends at its last non-empty cell: a report's trailing empty cells are not kept.
            let trimmed = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
                rows.iter()
                    .map(|r| {
                        let mut r = r.clone();
                        while r.last().is_some_and(String::is_empty) {
                            r.pop();
                        }
                        r
                    })
                    .collect()
            };
            assert_eq!(trimmed(rows), trimmed(&expected), "sheet {name}");
        }
        let (name, provenance) = sheets.last().expect("provenance sheet");
        assert_eq!(name, "Provenance");
        assert_eq!(provenance[0], vec!["Connection", "Demo"]);
        assert_eq!(provenance[1], vec!["Base URL", "http://x"]);
        assert_eq!(provenance[3], vec!["Snapshot SHA-256", "ab"]);
    }

    #[test]
    fn xlsx_keeps_hostile_cells_as_text() {
        let (u, g) = fixture();
        let mut report = build(&ReportKind::ALL[0], &u, &g, prov()).expect("report");
        let hostile = [
            "=HYPERLINK(\"http://evil.example\",\"click\")".to_owned(),
            "@SUM(1+1)*cmd|' /C calc'!A0".to_owned(),
            "Zoë Ødegård 李 👩🏽‍💻 \u{202e}txt.exe".to_owned(),
            "tab\tand\nnewline".to_owned(),
            "bell\u{7}and\u{1b}escape".to_owned(),
        ];
        let width = report.columns.len();
        report.rows = hostile
            .iter()
            .map(|h| {
                let mut row = vec![String::new(); width];
                row[0] = h.clone();
                row
            })
            .collect();
        let (sheets, formulas) = read_xlsx(&to_xlsx(&[report]).expect("xlsx"));
        assert!(!formulas, "text that looks like a formula stays text");
        let cells: Vec<&str> = sheets[0].1[1..].iter().map(|r| r[0].as_str()).collect();
        let mut expected: Vec<&str> = hostile.iter().map(String::as_str).collect();
        // XML cannot hold control characters: OOXML writes them as `_xHHHH_` (ECMA-376 Part 1,
        // §22.4.2.4), which Excel reads back as the character and calamine leaves as written.
        expected[4] = "bell_x0007_and_x001B_escape";
        assert_eq!(cells, expected);
    }

    #[test]
    fn an_xlsx_cell_longer_than_excel_allows_is_cut_and_said() {
        let (u, g) = fixture();
        let mut report = build(&ReportKind::ALL[0], &u, &g, prov()).expect("report");
        let width = report.columns.len();
        let mut row = vec![String::new(); width];
        row[0] = "é".repeat(40_000);
        report.rows = vec![row];
        let (sheets, _) =
            read_xlsx(&to_xlsx(&[report]).expect("a long cell does not fail the export"));
        let cell = &sheets[0].1[1][0];
        assert_eq!(
            cell.chars().count(),
            XLSX_MAX_CELL_CHARS,
            "cut to the limit"
        );
        assert!(cell.ends_with('…'), "the cut is marked");
        let provenance = &sheets.last().expect("provenance").1;
        assert!(
            provenance
                .iter()
                .any(|r| r[0] == "Note" && r[1].contains("1 cell was cut")),
            "{provenance:?}"
        );
    }
}
