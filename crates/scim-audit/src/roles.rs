//! Role groups: apps often expose access levels as SCIM Groups ("Profile: Administrator", "Project:
//! Transmission line (Read-only)") or as a custom resource type (Roles, Entitlements). Rules per
//! connection sort them into categories, and the membership matrix answers "who has which access"
//! — directly or through a nested group — for the whole loaded directory.

use std::collections::{HashMap, HashSet};

use regex::RegexBuilder;
use serde::{Deserialize, Serialize};
use specta::Type;

use scim_core::resource::Members;
use scim_core::{Resource, ResourceKind};

use scim_base::error::AppError;
use scim_base::export::csv_line;

/// How a rule recognises a role group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum RuleKind {
    /// displayName starts with the pattern (case-insensitive), e.g. `Profile:`.
    Prefix,
    /// displayName matches the regular expression (case-insensitive).
    Regex,
    /// Every resource of a custom resource type from /ResourceTypes (the pattern is its name).
    ResourceType,
}

/// One classification rule: the groups it matches form the category `category`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RoleRule {
    pub category: String,
    pub kind: RuleKind,
    pub pattern: String,
}

/// The rules a new connection starts with: the profiles/projects convention of the seed systems.
pub fn default_rules() -> Vec<RoleRule> {
    vec![
        RoleRule {
            category: "Profiles".into(),
            kind: RuleKind::Prefix,
            pattern: "Profile:".into(),
        },
        RoleRule {
            category: "Projects".into(),
            kind: RuleKind::Prefix,
            pattern: "Project:".into(),
        },
    ]
}

/// One role group as the tabs list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RoleGroup {
    pub id: String,
    pub display_name: String,
    /// The name without the rule's prefix ("Administrator" for "Profile: Administrator").
    pub short_name: String,
    pub category: String,
    /// Where it is read: `Groups`, or a custom resource type's endpoint (`Roles`).
    pub endpoint: String,
    /// The same, as the kind the detail pane opens it with.
    pub kind: ResourceKind,
    /// Users holding it, directly or through nested groups.
    pub user_count: u32,
    pub direct_count: u32,
}

/// The resources of one resource-type rule: the category they form and where they are read.
#[derive(Debug, Clone)]
pub struct TypedRoles {
    pub category: String,
    /// The resource type's endpoint without the slash (`Roles`).
    pub endpoint: String,
    pub resources: Vec<Resource>,
}

/// The classification of the loaded groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RoleGroups {
    pub categories: Vec<String>,
    pub groups: Vec<RoleGroup>,
    /// Groups no rule matched.
    pub unclassified: u32,
}

/// How a user holds a role group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Holding {
    Direct,
    /// Through a nested group only.
    Nested,
}

#[derive(Debug)]
enum Matcher {
    Prefix(String),
    Regex(regex::Regex),
    Everything,
}

fn matchers(rules: &[RoleRule]) -> Result<Vec<(&RoleRule, Matcher)>, AppError> {
    rules
        .iter()
        .filter(|r| r.kind != RuleKind::ResourceType)
        .map(|r| {
            let m = match r.kind {
                RuleKind::Prefix => Matcher::Prefix(r.pattern.to_lowercase()),
                RuleKind::Regex => Matcher::Regex(
                    RegexBuilder::new(&r.pattern)
                        .case_insensitive(true)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| {
                            AppError::invalid_input(format!(
                                "The rule for \"{}\" is not a valid regular expression: {e}",
                                r.category
                            ))
                        })?,
                ),
                RuleKind::ResourceType => Matcher::Everything,
            };
            Ok((r, m))
        })
        .collect()
}

/// Refuses rules that cannot be applied (a regex that does not compile, or is too big).
pub fn check_rules(rules: &[RoleRule]) -> Result<(), AppError> {
    matchers(rules).map(|_| ())
}

/// The first name rule matching a group's displayName.
fn rule_for_name<'a>(name: &str, matchers: &[(&'a RoleRule, Matcher)]) -> Option<&'a RoleRule> {
    matchers
        .iter()
        .find(|(_, m)| match m {
            Matcher::Prefix(p) => name.to_lowercase().starts_with(p.as_str()),
            Matcher::Regex(re) => re.is_match(name),
            Matcher::Everything => false,
        })
        .map(|(rule, _)| *rule)
}

fn short_name(display: &str, rule: &RoleRule) -> String {
    if rule.kind == RuleKind::Prefix {
        let cut = rule.pattern.len().min(display.len());
        if display.is_char_boundary(cut) {
            let rest = display[cut..].trim();
            if !rest.is_empty() {
                return rest.to_owned();
            }
        }
    }
    display.to_owned()
}

