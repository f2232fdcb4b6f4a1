//! Profiles: the demo server imitating the SCIM servers SCIM Explorer was conceived from, so a demo or a
//! test can meet their real behaviour offline. Each is based on the public document named below
//! (../shared/seeds and scim-reference.md §3).

use serde_json::{json, Value};

use crate::seed::SeedData;

/// Which server to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Everything RFC 7644 describes (the default), with a custom resource type, Role (`/Roles`), as
    /// RFC 7643 §6 allows.
    #[default]
    Rfc,
    /// Netdata Cloud's SCIM (integrations/cloud-authentication/integrations/scim.md): Users only, filter
    /// results capped at 200, no bulk, no ETag, `externalId` required (it must equal the OIDC `sub`),
    /// only the primary email kept.
    Netdata,
    /// The "profiles and projects" application (seed 001): access levels are SCIM Groups named
    /// "Profile: …" and "Project: … (Read-only|Full access)"; nothing else is a group.
    ProfilesProjects,
    /// Secoda (seed 002): the role is `secodaRole` in the core User namespace though `/Schemas` does not
    /// declare it; invited users (not yet signed in) are not group members; group membership is
    /// changed with PUT, PATCH is not offered.
    Secoda,
}

impl Profile {
    pub const NAMES: [&'static str; 4] = ["rfc", "netdata", "profiles-projects", "secoda"];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "rfc" => Profile::Rfc,
            "netdata" => Profile::Netdata,
            "profiles-projects" => Profile::ProfilesProjects,
            "secoda" => Profile::Secoda,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Rfc => "rfc",
            Profile::Netdata => "netdata",
            Profile::ProfilesProjects => "profiles-projects",
            Profile::Secoda => "secoda",
        }
    }

    /// The server imitated, as a person names it.
    pub fn title(self) -> &'static str {
        match self {
            Profile::Rfc => "Everything in the RFCs",
            Profile::Netdata => "Netdata Cloud",
            Profile::ProfilesProjects => "Profiles and projects",
            Profile::Secoda => "Secoda",
        }
    }

    /// What the profile imitates, in one line (the connection menu shows it).
    pub fn imitates(self) -> &'static str {
        match self {
            Profile::Rfc => {
                "RFC 7643/7644 in full: users, groups, a custom Role type, PATCH, bulk, ETags"
            }
            Profile::Netdata => {
                "users only, 200 per page, no ETags; externalId must be the OIDC sub"
            }
            Profile::ProfilesProjects => {
                "access as groups: \"Profile: …\" and \"Project: … (Read-only|Full access)\""
            }
            Profile::Secoda => {
                "an undeclared secodaRole attribute; membership changed with PUT, no PATCH"
            }
        }
    }

    /// The custom Role resource type (`/Roles`): only the `rfc` profile, which has everything the
    /// RFCs allow; the imitated servers have no such type.
    pub fn has_roles(self) -> bool {
        self == Profile::Rfc
    }

    pub fn has_groups(self) -> bool {
        self != Profile::Netdata
    }

    pub fn supports_patch(self) -> bool {
        self != Profile::Secoda
    }

    pub fn supports_bulk(self) -> bool {
        self == Profile::Rfc
    }

    pub fn supports_etag(self) -> bool {
        self != Profile::Netdata
    }

    /// The page cap this server applies, whatever was configured.
    pub fn max_results(self, configured: usize) -> usize {
        match self {
            Profile::Netdata => configured.min(200),
            _ => configured,
        }
    }

    /// Shapes the generated directory the way this server holds it.
    pub fn shape(self, mut data: SeedData) -> SeedData {
        if !self.has_roles() {
            data.roles.clear();
        }
        match self {
            Profile::Rfc => {}
            Profile::Netdata => {
                data.groups.clear();
            }
            Profile::ProfilesProjects => {
                data.groups.retain(|g| {
                    g["displayName"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("Profile: ") || n.starts_with("Project: "))
                });
            }
            Profile::Secoda => {
                for (i, user) in data.users.iter_mut().enumerate() {
                    user["secodaRole"] = json!(["viewer", "editor", "admin"][i % 7 % 3]);
                }
                let invited: std::collections::HashSet<String> = data
                    .users
                    .iter()
                    .filter(|u| u["active"] == json!(false))
                    .filter_map(|u| u["id"].as_str().map(str::to_owned))
                    .collect();
                for group in &mut data.groups {
                    if let Some(Value::Array(members)) = group.get_mut("members") {
                        members.retain(|m| {
                            !m["value"].as_str().is_some_and(|id| invited.contains(id))
                        });
                    }
                }
            }
        }
        data
    }
}
