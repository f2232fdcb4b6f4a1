//! What the app holds between commands: the open directory.

use std::sync::Arc;

use scim_services::Directory;

#[derive(Debug, Default)]
pub struct AppState {
    pub directory: tokio::sync::Mutex<Option<Arc<Directory>>>,
}
