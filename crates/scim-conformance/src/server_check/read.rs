//! The read probes: filters (each operator), paging, sorting, projection, ETags, undeclared
//! attributes and the errors a server must give for bad input. They are a table, [`READ_PROBES`],
//! run in order over one [`ReadContext`] by [`Checker::read_items`].

use std::future::Future;
use std::pin::Pin;

use super::*;

/// What every read probe starts from: the first users the server listed, and the one probed with.
pub(super) struct ReadContext {
    first: Vec<Value>,
    id: String,
    name: String,
}

/// A read probe: records its items on the checker.
type ReadProbe = for<'a, 'c> fn(
    &'a mut Checker<'c>,
    &'a ReadContext,
) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// The read probes in report order. A new probe is a method below and one line here.
const READ_PROBES: &[(&str, ReadProbe)] = &[
    ("filters", |c, x| Box::pin(c.filters(x))),
    ("paging", |c, x| Box::pin(c.paging(x))),
    ("sort", |c, x| Box::pin(c.sort(x))),
    ("projection", |c, x| Box::pin(c.projection(x))),
    ("etag", |c, x| Box::pin(c.etag(x))),
    ("undeclared", |c, x| Box::pin(c.undeclared(x))),
    ("errors", |c, x| Box::pin(c.errors(x))),
];

