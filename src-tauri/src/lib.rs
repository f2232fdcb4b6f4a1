//! The thin Tauri v2 shell of SCIM Explorer: it wires windows, state and commands to `scim-services`
//! and holds no logic of its own.

pub mod commands;
pub mod guard;
pub mod ipc;
pub mod state;

/// Starts the desktop app. Blocks until the last window closes.
pub fn run() {
    guard::install_panic_hook();
    let builder = ipc::specta_builder();
    tauri::Builder::default()
        .manage(state::AppState::default())
        // Dialogs are opened from Rust only: the window's capability grants none of the plugin's
        // commands, so the page cannot open one (or learn a path) by itself.
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            // Nothing useful can run without the window system; say why and exit non-zero.
            eprintln!("SCIM Explorer could not start: {err}");
            std::process::exit(1);
        });
}
