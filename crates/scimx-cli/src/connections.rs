//! `scimx connections …`: saving, testing, renaming, sharing connections and their role rules;
//! secrets come from the environment or a hidden prompt and go to the OS keychain.

use super::*;

#[derive(Subcommand)]
// Parsed once per run: the size of the `add` variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum ConnectionsAction {
    /// Save a connection; the token (from SCIM_TOKEN or a hidden prompt) goes to the OS keychain.
    Add {
        name: String,
        #[arg(long)]
        url: String,
        #[arg(long, value_enum, default_value = "bearer")]
        auth: AuthChoice,
        /// User name for --auth basic.
        #[arg(long)]
        user: Option<String>,
        /// Token endpoint for --auth oauth2 (client credentials; the client secret is the secret).
        #[arg(long)]
        token_url: Option<String>,
        /// Client id for --auth oauth2.
        #[arg(long)]
        client_id: Option<String>,
        /// Scope for --auth oauth2.
        #[arg(long)]
        scope: Option<String>,
        /// An extra header sent with every request (repeatable). Its value is a secret: from
        /// SCIM_HEADER_<NAME> (X-Tenant-Id → SCIM_HEADER_X_TENANT_ID) or a hidden prompt.
        #[arg(long = "header", value_name = "NAME")]
        headers: Vec<String>,
        /// Colour tag, e.g. '#d32f2f' for production.
        #[arg(long)]
        color: Option<String>,
        #[arg(long)]
        read_only: bool,
        /// A PEM file of extra certificate authorities to trust.
        #[arg(long)]
        ca_bundle: Option<String>,
        /// Do not verify TLS certificates (a test server with a self-signed certificate only).
        #[arg(long)]
        insecure: bool,
        #[arg(long)]
        proxy: Option<String>,
        /// The most resources one load of this connection holds (default 5,000,000).
        #[arg(long, value_name = "N")]
        max_resources: Option<u32>,
        /// What users are keyed to single sign-on by: externalId, userName or email (default:
        /// suggested from the users).
        #[arg(long, value_name = "ATTRIBUTE")]
        sso_key: Option<String>,
        // The connection's timeout is the global `--timeout` (seconds to wait for each answer).
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// The saved connections (never their secrets).
    List,
    /// Discovery against the connection: capabilities, latency, and why it failed if it did.
    Test { name: String },
    /// Replace the stored token (after "Regenerate token" in the application).
    Rotate { name: String },
    /// Delete the connection and its keychain entry.
    Remove { name: String },
    /// Print the connections as a shareable file (no secrets).
    Export,
    /// Give a connection a new name; its token, change log, snapshots and view settings stay.
    Rename { name: String, new_name: String },
    /// The role-group rules of a connection (JSON, the app's "Edit rules"), or set them.
    Rules {
        name: String,
        /// A JSON file of rules to save, e.g. [{"category":"Roles","kind":"prefix","pattern":"Role:"}]
        #[arg(long, conflicts_with = "reset")]
        set: Option<std::path::PathBuf>,
        /// Go back to the default rules (Profile: and Project: prefixes).
        #[arg(long)]
        reset: bool,
    },
    /// Add the connections of an exported file (enter their tokens with `rotate`).
    Import {
        file: std::path::PathBuf,
        /// Keep settings that weaken security (invalid certificates accepted, a proxy, a CA
        /// bundle); without it such a file imports nothing and says which.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AuthChoice {
    Bearer,
    Basic,
    #[value(name = "oauth2")]
    OAuth2,
    None,
}

/// The secret for a connection: SCIM_TOKEN, else a prompt with echo off (never a command-line argument,
/// which would land in shell history and process lists).
fn read_secret(what: &str) -> Result<Secret, AppError> {
    read_secret_from("SCIM_TOKEN", what)
}

/// The environment variable that carries an extra header's value: `X-Tenant-Id` → `SCIM_HEADER_X_TENANT_ID`.
fn header_env(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("SCIM_HEADER_{upper}")
}

fn read_secret_from(var: &str, what: &str) -> Result<Secret, AppError> {
    if let Ok(t) = std::env::var(var) {
        if !t.is_empty() {
            return Ok(Secret::new(t));
        }
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(AppError::invalid_input(format!(
            "Set {var} to the {what}, or run this in a terminal to be asked for it."
        )));
    }
    eprint!("{what}: ");
    let _ = std::io::stderr().flush();
    let _ = std::process::Command::new("stty").arg("-echo").status();
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    let _ = std::process::Command::new("stty").arg("echo").status();
    eprintln!();
    read.map_err(|e| AppError::invalid_input(format!("Cannot read the {what}: {e}")))?;
    let t = line.trim().to_owned();
    if t.is_empty() {
        return Err(AppError::invalid_input(format!("The {what} is empty.")));
    }
    Ok(Secret::new(t))
}

pub async fn connections_command(action: ConnectionsAction) -> Result<(), AppError> {
    let store = connections();
    let mut out = std::io::stdout();
    match action {
        ConnectionsAction::Add {
            name,
            url,
            auth,
            user,
            token_url,
            client_id,
            scope,
            headers,
            max_resources,
            sso_key,
            color,
            read_only,
            ca_bundle,
            insecure,
            proxy,
            notes,
        } => {
            let timeout = TIMEOUT
                .get()
                .map(|t| t.as_secs().min(u64::from(u32::MAX)) as u32);
            let (auth, secret_name) = match auth {
                AuthChoice::None => (AuthKind::None, None),
                AuthChoice::Bearer => (AuthKind::Bearer, Some("token")),
                AuthChoice::Basic => {
                    let user =
                        user.ok_or_else(|| AppError::invalid_input("--auth basic needs --user."))?;
                    (AuthKind::Basic { user }, Some("password"))
                }
                AuthChoice::OAuth2 => (
                    AuthKind::OAuth2 {
                        token_url: token_url.ok_or_else(|| {
                            AppError::invalid_input("--auth oauth2 needs --token-url.")
                        })?,
                        client_id: client_id.ok_or_else(|| {
                            AppError::invalid_input("--auth oauth2 needs --client-id.")
                        })?,
                        scope,
                    },
                    Some("client secret"),
                ),
            };
            let secret = match secret_name {
                Some(what) => Some(read_secret(what)?.expose().to_owned()),
                None => None,
            };
            let mut header_inputs = Vec::new();
            for h in headers {
                let value = read_secret_from(&header_env(&h), &format!("value of {h}"))?;
                header_inputs.push(HeaderInput {
                    name: h,
                    value: Some(value.expose().to_owned()),
                });
            }
            let sso_key = match sso_key {
                Some(k) => Some(scim_core::identity::SsoKey::parse(&k).ok_or_else(|| {
                    AppError::invalid_input(format!(
                        "--sso-key {k}: use externalId, userName or email."
                    ))
                })?),
                None => None,
            };
            // The same form (and validation) as the app's "Add connection".
            let saved = ConnectionInput {
                id: None,
                name,
                base_url: url,
                auth,
                secret,
                headers: header_inputs,
                color,
                read_only,
                notes,
                ca_bundle_path: ca_bundle,
                accept_invalid_certs: insecure,
                proxy,
                timeout_secs: timeout,
                session_only: false,
                max_resources,
                max_in_flight: crate::PACING.get().and_then(|p| p.0),
                requests_per_second: crate::PACING.get().and_then(|p| p.1),
                sso_key,
            }
            .save(&store)?;
            if saved.accept_invalid_certs {
                eprintln!(
                    "warning: TLS certificates of {} will not be verified",
                    saved.base_url
                );
            }
            let _ = writeln!(
                out,
                "saved \"{}\" ({}); secret in the {}",
                saved.name,
                saved.base_url,
                store.secret_store().describe()
            );
        }
        ConnectionsAction::List => {
            let list = store.list()?;
            if list.is_empty() {
                let _ = writeln!(
                    out,
                    "no saved connections (scimx connections add NAME --url URL)"
                );
            }
            for c in list {
                let auth = match &c.auth {
                    AuthKind::None => "no auth".to_owned(),
                    AuthKind::Bearer => "bearer token".to_owned(),
                    AuthKind::Basic { user } => format!("basic ({user})"),
                    AuthKind::OAuth2 { client_id, .. } => format!("oauth2 ({client_id})"),
                };
                let ro = if c.read_only { " · read-only" } else { "" };
                let _ = writeln!(out, "{}\t{}\t{auth}{ro}", c.name, c.base_url);
            }
        }
        ConnectionsAction::Test { name } => {
            let report = store.test(&name).await?;
            let _ = writeln!(out, "{} ({} ms)", report.summary, report.latency_ms);
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            if !report.ok {
                return Err(AppError::new(ErrorKind::Auth, report.summary));
            }
        }
        ConnectionsAction::Rotate { name } => {
            let c = store.rotate(&name, &read_secret("new token")?)?;
            let report = store.test(&c.name).await?;
            let _ = writeln!(out, "token replaced for \"{}\"; {}", c.name, report.summary);
        }
        ConnectionsAction::Remove { name } => {
            store.remove(&name)?;
            let _ = writeln!(out, "removed \"{name}\" and its keychain entry");
        }
        ConnectionsAction::Export => {
            let _ = writeln!(out, "{}", store.export()?);
        }
        ConnectionsAction::Rename { name, new_name } => {
            let c = store.rename(&name, &new_name)?;
            let _ = writeln!(out, "renamed \"{name}\" to \"{}\"", c.name);
        }
        ConnectionsAction::Rules { name, set, reset } => {
            let c = store.find(&name)?;
            if set.is_some() || reset {
                let rules = match set {
                    Some(file) => {
                        let text = std::fs::read_to_string(&file).map_err(|e| {
                            AppError::invalid_input(format!("Cannot read {}: {e}", file.display()))
                        })?;
                        Some(serde_json::from_str(&text).map_err(|e| {
                            AppError::invalid_input(format!(
                                "{} is not a list of rules: {e}",
                                file.display()
                            ))
                        })?)
                    }
                    None => None,
                };
                let view = scim_services::ViewSettings {
                    role_rules: rules,
                    ..c.view.clone()
                };
                store.save_view(&c.id, view)?;
            }
            let rules = store.view(&c.name)?.rules();
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rules).unwrap_or_default()
            );
        }
        ConnectionsAction::Import { file, yes } => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                AppError::invalid_input(format!("Cannot read {}: {e}", file.display()))
            })?;
            let outcome = store.import_with(&text, yes)?;
            if !outcome.needs_confirmation.is_empty() {
                return Err(AppError::invalid_input(format!(
                    "nothing was imported: {}. Run again with --yes to keep these settings.",
                    outcome.needs_confirmation.join("; ")
                )));
            }
            for name in outcome.added {
                let _ = writeln!(
                    out,
                    "imported \"{name}\" (add its token with `scimx connections rotate`)"
                );
            }
        }
    }
    Ok(())
}
