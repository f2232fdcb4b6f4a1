//! `scimx patch` and `scimx undo`: the GUI's safe writes for scripts. Same order as the app: read,
//! predict, show the exact request, ask (unless `--yes`), send, show what really changed and where
//! the server did not do what was predicted, record it in the connection's change log.

use scim_core::ResourceKind;
use std::io::{BufRead, Write};

use clap::ValueEnum;
use serde_json::{json, Value};

use scim_client::ScimClient;
use scim_services::change_log::ChangeLog;
use scim_services::writes::{
    DialectName, FieldDiff, PatchDraft, PlannedRequest, WriteOutcome, WritePreview, Writer,
};
use scim_services::AppError;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DialectChoice {
    Rfc,
    Entra,
    #[value(name = "entra-2020")]
    Entra2020,
    Okta,
    Authentik,
}

impl From<DialectChoice> for DialectName {
    fn from(d: DialectChoice) -> Self {
        match d {
            DialectChoice::Rfc => DialectName::Rfc,
            DialectChoice::Entra => DialectName::Entra,
            DialectChoice::Entra2020 => DialectName::Entra2020,
            DialectChoice::Okta => DialectName::Okta,
            DialectChoice::Authentik => DialectName::Authentik,
        }
    }
}

/// Everything a write needs: the client, what discovery said, where changes are recorded.
#[derive(Debug)]
pub struct Target {
    pub client: ScimClient,
    pub connection: String,
    pub read_only: bool,
    pub log: ChangeLog,
}

/// `--value` as JSON when it parses (`false`, `{"value": "…"}`), else as text (`Zoë`).
pub fn parse_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

fn out(line: impl AsRef<str>) {
    let _ = writeln!(std::io::stdout(), "{}", line.as_ref());
}

fn print_requests(requests: &[PlannedRequest]) {
    for r in requests {
        out(format!("{} {}", r.method, r.url));
        if let Some(m) = &r.if_match {
            out(format!("If-Match: {m}"));
        }
        if let Some(n) = &r.note {
            out(format!("# {n}"));
        }
        if !r.body.is_empty() {
            out(&r.body);
        }
        out("");
    }
}

fn print_changes(title: &str, changes: &[FieldDiff]) {
    out(format!("{title} ({}):", changes.len()));
    for c in changes {
        out(format!(
            "  {}: {} → {}",
            c.path,
            c.before.as_deref().unwrap_or("(none)"),
            c.after.as_deref().unwrap_or("(none)")
        ));
    }
}

fn print_outcome(o: &WriteOutcome) {
    for r in &o.responses {
        out(format!("{} {} → {}", r.method, r.url, r.status));
    }
    print_changes("What changed", &o.actual);
    if !o.mismatches.is_empty() {
        print_changes(
            "The server's result differs from the prediction",
            &o.mismatches
                .iter()
                .map(|m| FieldDiff {
                    path: m.path.clone(),
                    before: m.before.clone().map(|p| format!("predicted {p}")),
                    after: m.after.clone().map(|a| format!("actual {a}")),
                })
                .collect::<Vec<_>>(),
        );
    }
    for w in &o.warnings {
        eprintln!("note: {w}");
    }
    out(format!("Recorded as change {}.", o.change_id));
}

/// Asks on the terminal; refuses when there is none (a script must say `--yes`).
pub fn confirm(question: &str) -> Result<bool, AppError> {
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(AppError::invalid_input(
            "Nothing was sent: confirm with --yes when not running in a terminal.",
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| AppError::invalid_input(format!("Cannot read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

#[allow(clippy::too_many_arguments)]
pub async fn patch(
    target: Target,
    kind: ResourceKind,
    id: &str,
    op: Op,
    path: Option<String>,
    value: Option<String>,
    dialect: DialectChoice,
    dry_run: bool,
    yes: bool,
) -> Result<(), AppError> {
    let mut operation = serde_json::Map::new();
    let op_text = match op {
        Op::Add => "add",
        Op::Replace => "replace",
        Op::Remove => "remove",
    };
    operation.insert("op".into(), json!(op_text));
    if let Some(p) = path {
        operation.insert("path".into(), json!(p));
    }
    match (op, value) {
        (Op::Remove, None) => {}
        (_, Some(v)) => {
            operation.insert("value".into(), parse_value(&v));
        }
        (_, None) => {
            return Err(AppError::invalid_input(format!(
                "`{op_text}` needs --value (JSON, or plain text)."
            )))
        }
    }
    let draft = PatchDraft {
        kind,
        id: id.to_owned(),
        body: json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [Value::Object(operation)]
        })
        .to_string(),
        dialect: dialect.into(),
        as_put: false,
    };
    let discovery = target.client.discover().await?;
    let writer = Writer {
        client: &target.client,
        discovery: &discovery,
        connection: &target.connection,
        read_only: target.read_only,
        log: &target.log,
    };
    let mut draft = draft;
    let mut preview = writer.preview_patch(&draft).await?;
    if !preview.patch_supported && !dry_run {
        eprintln!("warning: the server does not support PATCH; the change is sent as a PUT.");
        draft.as_put = true;
        preview = writer.preview_patch(&draft).await?;
    }
    show_preview(&preview)?;
    if dry_run {
        out("Dry run: nothing was sent.");
        return Ok(());
    }
    if target.read_only {
        return Err(AppError::invalid_input(format!(
            "\u{201c}{}\u{201d} is a read-only connection: nothing was sent.",
            target.connection
        )));
    }
    if !yes && !confirm("Send this request?")? {
        out("Nothing was sent.");
        return Ok(());
    }
    let outcome = writer.apply_patch(&draft, preview.etag.clone()).await?;
    print_outcome(&outcome);
    Ok(())
}

fn show_preview(preview: &WritePreview) -> Result<(), AppError> {
    out(format!("{}:", preview.label));
    print_requests(&preview.requests);
    for w in &preview.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(p) = &preview.problem {
        // The message names the operation already.
        return Err(AppError::invalid_input(p.message.clone()));
    }
    print_changes("Predicted changes", &preview.changes);
    out("");
    Ok(())
}

pub async fn undo(target: Target, change: Option<String>, yes: bool) -> Result<(), AppError> {
    let discovery = target.client.discover().await?;
    let writer = Writer {
        client: &target.client,
        discovery: &discovery,
        connection: &target.connection,
        read_only: target.read_only,
        log: &target.log,
    };
    let preview = writer.preview_undo(change.as_deref()).await?;
    out(format!(
        "Undo change {} ({} of {}):",
        preview.change_id, preview.action, preview.label
    ));
    print_requests(&preview.requests);
    for w in &preview.warnings {
        eprintln!("warning: {w}");
    }
    if !yes && !confirm("Send this request?")? {
        out("Nothing was sent.");
        return Ok(());
    }
    let outcome = writer.undo(Some(&preview.change_id)).await?;
    print_outcome(&outcome);
    Ok(())
}
