//! The directory session against the embedded demo server: opening, loads, windows, roles, members.

use super::*;
use crate::loaded::{LoadProgress, Projection};
use crate::roles::{self, MatrixQuery, RoleRule, RuleKind};
use crate::table::WindowQuery;

/// The embedded server (demo, snapshot opened offline) answers only its own client: another
/// local process without the session token, or a web page reaching it under a rebound domain
/// name, reads nothing.
#[tokio::test]
async fn embedded_servers_need_the_session_token_and_a_loopback_host() {
    let dir = Directory::open_demo(5).await.expect("demo");
    assert_eq!(
        dir.users(&RowsQuery::default())
            .await
            .map(|p| !p.rows.is_empty())
            .ok(),
        Some(true)
    );
    let base = dir.client().base_url().to_owned();
    let outsider = ScimClient::new(ClientConfig::new(&base, Auth::None)).expect("client");
    let e = outsider.get_json(&["Users"]).await.expect_err("no token");
    assert_eq!(e.status(), Some(401));
    let a = session_token();
    assert_eq!(a.len(), 32);
    assert_ne!(a, session_token());
    // A browser sends the name it resolved: refused unless it is a loopback name.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_owned();
    let mut socket = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let token = dir.client().config().auth.clone();
    let Auth::Bearer(token) = token else {
        panic!("bearer")
    };
    let request = format!(
        "GET /scim/v2/Users HTTP/1.1\r\nHost: rebound.example:80\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        token.expose()
    );
    socket.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
}

#[tokio::test]
async fn a_load_reports_progress_can_be_cancelled_and_resumed() {
    let dir = Arc::new(Directory::open_demo(2500).await.expect("demo"));
    let seen = Mutex::new(Vec::new());
    let d2 = dir.clone();
    // Cancel as soon as the first page arrived: the rest is not fetched.
    let first = dir
        .load(&ResourceKind::Users, None, &|p: LoadProgress| {
            seen.lock().expect("lock").push(p.loaded);
            d2.cancel_load(&ResourceKind::Users);
        })
        .await
        .expect("load");
    assert!(first.cancelled && !first.complete, "{first:?}");
    assert!(first.error.is_none(), "a cancel is not an error");
    assert!(first.loaded >= 1 && first.loaded < 2500, "{}", first.loaded);
    assert_eq!(first.total, Some(2500));
    assert!(!seen.lock().expect("lock").is_empty());
    // The partial set is browsable.
    let q = WindowQuery {
        offset: 0,
        limit: 10,
        columns: vec!["userName".into()],
        sort_by: Some("userName".into()),
        ..WindowQuery::default()
    };
    assert_eq!(
        dir.window(&ResourceKind::Users, &q).expect("window").total,
        first.loaded
    );
    // Resume fetches the rest.
    let resumed = dir
        .resume(&ResourceKind::Users, &|_| {})
        .await
        .expect("resume");
    assert!(resumed.complete, "{resumed:?}");
    assert_eq!(resumed.loaded, 2500);
    let w = dir.window(&ResourceKind::Users, &q).expect("window");
    assert_eq!((w.total, w.rows.len()), (2500, 10));
    let names: Vec<_> = w
        .rows
        .iter()
        .map(|r| r.cells[0].clone().unwrap_or_default())
        .collect();
    // Natural order: the numbers in the names as numbers (424 before 1048), written out by hand.
    assert_eq!(
        names,
        [
            "ana.berg424@example.com",
            "ana.berg479@example.com",
            "ana.berg671@example.com",
            "ana.berg1048@example.com",
            "ana.berg1388@example.com",
            "ana.berg1557@example.com",
            "ana.berg1979@example.com",
            "ana.berg2109@example.com",
            "ana.berg2305@example.com",
            "ana.berg@example.com",
        ]
    );
    // Every exchange is in the request log.
    assert!(dir.request_log().entries().len() >= 3);
}

