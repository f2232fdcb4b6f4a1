//! The server check and the provisioning scenarios against the demo server's profiles: the rfc
//! profile deviates in nothing, each other profile in exactly what it imitates, and every built-in
//! scenario passes and cleans up after itself.

use scim_client::{Auth, ClientConfig, ScimClient};
use scim_demo_server::{
    DemoConfig, DemoServer, DroppedMembers, ErrorForm, Profile, SeedOptions, SortMode,
};
use scim_services::scenarios;
use scim_services::server_check::{self, Outcome};

async fn serve(profile: Profile) -> (DemoServer, ScimClient) {
    serve_with(DemoConfig {
        profile,
        ..DemoConfig::default()
    })
    .await
}

/// A demo server of 30 users behaving as `config` says, and a client of it.
async fn serve_with(config: DemoConfig) -> (DemoServer, ScimClient) {
    let server = DemoServer::start(DemoConfig {
        seed: SeedOptions {
            users: 30,
            ..SeedOptions::default()
        },
        ..config
    })
    .await
    .expect("demo server");
    let client = ScimClient::new(ClientConfig::new(&server.base_url, Auth::None)).unwrap();
    (server, client)
}

fn deviations(report: &server_check::CheckReport) -> Vec<String> {
    report.deviations().map(|i| i.id.clone()).collect()
}

#[tokio::test]
async fn each_profile_deviates_in_exactly_what_it_imitates() {
    let expected: [(Profile, &[&str]); 4] = [
        (Profile::Rfc, &[]),
        (Profile::Netdata, &["writes.kept", "writes.externalId"]),
        (Profile::ProfilesProjects, &[]),
        (Profile::Secoda, &["data.declared", "groups.add"]),
    ];
    for (profile, want) in expected {
        let (_s, c) = serve(profile).await;
        let report = server_check::run(&c, true).await.expect("check");
        let mut got = deviations(&report);
        got.sort();
        let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
        want.sort();
        assert_eq!(got, want, "{profile:?}:\n{}", report.to_markdown());
        assert_eq!(
            report.count(Outcome::Failed),
            0,
            "{profile:?}:\n{}",
            report.to_markdown()
        );
        assert!(
            report.leftovers.is_empty(),
            "{profile:?}: {:?}",
            report.leftovers
        );
        // Cleanup: no test resource is left on the server.
        assert_eq!(
            scim_explorer_tests::users_named_with(&c, server_check::TEST_PREFIX).await,
            0,
            "{profile:?}: test users left behind"
        );
        // Every item names the exchanges behind it (discovery items excepted).
        assert!(
            report
                .items
                .iter()
                .filter(|i| i.group != "discovery" && i.group != "data")
                .all(|i| !i.exchanges.is_empty()),
            "{profile:?}"
        );
    }
}

#[tokio::test]
async fn the_read_only_check_sends_no_write() {
    let (_s, c) = serve(Profile::Rfc).await;
    let log = scim_client::RequestLog::default();
    let c = c.with_log(log.clone());
    let report = server_check::run(&c, false).await.expect("check");
    assert!(!report.writes);
    assert!(report.items.iter().all(|i| i.group != "writes"));
    assert!(
        report
            .items
            .iter()
            .flat_map(|i| i.exchanges.iter())
            .all(|e| e.method == "GET"),
        "read-only means GET only"
    );
}

#[tokio::test]
async fn every_builtin_scenario_passes_on_the_rfc_profile_and_cleans_up() {
    for info in scenarios::list() {
        let (_s, c) = serve(Profile::Rfc).await;
        let mut run = scenarios::start(&c, &info.name).unwrap();
        scenarios::run_all(&c, &mut run).await.unwrap();
        assert!(run.passed(), "{}:\n{}", info.name, run.to_markdown());
        // The demo server takes authentik's value-list removal as authentik means it.
        assert!(run.findings().is_empty(), "{:?}", run.findings());
        assert_eq!(run.steps.len(), info.steps.len());
        scenarios::cleanup(&c, &mut run).await;
        assert!(run.leftovers.is_empty(), "{:?}", run.leftovers);
        assert_eq!(
            scim_explorer_tests::users_named_with(&c, scenarios::PREFIX).await,
            0,
            "{}: users left",
            info.name
        );
        let markdown = run.to_markdown();
        assert!(
            markdown.contains("every step passed")
                && markdown.contains("every test resource deleted")
        );
    }
}

