//! The demo directories the window offers: the demo server in each profile (what it imitates, in
//! one line), at three sizes, with the two conditions a demo may want to show — a slow network and
//! an API that rate-limits — so showing "this is how Netdata behaves" takes two clicks, no terminal.

use serde::{Deserialize, Serialize};
use specta::Type;

use scim_demo_server::{Profile, RateLimit};

use crate::error::AppError;

/// The sizes offered (users).
pub const SIZES: [u32; 3] = [250, 10_000, 100_000];
/// What "a slow network" adds to every answer.
pub const SLOW_MS: u32 = 100;
/// What "rate limited" allows, like the SaaS APIs that answer 429 past a few requests at once.
pub const LIMIT_IN_FLIGHT: u32 = 4;
pub const LIMIT_PER_SECOND: u32 = 20;

/// Which demo directory to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DemoOptions {
    /// A profile name (`rfc`, `netdata`, `profiles-projects`, `secoda`).
    pub profile: String,
    pub users: u32,
    /// Every answer takes [`SLOW_MS`] longer.
    pub slow: bool,
    /// More than [`LIMIT_IN_FLIGHT`] requests at once, or [`LIMIT_PER_SECOND`] a second, get 429.
    pub rate_limited: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            profile: Profile::Rfc.name().into(),
            users: SIZES[0],
            slow: false,
            rate_limited: false,
        }
    }
}

/// One profile, as the menu lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DemoProfile {
    pub name: String,
    pub title: String,
    pub imitates: String,
}

/// Everything the menu offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DemoCatalog {
    pub profiles: Vec<DemoProfile>,
    pub sizes: Vec<u32>,
    /// What the two toggles do, in words.
    pub slow: String,
    pub rate_limited: String,
}

/// The profiles, sizes and conditions the menu offers.
pub fn catalog() -> DemoCatalog {
    DemoCatalog {
        profiles: Profile::NAMES
            .iter()
            .filter_map(|n| Profile::parse(n))
            .map(|p| DemoProfile {
                name: p.name().into(),
                title: p.title().into(),
                imitates: p.imitates().into(),
            })
            .collect(),
        sizes: SIZES.to_vec(),
        slow: format!("every answer {SLOW_MS} ms later, as across a network"),
        rate_limited: format!(
            "429 past {LIMIT_IN_FLIGHT} requests at once or {LIMIT_PER_SECOND} a second, as SaaS APIs do"
        ),
    }
}

impl DemoOptions {
    /// The profile, refused when unknown; a size outside the offered ones is refused too (a demo
    /// server holds its directory in memory).
    pub fn checked(&self) -> Result<Profile, AppError> {
        let profile = Profile::parse(&self.profile).ok_or_else(|| {
            AppError::invalid_input(format!(
                "Unknown demo profile \"{}\": use one of {}.",
                self.profile,
                Profile::NAMES.join(", ")
            ))
        })?;
        if !SIZES.contains(&self.users) {
            return Err(AppError::invalid_input(format!(
                "A demo directory has {} users.",
                SIZES.map(|n| n.to_string()).join(", ")
            )));
        }
        Ok(profile)
    }

    /// The name the window shows: "Demo directory" for the default, else what differs from it
    /// ("Demo · Netdata Cloud · 10,000 users · slow · rate-limited").
    pub fn title(&self) -> String {
        if *self == Self::default() {
            return "Demo directory".into();
        }
        let mut parts = vec!["Demo".to_owned()];
        parts.push(match Profile::parse(&self.profile) {
            Some(p) => p.title().to_owned(),
            None => self.profile.clone(),
        });
        parts.push(format!("{} users", thousands(self.users)));
        if self.slow {
            parts.push("slow".into());
        }
        if self.rate_limited {
            parts.push("rate-limited".into());
        }
        parts.join(" · ")
    }

    /// The demo server's latency and limits for these options.
    pub fn conditions(&self) -> (u64, RateLimit) {
        let latency = if self.slow { u64::from(SLOW_MS) } else { 0 };
        let limit = if self.rate_limited {
            RateLimit {
                max_in_flight: Some(LIMIT_IN_FLIGHT),
                per_second: Some(LIMIT_PER_SECOND),
            }
        } else {
            RateLimit::default()
        };
        (latency, limit)
    }
}

/// The key an imitated server's users are matched to single sign-on by, and its documented rule.
pub fn profile_key(profile: Profile) -> Option<(scim_core::identity::SsoKey, &'static str)> {
    use scim_core::identity::SsoKey;
    match profile {
        Profile::Netdata => Some((
            SsoKey::ExternalId,
            "Netdata Cloud: externalId must equal the OIDC sub, the user's id at the identity provider",
        )),
        Profile::Secoda => Some((
            SsoKey::Email,
            "Secoda: the identity provider's unique identifier for users is the email",
        )),
        Profile::Rfc | Profile::ProfilesProjects => None,
    }
}

fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_names_every_profile_with_what_it_imitates() {
        let c = catalog();
        let names: Vec<&str> = c.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, Profile::NAMES);
        assert!(c.profiles.iter().all(|p| !p.imitates.is_empty()));
        assert!(c.profiles[1].imitates.contains("OIDC sub"));
        assert_eq!(c.sizes, [250, 10_000, 100_000]);
    }

    #[test]
    fn options_are_checked_and_titled() {
        assert_eq!(DemoOptions::default().title(), "Demo directory");
        let netdata = DemoOptions {
            profile: "netdata".into(),
            users: 10_000,
            slow: true,
            rate_limited: true,
        };
        assert_eq!(netdata.checked().expect("known"), Profile::Netdata);
        assert_eq!(
            netdata.title(),
            "Demo · Netdata Cloud · 10,000 users · slow · rate-limited"
        );
        let (latency, limit) = netdata.conditions();
        assert_eq!(latency, 100);
        assert_eq!(limit.max_in_flight, Some(LIMIT_IN_FLIGHT));
        let huge = DemoOptions {
            users: 50_000_000,
            ..DemoOptions::default()
        };
        assert!(huge.checked().is_err());
        let odd = DemoOptions {
            profile: "okta".into(),
            ..DemoOptions::default()
        };
        assert!(odd
            .checked()
            .unwrap_err()
            .message
            .contains("Unknown demo profile"));
    }
}
