//! Shared helpers for the integration and end-to-end tests: where things are, and a tauri-driver that
//! is stopped when the test ends, whatever happens.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The cargo target directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The built desktop app (`make build` makes it); `SCIMX_APP` overrides.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SCIMX_APP") {
        return PathBuf::from(path);
    }
    target_dir().join("debug").join("scim-explorer")
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running `tauri-driver`, killed on drop so a failing test never leaves it (or the app) behind.
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    pub port: u16,
}

impl TauriDriver {
    /// Starts tauri-driver on free ports and waits until it accepts connections.
    pub fn start() -> Result<Self, String> {
        let port = free_port();
        let native_port = free_port();
        let child = Command::new(tauri_driver_path())
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver ({e}); `make setup` installs it"))?;
        let driver = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("tauri-driver did not listen within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tauri_driver_path() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let home_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|p| p.join("bin").join("tauri-driver"));
    match home_bin {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}
