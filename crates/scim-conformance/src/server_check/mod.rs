//! Server check: what a SCIM service provider declares against what it does. Each probe sends real
//! requests and judges the answer — pass, a note (allowed but worth knowing, such as 204 on PATCH), a
//! deviation from RFC 7643/7644, unsupported (and declared so), or failed (could not be checked) —
//! with the exact exchanges behind it. Read-only unless writes are enabled; write probes work on
//! resources named `scimx-check-…` and delete them afterwards, saying so when they could not.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use specta::Type;

use scim_client::{ClientError, Discovery, ListParams, RequestLog, ScimClient};
use scim_core::filter::{evaluate, parse_filter, EvalOptions};
use scim_core::names::get_ci;
use scim_core::patch::{OpKind, PatchOp, PatchOperation};
use scim_core::Resource;

use scim_base::error::AppError;

/// How a probe came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Pass,
    /// Allowed by the RFC, but a client must know (204 on PATCH, sorting not declared but done).
    Note,
    Deviation,
    /// Not offered, and declared so.
    Unsupported,
    /// The probe could not run (no user to probe with, a network failure).
    Failed,
}

/// One request and its answer, as the request log recorded them (secrets masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProbeExchange {
    pub method: String,
    pub url: String,
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_body: Option<String>,
}

/// One item of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckItem {
    /// Stable id (`filter.co`, `patch.response`…), for tests and saved results.
    pub id: String,
    /// `discovery`, `filter`, `paging`, `sort`, `projection`, `etag`, `errors`, `data`, `writes`.
    pub group: String,
    pub title: String,
    pub outcome: Outcome,
    pub detail: String,
    /// What the verdict rests on beyond the exchanges, when it does (a declaration taken at its
    /// word, data assumed to be current): the report says how sure it is.
    #[serde(default)]
    pub assumption: Option<String>,
    pub exchanges: Vec<ProbeExchange>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub base_url: String,
    pub ran_at: String,
    pub writes: bool,
    pub items: Vec<CheckItem>,
    /// Test resources that could not be deleted (id and why): the user must remove them.
    pub leftovers: Vec<String>,
    /// What the app does differently for this server because of what the check found.
    #[serde(default)]
    pub quirks: ServerQuirks,
}

/// What the last check taught the app about this server, used when building requests for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServerQuirks {
    /// Members are removed with `path: members` and a value list (the filter path is refused).
    pub remove_members_by_value_list: bool,
    /// PATCH is refused: changes go as a PUT of the whole resource.
    pub patch_unsupported: bool,
}

impl CheckReport {
    pub fn quirks(&self) -> ServerQuirks {
        let outcome = |id: &str| self.items.iter().find(|i| i.id == id).map(|i| i.outcome);
        ServerQuirks {
            remove_members_by_value_list: outcome("groups.remove.valueList") == Some(Outcome::Note),
            patch_unsupported: outcome("patch.response") == Some(Outcome::Unsupported),
        }
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.items.iter().filter(|i| i.outcome == outcome).count()
    }

    pub fn deviations(&self) -> impl Iterator<Item = &CheckItem> {
        self.items
            .iter()
            .filter(|i| i.outcome == Outcome::Deviation)
    }

    /// The report as Markdown, for a vendor.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# SCIM server check\n\n- Server: {}\n- Run: {}\n- Write checks: {}\n- Result: {} pass, {} notes, {} deviations, {} unsupported, {} could not be checked\n\n",
            self.base_url,
            self.ran_at,
            if self.writes { "yes (test resources created and deleted)" } else { "no (read-only)" },
            self.count(Outcome::Pass),
            self.count(Outcome::Note),
            self.count(Outcome::Deviation),
            self.count(Outcome::Unsupported),
            self.count(Outcome::Failed),
        );
        let assumed = self.items.iter().filter(|i| i.assumption.is_some()).count();
        if assumed > 0 {
            out.push_str(&format!(
                "{assumed} verdict{} rest{} on an assumption; each row says which (*Rests on: …*).\n\n",
                if assumed == 1 { "" } else { "s" },
                if assumed == 1 { "s" } else { "" }
            ));
        }
        out.push_str("| Check | Result | Detail |\n|---|---|---|\n");
        for i in &self.items {
            let rests_on = i
                .assumption
                .as_ref()
                .map(|a| format!(" *Rests on: {a}*"))
                .unwrap_or_default();
            out.push_str(&format!(
                "| {} | {:?} | {}{} |\n",
                i.title,
                i.outcome,
                i.detail.replace('|', "\\|"),
                rests_on.replace('|', "\\|")
            ));
        }
        if !self.leftovers.is_empty() {
            out.push_str("\n## Test resources left behind\n\n");
            for l in &self.leftovers {
                out.push_str(&format!("- {l}\n"));
            }
        }
        out
    }
}

/// The prefix of every resource a write check creates.
pub const TEST_PREFIX: &str = "scimx-check-";

mod checker;
mod discovery;
mod error_bodies;
mod read;
mod test_user;
#[cfg(test)]
mod tests;
mod write;

use checker::Checker;
use write::Created;

/// Runs the check. `writes` enables the probes that create, change and delete test resources.
pub async fn run(client: &ScimClient, writes: bool) -> Result<CheckReport, AppError> {
    let log = RequestLog::default();
    let probe = client.clone().with_log(log.clone());
    let discovery = probe.discover().await?;
    let mut checker = Checker {
        client: &probe,
        log,
        discovery: &discovery,
        seen: 0,
        items: Vec::new(),
        count_refused: None,
        created_status: std::sync::atomic::AtomicU16::new(0),
    };
    checker.discovery_items();
    checker.read_items().await;
    let mut leftovers = Vec::new();
    if writes {
        let mut created = Created::default();
        checker.write_items(&mut created).await;
        // Clean up whatever is left, and say what could not be.
        for (endpoint, ids) in [("Groups", &created.groups), ("Users", &created.users)] {
            for id in ids {
                match probe.delete(endpoint, id, None).await {
                    Ok(()) => {}
                    Err(ClientError::Http { status: 404, .. }) => {}
                    Err(e) => leftovers.push(format!("{endpoint}/{id}: {e}")),
                }
            }
        }
    }
    let mut report = CheckReport {
        base_url: client.base_url().to_owned(),
        ran_at: scim_audit::snapshot::now_rfc3339(),
        writes,
        items: checker.items,
        leftovers,
        quirks: ServerQuirks::default(),
    };
    report.quirks = report.quirks();
    Ok(report)
}

/// Where a connection's last check is kept: `checks/<connection>.json` in the config directory.
pub fn saved_path(config_dir: &std::path::Path, key: &str) -> std::path::PathBuf {
    config_dir
        .join("checks")
        .join(format!("{}.json", scim_base::paths::slug(key)))
}

pub fn save(path: &std::path::Path, report: &CheckReport) -> Result<(), AppError> {
    let text =
        serde_json::to_string_pretty(report).map_err(|e| AppError::internal(e.to_string()))?;
    scim_base::private_files::write_atomic(path, scim_base::private_files::Place::Replace, |f| {
        std::io::Write::write_all(f, text.as_bytes())
    })
}

pub fn load(path: &std::path::Path) -> Option<CheckReport> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
}