#[tokio::test]
async fn the_entra_scenario_sends_entra_shapes() {
    let (_s, c) = serve(Profile::Rfc).await;
    let mut run = scenarios::start(&c, "entra-joiner-mover-leaver").unwrap();
    scenarios::run_all(&c, &mut run).await.unwrap();
    let bodies: Vec<String> = run
        .steps
        .iter()
        .flat_map(|s| s.exchanges.iter())
        .filter(|e| e.method == "PATCH")
        .filter_map(|e| e.request_body.clone())
        .collect();
    let department =
        "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department\":\"Finance\"";
    assert!(
        bodies
            .iter()
            .any(|b| b.contains(department) && !b.contains("\"path\"")),
        "pathless replace with a URN key: {bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("\"op\":\"remove\"") && b.contains("members[value eq")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.contains("\"active\":false")),
        "a real boolean: {bodies:?}"
    );
    // The step log is what Entra sends: no reads of the player's own in it.
    let methods: Vec<&str> = run
        .steps
        .iter()
        .flat_map(|s| s.exchanges.iter().map(|e| e.method.as_str()))
        .collect();
    assert!(!methods.contains(&"GET"), "{methods:?}");
    scenarios::cleanup(&c, &mut run).await;
}

#[tokio::test]
async fn okta_reads_the_user_before_its_put_and_the_step_log_shows_it() {
    let (_s, c) = serve(Profile::Rfc).await;
    let mut run = scenarios::start(&c, "okta-onboarding").unwrap();
    scenarios::run_all(&c, &mut run).await.unwrap();
    let put_step = run
        .steps
        .iter()
        .find(|s| s.exchanges.iter().any(|e| e.method == "PUT"))
        .expect("a PUT step");
    let methods: Vec<&str> = put_step
        .exchanges
        .iter()
        .map(|e| e.method.as_str())
        .collect();
    assert_eq!(methods, vec!["GET", "PUT"], "{}", put_step.title);
    // Membership pushes and the deactivation are PATCHes sent without a read.
    let gets = run
        .steps
        .iter()
        .flat_map(|s| s.exchanges.iter())
        .filter(|e| e.method == "GET")
        .count();
    assert_eq!(gets, 1);
    scenarios::cleanup(&c, &mut run).await;
}

/// Servers write a resource type's endpoint in four forms (RFC 7643 §6 has only `/Groups`). Each is
/// read as the same endpoint by discovery, so the check finds the groups and runs every group check;
/// the non-standard form itself is the one deviation, named.
#[tokio::test]
async fn every_endpoint_form_seen_in_the_field_finds_the_same_resource_types() {
    use scim_demo_server::EndpointForm;
    for form in [
        EndpointForm::Bare,
        EndpointForm::WithBasePath,
        EndpointForm::Absolute,
    ] {
        let (_server, c) = serve_with(DemoConfig {
            endpoint_form: form,
            ..DemoConfig::default()
        })
        .await;
        let d = c.discover().await.expect("discovery");
        let endpoints: Vec<&str> = d
            .resource_types
            .iter()
            .map(|r| r.endpoint.as_str())
            .collect();
        assert_eq!(endpoints, ["/Users", "/Groups", "/Roles"], "{form:?}");
        assert_eq!(
            d.warnings
                .iter()
                .filter(|w| w.code == "discovery.endpointForm")
                .count(),
            3,
            "{form:?}: {:?}",
            d.warnings
        );
        let report = server_check::run(&c, true).await.expect("check");
        assert_eq!(
            deviations(&report),
            vec!["discovery.documents".to_owned()],
            "{form:?}:\n{}",
            report.to_markdown()
        );
        let item = |id: &str| report.items.iter().find(|i| i.id == id);
        assert!(
            item("discovery.groups").is_none(),
            "{form:?}: the groups are found:\n{}",
            report.to_markdown()
        );
        assert!(
            item("discovery.documents").is_some_and(|i| i.detail.contains("read as `/Groups`")),
            "{form:?}:\n{}",
            report.to_markdown()
        );
        assert_eq!(
            item("groups.add").map(|i| i.outcome),
            Some(Outcome::Pass),
            "{form:?}: the group checks ran:\n{}",
            report.to_markdown()
        );
    }
}

