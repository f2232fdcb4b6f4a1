//! `scimx check` and `scimx scenario`: how a SCIM server behaves (declared against observed, read-only
//! unless `--writes`) and what happens when an identity provider provisions to it, on the same
//! services as the app's Server screen.

use std::io::Write;

use clap::ValueEnum;

use scim_client::ScimClient;
use scim_services::scenarios::{self, RunState};
use scim_services::server_check::{self, CheckReport, Outcome};
use scim_services::AppError;

use crate::writes::confirm;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Markdown,
}

fn out(line: impl AsRef<str>) {
    let _ = writeln!(std::io::stdout(), "{}", line.as_ref());
}

fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Note => "note",
        Outcome::Deviation => "DEVIATION",
        Outcome::Unsupported => "unsupported",
        Outcome::Failed => "not checked",
    }
}

fn print_report(report: &CheckReport, format: CheckFormat) {
    match format {
        CheckFormat::Json => out(serde_json::to_string_pretty(report).unwrap_or_default()),
        CheckFormat::Markdown => out(report.to_markdown()),
        CheckFormat::Text => {
            for i in &report.items {
                out(format!(
                    "{:<11} {} — {}",
                    mark(i.outcome),
                    i.title,
                    i.detail
                ));
                if let Some(a) = &i.assumption {
                    out(format!("{:<11}   rests on: {a}", ""));
                }
            }
            out(format!(
                "{} pass, {} notes, {} deviations, {} unsupported, {} not checked",
                report.count(Outcome::Pass),
                report.count(Outcome::Note),
                report.count(Outcome::Deviation),
                report.count(Outcome::Unsupported),
                report.count(Outcome::Failed)
            ));
            for l in &report.leftovers {
                eprintln!("warning: a test resource could not be deleted: {l}");
            }
        }
    }
}

/// `scimx check`: exits non-zero when a deviation was found, so CI can gate on it.
pub async fn check(
    client: &ScimClient,
    writes: bool,
    yes: bool,
    format: CheckFormat,
) -> Result<bool, AppError> {
    if writes
        && !yes
        && !confirm(&format!(
            "Write checks create, change and delete test resources named {}… on {}. Continue?",
            server_check::TEST_PREFIX,
            client.base_url()
        ))?
    {
        out("Nothing was sent.");
        return Ok(true);
    }
    let report = server_check::run(client, writes).await?;
    print_report(&report, format);
    Ok(report.count(Outcome::Deviation) == 0 && report.leftovers.is_empty())
}

pub fn list() {
    for s in scenarios::list() {
        out(format!(
            "{:<28} {} (dialect {:?})",
            s.name, s.title, s.dialect
        ));
        for (i, step) in s.steps.iter().enumerate() {
            out(format!("    {}. {step}", i + 1));
        }
    }
}

/// `scimx scenario run`: plays every step, cleans up, prints the log; `--report` writes Markdown
/// and `--json` the run as JSON. Exits non-zero when a step failed or cleanup left resources.
pub async fn run(
    client: &ScimClient,
    name: &str,
    yes: bool,
    report: Option<std::path::PathBuf>,
    json: Option<std::path::PathBuf>,
) -> Result<bool, AppError> {
    let mut state: RunState = scenarios::start(client, name)?;
    if !yes
        && !confirm(&format!(
            "\"{}\" creates, changes and deletes test resources named {}… on {}. Continue?",
            state.scenario.title,
            scenarios::PREFIX,
            client.base_url()
        ))?
    {
        out("Nothing was sent.");
        return Ok(true);
    }
    while !state.finished {
        scenarios::step(client, &mut state).await?;
        if let Some(s) = state.steps.last() {
            out(format!(
                "{}. {} — {}",
                s.index + 1,
                s.title,
                match (s.passed, &s.finding) {
                    (true, None) => "pass",
                    (true, Some(_)) => "pass (refused safely: finding)",
                    (false, _) => "FAIL",
                }
            ));
            for e in &s.exchanges {
                out(format!(
                    "     {} {} → {}",
                    e.method,
                    e.url,
                    e.status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "no answer".into())
                ));
            }
            for c in &s.checks {
                out(format!(
                    "     {} {}: expected {}, got {}",
                    if c.pass { "✓" } else { "✗" },
                    c.what,
                    c.expected,
                    c.actual
                ));
            }
            if let Some(e) = &s.error {
                out(format!("     error: {e}"));
            }
            if let Some(f) = &s.finding {
                out(format!("     finding: {f}"));
            }
        }
    }
    if !state.findings().is_empty() {
        out(format!(
            "{} integration finding(s): the server refused a request this IdP sends, safely.",
            state.findings().len()
        ));
    }
    scenarios::cleanup(client, &mut state).await;
    out(if state.leftovers.is_empty() {
        "Cleanup: every test resource deleted.".to_owned()
    } else {
        format!("Cleanup left: {}", state.leftovers.join(", "))
    });
    if let Some(path) = report {
        scim_services::export::write_file(&path.to_string_lossy(), state.to_markdown().as_bytes())?;
    }
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&state).unwrap_or_default();
        scim_services::export::write_file(&path.to_string_lossy(), text.as_bytes())?;
    }
    Ok(state.passed() && state.leftovers.is_empty())
}
