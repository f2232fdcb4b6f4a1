//! One version for everything: the workspace's `Cargo.toml`. The app's About (Tauri falls back to the
//! crate version when `tauri.conf.json` names none), `scimx --version` and the UI package agree.

use std::path::Path;

fn workspace_version(root: &Path) -> String {
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let section = cargo
        .split("[workspace.package]")
        .nth(1)
        .expect("[workspace.package]");
    let line = section
        .lines()
        .find(|l| l.trim_start().starts_with("version"))
        .expect("version");
    line.split('"').nth(1).expect("quoted version").to_owned()
}

#[test]
fn the_app_the_cli_and_the_ui_carry_the_workspace_version() {
    let root = scim_explorer_tests::workspace_root();
    let version = workspace_version(&root);
    let tauri: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tauri.conf.json")).expect("tauri.conf.json"),
    )
    .expect("JSON");
    assert!(
        tauri.get("version").is_none(),
        "tauri.conf.json names a version of its own; leave it out so the app takes Cargo's"
    );
    let ui: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("ui/package.json")).expect("package.json"),
    )
    .expect("JSON");
    assert_eq!(
        ui["version"].as_str(),
        Some(version.as_str()),
        "ui/package.json"
    );
    assert_eq!(
        scim_services::AppInfo::current().version,
        version,
        "the About box"
    );
    let out = std::process::Command::new(crate::hostile::scimx_binary())
        .arg("--version")
        .output()
        .expect("scimx --version");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("scimx {version}")
    );
}