/// A server that cannot filter an attribute and answers 200 with nothing (instead of a 400): zero
/// results prove nothing when the users it listed match, so the check says the filter was ignored —
/// where it used to pass "0 results, all matching".
#[tokio::test]
async fn a_filter_answered_with_nothing_where_matches_exist_is_a_deviation() {
    let (_server, c) = serve_with(DemoConfig {
        filter_blind: vec!["meta.lastModified".into()],
        ..DemoConfig::default()
    })
    .await;
    let report = server_check::run(&c, false).await.expect("check");
    let item = report
        .items
        .iter()
        .find(|i| i.id == "filter.ge")
        .expect("the dateTime filter probe");
    assert_eq!(item.outcome, Outcome::Deviation, "{}", report.to_markdown());
    assert!(
        item.detail.contains("answered with no results")
            && item
                .detail
                .contains("of the users the server listed match it"),
        "{}",
        item.detail
    );
    assert_eq!(
        deviations(&report),
        vec!["filter.ge".to_owned()],
        "nothing else is blamed:\n{}",
        report.to_markdown()
    );
}

/// A server that answers any list with `count` by a 500 HTML page: the check says so once, in one
/// line, and runs the read checks without `count` — where it used to stop at "Users to probe with".
#[tokio::test]
async fn a_server_that_fails_on_count_is_named_once_and_the_read_checks_still_run() {
    let (_server, c) = serve_with(DemoConfig {
        fail_on_count: true,
        ..DemoConfig::default()
    })
    .await;
    let report = server_check::run(&c, false).await.expect("check");
    let md = report.to_markdown();
    let item = |id: &str| report.items.iter().find(|i| i.id == id);
    assert!(item("filter.setup").is_none(), "{md}");
    let refused = item("paging.countRefused").expect("the count failure, named");
    assert_eq!(refused.outcome, Outcome::Deviation);
    assert!(refused.detail.contains("500"), "{}", refused.detail);
    assert!(
        !refused.detail.contains("<html") && !refused.detail.contains("<!DOCTYPE"),
        "no HTML dump: {}",
        refused.detail
    );
    for probe in ["filter.eq", "filter.sw", "filter.case", "filter.ge"] {
        assert_eq!(
            item(probe).map(|i| i.outcome),
            Some(Outcome::Pass),
            "{probe} ran without count:\n{md}"
        );
    }
    let mut got = deviations(&report);
    got.sort();
    assert_eq!(got, ["paging.count", "paging.countRefused"], "{md}");
}

