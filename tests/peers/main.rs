//! Tests against real third-party SCIM software from PyPI (python-scim): `scim2-tester` checks our demo
//! server, and our client works against `scim2-server`. Run by `make peers`, which installs them in
//! `target/pyenv`; not part of the plain `cargo nextest run` (see .config/nextest.toml).

mod oracle;
mod scim2_server;
mod scim2_tester;
mod tap;

use std::path::PathBuf;

/// The venv `make py-deps` creates.
pub fn pyenv_bin(name: &str) -> PathBuf {
    let path = scim_explorer_tests::target_dir()
        .join("pyenv")
        .join("bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing — run `make py-deps`",
        path.display()
    );
    path
}
