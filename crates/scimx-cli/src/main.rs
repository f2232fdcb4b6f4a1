//! `scimx`: the command-line twin of SCIM Explorer for scripted audits and CI, on the same crates as
//! the desktop app. Results go to stdout; warnings and errors to stderr; failures exit non-zero.

mod audit;
mod check;
mod connections;
mod listing;
mod output;
mod tap;
mod writes;

use connections::{connections_command, ConnectionsAction};

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use scim_core::ResourceKind;
use serde_json::Value;

use scim_client::{Auth, ClientConfig, ScimClient, Secret};
use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};
use scim_services::{
    AppError, AuthKind, ConnectionInput, Connections, ErrorKind, HeaderInput, Keychain,
};

#[derive(Parser)]
#[command(
    name = "scimx",
    version,
    about = "Browse, audit and test SCIM 2.0 directories from the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Seconds to wait for each answer (default 30). With `connections add` it is saved as the
    /// connection's timeout; for another command it overrides the saved one for this run.
    #[arg(long, global = true, value_name = "SECS")]
    timeout: Option<u32>,
    /// The most requests in flight at once (default 8; the client adapts below it, halving on 429
    /// or 503). With `connections add` it is saved; otherwise it applies to this run.
    #[arg(long, global = true, value_name = "K")]
    max_in_flight: Option<u32>,
    /// At most R requests per second, for APIs that allow only a few. With `connections add` it is
    /// saved; otherwise it applies to this run.
    #[arg(long, global = true, value_name = "R")]
    rps: Option<u32>,
}

/// `--timeout`, set once before any command runs.
static TIMEOUT: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();
/// `--max-in-flight` and `--rps`, set once before any command runs.
static PACING: std::sync::OnceLock<(Option<u32>, Option<u32>)> = std::sync::OnceLock::new();

/// The run's `--timeout`, `--max-in-flight` and `--rps` over a client's settings.
fn with_overrides(mut config: ClientConfig) -> ClientConfig {
    if let Some(t) = TIMEOUT.get() {
        config.timeout = *t;
    }
    let (max, rps) = PACING.get().copied().unwrap_or_default();
    if let Some(max) = max {
        config.pacing.max_in_flight = max.clamp(1, 64) as usize;
        config.pacing.initial_in_flight = config.pacing.initial_in_flight.min(max.max(1) as usize);
    }
    if let Some(rps) = rps.filter(|r| *r > 0) {
        config.pacing.requests_per_second = Some(f64::from(rps));
    }
    config
}

/// A panic is a bug, not a message for the user to decode: one line naming it, the exit status
/// says failure, and a backtrace only when asked for (RUST_BACKTRACE=1).
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_owned());
        let first_line = what.lines().next().unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: scimx stopped on an internal error ({first_line}{place}); nothing more was sent. This is a bug: please report it (RUST_BACKTRACE=1 shows where it happened).");
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            eprintln!("{}", std::backtrace::Backtrace::force_capture());
        }
    }));
}

/// The resource kinds a command line names (`users`, `groups`): the core's [`ResourceKind`].
#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Users,
    Groups,
}

impl From<KindArg> for ResourceKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Users => ResourceKind::Users,
            KindArg::Groups => ResourceKind::Groups,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned columns, for reading.
    Table,
    /// One JSON array of the resources as the server sent them.
    Json,
    /// JSON lines: one resource per line, for streaming tools (jq, DuckDB…).
    Jsonl,
    /// RFC 4180 CSV of the listed columns.
    Csv,
}

/// Which real server the demo imitates (see scim-demo-server's profile.rs).
#[derive(Clone, Copy, ValueEnum)]
enum Profile {
    Rfc,
    Netdata,
    ProfilesProjects,
    Secoda,
}

impl From<Profile> for scim_demo_server::Profile {
    fn from(p: Profile) -> Self {
        match p {
            Profile::Rfc => Self::Rfc,
            Profile::Netdata => Self::Netdata,
            Profile::ProfilesProjects => Self::ProfilesProjects,
            Profile::Secoda => Self::Secoda,
        }
    }
}

/// How the demo's /ResourceTypes writes each endpoint (all four are seen in the field).
#[derive(Clone, Copy, ValueEnum)]
enum EndpointForm {
    /// `/Groups` (RFC 7643 §6)
    Relative,
    /// `Groups`
    Bare,
    /// `/scim/v2/Groups`
    WithBasePath,
    /// `http://127.0.0.1:PORT/scim/v2/Groups`
    Absolute,
}

