//! `scimx`: the command-line twin of SCIM Explorer for scripted audits and CI, on the same crates as
//! the desktop app. Results go to stdout; warnings and errors to stderr; failures exit non-zero.

mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::Value;

use scim_client::{
    Auth, CancelFlag, ClientConfig, ClientError, ListParams, LoadOptions, ScimClient, Secret,
};
use scim_demo_server::{DemoConfig, DemoServer, SeedOptions};

#[derive(Parser)]
#[command(
    name = "scimx",
    version,
    about = "Browse, audit and test SCIM 2.0 directories from the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
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

#[derive(clap::Args)]
struct Target {
    /// Base URL of the SCIM server, e.g. https://app.example.com/scim/v2 (token from SCIM_TOKEN).
    #[arg(long)]
    url: String,
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
    /// One resource as JSON.
    Get {
        #[arg(value_parser = ["users", "groups"])]
        kind: String,
        id: String,
        #[command(flatten)]
        target: Target,
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
    },
}

fn client(target: &Target) -> Result<ScimClient, ClientError> {
    let auth = match std::env::var("SCIM_TOKEN") {
        Ok(t) if !t.is_empty() => Auth::Bearer(Secret::new(t)),
        _ => Auth::None,
    };
    ScimClient::new(ClientConfig::new(&target.url, auth))
}

fn warn(warnings: &[scim_core::Warning]) {
    for w in warnings {
        eprintln!("warning: {}", w.message);
    }
}

async fn list(
    endpoint: &str,
    target: &Target,
    filter: Option<String>,
    format: Format,
) -> Result<(), ClientError> {
    if let Some(f) = &filter {
        // Check the filter locally first: a precise message beats the server's 400.
        scim_core::filter::parse_filter(f)
            .map_err(|e| ClientError::InvalidInput(format!("invalid filter: {e}")))?;
    }
    let c = client(target)?;
    let options = LoadOptions {
        params: ListParams {
            filter,
            ..Default::default()
        },
        ..LoadOptions::default()
    };
    let result = c
        .load_all(endpoint, &options, &CancelFlag::default(), &|_| {})
        .await;
    warn(&result.warnings);
    if let Some(e) = result.error {
        if !result.resources.is_empty() {
            eprintln!(
                "error: stopped after {} of {} resources",
                result.resources.len(),
                result.total.map_or("?".to_owned(), |t| t.to_string())
            );
        }
        return Err(e);
    }
    let columns = if endpoint == "Users" {
        output::user_columns()
    } else {
        output::group_columns()
    };
    let text = match format {
        Format::Json => {
            serde_json::to_string_pretty(&Value::Array(result.resources)).unwrap_or_default() + "\n"
        }
        Format::Csv => output::csv(&result.resources, &columns),
        Format::Table => output::table(&result.resources, &columns),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(())
}

async fn run(cli: Cli) -> Result<(), ClientError> {
    match cli.command {
        Command::DemoServer {
            port,
            users,
            profile,
            token,
            latency_ms,
            throttle_every,
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
                ..DemoConfig::default()
            })
            .await
            .map_err(|e| ClientError::InvalidInput(e.to_string()))?;
            let _ = writeln!(std::io::stdout(), "{}", server.base_url);
            let _ = std::io::stdout().flush();
            let _ = tokio::signal::ctrl_c().await;
            server.stop().await;
            Ok(())
        }
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
                },
        } => list("Users", &target, filter, format).await,
        Command::Groups {
            action:
                ListAction::List {
                    target,
                    filter,
                    format,
                },
        } => list("Groups", &target, filter, format).await,
        Command::Get { kind, id, target } => {
            let endpoint = if kind == "users" { "Users" } else { "Groups" };
            let r = client(&target)?.get(endpoint, &id).await?;
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
    let cli = Cli::parse();
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
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