/// Users (by id) in each group, directly and through nested groups (cycles are tolerated).
#[derive(Debug)]
pub struct Memberships {
    direct: HashMap<String, HashSet<String>>,
    effective: HashMap<String, HashSet<String>>,
}

impl Memberships {
    /// Over any resources with `members`: Groups, and the resources of resource-type rules (a Role
    /// whose member is a group is then held through that group, as nesting).
    pub fn compute(groups: &[Resource]) -> Self {
        let mut direct: HashMap<String, HashSet<String>> = HashMap::new();
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        let group_ids: HashSet<String> = groups.iter().filter_map(|g| g.id_string()).collect();
        for g in groups {
            let Some(id) = g.id_string() else { continue };
            let mut users = HashSet::new();
            if let Members::Listed(list) = g.members() {
                for m in list {
                    let is_group = m.member_type.as_deref() == Some("Group")
                        || (m.member_type.is_none() && group_ids.contains(&m.value));
                    if is_group {
                        children.entry(id.clone()).or_default().push(m.value);
                    } else {
                        users.insert(m.value);
                    }
                }
            }
            direct.insert(id, users);
        }
        let mut effective = HashMap::new();
        for id in direct.keys() {
            let mut all: HashSet<String> = HashSet::new();
            let mut stack = vec![id.clone()];
            let mut visited = HashSet::new();
            while let Some(g) = stack.pop() {
                if !visited.insert(g.clone()) {
                    continue;
                }
                if let Some(users) = direct.get(&g) {
                    all.extend(users.iter().cloned());
                }
                if let Some(kids) = children.get(&g) {
                    stack.extend(kids.iter().cloned());
                }
            }
            effective.insert(id.clone(), all);
        }
        Self { direct, effective }
    }

    pub fn holding(&self, group: &str, user: &str) -> Option<Holding> {
        if self.direct.get(group).is_some_and(|u| u.contains(user)) {
            Some(Holding::Direct)
        } else if self.effective.get(group).is_some_and(|u| u.contains(user)) {
            Some(Holding::Nested)
        } else {
            None
        }
    }

    fn counts(&self, group: &str) -> (u32, u32) {
        let n = |m: &HashMap<String, HashSet<String>>| {
            m.get(group)
                .map_or(0, |u| u.len().min(u32::MAX as usize) as u32)
        };
        (n(&self.effective), n(&self.direct))
    }
}

/// Classifies `groups` by `rules` (the first matching rule wins); `extra` are the resources of
/// resource-type rules, by category; `memberships` covers both (see [`Memberships::compute`]).
pub fn classify(
    groups: &[Resource],
    rules: &[RoleRule],
    extra: &[TypedRoles],
    memberships: &Memberships,
) -> Result<RoleGroups, AppError> {
    let matchers = matchers(rules)?;
    let mut categories: Vec<String> = Vec::new();
    for r in rules {
        if !categories.contains(&r.category) {
            categories.push(r.category.clone());
        }
    }
    let mut out = Vec::new();
    let mut unclassified = 0u32;
    for g in groups {
        let (Some(id), Some(name)) = (g.id_string(), g.display_name()) else {
            continue;
        };
        match rule_for_name(name, &matchers) {
            Some(rule) => {
                let (user_count, direct_count) = memberships.counts(&id);
                out.push(RoleGroup {
                    short_name: short_name(name, rule),
                    display_name: name.to_owned(),
                    category: rule.category.clone(),
                    endpoint: "Groups".into(),
                    kind: ResourceKind::Groups,
                    id,
                    user_count,
                    direct_count,
                });
            }
            None => unclassified += 1,
        }
    }
    for typed in extra {
        for r in &typed.resources {
            let Some(id) = r.id_string() else { continue };
            let (user_count, direct_count) = memberships.counts(&id);
            let label = r.label();
            out.push(RoleGroup {
                short_name: label.clone(),
                display_name: label,
                category: typed.category.clone(),
                endpoint: typed.endpoint.clone(),
                kind: ResourceKind::from_endpoint(&typed.endpoint),
                id,
                user_count,
                direct_count,
            });
        }
    }
    out.sort_by(|a, b| {
        let ca = categories.iter().position(|c| c == &a.category);
        let cb = categories.iter().position(|c| c == &b.category);
        ca.cmp(&cb).then_with(|| {
            a.display_name
                .to_lowercase()
                .cmp(&b.display_name.to_lowercase())
        })
    });
    Ok(RoleGroups {
        categories,
        groups: out,
        unclassified,
    })
}

