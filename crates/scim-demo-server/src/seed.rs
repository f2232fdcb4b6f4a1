//! Deterministic, realistic seed data: the same seed always gives the same directory, so screenshots,
//! tests and demos are repeatable.
//!
//! Users have names, emails, titles, departments (enterprise extension), managers and externalIds; a few
//! are inactive. Groups include plain teams, role groups as apps expose them — profiles ("Profile: Data
//! Entry") and projects ("Project: Transmission line (Read-only)") — one nested group and one very large
//! group.

use serde_json::{json, Value};

use scim_core::names::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};

/// A small xorshift generator: deterministic across platforms and versions, no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A UUID-shaped id (version 4 layout), deterministic.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            (a & 0x0fff) as u16,
            ((b >> 48) as u16 & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }
}

const GIVEN: &[&str] = &[
    "Ana", "Ben", "Carla", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
    "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Wen", "Yusuf",
];
const FAMILY: &[&str] = &[
    "Diaz", "Okafor", "Nguyen", "Schmidt", "Rossi", "Kowalski", "Haddad", "Tanaka", "Silva",
    "Larsen", "Mensah", "Dubois", "Novak", "Patel", "Moreau", "Berg", "Costa", "Ibrahim", "Keller",
    "Sato",
];
const TITLES: &[&str] = &[
    "Field engineer",
    "Data analyst",
    "Project manager",
    "Accountant",
    "Support specialist",
    "Software engineer",
    "Site supervisor",
    "HR partner",
    "Sales representative",
    "Designer",
];
const DEPARTMENTS: &[&str] = &[
    "Operations",
    "Finance",
    "Engineering",
    "Sales",
    "People",
    "Support",
];
const COST_CENTERS: &[&str] = &["4130", "4200", "5110", "6020"];
const PROFILES: &[&str] = &[
    "Data Entry",
    "Administrator",
    "Read-only",
    "Reviewer",
    "Billing",
];
const PROJECTS: &[&str] = &[
    "Transmission line",
    "Substation North",
    "Wind farm Delta",
    "Grid upgrade 2026",
];
const TEAMS: &[&str] = &[
    "Engineering",
    "Field crews",
    "Finance team",
    "Support desk",
    "Leadership",
];

/// The schema of the demo's custom resource type, Role (RFC 7643 §6: servers may define their own):
/// apps often expose access levels this way rather than as Groups.
pub const ROLE_SCHEMA: &str = "urn:scim-explorer:demo:schemas:2.0:Role";

/// The generated directory.
#[derive(Debug, Clone)]
pub struct SeedData {
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    /// Resources of the custom Role type (`/Roles`): a displayName and members, like a group.
    pub roles: Vec<Value>,
}

impl SeedData {
    /// The same people and groups as another tenant of the application holds them: every id (and
    /// every membership's reference) gets `prefix`, so they pair by userName, email or externalId
    /// but never by id — a cross-tenant comparison, offline. The custom Role resources stay out.
    pub fn in_another_tenant(&self, prefix: &str) -> SeedData {
        let rename = |v: &mut Value| {
            if let Some(id) = v.as_str() {
                *v = Value::String(format!("{prefix}{id}"));
            }
        };
        let mut out = SeedData {
            users: self.users.clone(),
            groups: self.groups.clone(),
            roles: Vec::new(),
        };
        for user in &mut out.users {
            rename(&mut user["id"]);
        }
        for group in &mut out.groups {
            rename(&mut group["id"]);
            for member in group["members"].as_array_mut().into_iter().flatten() {
                rename(&mut member["value"]);
            }
        }
        out
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub users: usize,
    pub seed: u64,
    /// Generated timestamps start here (RFC 3339); fixed so data is repeatable.
    pub epoch: &'static str,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self {
            users: 250,
            seed: 7,
            epoch: "2026-01-05T09:00:00Z",
        }
    }
}

fn meta(resource_type: &str, epoch: &str) -> Value {
    json!({"resourceType": resource_type, "created": epoch, "lastModified": epoch, "version": "W/\"1\""})
}

fn member(id: &str, display: &str, kind: &str) -> Value {
    json!({"value": id, "display": display, "type": kind})
}