impl From<EndpointForm> for scim_demo_server::EndpointForm {
    fn from(f: EndpointForm) -> Self {
        match f {
            EndpointForm::Relative => Self::Relative,
            EndpointForm::Bare => Self::Bare,
            EndpointForm::WithBasePath => Self::WithBasePath,
            EndpointForm::Absolute => Self::Absolute,
        }
    }
}

#[derive(clap::Args)]
#[group(required = true, multiple = false)]
struct Target {
    /// Base URL of the SCIM server, e.g. https://app.example.com/scim/v2 (token from SCIM_TOKEN).
    #[arg(long)]
    url: Option<String>,
    /// A saved connection (see `scimx connections`): its token comes from the OS keychain.
    #[arg(long)]
    connection: Option<String>,
}

#[derive(Subcommand)]
enum TapAction {
    /// Read a capture (HAR) back: each exchange explained, and who sent it.
    Show { file: std::path::PathBuf },
    /// Send a capture's requests again to another server, each expecting what was recorded, then
    /// delete what the replay created. Exits 1 when a step differs.
    Replay {
        file: std::path::PathBuf,
        #[command(flatten)]
        target: Target,
        /// Keep what the replay created (default: delete it afterwards).
        #[arg(long)]
        keep: bool,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Serve the demo directory at http://127.0.0.1:PORT/scim/v2 until killed.
    DemoServer {
        #[arg(long, default_value_t = 0)]
        port: u16,
        #[arg(long, default_value_t = 250)]
        users: usize,
        #[arg(long, value_enum, default_value = "rfc")]
        profile: Profile,
        /// Require this bearer token (default: accept any request).
        #[arg(long)]
        token: Option<String>,
        /// Delay every answer by this many milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Answer every Nth request with 429 and Retry-After: 1.
        #[arg(long)]
        throttle_every: Option<u32>,
        /// Answer 429 when more than K requests are in flight, as rate-limited SaaS APIs do.
        #[arg(long, value_name = "K")]
        limit_in_flight: Option<u32>,
        /// Answer 429 past R requests per second (with a Retry-After of when to come back).
        #[arg(long, value_name = "R")]
        limit_rps: Option<u32>,
        /// Writes lose and rewrite attributes (drop nickName, ignore title, lower-case emails), to
        /// see how a client reports a server that does not keep what it is sent.
        #[arg(long)]
        lossy_writes: bool,
        /// How /ResourceTypes writes each endpoint.
        #[arg(long, value_enum, default_value = "relative")]
        endpoint_form: EndpointForm,
    },
    /// Print a shell completion script: `scimx completions bash > /etc/bash_completion.d/scimx`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `scimx man > scimx.1; man ./scimx.1`.
    Man,
    /// SCIM Tap: record what an identity provider sends an application (a recording reverse proxy).
    #[command(args_conflicts_with_subcommands = true)]
    Tap {
        #[command(subcommand)]
        action: Option<TapAction>,
        /// Where to listen (loopback unless you mean otherwise).
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: std::net::SocketAddr,
        /// The application's SCIM base URL.
        #[arg(long, conflicts_with = "connection")]
        upstream: Option<String>,
        /// A saved connection as the application (its TLS settings; its secret with --replace-auth).
        #[arg(long)]
        connection: Option<String>,
        /// Send the connection's secret instead of the identity provider's own Authorization.
        #[arg(long)]
        replace_auth: bool,
        #[command(flatten)]
        outputs: tap::Outputs,
    },
    /// SCIM inbox: the demo server listening for an identity provider, before any application exists.
    Inbox {
        #[arg(long, default_value = "127.0.0.1:8788")]
        listen: std::net::SocketAddr,
        #[arg(long, value_enum, default_value = "rfc")]
        profile: Profile,
        /// Seeded users (0: empty, as a new application).
        #[arg(long, default_value_t = 0)]
        users: usize,
        #[command(flatten)]
        outputs: tap::Outputs,
    },
    /// Show what the server declares about itself, and what looked odd.
    Discover {
        #[command(flatten)]
        target: Target,
    },
    /// Users of the directory.
    Users {
        #[command(subcommand)]
        action: ListAction,
    },
    /// Groups of the directory.
    Groups {
        #[command(subcommand)]
        action: ListAction,
    },
    /// Saved connections; secrets live in the OS keychain (service `scim-explorer`).
    Connections {
        #[command(subcommand)]
        action: ConnectionsAction,
    },
    /// Save the whole directory (users, groups with members, schemas, capabilities) to a verified,
    /// compressed snapshot file.
    Snapshot {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Only the users matching this SCIM filter (stated in the snapshot).
        #[arg(long)]
        filter: Option<String>,
    },
    /// Compare two directories: snapshot files, or `live:NAME` for a saved connection read now.
    Diff {
        a: String,
        b: String,
        /// How resources are paired: `id` within one tenant; across tenants by `externalId`,
        /// `userName` or `email`.
        #[arg(long = "match", value_enum, default_value = "id")]
        by: audit::MatchBy,
        #[arg(long, value_enum, default_value = "text")]
        format: audit::DiffFormat,
    },
    /// The role groups of a saved connection, by category, classified by its rules (the same as
    /// the app's Role groups screen; `connections rules` shows and sets them).
    Roles {
        /// The saved connection.
        connection: String,
    },
    /// A membership audit from a snapshot: membership-matrix, no-group, inactive-in-groups,
    /// missing-key, duplicates, orphans, empty-groups.
    Report {
        name: String,
        #[arg(long)]
        snapshot: std::path::PathBuf,
        /// What users are keyed to single sign-on by, for missing-key: externalId, userName or
        /// email (default: what the snapshot's users suggest).
        #[arg(long)]
        key: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: audit::ReportFormat,
        /// Write to this file instead of stdout (required for xlsx).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Change one user or group with a PATCH operation: shows the exact request and the predicted
    /// result, asks, sends (If-Match when the server has ETags), shows what really changed, and
    /// records it in the connection's change log for `scimx undo`.
    Patch {
        kind: KindArg,
        id: String,
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        op: writes::Op,
        /// e.g. active, name.givenName, emails[type eq "work"].value, members[value eq "42"]
        #[arg(long)]
        path: Option<String>,
        /// JSON (false, {"value":"42"}, [..]) or plain text.
        #[arg(long)]
        value: Option<String>,
        /// Send it the way this identity provider would.
        #[arg(long, value_enum, default_value = "rfc")]
        dialect: writes::DialectChoice,
        /// Print the request and the predicted diff; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Send without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Revert the latest change recorded for this connection (or --change ID), after showing it.
    Undo {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        change: Option<String>,
        #[arg(long)]
        yes: bool,
    },
    /// How the server behaves: declared capabilities against observed behaviour, each item pass /
    /// note / deviation / unsupported with the exchanges behind it. Read-only unless --writes (test
    /// resources named scimx-check-… are created and deleted). Exits 1 on a deviation.
    Check {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        writes: bool,
        /// Run the write checks without asking.
        #[arg(long)]
        yes: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: check::CheckFormat,
    },
    /// Provisioning scenarios: what an identity provider does, in its own request shapes.
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
    /// One resource as JSON.
    Get {
        kind: KindArg,
        id: String,
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Subcommand)]
enum ScenarioAction {
    /// The built-in scenarios and their steps.
    List,
    /// Play every step against the server, clean up, print the step log. Exits 1 when a step failed.
    Run {
        name: String,
        #[command(flatten)]
        target: Target,
        /// Play without asking.
        #[arg(long)]
        yes: bool,
        /// Write the run as Markdown (for a vendor) to this file.
        #[arg(long)]
        report: Option<std::path::PathBuf>,
        /// Write the run as JSON to this file.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum ListAction {
    /// Every resource (all pages).
    List {
        #[command(flatten)]
        target: Target,
        /// A SCIM filter, e.g. 'userName sw "ana"'.
        #[arg(long)]
        filter: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Also write the request log (secrets masked) to this file.
        #[arg(long)]
        log: Option<std::path::PathBuf>,
        /// Stop after this many resources (default: the connection's cap, or 5,000,000).
        #[arg(long, value_name = "N")]
        max_resources: Option<usize>,
    },
}

fn connections() -> Connections {
    Connections::new(
        &scim_services::connections::config_dir(),
        std::sync::Arc::new(Keychain::default()),
    )
}

fn client(target: &Target) -> Result<ScimClient, AppError> {
    if let Some(name) = &target.connection {
        let c = connections().client(name)?;
        return Ok(ScimClient::new(with_overrides(c.config().clone()))?);
    }
    let url = target.url.as_deref().unwrap_or_default();
    let auth = match std::env::var("SCIM_TOKEN") {
        Ok(t) if !t.is_empty() => Auth::Bearer(Secret::new(t)),
        _ => Auth::None,
    };
    let c = ScimClient::new(with_overrides(ClientConfig::new(url, auth)))?;
    if let Some(w) = c.transport_warning() {
        eprintln!("warning: {w}");
    }
    Ok(c)
}

/// The load limits of a target: a saved connection's, or the defaults; `--max-resources` wins.
fn load_limits(
    target: &Target,
    max_resources: Option<usize>,
) -> Result<scim_services::loaded::LoadLimits, AppError> {
    let mut limits = match &target.connection {
        Some(name) => connections().find(name)?.load_limits(),
        None => scim_services::loaded::LoadLimits::default(),
    };
    if let Some(m) = max_resources {
        limits.max_resources = m.max(1);
    }
    Ok(limits)
}

/// A write target: the client, and the change log of the saved connection (or of the bare URL).
fn write_target(target: &Target) -> Result<writes::Target, AppError> {
    let dir = scim_services::connections::config_dir();
    let (connection, read_only, key) = match &target.connection {
        Some(name) => {
            let saved = connections().find(name)?;
            (saved.name, saved.read_only, saved.id)
        }
        None => {
            let url = target.url.clone().unwrap_or_default();
            let key = scim_services::change_log::ChangeLog::key_for_url(&url);
            (url, false, key)
        }
    };
    Ok(writes::Target {
        client: client(target)?,
        connection,
        read_only,
        log: scim_services::change_log::ChangeLog::new(&dir, &key),
    })
}

fn warn(warnings: &[scim_core::Warning]) {
    for w in warnings {
        eprintln!("warning: {}", w.message);
    }
}

async fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Made in memory first: clap_complete panics when its output fails (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "scimx", &mut script);
            let _ = std::io::stdout().write_all(&script);
            Ok(())
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| {
                    AppError::new(
                        ErrorKind::Internal,
                        format!("the manual page could not be made: {e}"),
                    )
                })?;
            let _ = std::io::stdout().write_all(&page);
            Ok(())
        }
        Command::DemoServer {
            port,
            users,
            profile,
            token,
            latency_ms,
            throttle_every,
            limit_in_flight,
            limit_rps,
            lossy_writes,
            endpoint_form,
        } => {
            let server = DemoServer::start(DemoConfig {
                port,
                seed: SeedOptions {
                    users,
                    ..SeedOptions::default()
                },
                token,
                profile: profile.into(),
                latency_ms,
                throttle_every,
                rate_limit: scim_demo_server::RateLimit {
                    max_in_flight: limit_in_flight,
                    per_second: limit_rps,
                },
                lossy_writes,
                endpoint_form: endpoint_form.into(),
                ..DemoConfig::default()
            })
            .await
            .map_err(|e| AppError::invalid_input(e.to_string()))?;
            let _ = writeln!(std::io::stdout(), "{}", server.base_url);
            let _ = std::io::stdout().flush();
            let _ = tokio::signal::ctrl_c().await;
            server.stop().await;
            Ok(())
        }
        Command::Tap {
            action: Some(TapAction::Show { file }),
            ..
        } => tap::show(&file),
        Command::Tap {
            action: Some(TapAction::Replay { file, target, keep }),
            ..
        } => tap::replay(&file, &client(&target)?, keep).await,
        Command::Tap {
            action: None,
            listen,
            upstream,
            connection,
            replace_auth,
            outputs,
        } => {
            let target = Target {
                url: upstream,
                connection,
            };
            if target.url.is_none() && target.connection.is_none() {
                return Err(AppError::invalid_input(
                    "say which application to tap: --upstream URL or --connection NAME",
                ));
            }
            tap::tap(listen, client(&target)?, replace_auth, &outputs).await
        }
        Command::Inbox {
            listen,
            profile,
            users,
            outputs,
        } => tap::inbox(listen, profile.into(), users, &outputs).await,
        Command::Discover { target } => {
            let d = client(&target)?.discover().await?;
            let c = &d.config;
            let yes = |b: bool| if b { "yes" } else { "no" };
            let mut out = std::io::stdout();
            let _ = writeln!(out, "PATCH        {}", yes(c.patch));
            let bulk_limit = c
                .bulk_max_operations
                .filter(|_| c.bulk)
                .map(|m| format!(" (≤{m} operations)"));
            let _ = writeln!(
                out,
                "Bulk         {}{}",
                yes(c.bulk),
                bulk_limit.unwrap_or_default()
            );
            let _ = writeln!(
                out,
                "Filter       {}{}",
                yes(c.filter),
                c.filter_max_results
                    .map(|m| format!(" (≤{m} results)"))
                    .unwrap_or_default()
            );
            let _ = writeln!(out, "Sort         {}", yes(c.sort));
            let _ = writeln!(out, "ETag         {}", yes(c.etag));
            let _ = writeln!(
                out,
                "Paging       {}",
                [(c.index_paging, "index"), (c.cursor_paging, "cursor")]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(
                out,
                "Resources    {}",
                d.resource_types
                    .iter()
                    .map(|r| format!("{} ({})", r.name, r.endpoint))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(out, "Schemas      {}", d.schemas.schemas.len());
            warn(&d.warnings);
            Ok(())
        }
        Command::Users {
            action:
                ListAction::List {
                    target,
                    filter,
                    format,
                    log,
                    max_resources,
                },
        } => listing::list("Users", &target, filter, format, log, max_resources).await,
        Command::Groups {
            action:
                ListAction::List {
                    target,
                    filter,
                    format,
                    log,
                    max_resources,
                },
        } => listing::list("Groups", &target, filter, format, log, max_resources).await,
        Command::Connections { action } => connections_command(action).await,
        Command::Snapshot {
            target,
            out,
            filter,
        } => {
            let label = target
                .connection
                .clone()
                .or_else(|| target.url.clone())
                .unwrap_or_default();
            audit::take_snapshot(
                &client(&target)?,
                &label,
                &out,
                filter,
                None,
                &mut std::io::stdout(),
            )
            .await
        }
        Command::Diff { a, b, by, format } => {
            let live = |name: &str| connections().client(name);
            audit::diff(&a, &b, by, format, &live, &mut std::io::stdout()).await
        }
        Command::Report {
            name,
            snapshot,
            key,
            format,
            out,
        } => audit::report(
            &name,
            &snapshot,
            key.as_deref(),
            format,
            out.as_deref(),
            &mut std::io::stdout(),
        ),
        Command::Patch {
            kind,
            id,
            target,
            op,
            path,
            value,
            dialect,
            dry_run,
            yes,
        } => {
            writes::patch(
                write_target(&target)?,
                kind.into(),
                &id,
                op,
                path,
                value,
                dialect,
                dry_run,
                yes,
            )
            .await
        }
        Command::Undo {
            target,
            change,
            yes,
        } => writes::undo(write_target(&target)?, change, yes).await,
        Command::Check {
            target,
            writes,
            yes,
            format,
        } => {
            let clean = check::check(&client(&target)?, writes, yes, format).await?;
            if clean {
                Ok(())
            } else {
                Err(AppError::new(
                    ErrorKind::Server,
                    "The server deviates from RFC 7644 (see above).",
                ))
            }
        }
        Command::Scenario { action } => match action {
            ScenarioAction::List => {
                check::list();
                Ok(())
            }
            ScenarioAction::Run {
                name,
                target,
                yes,
                report,
                json,
            } => {
                if check::run(&client(&target)?, &name, yes, report, json).await? {
                    Ok(())
                } else {
                    Err(AppError::new(
                        ErrorKind::Server,
                        "A step failed or a test resource was left behind (see above).",
                    ))
                }
            }
        },
        Command::Roles { connection } => {
            let directory =
                scim_services::Directory::open_saved(&connections(), &connection).await?;
            let rules = directory.role_rules()?;
            let classified = directory.role_groups(&rules).await?;
            let mut out = std::io::stdout();
            for category in &classified.categories {
                let _ = writeln!(out, "{category}");
                for g in classified.groups.iter().filter(|g| &g.category == category) {
                    let _ = writeln!(
                        out,
                        "  {}\t{} users ({} direct)",
                        g.short_name, g.user_count, g.direct_count
                    );
                }
            }
            if classified.unclassified > 0 {
                let _ = writeln!(out, "({} groups match no rule)", classified.unclassified);
            }
            Ok(())
        }
        Command::Get { kind, id, target } => {
            let kind = ResourceKind::from(kind);
            let r = client(&target)?.get(kind.endpoint(), &id).await?;
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                serde_json::to_string_pretty(&r.body.unwrap_or(Value::Null)).unwrap_or_default()
            );
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse();
    if let Some(t) = cli.timeout {
        let _ = TIMEOUT.set(std::time::Duration::from_secs(u64::from(t.max(1))));
    }
    let _ = PACING.set((cli.max_in_flight, cli.rps));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut line = format!("error: {}", e.message);
            if let Some(scim) = &e.scim {
                let mut tags: Vec<String> = scim
                    .http_status
                    .map(|s| format!("HTTP {s}"))
                    .into_iter()
                    .collect();
                tags.extend(scim.scim_type.clone());
                if !tags.is_empty() {
                    line.push_str(&format!(" [{}]", tags.join(" · ")));
                }
                if let Some(d) = &scim.detail {
                    line.push_str(&format!(" — {d}"));
                }
            }
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}
