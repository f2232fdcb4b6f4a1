//! Role groups and the membership matrix of an open directory, over its loaded users and groups
//! (the classification itself is in `scim-audit`).

use super::*;

use std::sync::Arc;

use scim_core::{Resource, ResourceKind};

use crate::error::AppError;
use crate::loaded::{self, LoadedSet, Projection};
use crate::roles::{
    self, MatrixQuery, MatrixWindow, Memberships, RoleGroups, RoleRule, RuleKind, TypedRoles,
};
use crate::table;

/// Role groups and the membership matrix, over the loaded users and groups.
impl Directory {
    /// The groups holding `user` among the loaded groups ("(nested)" when only through a nested
    /// group); nothing when the groups are not loaded.
    pub(super) async fn computed_groups(&self, user: &str) -> (Vec<String>, bool) {
        if self.loaded_set("Groups").is_err() {
            return (Vec::new(), false);
        }
        let Ok((groups, m)) = self.memberships().await else {
            return (Vec::new(), false);
        };
        let mut out: Vec<String> = groups
            .resources()
            .iter()
            .filter_map(|g| {
                let id = g.id_string()?;
                let label = g.label();
                match m.holding(&id, user)? {
                    roles::Holding::Direct => Some(label),
                    roles::Holding::Nested => Some(format!("{label} (nested)")),
                }
            })
            .collect();
        out.sort_by_key(|s| s.to_lowercase());
        (out, true)
    }

    /// The loaded set of `kind`, loading it (all pages) first when it is not loaded yet.
    pub(super) async fn ensure_loaded(
        &self,
        kind: &'static str,
    ) -> Result<Arc<LoadedSet>, AppError> {
        if let Ok(set) = self.loaded_set(kind) {
            return Ok(set);
        }
        let summary = self
            .load(&ResourceKind::from_endpoint(kind), None, &|_| {})
            .await?;
        if let Some(e) = summary.error {
            return Err(e);
        }
        self.loaded_set(kind)
    }