/// Generates users and groups. Ids and locations are filled in by the store.
pub fn generate(options: &SeedOptions) -> SeedData {
    let mut rng = Rng::new(options.seed);
    let mut users = Vec::with_capacity(options.users);
    let mut taken = std::collections::HashSet::new();
    for i in 0..options.users {
        let given = rng.pick(GIVEN);
        let family = rng.pick(FAMILY);
        let base = format!("{}.{}", given.to_lowercase(), family.to_lowercase());
        let user_name = if taken.insert(base.clone()) {
            format!("{base}@example.com")
        } else {
            format!("{base}{i}@example.com")
        };
        let id = rng.uuid();
        let active = rng.below(100) >= 8;
        let department = rng.pick(DEPARTMENTS);
        let mut user = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
            "id": id,
            "externalId": format!("00u{:016x}", rng.next_u64()),
            "userName": user_name,
            "name": {"givenName": given, "familyName": family, "formatted": format!("{given} {family}")},
            "displayName": format!("{given} {family}"),
            "title": rng.pick(TITLES),
            "userType": if rng.below(10) == 0 { "Contractor" } else { "Employee" },
            "preferredLanguage": "en-US",
            "active": active,
            "emails": [{"value": user_name, "type": "work", "primary": true}],
            "phoneNumbers": [{"value": format!("+1 555 01{:02}", rng.below(100)), "type": "work"}],
            ENTERPRISE_USER_SCHEMA: {
                "employeeNumber": format!("{}", 10_000 + i),
                "costCenter": rng.pick(COST_CENTERS),
                "organization": "Example Energy",
                "department": department,
            },
            "meta": meta("User", options.epoch),
        });
        // Every user after the first reports to someone earlier in the list.
        if i > 0 {
            let boss_index = rng.below(i.min(20));
            let boss: &Value = &users[boss_index];
            let boss_id = boss["id"].clone();
            let boss_name = boss["displayName"].clone();
            user[ENTERPRISE_USER_SCHEMA]["manager"] =
                json!({"value": boss_id, "displayName": boss_name});
        }
        users.push(user);
    }

    let mut groups = Vec::new();
    let mut add_group = |rng: &mut Rng, name: String, members: Vec<Value>| -> String {
        let id = rng.uuid();
        groups.push(json!({
            "schemas": [GROUP_SCHEMA],
            "id": id,
            "displayName": name,
            "members": members,
            "meta": meta("Group", options.epoch),
        }));
        id
    };
    let pick_members = |rng: &mut Rng, share_percent: usize| -> Vec<Value> {
        users
            .iter()
            .filter(|_| rng.below(100) < share_percent)
            .map(|u| {
                member(
                    u["id"].as_str().unwrap_or_default(),
                    u["displayName"].as_str().unwrap_or_default(),
                    "User",
                )
            })
            .collect()
    };
    let mut team_ids = Vec::new();
    for team in TEAMS {
        let members = pick_members(&mut rng, 12);
        team_ids.push((
            add_group(&mut rng, (*team).to_owned(), members),
            (*team).to_owned(),
        ));
    }
    for profile in PROFILES {
        let share = if *profile == "Administrator" { 3 } else { 20 };
        let members = pick_members(&mut rng, share);
        add_group(&mut rng, format!("Profile: {profile}"), members);
    }
    for project in PROJECTS {
        for access in ["Read-only", "Full access"] {
            let members = pick_members(&mut rng, if access == "Read-only" { 15 } else { 6 });
            add_group(&mut rng, format!("Project: {project} ({access})"), members);
        }
    }
    // A nested group: the operations umbrella contains two teams and a few people directly.
    let mut nested: Vec<Value> = team_ids
        .iter()
        .take(2)
        .map(|(id, name)| member(id, name, "Group"))
        .collect();
    nested.extend(pick_members(&mut rng, 2));
    add_group(&mut rng, "Operations (all teams)".to_owned(), nested);
    // One very large group: everyone.
    let everyone = pick_members(&mut rng, 100);
    add_group(&mut rng, "All staff".to_owned(), everyone);
    // An empty group, which audits should flag.
    add_group(
        &mut rng,
        "Project: Archived pilot (Read-only)".to_owned(),
        Vec::new(),
    );

    let roles = roles(options, &users, &groups);
    SeedData {
        users,
        groups,
        roles,
    }
}

