//! The one resource-kind type: users, groups, or a custom resource type named by its endpoint.
//! The services, the demo server, the CLI and (through specta) the UI all use it, so a kind is never
//! a free-form string that three validators have to agree on.

use serde::{Deserialize, Serialize};

/// A kind of SCIM resource, by the endpoint it is served from (`/Users`, `/Groups`, `/Roles`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ResourceKind {
    Users,
    Groups,
    /// A resource type of the server's own (`Roles`, `Entitlements`), by its endpoint name.
    Custom(String),
}

impl ResourceKind {
    /// The kind served from `endpoint`, given with or without its slashes or base path
    /// (`"Users"`, `"/Users"`, `"/scim/v2/Groups"`).
    pub fn from_endpoint(endpoint: &str) -> Self {
        let name = endpoint
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        match name {
            "Users" => ResourceKind::Users,
            "Groups" => ResourceKind::Groups,
            other => ResourceKind::Custom(other.to_owned()),
        }
    }

    /// The endpoint name, without slashes: `Users`, `Groups`, `Roles`.
    pub fn endpoint(&self) -> &str {
        match self {
            ResourceKind::Users => "Users",
            ResourceKind::Groups => "Groups",
            ResourceKind::Custom(name) => name,
        }
    }

    /// One resource of this kind, for sentences: `User`, `Group`, or the endpoint name.
    pub fn singular(&self) -> &str {
        match self {
            ResourceKind::Users => "User",
            ResourceKind::Groups => "Group",
            ResourceKind::Custom(name) => name,
        }
    }

    /// The two collections every screen can browse and write; custom types are read by endpoint.
    pub fn is_core(&self) -> bool {
        matches!(self, ResourceKind::Users | ResourceKind::Groups)
    }
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.endpoint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_with_slashes_and_base_paths_name_the_same_kind() {
        assert_eq!(ResourceKind::from_endpoint("/Users"), ResourceKind::Users);
        assert_eq!(
            ResourceKind::from_endpoint("/scim/v2/Groups/"),
            ResourceKind::Groups
        );
        assert_eq!(
            ResourceKind::from_endpoint("http://h/scim/Roles"),
            ResourceKind::Custom("Roles".into())
        );
        assert_eq!(ResourceKind::Custom("Roles".into()).endpoint(), "Roles");
        assert_eq!(ResourceKind::Groups.singular(), "Group");
        assert_eq!(
            serde_json::to_string(&ResourceKind::Users).unwrap(),
            "\"Users\""
        );
    }
}