/// A strict server (a required `name.formatted` in its /Schemas, email addresses on reserved domains
/// refused): the check builds its test user from the server's schema, is refused once for the
/// emails, says so, creates the user without them and runs every write check — where it used to
/// stop at "the test user could not be created" and leave everything after unchecked.
#[tokio::test]
async fn write_checks_get_through_a_strict_server() {
    let (_server, c) = serve_with(DemoConfig {
        strict_users: true,
        ..DemoConfig::default()
    })
    .await;
    let report = server_check::run(&c, true).await.expect("check");
    let md = report.to_markdown();
    let item = |id: &str| report.items.iter().find(|i| i.id == id);
    let refused = item("writes.refused").expect("the refusal, as its own finding");
    assert_eq!(refused.outcome, Outcome::Note, "{md}");
    assert!(
        refused.detail.contains("not a deliverable email address")
            && refused.detail.contains("created without emails"),
        "{}",
        refused.detail
    );
    assert_eq!(
        item("writes.create").map(|i| i.outcome),
        Some(Outcome::Pass),
        "{md}"
    );
    for probe in ["groups.add", "writes.delete"] {
        assert!(
            item(probe).is_some_and(|i| i.outcome == Outcome::Pass),
            "{probe} ran and passed:\n{md}"
        );
    }
    assert_eq!(report.count(Outcome::Failed), 0, "{md}");
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
}

/// A startIndex past the end answered with the first page again is a deviation; an empty page is
/// right (the demo's rfc profile, in the test above, passes it).
#[tokio::test]
async fn a_start_index_past_the_end_must_give_an_empty_page() {
    let (_server, c) = serve_with(DemoConfig {
        past_end_wraps: true,
        ..DemoConfig::default()
    })
    .await;
    let report = server_check::run(&c, false).await.expect("check");
    let md = report.to_markdown();
    assert_eq!(
        deviations(&report),
        vec!["paging.pastEnd".to_owned()],
        "{md}"
    );
    let item = report
        .items
        .iter()
        .find(|i| i.id == "paging.pastEnd")
        .unwrap();
    assert!(
        item.detail.contains("startIndex=31 is past the 30 users"),
        "{}",
        item.detail
    );
    let (_s, rfc) = serve(Profile::Rfc).await;
    let clean = server_check::run(&rfc, false).await.expect("check");
    assert!(
        clean
            .items
            .iter()
            .any(|i| i.id == "paging.pastEnd" && i.outcome == Outcome::Pass),
        "{}",
        clean.to_markdown()
    );
}

/// Two things vendors get wrong on writes, each named for what it is: a DELETE that only
/// deactivates (a soft delete), and a create answered 200 instead of 201.
#[tokio::test]
async fn a_soft_delete_and_a_create_answered_200_are_named() {
    let start = |config: DemoConfig| async move {
        let (server, c) = serve_with(config).await;
        let report = server_check::run(&c, true).await.expect("check");
        (server, report)
    };
    let (_s, soft) = start(DemoConfig {
        soft_delete: true,
        ..DemoConfig::default()
    })
    .await;
    let item = soft.items.iter().find(|i| i.id == "writes.delete").unwrap();
    assert_eq!(item.outcome, Outcome::Deviation, "{}", soft.to_markdown());
    assert!(item.detail.contains("a soft delete"), "{}", item.detail);

    let (_s, ok200) = start(DemoConfig {
        create_answers_200: true,
        ..DemoConfig::default()
    })
    .await;
    let item = ok200
        .items
        .iter()
        .find(|i| i.id == "writes.create")
        .unwrap();
    assert_eq!(item.outcome, Outcome::Deviation, "{}", ok200.to_markdown());
    assert!(
        item.detail
            .contains("answered 200 where 201 Created is due"),
        "{}",
        item.detail
    );
}

