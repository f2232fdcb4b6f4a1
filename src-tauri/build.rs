//! Tauri's build step: reads tauri.conf.json (symlinked from the repository root) and the capabilities.
fn main() {
    tauri_build::build()
}