/// A role group one user holds, for the user's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeldRole {
    pub category: String,
    pub display_name: String,
    pub short_name: String,
    pub holding: Holding,
}

/// The role groups user `user` holds: the groups named in `groups` (the user's groups as the page
/// lists them, `… (nested)` when held through a nested group) that a name rule matches, then the
/// resources of resource-type rules (`extra`) holding the user by `memberships`. In category order.
pub fn held_roles(
    user: &str,
    groups: &[String],
    rules: &[RoleRule],
    extra: &[TypedRoles],
    memberships: &Memberships,
) -> Result<Vec<HeldRole>, AppError> {
    let matchers = matchers(rules)?;
    let mut held = Vec::new();
    for listed in groups {
        let (name, holding) = match listed.strip_suffix(" (nested)") {
            Some(name) => (name, Holding::Nested),
            None => (listed.as_str(), Holding::Direct),
        };
        if let Some(rule) = rule_for_name(name, &matchers) {
            held.push(HeldRole {
                category: rule.category.clone(),
                display_name: name.to_owned(),
                short_name: short_name(name, rule),
                holding,
            });
        }
    }
    for typed in extra {
        for r in &typed.resources {
            let Some(holding) = r.id_string().and_then(|id| memberships.holding(&id, user)) else {
                continue;
            };
            let label = r.label();
            held.push(HeldRole {
                category: typed.category.clone(),
                short_name: label.clone(),
                display_name: label,
                holding,
            });
        }
    }
    let order: Vec<&str> = rules.iter().map(|r| r.category.as_str()).collect();
    held.sort_by(|a, b| {
        let at = |c: &str| order.iter().position(|o| *o == c);
        at(&a.category).cmp(&at(&b.category)).then_with(|| {
            a.display_name
                .to_lowercase()
                .cmp(&b.display_name.to_lowercase())
        })
    });
    held.dedup();
    Ok(held)
}

/// What the matrix shows: one category (or all), the users matching a quick filter, a window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MatrixQuery {
    pub rules: Vec<RoleRule>,
    pub category: Option<String>,
    #[serde(default)]
    pub quick: Option<String>,
    /// Only users holding at least one of the shown role groups.
    #[serde(default)]
    pub holders_only: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRow {
    pub user_id: String,
    pub user_name: String,
    pub display_name: Option<String>,
    pub active: Option<bool>,
    /// One per matrix column, in order.
    pub cells: Vec<Option<Holding>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MatrixWindow {
    pub columns: Vec<RoleGroup>,
    pub total_users: u32,
    /// The server-side filter the loaded users were read with: the matrix covers only them.
    pub user_filter: Option<String>,
    pub matched: u32,
    pub offset: u32,
    pub rows: Vec<MatrixRow>,
}

/// One user as the matrix reads them, borrowed from wherever the caller keeps users (parsed
/// resources here, a loaded set's columns in the app: no copy of a million users to compute it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person<'a> {
    pub id: &'a str,
    pub user_name: &'a str,
    pub display_name: Option<&'a str>,
    pub active: Option<bool>,
}

impl<'a> Person<'a> {
    /// The matrix's view of a parsed user whose id (as text: some servers send numbers) is `id`.
    pub fn of(user: &'a Resource, id: &'a str) -> Self {
        Person {
            id,
            user_name: user.user_name().unwrap_or_default(),
            display_name: user.display_name(),
            active: user.active(),
        }
    }
}

/// The matrix's rows for `q` as positions among `count` people (`person(i)`, `None` for one
/// without an id), in userName order: what a window or an export then reads row by row.
pub fn matrix_order<'a>(
    count: usize,
    person: impl Fn(usize) -> Option<Person<'a>>,
    columns: &[RoleGroup],
    memberships: &Memberships,
    q: &MatrixQuery,
) -> Vec<u32> {
    let quick = q
        .quick
        .as_deref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    let mut order: Vec<(String, u32)> = (0..count.min(u32::MAX as usize))
        .filter_map(|i| {
            let p = person(i)?;
            if let Some(q) = &quick {
                let hit = p.user_name.to_lowercase().contains(q.as_str())
                    || p.display_name
                        .is_some_and(|d| d.to_lowercase().contains(q.as_str()));
                if !hit {
                    return None;
                }
            }
            if q.holders_only
                && columns
                    .iter()
                    .all(|g| memberships.holding(&g.id, p.id).is_none())
            {
                return None;
            }
            Some((p.user_name.to_lowercase(), i as u32))
        })
        .collect();
    // Stable: equal names keep load order.
    order.sort_by(|a, b| a.0.cmp(&b.0));
    order.into_iter().map(|(_, i)| i).collect()
}