/// A userName differing only in case from a taken one is the same userName (caseExact false): a
/// server that accepts it is named; the demo's rfc profile refuses it with 409.
#[tokio::test]
async fn a_case_variant_of_a_taken_user_name_must_be_refused() {
    let (_server, c) = serve_with(DemoConfig {
        case_sensitive_unique: true,
        ..DemoConfig::default()
    })
    .await;
    let report = server_check::run(&c, true).await.expect("check");
    let md = report.to_markdown();
    assert_eq!(
        deviations(&report),
        vec!["writes.uniquenessCase".to_owned()],
        "{md}"
    );
    assert!(
        report.leftovers.is_empty(),
        "the variant was deleted too: {:?}",
        report.leftovers
    );
    assert_eq!(
        scim_explorer_tests::users_named_with(&c, server_check::TEST_PREFIX).await,
        0,
        "no test user left"
    );
    let (_s, rfc) = serve(Profile::Rfc).await;
    let clean = server_check::run(&rfc, true).await.expect("check");
    assert!(
        clean
            .items
            .iter()
            .any(|i| i.id == "writes.uniquenessCase" && i.outcome == Outcome::Pass),
        "{}",
        clean.to_markdown()
    );
}

/// PUT that keeps what it was not sent is allowed (RFC 7644 §3.5.1 "MAY"): a note that says what it
/// means for clients, never a deviation; a PUT that replaces passes.
#[tokio::test]
async fn a_put_that_keeps_omitted_attributes_is_a_note_not_a_deviation() {
    let (_server, c) = serve_with(DemoConfig {
        put_merges: true,
        ..DemoConfig::default()
    })
    .await;
    let report = server_check::run(&c, true).await.expect("check");
    let md = report.to_markdown();
    let item = report
        .items
        .iter()
        .find(|i| i.id == "writes.put")
        .expect("the PUT probe");
    assert_eq!(item.outcome, Outcome::Note, "{md}");
    assert!(
        item.detail.contains("`displayName`, left out, was kept"),
        "{}",
        item.detail
    );
    assert!(deviations(&report).is_empty(), "{md}");
    let (_s, rfc) = serve(Profile::Rfc).await;
    let clean = server_check::run(&rfc, true).await.expect("check");
    assert!(
        clean
            .items
            .iter()
            .any(|i| i.id == "writes.put" && i.outcome == Outcome::Pass),
        "{}",
        clean.to_markdown()
    );
}

/// `excludedAttributes` ignored is a deviation, checked on an attribute the listed users have; the
/// rfc profile honours it.
#[tokio::test]
async fn ignored_excluded_attributes_are_a_deviation() {
    let (_server, c) = serve_with(DemoConfig {
        ignores_excluded: true,
        ..DemoConfig::default()
    })
    .await;
    let report = server_check::run(&c, false).await.expect("check");
    let md = report.to_markdown();
    assert_eq!(
        deviations(&report),
        vec!["projection.excluded".to_owned()],
        "{md}"
    );
    let item = report
        .items
        .iter()
        .find(|i| i.id == "projection.excluded")
        .unwrap();
    assert!(
        item.detail.contains("excludedAttributes=emails") && item.detail.contains("ignored"),
        "{}",
        item.detail
    );
    let (_s, rfc) = serve(Profile::Rfc).await;
    let clean = server_check::run(&rfc, false).await.expect("check");
    assert!(
        clean
            .items
            .iter()
            .any(|i| i.id == "projection.excluded" && i.outcome == Outcome::Pass),
        "{}",
        clean.to_markdown()
    );
}

/// The item `id` of a report, which must be there.
fn item<'a>(report: &'a server_check::CheckReport, id: &str) -> &'a server_check::CheckItem {
    report
        .items
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no {id} in\n{}", report.to_markdown()))
}

/// A server that lists in its own userName order whatever is asked, or sorts each page after
/// paging, passed an ascending-only sort check; both ways and across two pages, neither does.
#[tokio::test]
async fn a_sort_that_only_looks_sorted_is_a_deviation() {
    for (mode, says) in [
        (SortMode::AlwaysByUserName, "same order as ascending"),
        (SortMode::WithinPage, "each page is sorted after paging"),
    ] {
        let (_server, c) = serve_with(DemoConfig {
            sort_mode: mode,
            ..DemoConfig::default()
        })
        .await;
        let report = server_check::run(&c, false).await.expect("check");
        assert_eq!(
            deviations(&report),
            vec!["sort".to_owned()],
            "{mode:?}\n{}",
            report.to_markdown()
        );
        let sort = item(&report, "sort");
        assert!(sort.detail.contains(says), "{mode:?}: {}", sort.detail);
    }
    let (_s, rfc) = serve(Profile::Rfc).await;
    let clean = server_check::run(&rfc, false).await.expect("check");
    let sort = item(&clean, "sort");
    assert_eq!(sort.outcome, Outcome::Pass, "{}", sort.detail);
    assert!(sort.detail.contains("both ways"), "{}", sort.detail);
}