    pub(super) async fn memberships(&self) -> Result<(Arc<LoadedSet>, Arc<Memberships>), AppError> {
        let groups = self.ensure_loaded("Groups").await?;
        let key = Arc::as_ptr(&groups) as usize;
        let mut cached = self.memberships.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, m)) = cached.as_ref() {
            if *k == key {
                return Ok((groups, m.clone()));
            }
        }
        let m = Arc::new(Memberships::compute(&groups.resources()));
        *cached = Some((key, m.clone()));
        Ok((groups, m))
    }

    /// The resources of the rules' resource-type rules, by category (each type loaded whole).
    pub(super) async fn rule_resources(
        &self,
        rules: &[RoleRule],
    ) -> Result<Vec<TypedRoles>, AppError> {
        let mut extra = Vec::new();
        for rule in rules.iter().filter(|r| r.kind == RuleKind::ResourceType) {
            let rt = self
                .discovery
                .resource_types
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(rule.pattern.trim()))
                .ok_or_else(|| {
                    let known: Vec<&str> = self
                        .discovery
                        .resource_types
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect();
                    AppError::invalid_input(format!(
                        "The server declares no resource type \"{}\" (it declares: {}).",
                        rule.pattern,
                        known.join(", ")
                    ))
                })?;
            let endpoint = rt.endpoint.trim_start_matches('/').to_owned();
            let load = self
                .client
                .load_all(
                    &endpoint,
                    &loaded::options(
                        None,
                        &Projection::default(),
                        self.page_size(),
                        self.limits(),
                    ),
                    &scim_client::CancelFlag::default(),
                    &|_| {},
                )
                .await;
            if let Some(e) = load.error {
                return Err(e.into());
            }
            extra.push(TypedRoles {
                category: rule.category.clone(),
                endpoint,
                resources: load.values().into_iter().map(Resource::new).collect(),
            });
        }
        Ok(extra)
    }

    /// What role groups are computed from: the loaded groups, the resources of resource-type rules,
    /// and memberships over both (a role whose member is a group is held through it).
    pub(super) async fn role_inputs(&self, rules: &[RoleRule]) -> Result<RoleInputs, AppError> {
        let (groups, memberships) = self.memberships().await?;
        let extra = self.rule_resources(rules).await?;
        let memberships = if extra.is_empty() {
            memberships
        } else {
            Arc::new(memberships_over(&groups.resources(), &extra))
        };
        Ok(RoleInputs {
            groups,
            extra,
            memberships,
        })
    }

    /// The role groups the rules find, by category. Resource-type rules load that resource type.
    pub async fn role_groups(&self, rules: &[RoleRule]) -> Result<RoleGroups, AppError> {
        let inputs = self.role_inputs(rules).await?;
        roles::classify(
            &inputs.groups.resources(),
            rules,
            &inputs.extra,
            &inputs.memberships,
        )
    }

    /// The role groups user `id` holds, for the user's page. `groups` are the user's groups as the
    /// page lists them (from the server, or computed from the loaded groups); resource-type rules
    /// load their type, and count groups only when the groups are loaded (this never loads them).
    pub async fn user_role_groups(
        &self,
        id: &str,
        groups: &[String],
        rules: &[RoleRule],
    ) -> Result<Vec<roles::HeldRole>, AppError> {
        let extra = self.rule_resources(rules).await?;
        // Name rules read the listed groups; memberships only matter for the rules' resources.
        let memberships = if extra.is_empty() {
            Memberships::compute(&[])
        } else {
            let loaded = self.loaded_set("Groups").map(|g| g.resources());
            memberships_over(loaded.as_deref().map_or(&[][..], |g| g), &extra)
        };
        roles::held_roles(id, groups, rules, &extra, &memberships)
    }

    pub(super) async fn matrix_parts(&self, q: &MatrixQuery) -> Result<Arc<MatrixParts>, AppError> {
        let users = self.ensure_loaded("Users").await?;
        let groups = self.ensure_loaded("Groups").await?;
        // Same data and same question: the rows computed for the previous window serve this one.
        let key = format!(
            "{:p}|{:p}|{}",
            Arc::as_ptr(&users),
            Arc::as_ptr(&groups),
            serde_json::json!([q.rules, q.category, q.quick, q.holders_only])
        );
        if let Some((k, parts)) = self
            .matrix
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            if *k == key {
                return Ok(parts.clone());
            }
        }
        let inputs = self.role_inputs(&q.rules).await?;
        let classified = roles::classify(
            &inputs.groups.resources(),
            &q.rules,
            &inputs.extra,
            &inputs.memberships,
        )?;
        let columns: Vec<_> = classified
            .groups
            .into_iter()
            .filter(|g| q.category.as_ref().is_none_or(|c| &g.category == c))
            .collect();
        // Over the groups and the resource-type rules' resources: a Roles column has its holders.
        // The matrix reads ids, names and `active` from the users' columns (kept like the table's):
        // it holds their order, and builds the rows of a window or an export as they are read.
        let people = People(users.with_columns(&PEOPLE_COLUMNS, <[table::Cells]>::to_vec));
        let order = roles::matrix_order(
            users.len(),
            |i| people.person(i),
            &columns,
            &inputs.memberships,
            q,
        );
        let parts = Arc::new(MatrixParts {
            columns,
            order,
            people,
            memberships: inputs.memberships.clone(),
            total_users: users.len().min(u32::MAX as usize) as u32,
            user_filter: users.filter.clone(),
        });
        *self.matrix.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, parts.clone()));
        Ok(parts)
    }

    /// A window of the users × role groups matrix.
    pub async fn role_matrix(&self, q: &MatrixQuery) -> Result<MatrixWindow, AppError> {
        let parts = self.matrix_parts(q).await?;
        let order = &parts.order;
        let start = (q.offset as usize).min(order.len());
        let end = (start + q.limit.min(1000) as usize).min(order.len());
        Ok(MatrixWindow {
            columns: parts.columns.clone(),
            total_users: parts.total_users,
            user_filter: parts.user_filter.clone(),
            matched: order.len() as u32,
            offset: start as u32,
            rows: parts.rows(&order[start..end]),
        })
    }

    /// The whole matrix (all matching users) as CSV.
    pub async fn role_matrix_csv(&self, q: &MatrixQuery) -> Result<String, AppError> {
        let parts = self.matrix_parts(q).await?;
        Ok(roles::matrix_csv(&parts.columns, &parts.rows(&parts.order)))
    }
}

/// A computed membership matrix: its columns and every row.
/// Memberships over groups and the resources of resource-type rules together, so a role whose
/// member is a group is held through it.
fn memberships_over(groups: &[Resource], extra: &[TypedRoles]) -> Memberships {
    let mut all = groups.to_vec();
    all.extend(extra.iter().flat_map(|t| t.resources.iter().cloned()));
    Memberships::compute(&all)
}

pub(super) struct RoleInputs {
    groups: Arc<LoadedSet>,
    extra: Vec<TypedRoles>,
    memberships: Arc<Memberships>,
}

#[derive(Debug)]
pub(super) struct MatrixParts {
    columns: Vec<roles::RoleGroup>,
    /// The matrix's users, as positions among the loaded users, in its order.
    order: Vec<u32>,
    people: People,
    memberships: Arc<Memberships>,
    total_users: u32,
    user_filter: Option<String>,
}

impl MatrixParts {
    fn rows(&self, at: &[u32]) -> Vec<roles::MatrixRow> {
        at.iter()
            .filter_map(|&i| self.people.person(i as usize))
            .map(|p| roles::matrix_row(p, &self.columns, &self.memberships))
            .collect()
    }
}

/// The columns the matrix reads its people from, in this order.
const PEOPLE_COLUMNS: [&str; 4] = [table::ROW_ID, "userName", "displayName", "active"];

/// The loaded users' id, userName, displayName and active columns (shared with the table's).
#[derive(Debug)]
struct People(Vec<table::Cells>);

impl People {
    fn person(&self, i: usize) -> Option<roles::Person<'_>> {
        let cell = |c: usize| self.0.get(c)?.get(i)?.as_deref();
        Some(roles::Person {
            id: cell(0)?,
            user_name: cell(1).unwrap_or_default(),
            display_name: cell(2),
            active: cell(3).and_then(scim_core::resource::active_from_text),
        })
    }
}