/// The custom Role resources: a few people each, and some held through a group. Drawn from a random
/// sequence of their own, so the users and groups are the same with or without them.
fn roles(options: &SeedOptions, users: &[Value], groups: &[Value]) -> Vec<Value> {
    let mut rng = Rng::new(options.seed ^ 0x0051_c0de);
    let group = |name: &str| {
        groups
            .iter()
            .find(|g| g["displayName"] == name)
            .map(|g| member(g["id"].as_str().unwrap_or_default(), name, "Group"))
    };
    let mut out = Vec::new();
    for (name, description, share_per_mille, through) in [
        (
            "Approver",
            "Approves purchase orders",
            20,
            Some("Finance team"),
        ),
        ("Auditor", "Reads every record, changes none", 10, None),
        (
            "Billing administrator",
            "Manages invoices and payment methods",
            5,
            Some("Leadership"),
        ),
        ("Integration owner", "Owns the SCIM connection", 0, None),
    ] {
        let mut members: Vec<Value> = users
            .iter()
            .filter(|_| rng.below(1000) < share_per_mille)
            .map(|u| {
                member(
                    u["id"].as_str().unwrap_or_default(),
                    u["displayName"].as_str().unwrap_or_default(),
                    "User",
                )
            })
            .collect();
        members.extend(through.and_then(group));
        out.push(json!({
            "schemas": [ROLE_SCHEMA],
            "id": rng.uuid(),
            "displayName": name,
            "description": description,
            "members": members,
            "meta": meta("Role", options.epoch),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_directory() {
        let a = generate(&SeedOptions::default());
        let b = generate(&SeedOptions::default());
        assert_eq!(a.users, b.users);
        assert_eq!(a.groups, b.groups);
    }

    #[test]
    fn roles_hold_people_directly_and_through_a_group() {
        let data = generate(&SeedOptions::default());
        let names: Vec<&str> = data
            .roles
            .iter()
            .filter_map(|r| r["displayName"].as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Approver",
                "Auditor",
                "Billing administrator",
                "Integration owner"
            ]
        );
        let approver = &data.roles[0]["members"];
        assert!(approver
            .as_array()
            .expect("members")
            .iter()
            .any(|m| m["type"] == "Group"));
        assert!(approver
            .as_array()
            .expect("members")
            .iter()
            .any(|m| m["type"] == "User"));
        // Every member is a generated user or group.
        let ids: std::collections::HashSet<&str> = data
            .users
            .iter()
            .chain(&data.groups)
            .filter_map(|r| r["id"].as_str())
            .collect();
        for role in &data.roles {
            for m in role["members"].as_array().expect("members") {
                assert!(ids.contains(m["value"].as_str().unwrap_or_default()), "{m}");
            }
        }
    }

    #[test]
    fn user_names_are_unique() {
        let data = generate(&SeedOptions {
            users: 2_000,
            ..SeedOptions::default()
        });
        let names: std::collections::HashSet<_> = data
            .users
            .iter()
            .map(|u| u["userName"].as_str().unwrap_or_default().to_lowercase())
            .collect();
        assert_eq!(names.len(), 2_000);
    }

    #[test]
    fn role_groups_nested_and_large_groups_exist() {
        let data = generate(&SeedOptions::default());
        let names: Vec<&str> = data
            .groups
            .iter()
            .filter_map(|g| g["displayName"].as_str())
            .collect();
        assert!(names.contains(&"Profile: Data Entry"));
        assert!(names.contains(&"Project: Transmission line (Read-only)"));
        assert!(names.contains(&"Project: Transmission line (Full access)"));
        let nested = data
            .groups
            .iter()
            .find(|g| g["displayName"] == "Operations (all teams)")
            .expect("nested");
        assert!(nested["members"]
            .as_array()
            .expect("members")
            .iter()
            .any(|m| m["type"] == "Group"));
        let all = data
            .groups
            .iter()
            .find(|g| g["displayName"] == "All staff")
            .expect("all staff");
        assert_eq!(
            all["members"].as_array().expect("members").len(),
            data.users.len()
        );
    }
}