/// Members dropped on a group's POST or on its PUT are each named, and the membership checks
/// after them still run.
#[tokio::test]
async fn members_dropped_on_group_create_or_put_are_named() {
    for (drops, id) in [
        (
            DroppedMembers {
                on_create: true,
                on_put: false,
            },
            "groups.create",
        ),
        (
            DroppedMembers {
                on_create: false,
                on_put: true,
            },
            "groups.put",
        ),
    ] {
        let (_server, c) = serve_with(DemoConfig {
            drops_members: drops,
            ..DemoConfig::default()
        })
        .await;
        let report = server_check::run(&c, true).await.expect("check");
        let md = report.to_markdown();
        assert_eq!(deviations(&report), vec![id.to_owned()], "{md}");
        assert!(item(&report, id).detail.contains("dropped"), "{md}");
        for after in ["groups.add", "groups.remove"] {
            assert_eq!(item(&report, after).outcome, Outcome::Pass, "{md}");
        }
        assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
    }
}

/// Error answers as HTML pages, or with `status` as a number, are deviations named as such; the
/// rfc profile's errors pass.
#[tokio::test]
async fn error_bodies_that_are_html_or_carry_a_numeric_status_are_named() {
    for (form, says) in [
        (ErrorForm::Html, "an HTML page"),
        (ErrorForm::NumericStatus, "is a number"),
    ] {
        let (_server, c) = serve_with(DemoConfig {
            error_form: form,
            ..DemoConfig::default()
        })
        .await;
        let report = server_check::run(&c, false).await.expect("check");
        let body = item(&report, "errors.body");
        assert_eq!(
            body.outcome,
            Outcome::Deviation,
            "{form:?}: {}",
            body.detail
        );
        assert!(body.detail.contains(says), "{form:?}: {}", body.detail);
        assert!(!body.exchanges.is_empty());
    }
    let (_s, rfc) = serve(Profile::Rfc).await;
    let clean = server_check::run(&rfc, false).await.expect("check");
    assert_eq!(item(&clean, "errors.body").outcome, Outcome::Pass);
}

/// A server that declares no filter support and ignores filters is not called deviant for it: the
/// filter items are notes that say what they rest on, in the app and in the Markdown.
#[tokio::test]
async fn filters_ignored_by_a_server_declaring_none_are_notes_resting_on_its_declaration() {
    let (_server, c) = serve_with(DemoConfig {
        filters_unsupported: true,
        ..DemoConfig::default()
    })
    .await;
    let report = server_check::run(&c, false).await.expect("check");
    let md = report.to_markdown();
    assert_eq!(deviations(&report), Vec::<String>::new(), "{md}");
    let eq = item(&report, "filter.eq");
    assert_eq!(eq.outcome, Outcome::Note, "{md}");
    let assumption = eq.assumption.as_deref().unwrap_or_default();
    assert!(assumption.contains("declares no filter support"), "{md}");
    assert!(md.contains(&format!("*Rests on: {assumption}*")), "{md}");
    assert!(md.contains("rest on an assumption"), "{md}");
    // On a server that declares filtering and applies it, the same item rests on nothing.
    let (_s, rfc) = serve(Profile::Rfc).await;
    let clean = server_check::run(&rfc, false).await.expect("check");
    assert_eq!(item(&clean, "filter.eq").assumption, None);
}
