//! Facts about this build that the About panel, bug reports and snapshot headers need.

use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Version of the app (the workspace version).
    pub version: String,
    /// Version of the protocol core, which fixes how filters, PATCH and diffs behave.
    pub core_version: String,
    /// `debug` or `release`: debug builds use a separate keychain namespace.
    pub build_profile: String,
    /// Operating system and CPU architecture, e.g. `linux-x86_64`.
    pub platform: String,
}

impl AppInfo {
    pub fn current() -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            core_version: scim_core::VERSION.to_owned(),
            build_profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_owned(),
            platform: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}
