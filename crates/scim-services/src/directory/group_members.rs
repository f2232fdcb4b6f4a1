//! A group's members, read when the group is opened and served in windows as the list scrolls.

use super::*;

use std::sync::Arc;

use crate::error::AppError;

/// A group's members, loaded on demand.
impl Directory {
    /// The members of group `id`, resolved against the loaded users and groups. `fresh` reads them
    /// from the server (opening the group); otherwise the rows of the last read serve (scrolling).
    pub(super) async fn member_rows(
        &self,
        id: &str,
        fresh: bool,
    ) -> Result<Arc<Vec<crate::members::MemberRow>>, AppError> {
        let users = self.loaded_set("Users").ok();
        let groups = self.loaded_set("Groups").ok();
        let key = format!(
            "{id}|{:?}|{:?}",
            users.as_ref().map(Arc::as_ptr),
            groups.as_ref().map(Arc::as_ptr)
        );
        if !fresh {
            if let Some((k, rows)) = self
                .members
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
            {
                if *k == key {
                    return Ok(rows.clone());
                }
            }
        }
        let list = match self.client.get_group_members(id).await? {
            scim_core::resource::Members::Listed(list) => list,
            _ => Vec::new(),
        };
        // Only a complete, unfiltered load of the users can say a member does not exist.
        let complete = users
            .as_ref()
            .is_some_and(|u| u.filter.is_none() && u.projection.is_empty() && u.summary().complete);
        // Members are labelled by id and name: only the members are looked up, in the columns.
        let wanted: std::collections::HashSet<&str> =
            list.iter().map(|m| m.value.as_str()).collect();
        let labels = |set: &Option<Arc<LoadedSet>>| set.as_ref().map(|s| s.labels_of(&wanted));
        let (people, teams) = (labels(&users), labels(&groups));
        drop(wanted);
        let rows = Arc::new(crate::members::resolve(
            list,
            &people.unwrap_or_default(),
            &teams.unwrap_or_default(),
            complete,
        ));
        *self.members.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, rows.clone()));
        Ok(rows)
    }

    /// A window of group `id`'s members.
    pub async fn group_members(
        &self,
        id: &str,
        q: &crate::members::MembersQuery,
    ) -> Result<crate::members::MembersWindow, AppError> {
        let rows = self.member_rows(id, false).await?;
        Ok(crate::members::window(&rows, q))
    }
}
