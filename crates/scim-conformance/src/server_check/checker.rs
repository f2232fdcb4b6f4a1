//! The checker: the client it probes with, and how an item is recorded with the exchanges it sent.

use super::*;
use scim_client::Exchange;

pub(super) struct Checker<'a> {
    pub(super) client: &'a ScimClient,
    pub(super) log: RequestLog,
    pub(super) discovery: &'a Discovery,
    pub(super) seen: u64,
    pub(super) items: Vec<CheckItem>,
    /// Why the server failed a list with `count` (RFC 7644 §3.4.2.4), when it did: the checks then
    /// list without it, so one broken parameter does not leave everything unchecked.
    pub(super) count_refused: Option<String>,
    /// The status of the last create (`create` borrows the checker immutably).
    pub(super) created_status: std::sync::atomic::AtomicU16,
}

pub(super) fn excerpt(s: Option<&String>) -> Option<String> {
    s.map(|b| {
        if b.chars().count() > 2000 {
            format!("{}…", b.chars().take(2000).collect::<String>())
        } else {
            b.clone()
        }
    })
}

impl Checker<'_> {
    /// Records an item with the exchanges sent since the previous one.
    pub(super) fn record(
        &mut self,
        id: &str,
        group: &str,
        title: &str,
        outcome: Outcome,
        detail: impl Into<String>,
    ) {
        let since: Vec<Exchange> = self
            .log
            .entries()
            .into_iter()
            .filter(|e| e.seq > self.seen)
            .collect();
        self.record_with(id, group, title, outcome, detail, &since);
    }

    /// Records an item resting on `exchanges` (which earlier items may share).
    pub(super) fn record_with(
        &mut self,
        id: &str,
        group: &str,
        title: &str,
        outcome: Outcome,
        detail: impl Into<String>,
        exchanges: &[Exchange],
    ) {
        let exchanges = exchanges
            .iter()
            .map(|e| ProbeExchange {
                method: e.method.clone(),
                url: e.url.clone(),
                request_body: excerpt(e.request_body.as_ref()),
                status: e.status,
                response_body: excerpt(e.response_body.as_ref()),
            })
            .collect();
        self.forget();
        self.items.push(CheckItem {
            id: id.into(),
            group: group.into(),
            title: title.into(),
            outcome,
            detail: detail.into(),
            assumption: None,
            exchanges,
        });
    }

    /// Says what the item just recorded rests on (see [`CheckItem::assumption`]).
    pub(super) fn rests_on(&mut self, assumption: impl Into<String>) {
        if let Some(last) = self.items.last_mut() {
            last.assumption = Some(assumption.into());
        }
    }

    /// Skips whatever was sent without being an item (set-up reads).
    pub(super) fn forget(&mut self) {
        if let Some(last) = self.log.entries().last() {
            self.seen = last.seq;
        }
    }

    pub(super) async fn list(
        &self,
        endpoint: &str,
        mut params: ListParams,
    ) -> Result<Vec<Value>, ClientError> {
        if self.count_refused.is_some() {
            params.count = None;
        }
        self.client
            .list(endpoint, &params)
            .await
            .map(|l| l.value.resources.into_iter().map(|r| r.0).collect())
    }

    pub(super) fn has_groups(&self) -> bool {
        self.discovery.resource_types.iter().any(|r| {
            r.endpoint
                .trim_start_matches('/')
                .eq_ignore_ascii_case("Groups")
        })
    }
}
