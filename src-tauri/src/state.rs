//! What the app holds between commands: the saved connections, the open directory (which owns every
//! cache its screens read: table, matrix, members, comparison, report, scenario) and the
//! presentation switch.

use std::sync::Arc;

use scim_services::{Connections, Directory, Keychain};

#[derive(Debug)]
pub struct AppState {
    pub directory: tokio::sync::Mutex<Option<Arc<Directory>>>,
    /// The demo directory last opened (and what was asked for), kept aside so switching back to it
    /// is instant.
    pub demo: tokio::sync::Mutex<Option<(scim_services::demo::DemoOptions, Arc<Directory>)>>,
    pub connections: Connections,
    /// Presentation mode: while on, what the commands serve is masked (in Rust, nowhere else).
    pub presentation: scim_services::presentation::Presentation,
    /// The Tap screen's tap or inbox, and the capture it shows.
    pub tap: scim_services::tap::TapSession,
    /// The files chosen in dialogs this session: the only places exports are written.
    pub files: scim_services::file_choices::FileChoices,
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
            presentation: Default::default(),
            tap: scim_services::tap::TapSession::saving_to(
                scim_services::tap::captures_dir(),
                scim_services::tap::KEEP_CAPTURES,
            ),
            files: scim_services::file_choices::FileChoices::kept_in(
                &scim_services::connections::config_dir(),
            ),
        }
    }
}
