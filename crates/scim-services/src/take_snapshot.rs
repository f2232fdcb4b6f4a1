//! Reading a whole directory into a [`Snapshot`] through the client: the one part of snapshots that
//! needs the network (the format itself is in `scim-audit`).

use scim_audit::snapshot::{now_rfc3339, VERSION};
use scim_audit::snapshot::{Snapshot, SnapshotHeader};
use scim_base::AppError;
use serde_json::Value;

/// Takes a snapshot of `client`'s directory: every user and group (members included), the schemas
/// and the configuration discovery saw. Fails rather than save a partial directory.
pub async fn take(
    client: &scim_client::ScimClient,
    connection: &str,
    user_filter: Option<String>,
    group_filter: Option<String>,
) -> Result<Snapshot, AppError> {
    take_with(
        client,
        connection,
        user_filter,
        group_filter,
        crate::loaded::LoadLimits::default(),
    )
    .await
}

/// [`take`] within a connection's load limits (its cap, its server's refusal of `count`).
pub async fn take_with(
    client: &scim_client::ScimClient,
    connection: &str,
    user_filter: Option<String>,
    group_filter: Option<String>,
    limits: crate::loaded::LoadLimits,
) -> Result<Snapshot, AppError> {
    let load = |endpoint: &'static str, filter: Option<String>| async move {
        let options = crate::loaded::options(
            filter.as_deref(),
            &crate::loaded::Projection::default(),
            1000,
            limits,
        );
        let result = client
            .load_all(
                endpoint,
                &options,
                &scim_client::CancelFlag::default(),
                &|_| {},
            )
            .await;
        match result.error {
            Some(e) => Err(AppError::from(e)),
            None => Ok(scim_base::parallel::par_map(&result.resources, |r| {
                scim_core::raw_list::raw_value(r)
            })),
        }
    };
    let users = load("Users", user_filter.clone()).await?;
    // A server with users only (Netdata) has no /Groups: its directory simply has no groups.
    let groups = match load("Groups", group_filter.clone()).await {
        Err(e) if e.scim.as_ref().and_then(|s| s.http_status) == Some(404) => Vec::new(),
        other => other?,
    };
    let schemas = match client.get_json(&["Schemas"]).await {
        Ok(r) => r
            .body
            .and_then(|b| {
                scim_core::messages::ListResponse::from_value(b)
                    .ok()
                    .map(|l| l.value.resources.into_iter().map(|r| r.0).collect())
            })
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let capabilities = client
        .get_json(&["ServiceProviderConfig"])
        .await
        .ok()
        .and_then(|r| r.body)
        .unwrap_or(Value::Null);
    Ok(Snapshot {
        header: SnapshotHeader {
            format: scim_audit::snapshot::FORMAT.into(),
            version: VERSION,
            connection: connection.to_owned(),
            base_url: client.base_url().to_owned(),
            taken_at: now_rfc3339(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            users: users.len() as u32,
            groups: groups.len() as u32,
            user_filter,
            group_filter,
            sha256: String::new(),
        },
        users,
        groups,
        schemas,
        capabilities,
    })
}