impl Checker<'_> {
    /// A filter probe. What it expects comes from data it has read: the users of the first page
    /// that match `filter` (evaluated by the core) must be answered — so an empty answer where
    /// matches exist is a deviation, never a vacuous pass — every result must match, and
    /// `must_include` (the probe user) must be among them.
    pub(super) async fn filter_probe(
        &mut self,
        id: &str,
        title: &str,
        filter: &str,
        must_include: Option<&str>,
        seen: &[Value],
    ) {
        let params = ListParams {
            filter: Some(filter.to_owned()),
            count: Some(20),
            ..Default::default()
        };
        let parsed = parse_filter(filter).ok();
        let options = EvalOptions {
            schemas: Some(&self.discovery.schemas),
        };
        let matches = |r: &Value, unknown: bool| {
            parsed
                .as_ref()
                .map_or(unknown, |f| evaluate(f, r, &options).unwrap_or(unknown))
        };
        let expected: Vec<String> = seen
            .iter()
            .filter(|r| matches(r, false))
            .filter_map(|r| Resource::new(r.clone()).user_name().map(str::to_owned))
            .collect();
        match self.list("Users", params).await {
            Ok(found) => {
                let wrong = found.iter().filter(|r| !matches(r, true)).count();
                let missing = must_include.is_some_and(|want| {
                    !found
                        .iter()
                        .any(|r| Resource::new(r.clone()).id_string().as_deref() == Some(want))
                });
                if found.is_empty() && !expected.is_empty() {
                    self.record(
                        id,
                        "filter",
                        title,
                        Outcome::Deviation,
                        format!(
                            "`{filter}` was answered with no results, though {} of the users the server listed match it (e.g. {}): the filter was ignored, or the attribute cannot be filtered and the server did not say so with a 400",
                            expected.len(),
                            expected[0]
                        ),
                    );
                } else if wrong > 0 {
                    self.record(id, "filter", title, Outcome::Deviation, format!("{wrong} of {} results do not match `{filter}`: the filter was ignored or misread", found.len()));
                } else if missing {
                    self.record(
                        id,
                        "filter",
                        title,
                        Outcome::Deviation,
                        format!("`{filter}` did not return the user it must match"),
                    );
                } else {
                    self.record(
                        id,
                        "filter",
                        title,
                        Outcome::Pass,
                        format!(
                            "{} result{}, all matching `{filter}`; {} of the users listed before match it{}",
                            found.len(),
                            if found.len() == 1 { "" } else { "s" },
                            expected.len(),
                            if must_include.is_some() { ", and the one it must find is there" } else { "" }
                        ),
                    );
                }
            }
            Err(e) if e.status() == Some(400) || e.status() == Some(501) => {
                self.record(
                    id,
                    "filter",
                    title,
                    Outcome::Unsupported,
                    format!("refused: {e}"),
                );
            }
            Err(e) => self.record(id, "filter", title, Outcome::Failed, e.to_string()),
        }
        let declared = self.discovery.config.filter;
        if let Some(last) = self
            .items
            .last_mut()
            .filter(|i| i.outcome == Outcome::Deviation)
        {
            if !declared {
                last.outcome = Outcome::Note;
                last.assumption = Some("the server declares no filter support (`filter.supported` false in /ServiceProviderConfig), so a filter it does not apply is a note, not a deviation — but an IdP that looks users up by filter (`userName eq …`) before creating them gets wrong answers here".to_owned());
            } else {
                last.assumption = Some(format!("which users must match was computed by SCIM Explorer's filter engine over the {} users the server listed just before, comparing text as its /Schemas declare (caseExact)", seen.len()));
            }
        }
        if id == "filter.case" && self.user_name_declared_case_exact() {
            self.rests_on("RFC 7643 §4.1 fixes userName as caseExact false; this server's /Schemas declares it caseExact, and the check holds it to the RFC");
        }
    }

    /// Whether the server's own User schema declares userName caseExact (RFC 7643 fixes it false).
    pub(super) fn user_name_declared_case_exact(&self) -> bool {
        self.discovery
            .schemas
            .schema(scim_core::names::USER_SCHEMA)
            .and_then(|s| s.attribute("userName"))
            .is_some_and(|a| a.case_exact)
    }

    /// The read probes: finds users to probe with, then runs [`READ_PROBES`] in order.
    pub(super) async fn read_items(&mut self) {
        let first = match self
            .list(
                "Users",
                ListParams {
                    count: Some(5),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(users) if users.len() >= 2 => users,
            // A server that breaks on `count`: read the users without it, say so once, go on.
            Err(e)
                if e.status().is_some_and(|s| s >= 400)
                    && e.status() != Some(401)
                    && e.status() != Some(403) =>
            {
                let refused = e.to_string();
                match self.list("Users", ListParams::default()).await {
                    Ok(users) if users.len() >= 2 => {
                        self.record(
                            "paging.countRefused",
                            "paging",
                            "A list with `count`",
                            Outcome::Deviation,
                            format!(
                                "`count=5` was answered with {refused}; without `count` the server lists its users. RFC 7644 §3.4.2.4 defines `count`: clients that page (every IdP does) fail here. The other checks ran without it."
                            ),
                        );
                        self.count_refused = Some(refused);
                        users.into_iter().take(5).collect()
                    }
                    _ => {
                        self.record(
                            "filter.setup",
                            "filter",
                            "Users to probe with",
                            Outcome::Failed,
                            format!("Listing users failed with and without `count`: {refused}"),
                        );
                        return;
                    }
                }
            }
            Ok(_) => {
                self.record(
                    "filter.setup",
                    "filter",
                    "Users to probe with",
                    Outcome::Failed,
                    "The server returned fewer than two users: the read checks need at least two.",
                );
                return;
            }
            Err(e) => {
                self.record(
                    "filter.setup",
                    "filter",
                    "Users to probe with",
                    Outcome::Failed,
                    e.to_string(),
                );
                return;
            }
        };
        self.forget();
        let user = Resource::new(first[0].clone());
        let context = ReadContext {
            id: user.id_string().unwrap_or_default(),
            name: user.user_name().unwrap_or_default().to_owned(),
            first,
        };
        for (_, probe) in READ_PROBES {
            probe(self, &context).await;
        }
    }

    /// Each filter operator on userName, and that userName compares case-insensitively.
    async fn filters(&mut self, x: &ReadContext) {
        let (id, name) = (&x.id, &x.name);
        let quoted = |s: &str| Value::String(s.to_owned()).to_string();
        let prefix: String = name.chars().take(3).collect();
        let middle: String = name.chars().skip(1).take(3).collect();
        let suffix: String = name
            .chars()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();

        if !self.discovery.config.filter {
            self.record(
                "filter.declared",
                "filter",
                "Filtering",
                Outcome::Unsupported,
                "The server declares no filter support",
            );
        }
        let (name_q, upper_q) = (quoted(name), quoted(&name.to_uppercase()));
        // The probe user's own lastModified, when the server wrote one.
        let modified = x.first[0]
            .pointer("/meta/lastModified")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let modified_includes = modified.as_ref().and(Some(id.as_str()));
        let modified = modified.unwrap_or_else(|| "2000-01-01T00:00:00Z".to_owned());
        let includes = Some(id.as_str());
        // (item, title, filter, the test user must be among the results)
        let probes = [
            (
                "filter.eq",
                "Filter: eq",
                format!("userName eq {name_q}"),
                includes,
            ),
            (
                "filter.ne",
                "Filter: ne",
                format!("userName ne {name_q}"),
                None,
            ),
            (
                "filter.co",
                "Filter: co",
                format!("userName co {}", quoted(&middle)),
                includes,
            ),
            (
                "filter.sw",
                "Filter: sw",
                format!("userName sw {}", quoted(&prefix)),
                includes,
            ),
            (
                "filter.ew",
                "Filter: ew",
                format!("userName ew {}", quoted(&suffix)),
                includes,
            ),
            (
                "filter.pr",
                "Filter: pr",
                "userName pr".to_owned(),
                includes,
            ),
            // A dateTime the server itself wrote: `ge` it must find that user.
            (
                "filter.ge",
                "Filter: ge (dateTime)",
                format!("meta.lastModified ge {}", quoted(&modified)),
                modified_includes,
            ),
            (
                "filter.and",
                "Filter: and / or / not",
                format!("userName eq {name_q} or (userName pr and not (userName eq {name_q}))"),
                includes,
            ),
            // RFC 7643 §4.1: userName is case-insensitive (caseExact false).
            (
                "filter.case",
                "userName is case-insensitive",
                format!("userName eq {upper_q}"),
                includes,
            ),
        ];
        for (item, title, filter, must_include) in &probes {
            self.filter_probe(item, title, filter, *must_include, &x.first)
                .await;
        }
    }

    /// Paging: two pages of one, different users, startIndex honoured.
    async fn paging(&mut self, _: &ReadContext) {
        if let Some(refused) = self.count_refused.clone() {
            self.record(
                "paging.count",
                "paging",
                "Paging: count and startIndex",
                Outcome::Deviation,
                format!("Not checked page by page: the server fails on `count` ({refused})"),
            );
            return;
        }
        // Paging.
        let p1 = self
            .client
            .list(
                "Users",
                &ListParams {
                    count: Some(1),
                    start_index: Some(1),
                    ..Default::default()
                },
            )
            .await;
        let p2 = self
            .client
            .list(
                "Users",
                &ListParams {
                    count: Some(1),
                    start_index: Some(2),
                    ..Default::default()
                },
            )
            .await;
        match (p1, p2) {
            (Ok(a), Ok(b)) => {
                let ida = a.value.resources.first().and_then(|r| r.id_string());
                let idb = b.value.resources.first().and_then(|r| r.id_string());
                if a.value.resources.len() > 1 || b.value.resources.len() > 1 {
                    self.record(
                        "paging.count",
                        "paging",
                        "Paging: count and startIndex",
                        Outcome::Deviation,
                        "count=1 returned more than one resource",
                    );
                } else if ida.is_some() && ida == idb {
                    self.record(
                        "paging.count",
                        "paging",
                        "Paging: count and startIndex",
                        Outcome::Deviation,
                        "startIndex=2 returned the same resource as startIndex=1",
                    );
                } else {
                    self.record(
                        "paging.count",
                        "paging",
                        "Paging: count and startIndex",
                        Outcome::Pass,
                        format!(
                            "pages of one, totalResults {}",
                            a.value
                                .total_results
                                .map(|t| t.to_string())
                                .unwrap_or_else(|| "absent".into())
                        ),
                    );
                }
            }
            (Err(e), _) | (_, Err(e)) => self.record(
                "paging.count",
                "paging",
                "Paging: count and startIndex",
                Outcome::Failed,
                e.to_string(),
            ),
        }
        self.past_the_end().await;
    }

    /// A startIndex past the last resource must give an empty page (RFC 7644 §3.4.2.4), not the
    /// first one again: a client paging by startIndex would read the directory twice, or forever.
    async fn past_the_end(&mut self) {
        let title = "Paging: a startIndex past the end";
        let total = match self
            .client
            .list(
                "Users",
                &ListParams {
                    count: Some(1),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(page) => page.value.total_results,
            Err(e) => {
                self.record(
                    "paging.pastEnd",
                    "paging",
                    title,
                    Outcome::Failed,
                    e.to_string(),
                );
                return;
            }
        };
        let Some(total) = total else {
            self.record(
                "paging.pastEnd",
                "paging",
                title,
                Outcome::Note,
                "not checked: the server gives no totalResults to page past",
            );
            return;
        };
        let past = total + 1;
        match self
            .client
            .list(
                "Users",
                &ListParams {
                    count: Some(1),
                    start_index: Some(past),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(page) if page.value.resources.is_empty() => self.record(
                "paging.pastEnd",
                "paging",
                title,
                Outcome::Pass,
                format!("startIndex={past} (totalResults {total}) gave an empty page"),
            ),
            Ok(page) => self.record(
                "paging.pastEnd",
                "paging",
                title,
                Outcome::Deviation,
                format!(
                    "startIndex={past} is past the {total} users, yet the page holds {} (e.g. {}): the server starts over instead of answering an empty page",
                    page.value.resources.len(),
                    page.value.resources[0].user_name().unwrap_or("a user")
                ),
            ),
            Err(e) => self.record("paging.pastEnd", "paging", title, Outcome::Failed, e.to_string()),
        }
        self.rests_on(format!("totalResults ({total}) being the true count of users: a server that under-reports it would be judged wrongly here"));
    }

    /// Sorting by userName, both ways. Ascending alone proves nothing — a server listing in its
    /// own userName order passes it while ignoring `sortBy` — so descending must reverse it, and
    /// the first ascending page must start no later than any user already seen (a server that
    /// sorts each page after paging fails that).
    async fn sort(&mut self, x: &ReadContext) {
        let title = "Sort by userName";
        let declared = self.discovery.config.sort;
        let names = |found: Vec<Value>| -> Vec<String> {
            found
                .iter()
                .filter_map(|r| Resource::new(r.clone()).user_name().map(str::to_owned))
                .collect()
        };
        let ask = |descending, start_index| ListParams {
            sort_by: Some("userName".into()),
            descending,
            start_index,
            count: Some(10),
            ..Default::default()
        };
        let refused = |e: ClientError, what: &str| {
            let outcome = if declared {
                Outcome::Deviation
            } else {
                Outcome::Unsupported
            };
            (outcome, format!("{what}: {e}"))
        };
        let answers = async {
            let up = names(
                self.list("Users", ask(false, None))
                    .await
                    .map_err(|e| refused(e, "sortBy=userName refused"))?,
            );
            let down =
                names(self.list("Users", ask(true, None)).await.map_err(|e| {
                    refused(e, "ascending was answered, sortOrder=descending refused")
                })?);
            let next = names(
                self.list("Users", ask(false, Some(up.len() as u64 + 1)))
                    .await
                    .map_err(|e| refused(e, "the second sorted page was refused"))?,
            );
            Ok::<_, (Outcome, String)>((up, down, next))
        };
        let (ascending, descending, next) = match answers.await {
            Ok(x) => x,
            Err((outcome, detail)) => {
                self.record("sort", "sort", title, outcome, detail);
                return;
            }
        };
        let seen = names(x.first.clone());
        let verdict = sort_verdict(&ascending, &descending, &next, &seen, declared);
        self.record("sort", "sort", title, verdict.0, verdict.1);
        if !declared && verdict.0 == Outcome::Unsupported {
            self.rests_on("the server declares no sort support (`sort.supported` false), so a list it does not sort is not held against it");
        } else if verdict.0 == Outcome::Pass {
            self.rests_on("userNames compared without case, letter by letter; beyond ASCII the server's own collation is given the benefit of the doubt");
        }
    }

    /// Attribute projection: `attributes` narrows the answer, `id` always comes back.
    async fn projection(&mut self, x: &ReadContext) {
        self.attributes_projection().await;
        self.excluded_projection(x).await;
    }

    /// `excludedAttributes` (RFC 7644 §3.4.2.5) on an attribute the listed users have: it must be
    /// gone from every result, and results must still come.
    async fn excluded_projection(&mut self, x: &ReadContext) {
        let title = "excludedAttributes";
        let has = |r: &Value, a: &str| r.as_object().is_some_and(|o| get_ci(o, a).is_some());
        let Some(attr) = ["emails", "displayName", "name", "title"]
            .into_iter()
            .find(|a| x.first.iter().any(|r| has(r, a)))
        else {
            self.record(
                "projection.excluded",
                "projection",
                title,
                Outcome::Note,
                "not checked: the users listed carry none of emails, displayName, name, title",
            );
            return;
        };
        let params = ListParams {
            excluded_attributes: vec![attr.to_owned()],
            count: Some(5),
            ..Default::default()
        };
        match self.list("Users", params).await {
            Ok(found) if found.is_empty() => self.record(
                "projection.excluded",
                "projection",
                title,
                Outcome::Deviation,
                format!("excludedAttributes={attr} was answered with no users, though the server lists users"),
            ),
            Ok(found) => {
                let kept = found.iter().filter(|r| has(r, attr)).count();
                if kept == 0 {
                    self.record(
                        "projection.excluded",
                        "projection",
                        title,
                        Outcome::Pass,
                        format!("excludedAttributes={attr}: absent from all {} users", found.len()),
                    );
                } else {
                    self.record(
                        "projection.excluded",
                        "projection",
                        title,
                        Outcome::Deviation,
                        format!("excludedAttributes={attr}: {kept} of {} users still carry it — the parameter was ignored", found.len()),
                    );
                }
            }
            Err(e) => self.record(
                "projection.excluded",
                "projection",
                title,
                Outcome::Unsupported,
                e.to_string(),
            ),
        }
    }

    /// `attributes=userName`: only userName (and what is always returned) may come back.
    async fn attributes_projection(&mut self) {
        // Attribute projection.
        match self
            .list(
                "Users",
                ListParams {
                    attributes: vec!["userName".into()],
                    count: Some(5),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(found) if found.is_empty() => self.record(
                "projection.attributes",
                "projection",
                "attributes=userName",
                Outcome::Deviation,
                "answered with no users, though the server lists users: nothing shows the projection works",
            ),
            Ok(found) => {
                let extra: Vec<String> = found
                    .iter()
                    .flat_map(|r| {
                        r.as_object()
                            .map(|o| o.keys().cloned().collect::<Vec<_>>())
                            .unwrap_or_default()
                    })
                    .filter(|k| {
                        !["id", "userName", "schemas", "meta"]
                            .iter()
                            .any(|a| k.eq_ignore_ascii_case(a))
                    })
                    .collect();
                if extra.is_empty() {
                    self.record(
                        "projection.attributes",
                        "projection",
                        "attributes=userName",
                        Outcome::Pass,
                        "only userName (and id, schemas) returned",
                    );
                } else {
                    let mut names = extra;
                    names.sort();
                    names.dedup();
                    self.record(
                        "projection.attributes",
                        "projection",
                        "attributes=userName",
                        Outcome::Deviation,
                        format!("also returned {}", names.join(", ")),
                    );
                }
            }
            Err(e) => self.record(
                "projection.attributes",
                "projection",
                "attributes=userName",
                Outcome::Unsupported,
                e.to_string(),
            ),
        }
    }

    /// ETags: a version on the resource and in the header, when the server declares them.
    async fn etag(&mut self, x: &ReadContext) {
        let id = &x.id;
        // ETag.
        match self.client.get("Users", id).await {
            Ok(r) => {
                let version = r.etag.is_some()
                    || r.body
                        .as_ref()
                        .and_then(|b| b.pointer("/meta/version"))
                        .is_some();
                let (outcome, detail) = match (version, self.discovery.config.etag) {
                    (true, true) => (
                        Outcome::Pass,
                        format!(
                            "version {}",
                            r.etag.unwrap_or_else(|| "in meta.version".into())
                        ),
                    ),
                    (false, true) => (
                        Outcome::Deviation,
                        "declares ETag support but sends no ETag header or meta.version".to_owned(),
                    ),
                    (true, false) => (
                        Outcome::Note,
                        "sends versions though ETag is not declared".to_owned(),
                    ),
                    (false, false) => (
                        Outcome::Unsupported,
                        "no versions (and none declared)".to_owned(),
                    ),
                };
                self.record("etag", "etag", "ETag / meta.version", outcome, detail);
                if outcome == Outcome::Unsupported {
                    self.rests_on("the server declares no ETag support (`etag.supported` false), so the missing versions are not held against it");
                }
            }
            Err(e) => self.record(
                "etag",
                "etag",
                "ETag / meta.version",
                Outcome::Failed,
                e.to_string(),
            ),
        }
    }

    /// Attributes the data carries that /Schemas does not declare.
    async fn undeclared(&mut self, x: &ReadContext) {
        let first = &x.first;
        // Undeclared attributes in the data.
        let undeclared: Vec<String> = {
            let mut names: Vec<String> = first
                .iter()
                .flat_map(|r| {
                    Resource::new(r.clone())
                        .undeclared_attributes(&self.discovery.schemas)
                        .into_iter()
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .collect();
            names.sort();
            names.dedup();
            names
        };
        if undeclared.is_empty() {
            self.record(
                "data.declared",
                "data",
                "Attributes declared in /Schemas",
                Outcome::Pass,
                "every attribute of the users read is declared",
            );
        } else {
            self.record(
                "data.declared",
                "data",
                "Attributes declared in /Schemas",
                Outcome::Deviation,
                format!(
                    "users carry attributes /Schemas does not declare: {}",
                    undeclared.join(", ")
                ),
            );
            self.rests_on("/Schemas (and the schemas each resource type lists) being the server's whole schema: a server that serves part of it elsewhere is judged by what it serves here");
        }
    }

    /// Errors: a missing resource is a SCIM 404, a bad filter a 400 `invalidFilter`.
    async fn errors(&mut self, _: &ReadContext) {
        let from = self.seen;
        match self.client.get("Users", "scimx-check-no-such-id").await {
            Err(ClientError::Http {
                status: 404,
                scim: Some(_),
                ..
            }) => {
                self.record(
                    "errors.404",
                    "errors",
                    "Unknown id: 404 with a SCIM error",
                    Outcome::Pass,
                    "404 with a SCIM Error body",
                );
            }
            Err(ClientError::Http {
                status,
                scim: None,
                body,
                ..
            }) => self.record(
                "errors.404",
                "errors",
                "Unknown id: 404 with a SCIM error",
                Outcome::Deviation,
                format!(
                    "{status} without a SCIM Error body{}",
                    body.map(|b| format!(": {b}")).unwrap_or_default()
                ),
            ),
            Err(ClientError::Http { status, .. }) => self.record(
                "errors.404",
                "errors",
                "Unknown id: 404 with a SCIM error",
                Outcome::Deviation,
                format!("answered {status} instead of 404"),
            ),
            Ok(_) => self.record(
                "errors.404",
                "errors",
                "Unknown id: 404 with a SCIM error",
                Outcome::Deviation,
                "answered 200 for an id that does not exist",
            ),
            Err(e) => self.record(
                "errors.404",
                "errors",
                "Unknown id: 404 with a SCIM error",
                Outcome::Failed,
                e.to_string(),
            ),
        }
        match self
            .list(
                "Users",
                ListParams {
                    filter: Some("userName qq \"x\"".into()),
                    ..Default::default()
                },
            )
            .await
        {
            Err(ClientError::Http {
                status: 400,
                scim: Some(s),
                ..
            }) if s
                .scim_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("invalidFilter")) =>
            {
                self.record(
                    "errors.filter",
                    "errors",
                    "Invalid filter: 400 invalidFilter",
                    Outcome::Pass,
                    "400 with scimType invalidFilter",
                );
            }
            Err(ClientError::Http { status, .. }) if (400..500).contains(&status) => self.record(
                "errors.filter",
                "errors",
                "Invalid filter: 400 invalidFilter",
                Outcome::Note,
                format!("refused with {status} but without scimType invalidFilter"),
            ),
            Ok(found) => self.record(
                "errors.filter",
                "errors",
                "Invalid filter: 400 invalidFilter",
                Outcome::Deviation,
                format!(
                    "accepted an invalid filter and returned {} resources",
                    found.len()
                ),
            ),
            Err(e) => self.record(
                "errors.filter",
                "errors",
                "Invalid filter: 400 invalidFilter",
                Outcome::Failed,
                e.to_string(),
            ),
        }
        self.error_bodies(from);
    }

    /// The error answers the probes above provoked, judged for their form (module `error_bodies`).
    fn error_bodies(&mut self, after: u64) {
        let provoked: Vec<_> = self
            .log
            .entries()
            .into_iter()
            .filter(|e| e.seq > after)
            .collect();
        let title = "Error bodies: SCIM Error, status as a string";
        match super::error_bodies::verdict(&provoked) {
            Some((outcome, detail)) => {
                self.record_with("errors.body", "errors", title, outcome, detail, &provoked)
            }
            None => self.record(
                "errors.body",
                "errors",
                title,
                Outcome::Note,
                "not checked: the server answered both probes above without an error",
            ),
        }
    }
}

/// userName compares without case (RFC 7643 §4.1: `caseExact` false), as a sort of it must.
fn sort_key(name: &str) -> String {
    name.to_lowercase()
}

/// The first place `names` break the order (`descending` or not), as the pair out of order.
fn out_of_order(names: &[String], descending: bool) -> Option<(&str, &str)> {
    names
        .windows(2)
        .find(|w| {
            let (a, b) = (sort_key(&w[0]), sort_key(&w[1]));
            if descending {
                a < b
            } else {
                a > b
            }
        })
        .map(|w| (w[0].as_str(), w[1].as_str()))
}

/// Judges a sort from the userNames of the first page each way, of the second ascending page, and
/// of users seen unsorted.
/// A pair out of order that differs only in case, or holds letters beyond ASCII, may be the
/// server's collation rather than no sort: said so, as a note.
pub(super) fn sort_verdict(
    ascending: &[String],
    descending: &[String],
    next: &[String],
    seen: &[String],
    declared: bool,
) -> (Outcome, String) {
    let wrong = |what: String| {
        if declared {
            (Outcome::Deviation, format!("declares sort, but {what}"))
        } else {
            (
                Outcome::Unsupported,
                format!("no sort (and none declared): {what}"),
            )
        }
    };
    let mut distinct: Vec<String> = ascending.iter().map(|n| sort_key(n)).collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < 2 {
        return (
            Outcome::Note,
            format!(
                "not checked: the sorted page holds {} distinct userName{}, too few to show an order",
                distinct.len(),
                if distinct.len() == 1 { "" } else { "s" }
            ),
        );
    }
    for (names, way) in [(ascending, false), (descending, true)] {
        if let Some((a, b)) = out_of_order(names, way) {
            let order = if way { "descending" } else { "ascending" };
            if way && out_of_order(names, false).is_none() {
                return wrong(format!("sortOrder=descending gives the same order as ascending (`{a}` before `{b}`): sortOrder is ignored"));
            }
            let collation = a.to_lowercase() == b.to_lowercase() || !a.is_ascii() || !b.is_ascii();
            if collation && declared {
                return (
                    Outcome::Note,
                    format!("sortOrder={order}: `{a}` comes before `{b}` — the server's collation differs from comparing the letters without case; clients that merge pages by userName must follow the server's order"),
                );
            }
            let by_case = if way { a >= b } else { a <= b };
            if by_case {
                return wrong(format!("sortOrder={order} sorts case-sensitively (`{a}` before `{b}`), though userName is not case-exact (RFC 7643 §4.1; RFC 7644 §3.4.2.3 sorts by caseExact)"));
            }
            return wrong(format!(
                "sortBy=userName sortOrder={order} came back out of order (`{a}` before `{b}`)"
            ));
        }
    }
    let (first_up, first_down) = (&ascending[0], descending.first());
    if first_down.is_none_or(|d| sort_key(d) == sort_key(first_up)) {
        return wrong(format!(
            "sortOrder=descending gives the same order as ascending (both start at `{first_up}`): the list is in the server's own order, which happens to be by userName"
        ));
    }
    // Beyond ASCII the server's collation may rightly differ from ours: no verdict from it.
    let last_up = &ascending[ascending.len() - 1];
    if let Some(after) = next
        .first()
        .filter(|n| n.is_ascii() && last_up.is_ascii() && sort_key(n) < sort_key(last_up))
    {
        return wrong(format!(
            "the second sorted page starts at `{after}`, before `{last_up}` where the first ended: each page is sorted after paging, not the whole result"
        ));
    }
    if let Some(earlier) = seen
        .iter()
        .filter(|n| n.is_ascii() && first_up.is_ascii())
        .find(|n| sort_key(n) < sort_key(first_up))
    {
        return wrong(format!(
            "the first sorted page starts at `{first_up}`, yet `{earlier}` (listed unsorted) comes before it: each page is sorted after paging, not the whole result"
        ));
    }
    if declared {
        (
            Outcome::Pass,
            format!(
                "sorted both ways: ascending starts at `{first_up}`, descending at `{}`",
                first_down.map_or("", |d| d.as_str())
            ),
        )
    } else {
        (
            Outcome::Note,
            "sorts both ways, though sort is not declared".to_owned(),
        )
    }
}