/// One row of the matrix: the person and their holding of each column.
pub fn matrix_row(p: Person<'_>, columns: &[RoleGroup], memberships: &Memberships) -> MatrixRow {
    MatrixRow {
        user_id: p.id.to_owned(),
        user_name: p.user_name.to_owned(),
        display_name: p.display_name.map(str::to_owned),
        active: p.active,
        cells: columns
            .iter()
            .map(|g| memberships.holding(&g.id, p.id))
            .collect(),
    }
}

/// The matrix rows (all of them) for `q`: users in userName order.
pub fn matrix_rows(
    users: &[Resource],
    columns: &[RoleGroup],
    memberships: &Memberships,
    q: &MatrixQuery,
) -> Vec<MatrixRow> {
    let ids: Vec<Option<String>> = users.iter().map(Resource::id_string).collect();
    let person = |i: usize| Some(Person::of(&users[i], ids[i].as_deref()?));
    matrix_order(users.len(), person, columns, memberships, q)
        .into_iter()
        .filter_map(|i| person(i as usize))
        .map(|p| matrix_row(p, columns, memberships))
        .collect()
}

/// The matrix as CSV (RFC 4180, CRLF line ends): userName, displayName, active, then one column per
/// role group with `direct`, `nested` or empty. A first comment-free provenance is the caller's.
pub fn matrix_csv(columns: &[RoleGroup], rows: &[MatrixRow]) -> String {
    let mut header = vec![
        "userName".to_owned(),
        "displayName".to_owned(),
        "active".to_owned(),
    ];
    header.extend(columns.iter().map(|c| c.display_name.clone()));
    let mut out = csv_line(&header);
    for r in rows {
        let mut fields = vec![
            r.user_name.clone(),
            r.display_name.clone().unwrap_or_default(),
            r.active.map(|a| a.to_string()).unwrap_or_default(),
        ];
        fields.extend(r.cells.iter().map(|c| {
            match c {
                Some(Holding::Direct) => "direct",
                Some(Holding::Nested) => "nested",
                None => "",
            }
            .to_owned()
        }));
        out.push_str(&csv_line(&fields));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group(id: &str, name: &str, members: &[(&str, &str)]) -> Resource {
        let members: Vec<_> = members
            .iter()
            .map(|(v, t)| json!({"value": v, "type": t}))
            .collect();
        Resource::new(json!({"id": id, "displayName": name, "members": members}))
    }

    fn user(id: &str, name: &str) -> Resource {
        Resource::new(json!({"id": id, "userName": name, "active": true}))
    }

    fn fixture() -> (Vec<Resource>, Vec<Resource>) {
        let groups = vec![
            group(
                "g1",
                "Profile: Administrator",
                &[("u1", "User"), ("g3", "Group")],
            ),
            group("g2", "Project: Line (Read-only)", &[("u2", "User")]),
            group("g3", "Ops team", &[("u3", "User")]),
            group("g4", "profile: data entry", &[]),
        ];
        let users = vec![
            user("u1", "ana"),
            user("u2", "ben"),
            user("u3", "carla"),
            user("u4", "dev"),
        ];
        (groups, users)
    }

    /// A custom resource type (Roles) whose members are a user and a group: its holders show in the
    /// user's role groups and in the matrix, through the group too.
    #[test]
    fn resource_type_roles_are_held_directly_and_through_groups() {
        let (groups, users) = fixture();
        let roles = vec![
            group("r1", "Approver", &[("g3", "Group")]),
            group("r2", "Auditor", &[("u1", "User")]),
        ];
        let rules = vec![
            RoleRule {
                category: "Profiles".into(),
                kind: RuleKind::Prefix,
                pattern: "Profile:".into(),
            },
            RoleRule {
                category: "App roles".into(),
                kind: RuleKind::ResourceType,
                pattern: "Roles".into(),
            },
        ];
        let extra = vec![TypedRoles {
            category: "App roles".to_owned(),
            endpoint: "Roles".to_owned(),
            resources: roles.clone(),
        }];
        let mut all = groups.clone();
        all.extend(roles);
        let m = Memberships::compute(&all);
        // carla (u3) is in Ops team, which is a member of Profile: Administrator and of Approver.
        let held = held_roles(
            "u3",
            &["Ops team".into(), "Profile: Administrator (nested)".into()],
            &rules,
            &extra,
            &m,
        )
        .unwrap();
        let shown: Vec<(&str, &str, Holding)> = held
            .iter()
            .map(|h| (h.category.as_str(), h.short_name.as_str(), h.holding))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("Profiles", "Administrator", Holding::Nested),
                ("App roles", "Approver", Holding::Nested),
            ]
        );
        let ana = held_roles("u1", &["Profile: Administrator".into()], &rules, &extra, &m).unwrap();
        assert_eq!(
            ana.iter()
                .map(|h| h.display_name.as_str())
                .collect::<Vec<_>>(),
            vec!["Profile: Administrator", "Auditor"]
        );
        let classified = classify(&groups, &rules, &extra, &m).unwrap();
        let approver = classified.groups.iter().find(|g| g.id == "r1").unwrap();
        assert_eq!((approver.user_count, approver.direct_count), (1, 0));
        assert_eq!(approver.endpoint, "Roles");
        let columns: Vec<RoleGroup> = classified
            .groups
            .into_iter()
            .filter(|g| g.category == "App roles")
            .collect();
        let rows = matrix_rows(
            &users,
            &columns,
            &m,
            &MatrixQuery {
                holders_only: true,
                ..MatrixQuery::default()
            },
        );
        let cells: Vec<(&str, Vec<Option<Holding>>)> = rows
            .iter()
            .map(|r| (r.user_name.as_str(), r.cells.clone()))
            .collect();
        assert_eq!(
            cells,
            vec![
                ("ana", vec![None, Some(Holding::Direct)]),
                ("carla", vec![Some(Holding::Nested), None]),
            ]
        );
    }

    #[test]
    fn groups_are_classified_by_the_first_matching_rule() {
        let (groups, _) = fixture();
        let m = Memberships::compute(&groups);
        let r = classify(&groups, &default_rules(), &[], &m).expect("classify");
        assert_eq!(r.categories, vec!["Profiles", "Projects"]);
        let names: Vec<_> = r
            .groups
            .iter()
            .map(|g| (g.category.as_str(), g.short_name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Profiles", "Administrator"),
                ("Profiles", "data entry"),
                ("Projects", "Line (Read-only)")
            ]
        );
        assert_eq!(r.unclassified, 1);
        let admin = &r.groups[0];
        assert_eq!(
            (admin.user_count, admin.direct_count),
            (2, 1),
            "carla through Ops team"
        );
    }

    #[test]
    fn regex_rules_work_and_bad_ones_are_explained() {
        let (groups, _) = fixture();
        let m = Memberships::compute(&groups);
        let rules = vec![RoleRule {
            category: "Read-only".into(),
            kind: RuleKind::Regex,
            pattern: r"\(read-only\)$".into(),
        }];
        let r = classify(&groups, &rules, &[], &m).expect("classify");
        assert_eq!(r.groups.len(), 1);
        let bad = vec![RoleRule {
            category: "Broken".into(),
            kind: RuleKind::Regex,
            pattern: "(".into(),
        }];
        let err = classify(&groups, &bad, &[], &m).expect_err("bad regex");
        assert!(err.message.contains("Broken"), "{}", err.message);
    }

    #[test]
    fn the_matrix_says_direct_or_nested_and_exports_csv() {
        let (groups, users) = fixture();
        let m = Memberships::compute(&groups);
        let r = classify(&groups, &default_rules(), &[], &m).expect("classify");
        let q = MatrixQuery {
            holders_only: true,
            ..MatrixQuery::default()
        };
        let rows = matrix_rows(&users, &r.groups, &m, &q);
        let who: Vec<_> = rows
            .iter()
            .map(|r| (r.user_name.as_str(), r.cells.clone()))
            .collect();
        assert_eq!(
            who,
            vec![
                ("ana", vec![Some(Holding::Direct), None, None]),
                ("ben", vec![None, None, Some(Holding::Direct)]),
                ("carla", vec![Some(Holding::Nested), None, None]),
            ],
            "dev holds nothing and is left out"
        );
        let csv = matrix_csv(&r.groups, &rows);
        let mut lines = csv.split("\r\n");
        assert_eq!(
            lines.next(),
            Some("userName,displayName,active,Profile: Administrator,profile: data entry,Project: Line (Read-only)")
        );
        assert_eq!(lines.next(), Some("ana,,true,direct,,"));
        let q2 = MatrixQuery {
            quick: Some("CAR".into()),
            ..MatrixQuery::default()
        };
        assert_eq!(matrix_rows(&users, &r.groups, &m, &q2).len(), 1);
    }

    #[test]
    fn nested_cycles_do_not_loop() {
        let groups = vec![
            group("a", "Profile: A", &[("b", "Group"), ("u1", "User")]),
            group("b", "Profile: B", &[("a", "Group")]),
        ];
        let m = Memberships::compute(&groups);
        assert_eq!(m.holding("b", "u1"), Some(Holding::Nested));
    }
}
