//! Shared helpers for the integration and end-to-end tests: where things are, and a tauri-driver that
//! is stopped when the test ends, whatever happens.

pub mod hostile;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
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
    /// A private home for the app (config, WebKit storage): every run starts fresh and never touches
    /// the real user's settings. Removed on drop unless the test owns it (see [`Self::start_in`]).
    profile: PathBuf,
    remove_profile: bool,
}

impl TauriDriver {
    /// The app's private home (its config folder is `config/scim-explorer` in it).
    pub fn profile(&self) -> &Path {
        &self.profile
    }

    /// Starts tauri-driver on free ports with a fresh profile, removed afterwards.
    pub fn start() -> Result<Self, String> {
        let profile =
            std::env::temp_dir().join(format!("scimx-e2e-{}-{}", std::process::id(), free_port()));
        let mut driver = Self::start_in(&profile)?;
        driver.remove_profile = true;
        Ok(driver)
    }

    /// Starts tauri-driver with the app's home in `profile`, kept after the driver stops: a second
    /// driver on the same profile is the same user restarting the app.
    pub fn start_in(profile: &Path) -> Result<Self, String> {
        let port = free_port();
        let native_port = free_port();
        let profile = profile.to_path_buf();
        for sub in ["config", "data", "cache"] {
            std::fs::create_dir_all(profile.join(sub)).map_err(|e| format!("profile dir: {e}"))?;
        }
        let log_dir = target_dir().join("e2e");
        std::fs::create_dir_all(&log_dir).map_err(|e| format!("target/e2e: {e}"))?;
        let log = std::fs::File::create(log_dir.join("tauri-driver.log"))
            .map_err(|e| format!("tauri-driver.log: {e}"))?;
        let child = Command::new(tauri_driver_path())
            .env("XDG_CONFIG_HOME", profile.join("config"))
            .env("XDG_DATA_HOME", profile.join("data"))
            .env("XDG_CACHE_HOME", profile.join("cache"))
            // Its own process group, so Drop can stop WebKitWebDriver and the app along with it.
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            // A log file, not our stderr: the app and WebKitWebDriver inherit it and may outlive the test
            // by a moment, which the test runner would report as a leak.
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver ({e}); `make setup` installs it"))?;
        let driver = Self {
            child,
            port,
            profile,
            remove_profile: false,
        };
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
        // `--` matters: procps `kill -TERM -123` reads `-123` as options and signals every
        // process (kill(-1)); `kill -s TERM -- -123` signals process group 123 only.
        let _ = Command::new("kill")
            .args(["-s", "TERM", "--", &format!("-{}", self.child.id())])
            .status();
        std::thread::sleep(Duration::from_millis(300));
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.remove_profile {
            let _ = std::fs::remove_dir_all(&self.profile);
        }
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

/// How many users on the server have a userName starting with `prefix`: what a check or a scenario
/// that cleans up after itself must leave at zero.
pub async fn users_named_with(client: &scim_client::ScimClient, prefix: &str) -> usize {
    client
        .list(
            "Users",
            &scim_client::ListParams {
                filter: Some(format!("userName sw \"{prefix}\"")),
                ..Default::default()
            },
        )
        .await
        .expect("list users by prefix")
        .value
        .resources
        .len()
}