/// The first page is on screen while the rest loads: the browse commands read it (sorted, filtered)
/// as soon as it arrived, labelled as loading, and the finished load replaces it.
#[tokio::test]
async fn the_first_page_can_be_browsed_while_the_rest_loads() {
    let dir = Arc::new(Directory::open_demo(2500).await.expect("demo"));
    let q = WindowQuery {
        offset: 0,
        limit: 5,
        columns: vec!["userName".into()],
        sort_by: Some("userName".into()),
        ..WindowQuery::default()
    };
    let during = Mutex::new(Vec::new());
    let d2 = dir.clone();
    let done = dir
        .load(&ResourceKind::Users, None, &|p: LoadProgress| {
            if let Some(preview) = &p.preview {
                // What the table would ask for right now.
                let w = d2
                    .window(&ResourceKind::Users, &q)
                    .expect("window while loading");
                during.lock().expect("lock").push((
                    preview.loaded,
                    preview.loading,
                    preview.complete,
                    preview.total,
                    w.total,
                ));
            }
        })
        .await
        .expect("load");
    let during = during.lock().expect("lock").clone();
    assert_eq!(
        during,
        vec![(1000, true, false, Some(2500), 1000)],
        "one preview, of the first page"
    );
    assert!(done.complete && !done.loading, "{done:?}");
    assert_eq!(
        dir.window(&ResourceKind::Users, &q).expect("window").total,
        2500
    );
    // A load of one page has nothing to preview.
    let seen = Mutex::new(0);
    dir.load(
        &ResourceKind::Users,
        Some(r#"userName sw "ana.berg1""#.into()),
        &|p: LoadProgress| {
            if p.preview.is_some() {
                *seen.lock().expect("lock") += 1;
            }
        },
    )
    .await
    .expect("filtered load");
    assert_eq!(*seen.lock().expect("lock"), 0);
}

/// The matrix reads its people from the users' columns; an independent reading of the same users
/// parsed whole (scim-audit's `matrix_rows` over resources) gives the same rows, in the same order.
#[tokio::test]
async fn the_matrix_from_columns_matches_one_from_parsed_users() {
    let dir = Directory::open_demo(3000).await.expect("demo");
    let rules = roles::default_rules();
    for (holders_only, quick) in [(true, None), (false, Some("ana")), (true, Some("BERG1"))] {
        let q = MatrixQuery {
            rules: rules.clone(),
            holders_only,
            quick: quick.map(str::to_owned),
            offset: 0,
            limit: 1000,
            ..MatrixQuery::default()
        };
        let window = dir.role_matrix(&q).await.expect("matrix");
        let users = dir.loaded_set("Users").expect("users");
        let (groups, memberships) = dir.memberships().await.expect("memberships");
        let classified =
            roles::classify(&groups.resources(), &rules, &[], &memberships).expect("classify");
        let expected = roles::matrix_rows(&users.resources(), &classified.groups, &memberships, &q);
        assert!(!expected.is_empty());
        assert_eq!(window.matched as usize, expected.len(), "{q:?}");
        let first: Vec<_> = expected.into_iter().take(1000).collect();
        assert_eq!(window.rows, first, "{q:?}");
    }
}

#[tokio::test]
async fn role_groups_and_the_matrix_cover_the_loaded_directory() {
    let dir = Directory::open_demo(120).await.expect("demo");
    let rules = roles::default_rules();
    // Nothing loaded yet: both collections are loaded on demand.
    let r = dir.role_groups(&rules).await.expect("role groups");
    assert!(r
        .groups
        .iter()
        .any(|g| g.display_name == "Profile: Data Entry"));
    assert!(r
        .groups
        .iter()
        .all(|g| g.category == "Profiles" || g.category == "Projects"));
    let q = MatrixQuery {
        rules: rules.clone(),
        category: Some("Profiles".into()),
        holders_only: true,
        offset: 0,
        limit: 50,
        ..MatrixQuery::default()
    };
    let m = dir.role_matrix(&q).await.expect("matrix");
    assert_eq!(m.total_users, 120);
    assert!(m.matched > 0 && m.matched <= 120);
    assert!(m.columns.iter().all(|c| c.category == "Profiles"));
    assert!(m.rows.iter().all(|r| r.cells.iter().any(Option::is_some)));
    let csv = dir.role_matrix_csv(&q).await.expect("csv");
    assert_eq!(csv.matches("\r\n").count() as u32, m.matched + 1);
    let bad = vec![RoleRule {
        category: "Roles".into(),
        kind: RuleKind::ResourceType,
        pattern: "Roles".into(),
    }];
    let err = dir.role_groups(&bad).await.expect_err("no such type");
    assert!(
        err.message.contains("declares no resource type"),
        "{}",
        err.message
    );
    // A resource-type rule (here the core Group type): its resources are role groups, and a
    // user's page lists those holding them, by membership rather than by name.
    let by_type = vec![
        roles::default_rules()[0].clone(),
        RoleRule {
            category: "Everything".into(),
            kind: RuleKind::ResourceType,
            pattern: "group".into(),
        },
    ];
    let groups = dir.loaded_set("Groups").expect("loaded");
    let (holder, group) = groups
        .resources()
        .iter()
        .filter(|g| g.display_name().is_some_and(|n| n.starts_with("Profile:")))
        .find_map(|g| match g.members() {
            scim_core::resource::Members::Listed(m) if !m.is_empty() => Some((
                m[0].value.clone(),
                g.display_name().unwrap_or_default().to_owned(),
            )),
            _ => None,
        })
        .expect("a profile with a member");
    let held = dir
        .user_role_groups(&holder, std::slice::from_ref(&group), &by_type)
        .await
        .expect("held");
    let cats: Vec<(&str, &str)> = held
        .iter()
        .filter(|h| h.display_name == group)
        .map(|h| (h.category.as_str(), h.display_name.as_str()))
        .collect();
    assert_eq!(
        cats,
        vec![("Profiles", group.as_str()), ("Everything", group.as_str())]
    );
    assert!(held
        .iter()
        .all(|h| h.holding == roles::Holding::Direct || h.category == "Everything"));
    let err = dir
        .user_role_groups(&holder, &[], &bad)
        .await
        .expect_err("no such type");
    assert!(err.message.contains("declares no resource type"));
}

/// Users are kept raw: the default columns, a sort, the quick filter and any other column are read
/// from columns computed from the rows as sent, never from a parse of every attribute; a write
/// updates the columns already computed.
#[tokio::test]
async fn the_users_table_reads_columns_of_the_rows_as_sent() {
    let dir = Directory::open_demo(300).await.expect("demo");
    dir.load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    let set = dir.loaded_set("Users").expect("set");
    let department = format!("{}:department", scim_core::names::ENTERPRISE_USER_SCHEMA);
    let q = WindowQuery {
        offset: 0,
        limit: 300,
        columns: vec![
            "userName".into(),
            "emails".into(),
            department.clone(),
            "active".into(),
        ],
        sort_by: Some("displayName".into()),
        quick: Some("a".into()),
        ..WindowQuery::default()
    };
    let light = dir.window(&ResourceKind::Users, &q).expect("window");
    assert!(light.total > 0);
    assert!(light
        .rows
        .iter()
        .all(|r| r.cells[0].is_some() && r.cells[2].is_some()));
    assert!(
        !set.fully_parsed(),
        "the default columns need no full parse"
    );
    // The same rows, read whole, give the same cells.
    let whole = set.resources();
    for row in &light.rows {
        let r = whole
            .iter()
            .find(|r| r.id() == Some(row.id.as_str()))
            .expect("row");
        assert_eq!(
            crate::table::CellPath::new(&department).cell(r),
            row.cells[2]
        );
    }
    // A column no default shows: phone numbers, still without parsing every attribute.
    let dir = Directory::open_demo(300).await.expect("demo");
    dir.load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    let phones = WindowQuery {
        offset: 0,
        limit: 300,
        columns: vec!["userName".into(), "phoneNumbers".into()],
        ..WindowQuery::default()
    };
    let w = dir.window(&ResourceKind::Users, &phones).expect("window");
    assert!(w
        .rows
        .iter()
        .any(|r| r.cells[1].as_deref().is_some_and(|p| p.starts_with('+'))));
    assert!(!dir.loaded_set("Users").expect("set").fully_parsed());
    // A write lands in the table, in a column computed before it.
    let first = w.rows[0].id.clone();
    let title = |quick: &str| WindowQuery {
        offset: 0,
        limit: 300,
        columns: vec!["title".into()],
        quick: Some(quick.into()),
        ..WindowQuery::default()
    };
    let before = dir
        .window(&ResourceKind::Users, &title("chief tester"))
        .expect("window");
    assert!(before.rows.is_empty());
    let detail = dir
        .resource(&ResourceKind::Users, &first)
        .await
        .expect("user");
    let mut json: Value = serde_json::from_str(&detail.json).expect("json");
    json["title"] = Value::String("Chief tester".into());
    dir.record_write(&ResourceKind::Users, &first, Some(&json));
    let titled = dir
        .window(&ResourceKind::Users, &title("chief tester"))
        .expect("window");
    assert_eq!(titled.rows.len(), 1);
    assert_eq!(titled.rows[0].id, first);
}

/// The demo's custom Role type through a resource-type rule: its roles are role groups with
/// their holders counted, the matrix shows who holds them (through a group too), and a user's
/// page lists the roles they hold.
#[tokio::test]
async fn resource_type_roles_reach_the_tabs_the_matrix_and_the_users_page() {
    let dir = Directory::open_demo(200).await.expect("demo");
    assert!(dir.summary().resource_types.contains(&"Role".to_owned()));
    let rules = vec![RoleRule {
        category: "App roles".into(),
        kind: RuleKind::ResourceType,
        pattern: "Role".into(),
    }];
    let classified = dir.role_groups(&rules).await.expect("role groups");
    let approver = classified
        .groups
        .iter()
        .find(|g| g.display_name == "Approver")
        .expect("Approver");
    assert_eq!(approver.category, "App roles");
    // Held directly by a few, and by the whole Finance team through the group.
    assert!(approver.user_count > approver.direct_count && approver.direct_count > 0);
    let m = dir
        .role_matrix(&MatrixQuery {
            rules: rules.clone(),
            holders_only: true,
            limit: 1000,
            ..MatrixQuery::default()
        })
        .await
        .expect("matrix");
    let col = m
        .columns
        .iter()
        .position(|c| c.display_name == "Approver")
        .expect("column");
    let cells: Vec<roles::Holding> = m.rows.iter().filter_map(|r| r.cells[col]).collect();
    assert_eq!(cells.len() as u32, approver.user_count);
    assert!(cells.contains(&roles::Holding::Nested) && cells.contains(&roles::Holding::Direct));
    let nested_holder = m
        .rows
        .iter()
        .find(|r| r.cells[col] == Some(roles::Holding::Nested))
        .expect("a holder through Finance team");
    let held = dir
        .user_role_groups(&nested_holder.user_id, &[], &rules)
        .await
        .expect("held");
    assert!(
        held.iter()
            .any(|h| h.display_name == "Approver" && h.holding == roles::Holding::Nested),
        "{held:?}"
    );
    // The role opens from its own endpoint, with its members as labels.
    assert_eq!(approver.endpoint, "Roles");
    let detail = dir
        .resource(&ResourceKind::Custom("Roles".into()), &approver.id)
        .await
        .expect("role");
    assert_eq!(detail.label, "Approver");
    let members = detail.members.expect("members");
    assert!(
        members.iter().any(|m| m == "Finance team (group)"),
        "{members:?}"
    );
    let err = dir
        .resource(&ResourceKind::Custom("Nothing".into()), "x")
        .await
        .expect_err("undeclared");
    assert!(err.message.contains("Unknown resource type"));
}

#[tokio::test]
async fn group_details_flag_members_missing_from_the_loaded_users() {
    use scim_core::patch::{OpKind, PatchOp, PatchOperation};
    let dir = Directory::open_demo(30).await.expect("demo");
    dir.load(&ResourceKind::Groups, None, &|_| {})
        .await
        .expect("groups");
    let groups = dir.loaded_set("Groups").expect("loaded");
    let g = groups
        .resources()
        .iter()
        .find(|g| g.display_name() == Some("Profile: Data Entry"))
        .and_then(Resource::id_string)
        .expect("a profile group");
    let ghost = serde_json::json!([{"value": "ghost-user-1", "display": "Ghost User"}]);
    let patch = PatchOp::new(vec![PatchOperation::new(
        OpKind::Add,
        Some("members"),
        Some(ghost),
    )]);
    dir.client
        .patch("Groups", &g, &patch, None)
        .await
        .expect("patch");
    // Without the users loaded nothing is claimed; with them, the ghost is flagged.
    assert!(dir
        .resource(&ResourceKind::Groups, &g)
        .await
        .expect("detail")
        .missing_members
        .is_empty());
    dir.load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("users");
    let detail = dir
        .resource(&ResourceKind::Groups, &g)
        .await
        .expect("detail");
    assert_eq!(detail.missing_members, vec!["Ghost User".to_owned()]);
}

#[tokio::test]
async fn a_projected_load_asks_the_server_for_only_those_attributes() {
    let dir = Directory::open_demo(40).await.expect("demo");
    let p = Projection {
        attributes: vec!["userName".into(), " emails ".into()],
        excluded_attributes: Vec::new(),
    };
    let s = dir
        .load_projected(&ResourceKind::Users, None, p, &|_| {})
        .await
        .expect("load");
    assert_eq!(s.projection.attributes, vec!["userName", "emails"]);
    let set = dir.loaded_set("Users").expect("set");
    let first = set.resources()[0].as_object().expect("object").clone();
    assert!(first.contains_key("userName") && first.contains_key("id"));
    assert!(!first.contains_key("displayName"), "{first:?}");
    let last = dir.request_log().entries().last().cloned().expect("logged");
    assert!(
        last.url.contains("attributes=userName%2Cemails")
            || last.url.contains("attributes=userName,emails"),
        "{}",
        last.url
    );
    let both = Projection {
        attributes: vec!["userName".into()],
        excluded_attributes: vec!["emails".into()],
    };
    assert!(dir
        .load_projected(&ResourceKind::Users, None, both, &|_| {})
        .await
        .is_err());
    let bad = Projection {
        attributes: vec!["user name".into()],
        excluded_attributes: Vec::new(),
    };
    let err = dir
        .load_projected(&ResourceKind::Users, None, bad, &|_| {})
        .await
        .expect_err("bad");
    assert!(
        err.message.contains("not an attribute path"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn groups_load_with_member_counts() {
    let dir = Directory::open_demo(250).await.expect("demo");
    let s = dir
        .load(&ResourceKind::Groups, None, &|_| {})
        .await
        .expect("load");
    assert!(s.complete && s.loaded > 10, "{s:?}");
    let q = WindowQuery {
        offset: 0,
        limit: 100,
        columns: vec!["displayName".into(), "#members".into()],
        sort_by: Some("displayName".into()),
        ..WindowQuery::default()
    };
    let w = dir.window(&ResourceKind::Groups, &q).expect("window");
    let staff = w
        .rows
        .iter()
        .find(|r| r.cells[0].as_deref() == Some("All staff"))
        .expect("All staff");
    assert_eq!(staff.cells[1].as_deref(), Some("250"));
}

#[tokio::test]
async fn a_filtered_load_keeps_only_matches_and_bad_filters_are_refused() {
    let dir = Directory::open_demo(300).await.expect("demo");
    let s = dir
        .load(
            &ResourceKind::Users,
            Some("active eq false".into()),
            &|_| {},
        )
        .await
        .expect("load");
    assert!(s.complete);
    assert!(s.loaded > 0 && s.loaded < 300);
    assert_eq!(s.filter.as_deref(), Some("active eq false"));
    let q = WindowQuery {
        offset: 0,
        limit: 1000,
        columns: vec!["active".into()],
        ..WindowQuery::default()
    };
    let w = dir.window(&ResourceKind::Users, &q).expect("window");
    assert!(w
        .rows
        .iter()
        .all(|r| r.cells[0].as_deref() == Some("false")));
    let err = dir
        .load(
            &ResourceKind::Users,
            Some("userName equals 1".into()),
            &|_| {},
        )
        .await
        .expect_err("bad filter");
    assert!(err.message.contains("not valid"));
    assert!(dir
        .load(&ResourceKind::Custom("Widgets".into()), None, &|_| {})
        .await
        .is_err());
}

#[tokio::test]
async fn the_demo_directory_opens_with_users_groups_and_badges() {
    let d = Directory::open_demo(40).await.expect("demo opens");
    let summary = d.summary();
    assert!(summary.is_demo);
    assert!(summary.badges.iter().any(|b| b.label == "filter ≤1000"));
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let users = d.users(&RowsQuery::default()).await.expect("users");
    assert_eq!(users.total, Some(40));
    assert!(users
        .rows
        .iter()
        .all(|u| u.user_name.ends_with("@example.com")));
    let filtered = d
        .users(&RowsQuery {
            filter: Some("active eq false".into()),
            ..Default::default()
        })
        .await
        .expect("users");
    assert!(filtered.rows.iter().all(|u| u.active == Some(false)));
    let groups = d.groups(&RowsQuery::default()).await.expect("groups");
    assert!(groups
        .rows
        .iter()
        .any(|g| g.display_name == "All staff" && g.member_count == Some(40)));
}

#[tokio::test]
async fn a_group_detail_comes_without_members_which_load_on_demand() {
    let d = Directory::open_demo(30).await.expect("demo opens");
    let groups = d
        .groups(&RowsQuery {
            filter: Some(r#"displayName eq "Operations (all teams)""#.into()),
            ..Default::default()
        })
        .await
        .expect("groups");
    let detail = d
        .resource(&ResourceKind::Groups, &groups.rows[0].id)
        .await
        .expect("detail");
    assert!(detail.members.is_none(), "asked without members");
    assert!(!detail.json.contains("\"members\""));
    assert!(detail
        .json
        .contains("\"displayName\": \"Operations (all teams)\""));
    let q = crate::members::MembersQuery {
        offset: 0,
        limit: 100,
        quick: None,
    };
    let w = d
        .group_members(&groups.rows[0].id, &q)
        .await
        .expect("members");
    let nested: Vec<_> = w
        .rows
        .iter()
        .filter(|m| m.kind == crate::members::MemberKind::Group)
        .collect();
    assert_eq!(nested.len(), 2, "{:?}", w.rows);
    assert!(
        w.rows[..2]
            .iter()
            .all(|m| m.kind == crate::members::MemberKind::Group),
        "groups listed first"
    );
    assert_eq!(w.missing, 0);
    let err = d
        .resource(&ResourceKind::Custom("Teams".into()), "x")
        .await
        .expect_err("unknown type");
    assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn an_invalid_filter_is_refused_before_sending() {
    let d = Directory::open_demo(5).await.expect("demo opens");
    let err = d
        .users(&RowsQuery {
            filter: Some("userName eq".into()),
            ..Default::default()
        })
        .await
        .expect_err("invalid");
    assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
    assert!(err.message.contains("column 12"), "{}", err.message);
}

/// The open directory owns what the audit and server screens read between calls: a comparison, a
/// report and a scenario run, each asked for again by the shells without keeping anything.
#[tokio::test]
async fn the_session_keeps_its_comparison_report_and_scenario() {
    use scim_audit::compare::{DiffQuery, MatchBy, SideSpec};
    use scim_audit::reports::{ExportFormat, ReportKind, ReportQuery};
    let dir = Directory::open_demo(40).await.expect("demo");
    let nothing = dir
        .diff_window(&DiffQuery::default())
        .expect_err("nothing compared yet");
    assert!(
        nothing.message.contains("Nothing is being compared"),
        "{}",
        nothing.message
    );
    let store = crate::connections::Connections::new(
        tempfile::tempdir().unwrap().path(),
        Arc::new(crate::secrets::MemoryStore::default()),
    );
    let summary = dir
        .compare(&store, &SideSpec::Live, &SideSpec::Live, MatchBy::Id)
        .await
        .expect("compare");
    assert_eq!(
        summary.lines, 0,
        "a directory compared with itself changed nothing"
    );
    let query = DiffQuery {
        limit: 10,
        ..DiffQuery::default()
    };
    assert_eq!(dir.diff_window(&query).expect("window").matched, 0);

    let view = dir
        .run_report(ReportKind::NoGroup, None)
        .await
        .expect("report");
    let rows = dir
        .report_rows(&ReportQuery {
            offset: 0,
            limit: 1000,
            quick: None,
        })
        .expect("rows");
    assert_eq!(rows.matched, view.rows);
    let csv = String::from_utf8(dir.report_bytes(ExportFormat::Csv, false).unwrap()).unwrap();
    assert!(csv.starts_with("# "), "provenance first: {csv}");

    let run = dir
        .start_scenario("entra-joiner-mover-leaver")
        .await
        .expect("start");
    assert_eq!(dir.scenario_run().await.expect("kept").tag, run.tag);
    let stepped = dir.step_scenario().await.expect("step");
    assert_eq!(stepped.steps.len(), 1);
    let cleaned = dir.cleanup_scenario().await.expect("cleanup");
    assert!(cleaned.cleaned_up, "{:?}", cleaned.leftovers);
}

/// An error from the server points at the request that failed (for "Show request"), and a load that
/// fails before anything arrives is never "empty".
#[tokio::test]
async fn errors_point_at_the_request_that_failed() {
    let dir = Directory::open_demo(5).await.expect("demo");
    let e = dir
        .resource(&ResourceKind::Users, "no-such-user")
        .await
        .expect_err("404");
    let request = e.request.expect("the failing request");
    assert_eq!(request.method, "GET");
    assert!(
        request.url.ends_with("/Users/no-such-user"),
        "{}",
        request.url
    );
    let logged = dir.request_log().entries();
    assert!(
        logged
            .iter()
            .any(|x| u64::from(request.seq) == x.seq && x.status == Some(404)),
        "the seq names the logged exchange"
    );
    let loaded = dir
        .load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    assert!(!loaded.empty && loaded.complete && loaded.loaded == 5);
}

/// A demo directory of the connection menu: the profile's server (Netdata: users only, 200 per
/// page), slow and rate-limited as asked, named for what differs from the default; unknown options
/// are refused before any server starts.
#[tokio::test]
async fn a_demo_directory_opens_in_the_profile_and_conditions_asked_for() {
    let options = crate::demo::DemoOptions {
        profile: "netdata".into(),
        users: 250,
        slow: true,
        rate_limited: true,
    };
    let dir = Directory::open_demo_with(&options).await.expect("demo");
    let summary = dir.summary();
    assert_eq!(
        summary.name,
        "Demo · Netdata Cloud · 250 users · slow · rate-limited"
    );
    assert!(
        !summary.resource_types.iter().any(|t| t == "Group"),
        "Netdata has no groups: {:?}",
        summary.resource_types
    );
    let started = std::time::Instant::now();
    let loaded = dir
        .load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    assert!(loaded.complete && loaded.loaded == 250, "{loaded:?}");
    // Two pages of 200 (the profile's cap), each answered 100 ms later.
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    // Netdata keys users by externalId (the OIDC sub): the profile says so, the user page shows it.
    let key = dir.identity_key();
    assert_eq!(key.key, scim_core::identity::SsoKey::ExternalId);
    assert!(key.chosen && key.why.contains("OIDC sub"), "{key:?}");
    let first = dir
        .window(
            &ResourceKind::Users,
            &WindowQuery {
                offset: 0,
                limit: 1,
                columns: vec!["userName".into()],
                ..WindowQuery::default()
            },
        )
        .expect("window")
        .rows[0]
        .id
        .clone();
    let page = dir
        .resource(&ResourceKind::Users, &first)
        .await
        .expect("user");
    let line = page.identity.expect("a user's key");
    assert_eq!(line.key, scim_core::identity::SsoKey::ExternalId);
    assert!(
        line.value.is_some(),
        "Netdata's users carry their sub: {line:?}"
    );
    let unknown = crate::demo::DemoOptions {
        profile: "okta".into(),
        ..Default::default()
    };
    assert!(Directory::open_demo_with(&unknown).await.is_err());
}

/// With no key set, the key is what the loaded users suggest, and the missing-key audit checks it.
#[tokio::test]
async fn the_key_is_suggested_from_the_users_and_audited() {
    let dir = Directory::open_demo(120).await.expect("demo");
    assert_eq!(
        dir.identity_key().why,
        "the usual key until users are loaded"
    );
    dir.load(&ResourceKind::Users, None, &|_| {})
        .await
        .expect("load");
    let suggested = dir.identity_key();
    assert!(!suggested.chosen);
    assert_ne!(suggested.why, "the usual key until users are loaded");
    dir.set_identity(scim_core::identity::SsoKey::Email, "set on this connection");
    let report = dir
        .run_report(scim_audit::reports::ReportKind::MissingKey, None)
        .await
        .expect("report");
    assert_eq!(report.title, "Missing or shared email");
}
