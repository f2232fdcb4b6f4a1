//! What the app holds between commands: the saved connections and the open directory.

use std::sync::Arc;

use scim_services::{Connections, Directory, Keychain};

#[derive(Debug)]
pub struct AppState {
    pub directory: tokio::sync::Mutex<Option<Arc<Directory>>>,
    /// Demo directory kept aside so switching back to it is instant.
    pub demo: tokio::sync::Mutex<Option<Arc<Directory>>>,
    pub connections: Connections,
    /// The comparison the compare screen shows, and the report the reports screen shows: kept here so
    /// their rows are served in windows.
    pub comparison: std::sync::Mutex<Option<Arc<scim_services::compare::Comparison>>>,
    pub report: std::sync::Mutex<Option<Arc<scim_services::reports::Report>>>,
    /// The provisioning scenario being played on the Server screen.
    pub scenario: tokio::sync::Mutex<Option<scim_services::scenarios::RunState>>,
    /// Presentation mode: while on, what the commands serve is masked (in Rust, nowhere else).
    pub presentation: scim_services::presentation::Presentation,
}

impl Default for AppState {
    fn default() -> Self {
        Self {
            directory: tokio::sync::Mutex::new(None),
            demo: tokio::sync::Mutex::new(None),
            connections: Connections::new(
                &scim_services::connections::config_dir(),
                Arc::new(Keychain::default()),
            ),
            comparison: std::sync::Mutex::new(None),
            report: std::sync::Mutex::new(None),
            scenario: tokio::sync::Mutex::new(None),
            presentation: Default::default(),
        }
    }
}
