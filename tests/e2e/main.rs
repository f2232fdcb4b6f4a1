//! End-to-end tests through the real app window: tauri-driver drives WebKitWebDriver, which drives the
//! built `scim-explorer` binary. Run by `make e2e` (under Xvfb and dbus-run-session), not by the plain
//! `cargo nextest run` (see .config/nextest.toml), because it needs a display and the built app.

use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use scim_client::{Auth, ClientConfig, ListParams, ScimClient, Secret};
use scim_core::diff::field_changes;
use scim_demo_server::{DemoConfig, DemoServer};
use scim_explorer_tests::{app_binary, target_dir, TauriDriver};
use serde_json::{json, Value};

/// Opens the app through tauri-driver. The returned driver must outlive the client.
async fn open_app() -> (TauriDriver, Client) {
    connect(TauriDriver::start().expect("tauri-driver")).await
}

async fn connect(driver: TauriDriver) -> (TauriDriver, Client) {
    let app = app_binary();
    assert!(
        app.exists(),
        "the app is not built at {} — run `make build` first",
        app.display()
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app.to_string_lossy() }),
    );
    caps.insert("browserName".into(), json!("wry"));
    // tauri-driver sometimes drops the first connection while the previous test's app is still
    // going away (IncompleteMessage): a few bounded tries, then the failure as it is.
    let mut last = None;
    for attempt in 0..4 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(750)).await;
        }
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&driver.url())
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) => last = Some(e),
        }
    }
    panic!("a WebDriver session on the app: {last:?}")
}

/// Waits until the element's text contains `needle`, returning the whole text. Reads `textContent`
/// (WebKitWebDriver's visible-text rules skip cells of tables inside scroll containers).
async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        let text = client
            .execute("const el = document.querySelector(arguments[0]); return el ? el.textContent : null;", vec![json!(css)])
            .await;
        if let Ok(serde_json::Value::String(t)) = text {
            last = t;
            if last.contains(needle) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = client
        .execute(
            "return document.querySelector('main')?.textContent ?? ''",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    panic!("`{css}` never showed {needle:?}; last text was {last:?}; the page said: {page}");
}

async fn save_screenshot(client: &Client, name: &str) {
    // WebKit captures the last painted frame; give it two animation frames and a moment to paint.
    let _ = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));",
            vec![],
        )
        .await;
    let dir = target_dir().join("e2e");
    std::fs::create_dir_all(&dir).expect("target/e2e");
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(name), png).expect("write screenshot");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_window_renders_the_shell_and_talks_to_the_backend() {
    let (_driver, client) = open_app().await;

    // The status bar is filled from the `get_app_info` command: proves the typed IPC round trip.
    let status = wait_for_text(&client, "[data-testid=status-bar]", "SCIM Explorer").await;
    assert!(
        status.contains(env!("CARGO_PKG_VERSION")),
        "status bar shows the version: {status:?}"
    );
    assert!(
        status.contains("core "),
        "status bar shows the core version: {status:?}"
    );

    let connection =
        wait_for_text(&client, "[data-testid=connection-name]", "Demo directory").await;
    assert_eq!(connection.trim(), "Demo directory");
    assert_eq!(client.title().await.expect("title"), "SCIM Explorer");
    save_screenshot(&client, "main.png").await;

    // Selecting a user shows the resource exactly as the demo server sent it.
    click(
        &client,
        "[data-testid=users-table] tbody tr[data-row] td:nth-child(2)",
    )
    .await;
    wait_for_text(&client, "[data-testid=detail-pane]", "@example.com").await;
    click(&client, "[data-testid=json-tab]").await;
    let raw = wait_for_text(
        &client,
        "[data-testid=raw-json]",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    )
    .await;
    assert!(raw.contains("\"meta\""), "{raw}");
    save_screenshot(&client, "user-detail.png").await;

    // Presentation mode: Rust masks what it serves (the UI has no masking of its own), so the
    // table and the open JSON come back masked, and unmasked again when it is switched off.
    let user_name = raw
        .split("\"userName\": \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the userName in the JSON")
        .to_owned();
    click(&client, "[data-testid=presentation-toggle]").await;
    let masked = wait_for_text(&client, "[data-testid=raw-json]", "•••").await;
    assert!(!masked.contains(&user_name), "{masked}");
    assert!(
        masked.contains("\"meta\""),
        "the document keeps its shape: {masked}"
    );
    let rows = wait_for_text(&client, "[data-testid=users-table] tbody", "•••@").await;
    assert!(!rows.contains(&user_name), "{rows}");
    save_screenshot(&client, "presentation-mode.png").await;
    click(&client, "[data-testid=presentation-toggle]").await;
    wait_for_text(&client, "[data-testid=raw-json]", &user_name).await;

    // A server-side filter, evaluated by the demo server with the core.
    let input = client
        .find(Locator::Css("[data-testid=filter-input]"))
        .await
        .expect("filter input");
    input
        .send_keys("userName sw \"ana\"\u{E007}")
        .await
        .expect("type a filter and Enter");
    let count = wait_for_text(&client, "[data-testid=users-count]", "matching the filter").await;
    // The rows of the new load arrive a moment after its count.
    let mut names: Vec<String> = Vec::new();
    for _ in 0..50 {
        let found = client
            .execute(
                "return [...document.querySelectorAll('[data-testid=users-table] tbody tr[data-row] td:first-child')].map(td => td.textContent)",
                vec![],
            )
            .await
            .expect("read the userName column");
        names = serde_json::from_value(found).expect("strings");
        if !names.is_empty() && names.iter().all(|n| n.starts_with("ana.")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The table is virtual: it renders the rows on screen and announces how many there are.
    let rows = client
        .execute(
            "return document.querySelector('[data-testid=users-table]').getAttribute('aria-rowcount')",
            vec![],
        )
        .await
        .expect("row count");
    assert!(!names.is_empty(), "{count}");
    let rows = rows.as_str().unwrap_or_default().to_owned();
    assert!(
        count.starts_with(&format!("{rows} users matching")),
        "{count} / {rows} rows"
    );
    for name in &names {
        assert!(name.starts_with("ana."), "{name} does not start with ana");
    }

    // An invalid filter is explained where it is wrong; nothing is sent.
    input.clear().await.expect("clear");
    input
        .send_keys("userName equals \"ana\"")
        .await
        .expect("type");
    let problem = wait_for_text(
        &client,
        "[data-testid=filter-error]",
        "not a comparison operator",
    )
    .await;
    assert!(problem.contains("column 10"), "{problem}");
    let mark = client
        .find(Locator::Css("[data-testid=filter-error] mark"))
        .await
        .expect("mark");
    assert_eq!(mark.text().await.expect("mark text"), "equals");
    save_screenshot(&client, "filter-error.png").await;

    // The visual builder edits the same filter, converted by the real core on the Rust side.
    input.clear().await.expect("clear");
    input.send_keys("userName sw \"ben\"").await.expect("type");
    click(&client, "[data-testid=builder-toggle]").await;
    wait_for_text(&client, "[data-testid=filter-builder]", "Match").await;
    click(
        &client,
        "[data-testid=filter-builder] [data-testid=add-condition]",
    )
    .await;
    client
        .execute(
            "const s = document.querySelectorAll('[data-testid=builder-condition] select[aria-label=Attribute]')[1]; \
             s.value = 'active'; s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("pick the active attribute");
    let mut written = String::new();
    for _ in 0..50 {
        written = client
            .execute(
                "return document.querySelector('[data-testid=filter-input]').value",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if written == "userName sw \"ben\" and active eq true" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(written, "userName sw \"ben\" and active eq true");
    save_screenshot(&client, "filter-builder.png").await;
    let before_apply = wait_for_text(&client, "[data-testid=users-count]", "users").await;
    click(&client, "[data-testid=builder-apply]").await;
    for _ in 0..100 {
        let now = wait_for_text(&client, "[data-testid=users-count]", "users").await;
        if now != before_apply {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Role groups: the profiles and projects of the demo directory, a profile's members, the matrix.
    click(&client, "[data-section=roles]").await;
    wait_for_text(&client, "[data-testid=role-groups-table]", "Data Entry").await;
    click(
        &client,
        "[data-testid=role-groups-table] tbody tr[data-row] td:nth-child(2)",
    )
    .await;
    wait_for_text(&client, "[data-testid=member-list]", "").await;
    let profile = wait_for_text(
        &client,
        "[data-testid=detail-pane] header strong",
        "Profile:",
    )
    .await;
    let profile = profile.trim().to_owned();
    // A user member of that profile (not a nested group), by name.
    let mut member = String::new();
    for _ in 0..50 {
        member = client
            .execute(
                "const li = [...document.querySelectorAll('[data-testid=member-list] li')].find(l => !l.textContent.includes('(group)')); \
                 return li ? li.querySelector('.label').textContent.trim() + '\\n' + li.title : ''",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if !member.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!member.is_empty(), "{profile} lists a user");
    let (member, member_id) = member.split_once('\n').expect("name and id");
    let (member, member_id) = (member.to_owned(), member_id.to_owned());
    save_screenshot(&client, "role-groups.png").await;
    click(&client, "[data-tab=matrix]").await;
    wait_for_text(&client, "[data-testid=matrix-count]", "role groups").await;
    wait_for_text(&client, "[data-testid=role-matrix]", "@").await;
    save_screenshot(&client, "role-matrix.png").await;

    // A rule for the demo server's custom Role type: its roles become a tab of their own.
    click(&client, "[data-tab=Profiles]").await;
    click(&client, "[data-testid=edit-rules]").await;
    click(&client, "[data-testid=add-rule]").await;
    let new_rule = "[data-testid=rule-row]:nth-of-type(3)";
    type_into(
        &client,
        &format!("{new_rule} input[aria-label=Category]"),
        "App roles",
    )
    .await;
    client
        .find(Locator::Css(&format!("{new_rule} select")))
        .await
        .expect("rule kind")
        .select_by_value("resourceType")
        .await
        .expect("choose resource type");
    type_into(
        &client,
        &format!("{new_rule} input[aria-label=Pattern]"),
        "Role",
    )
    .await;
    click(&client, "[data-testid=apply-rules]").await;
    click(&client, "[data-tab=\"App roles\"]").await;
    wait_for_text(&client, "[data-testid=role-groups-table]", "Approver").await;
    // A role opens from its own endpoint, read-only, with its members (a group among them).
    click(
        &client,
        "[data-testid=role-groups-table] tbody tr[data-row] td:nth-child(2)",
    )
    .await;
    wait_for_text(&client, "[data-testid=custom-type-note]", "Roles").await;
    wait_for_text(&client, "[data-testid=custom-members]", "(group)").await;
    let pane = wait_for_text(&client, "[data-testid=detail-pane]", "Approver").await;
    assert!(
        !pane.contains("Undeclared"),
        "the Role schema declares its attributes: {pane}"
    );
    save_screenshot(&client, "role-groups-by-type.png").await;

    // That user's detail lists the profile among their role groups (the demo server does not send
    // `groups` on users, so they are computed from the loaded groups, and labelled so).
    click(&client, "[data-section=users]").await;
    wait_for_text(&client, "[data-testid=users-count]", "users").await;
    let quick = client
        .find(Locator::Css("[data-testid=quick-filter]"))
        .await
        .expect("quick filter");
    quick
        .send_keys(&member)
        .await
        .expect("type the member's name");
    for _ in 0..50 {
        let rows = client
            .execute(
                "return document.querySelector('[data-testid=users-table]')?.getAttribute('aria-rowcount')",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let shown: bool = client
            .execute(
                "return !!document.querySelector(`tr[data-row=\"${arguments[0]}\"]`)",
                vec![json!(member_id)],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if shown && rows != "100000" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(
        &client,
        &format!("[data-testid=users-table] tbody tr[data-row=\"{member_id}\"] td:nth-child(2)"),
    )
    .await;
    wait_for_text(&client, "[data-testid=user-role-groups]", &profile).await;
    wait_for_text(
        &client,
        "[data-testid=detail-pane]",
        "Computed from the loaded groups",
    )
    .await;
    save_screenshot(&client, "user-role-groups.png").await;

    // Navigation changes the section.
    client
        .find(Locator::Css("[data-section=groups]"))
        .await
        .expect("Groups in the navigation")
        .click()
        .await
        .expect("click Groups");
    wait_for_text(&client, "#section-title", "Groups").await;
    wait_for_text(&client, "[data-testid=groups-table]", "Profile: Data Entry").await;
    wait_for_text(&client, "[data-testid=groups-table]", "All staff").await;

    // The theme switch cycles system -> light -> dark and the page follows.
    let toggle = client
        .find(Locator::Css("header button[aria-label^=Theme]"))
        .await
        .expect("theme toggle");
    toggle.click().await.expect("to light");
    toggle.click().await.expect("to dark");
    let theme = client
        .execute("return document.documentElement.dataset.theme", vec![])
        .await
        .expect("read theme");
    assert_eq!(theme, json!("dark"));
    save_screenshot(&client, "main-dark.png").await;

    client.close().await.expect("close the session");
}

/// A SCIM server the test owns, which the app reaches through a connection added in the window: what
/// the window writes is then read back with our client, not judged by the window's own text.
struct OwnedServer {
    _server: DemoServer,
    scim: ScimClient,
    profile: std::path::PathBuf,
}

impl Drop for OwnedServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl OwnedServer {
    /// The one resource of `kind` whose `attr` equals `value`, as the server holds it now.
    async fn find(&self, kind: &str, attr: &str, value: &str) -> Value {
        let page = self
            .scim
            .list(
                kind,
                &ListParams {
                    filter: Some(format!("{attr} eq {}", Value::String(value.to_owned()))),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("read {kind} {value} from the server: {e}"));
        assert_eq!(page.value.resources.len(), 1, "one {kind} named {value}");
        let id = page.value.resources[0].id_string().expect("an id");
        self.scim
            .get(kind, &id)
            .await
            .expect("get")
            .body
            .expect("a body")
    }
}

/// Opens the app with a fresh profile, adds a connection to a demo server this test started (with
/// a token, kept in the session's keychain) and opens it.
async fn open_app_on_owned_server(name: &str) -> (TauriDriver, Client, OwnedServer) {
    const TOKEN: &str = "e2e-owned-token-7c1d";
    let server = DemoServer::start(DemoConfig {
        token: Some(TOKEN.into()),
        ..DemoConfig::default()
    })
    .await
    .expect("a test-owned SCIM server");
    let scim = ScimClient::new(ClientConfig::new(
        &server.base_url,
        Auth::Bearer(Secret::new(TOKEN)),
    ))
    .expect("a client of the test-owned server");
    let profile = std::env::temp_dir().join(format!("scimx-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let (driver, client) = connect(TauriDriver::start_in(&profile).expect("tauri-driver")).await;
    wait_for_text(&client, "[data-testid=users-count]", "250 users").await;
    click(&client, "[data-testid=connection-name]").await;
    click(&client, "[data-testid=add-connection]").await;
    type_into(&client, "[data-testid=conn-name]", name).await;
    type_into(&client, "[data-testid=conn-url]", &server.base_url).await;
    type_into(&client, "[data-testid=conn-token]", TOKEN).await;
    click(&client, "[data-testid=conn-save]").await;
    wait_for_text(&client, "[data-testid=test-report]", "Connected").await;
    click(&client, "[data-testid=open-saved]").await;
    wait_for_text(&client, "[data-testid=connection-name]", name).await;
    wait_for_text(&client, "[data-testid=users-count]", "250 users").await;
    (
        driver,
        client,
        OwnedServer {
            _server: server,
            scim,
            profile,
        },
    )
}

fn member_ids(group: &Value) -> Vec<String> {
    group["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Writes through the window, against the demo directory's real server: deactivate a user with the
/// PATCH builder and see the server's actual diff; add the user to a project group from the user's
/// page; find both in the change log and undo the last one.
#[tokio::test(flavor = "multi_thread")]
async fn the_patch_builder_deactivates_a_user_and_adds_them_to_a_project_group() {
    let (_driver, client, owned) = open_app_on_owned_server("Owned").await;
    open_first_active_user(&client, "b").await;
    let pane = wait_for_text(&client, "[data-testid=write-actions]", "Deactivate").await;
    assert!(pane.contains("Add to group"), "{pane}");
    let user = client
        .execute(
            "return (document.querySelector('[data-testid=detail-pane] [data-testid=detail-username]') ?? document.querySelector('[data-testid=detail-pane] header strong')).textContent",
            vec![],
        )
        .await
        .expect("user label");
    let user = user.as_str().unwrap_or_default().to_owned();
    let user_before = owned.find("Users", "userName", &user).await;
    assert_eq!(user_before["active"], true, "{user} starts active");
    let uid = user_before["id"].as_str().expect("id").to_owned();

    // Deactivate: the quick action prepares the patch; the dry run predicts; nothing is sent yet.
    click(&client, "[data-testid=toggle-active]").await;
    wait_for_text(&client, "[data-testid=predicted-diff]", "active").await;
    save_screenshot(&client, "patch-builder.png").await;
    click(&client, "[data-testid=review-request]").await;
    let review = wait_for_text(&client, "[data-testid=request-review]", "PATCH").await;
    assert!(
        review.contains("If-Match"),
        "the demo server has ETags: {review}"
    );
    assert!(review.contains("\"active\""), "{review}");
    assert_eq!(
        owned.find("Users", "userName", &user).await,
        user_before,
        "the dry run and the review sent nothing"
    );
    click(&client, "[data-testid=send-request]").await;
    let outcome = wait_for_text(&client, "[data-testid=patch-outcome]", "→ 200").await;
    assert!(
        outcome.contains("did what the dry run predicted"),
        "{outcome}"
    );
    let actual = wait_for_text(&client, "[data-testid=actual-diff]", "active").await;
    assert!(
        actual.contains("true") && actual.contains("false"),
        "{actual}"
    );
    // The server, read apart from the window: exactly `active` changed, to false.
    let user_after = owned.find("Users", "userName", &user).await;
    let changed: Vec<(String, Option<String>, Option<String>)> =
        field_changes(&user_before, &user_after, &["meta"])
            .into_iter()
            .map(|c| (c.path, c.before, c.after))
            .collect();
    assert_eq!(
        changed,
        vec![("active".into(), Some("true".into()), Some("false".into()))]
    );
    save_screenshot(&client, "patch-outcome.png").await;
    click(&client, "[data-testid=close-outcome]").await;
    wait_for_text(&client, "[data-testid=detail-pane] header", "inactive").await;

    // Add to a project group from the user's page: a PATCH of the group, reviewed, then sent.
    click(&client, "[data-testid=add-to-group]").await;
    type_into(&client, "[data-testid=group-search]", "Project:").await;
    wait_for_text(&client, "[data-testid=group-picker]", "Project:").await;
    click(&client, "[data-testid=pick-group]").await;
    let title = wait_for_text(
        &client,
        "[data-testid=patch-builder] h2",
        "Patch group Project:",
    )
    .await;
    let group = title.trim().trim_start_matches("Patch group ").to_owned();
    let group_before = owned.find("Groups", "displayName", &group).await;
    assert!(
        !member_ids(&group_before).contains(&uid),
        "{user} is not in {group} yet"
    );
    wait_for_text(&client, "[data-testid=predicted-diff]", "members[value eq").await;
    click(&client, "[data-testid=review-request]").await;
    click(&client, "[data-testid=send-request]").await;
    wait_for_text(&client, "[data-testid=actual-diff]", "members[value eq").await;
    let group_after = owned.find("Groups", "displayName", &group).await;
    let mut expected = member_ids(&group_before);
    expected.push(uid.clone());
    expected.sort();
    let mut held = member_ids(&group_after);
    held.sort();
    assert_eq!(
        held, expected,
        "{group} holds its members and {user}, nothing else"
    );
    click(&client, "[data-testid=close-outcome]").await;

    // Both changes are in the change log; undo the membership after seeing the inverse request.
    click(&client, "[data-section=changes]").await;
    let log = wait_for_text(&client, "[data-testid=changes-table]", "patch").await;
    assert!(log.contains(&user), "{log}");
    assert_eq!(log.matches("patch").count(), 2, "{log}");
    click(&client, "[data-testid=undo]").await;
    let inverse = wait_for_text(&client, "[data-testid=undo-dialog]", "PATCH").await;
    assert!(
        inverse.contains("remove"),
        "undo removes the member again: {inverse}"
    );
    click(&client, "[data-testid=send-undo]").await;
    wait_for_text(&client, "[data-testid=undo-diff]", "members[value eq").await;
    // The server after the undo: the group is as it was, the user still deactivated.
    let group_undone = owned.find("Groups", "displayName", &group).await;
    assert_eq!(
        field_changes(&group_before, &group_undone, &["meta"]),
        vec![],
        "the undo put {group} back exactly"
    );
    assert_eq!(
        owned.find("Users", "userName", &user).await["active"],
        false,
        "only the membership was undone"
    );
    save_screenshot(&client, "change-log-undo.png").await;

    client.close().await.expect("close the session");
}

/// The audit loop through the window: snapshot the demo directory, change a user and a membership
/// in the app, compare the snapshot with now, see both narrated, export the comparison as CSV.
#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_compared_with_now_narrates_the_changes_made_in_the_app() {
    let (driver, client, owned) = open_app_on_owned_server("Audited").await;
    click(&client, "[data-section=diff]").await;
    click(&client, "[data-testid=take-snapshot]").await;
    wait_for_text(&client, "main", "Saved ").await;
    wait_for_text(&client, "[data-testid=snapshot-list]", "250").await;

    // Change a user and a membership through the app.
    click(&client, "[data-section=users]").await;
    open_first_active_user(&client, "c").await;
    wait_for_text(&client, "[data-testid=write-actions]", "Deactivate").await;
    let user = client
        .execute(
            "return (document.querySelector('[data-testid=detail-pane] [data-testid=detail-username]') ?? document.querySelector('[data-testid=detail-pane] header strong')).textContent",
            vec![],
        )
        .await
        .expect("user label");
    let user = user.as_str().unwrap_or_default().to_owned();
    click(&client, "[data-testid=toggle-active]").await;
    wait_for_text(&client, "[data-testid=predicted-diff]", "active").await;
    click(&client, "[data-testid=review-request]").await;
    click(&client, "[data-testid=send-request]").await;
    wait_for_text(&client, "[data-testid=patch-outcome]", "→ 200").await;
    assert_eq!(
        owned.find("Users", "userName", &user).await["active"],
        false,
        "the server holds the deactivation"
    );
    let uid = owned.find("Users", "userName", &user).await["id"].clone();
    click(&client, "[data-testid=close-outcome]").await;
    click(&client, "[data-testid=add-to-group]").await;
    type_into(&client, "[data-testid=group-search]", "Project:").await;
    wait_for_text(&client, "[data-testid=group-picker]", "Project:").await;
    click(&client, "[data-testid=pick-group]").await;
    let title = wait_for_text(
        &client,
        "[data-testid=patch-builder] h2",
        "Patch group Project:",
    )
    .await;
    let group = title.trim().trim_start_matches("Patch group ").to_owned();
    wait_for_text(&client, "[data-testid=predicted-diff]", "members[value eq").await;
    click(&client, "[data-testid=review-request]").await;
    click(&client, "[data-testid=send-request]").await;
    wait_for_text(&client, "[data-testid=actual-diff]", "members[value eq").await;
    assert!(
        member_ids(&owned.find("Groups", "displayName", &group).await)
            .contains(&uid.as_str().unwrap_or_default().to_owned()),
        "the server holds {user} in {group}"
    );
    click(&client, "[data-testid=close-outcome]").await;

    // Compare the snapshot with now: both changes, narrated.
    click(&client, "[data-section=diff]").await;
    click(&client, "[data-testid=compare-with-now]").await;
    let summary = wait_for_text(&client, "[data-testid=compare-summary]", "paired").await;
    assert!(summary.contains("250 users paired"), "{summary}");
    let lines = wait_for_text(&client, "[data-testid=diff-lines]", "deactivated").await;
    assert!(lines.contains(&user), "{lines}");
    let added = format!("added to {group}");
    assert!(lines.contains(&added), "{added:?} in {lines}");
    save_screenshot(&client, "compare.png").await;

    // Export it as CSV and read the file.
    let out = std::env::temp_dir().join(format!("scimx-e2e-diff-{}.csv", std::process::id()));
    click(&client, "[data-testid=export-diff]").await;
    answer_save_dialog("Export the changes", &out, Some("save-dialog.png")).await;
    wait_for_text(&client, "main", &out.to_string_lossy()).await;
    save_screenshot(&client, "compare-exported.png").await;
    let csv = std::fs::read_to_string(&out).expect("the exported CSV");
    let _ = std::fs::remove_file(&out);
    assert!(csv.starts_with("\"# A: Snapshot"), "{csv}");
    assert!(
        csv.contains("category,change,label,attributes,narration"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("user,changed,{user},active,")),
        "{csv}"
    );
    assert!(csv.contains(&added), "{csv}");

    // The reports run over the same data, with provenance, and export.
    click(&client, "[data-section=reports]").await;
    click(&client, "[data-report=inactive-in-groups]").await;
    let head = wait_for_text(&client, "[data-testid=report-head]", "rows").await;
    assert!(head.contains("read now"), "{head}");
    wait_for_text(&client, "[data-testid=report-rows]", &user).await;
    save_screenshot(&client, "report.png").await;

    // The snapshot opens offline, read-only, in the same screens: the user is still active there.
    click(&client, "[data-section=diff]").await;
    click(&client, "[data-testid=open-offline]").await;
    let banner = wait_for_text(&client, "[data-testid=snapshot-banner]", "read-only").await;
    assert!(banner.contains("250 users"), "{banner}");
    wait_for_text(&client, "#section-title", "Users").await;
    wait_for_text(&client, "[data-testid=users-count]", "250 users").await;
    save_screenshot(&client, "snapshot-offline.png").await;

    // A snapshot file chosen in the system's Open dialog (a copy outside the app's folder, as one a
    // colleague sent) is compared like a listed one.
    let mut found = Vec::new();
    let mut dirs = vec![driver.profile().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "scimsnap") {
                found.push(p);
            }
        }
    }
    let sent = std::env::temp_dir().join(format!("scimx-e2e-sent-{}.scimsnap", std::process::id()));
    std::fs::copy(found.first().expect("the snapshot taken"), &sent).expect("copy");
    click(&client, "[data-testid=back-to-live]").await;
    wait_for_text(&client, "[data-testid=connection-name]", "Audited").await;
    click(&client, "[data-section=diff]").await;
    client
        .execute(
            "const s = document.querySelector('[data-testid=side-a]'); s.value = 'file'; s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .expect("choose a file for A");
    click(&client, "[data-testid=choose-A]").await;
    answer_file_dialog("Open a snapshot", &sent, Some("open-dialog.png"), false).await;
    wait_for_text(&client, "[data-testid=file-A]", "scimx-e2e-sent").await;
    click(&client, "[data-testid=compare]").await;
    let summary = wait_for_text(&client, "[data-testid=compare-summary]", "paired").await;
    assert!(summary.contains("250 users paired"), "{summary}");
    let _ = std::fs::remove_file(&sent);

    client.close().await.expect("close the session");
}

/// The Server screen: a read-only check of the demo directory, then the Entra scenario played to
/// the end, cleaned up, and its report exported.
#[tokio::test(flavor = "multi_thread")]
async fn the_server_screen_checks_the_server_and_plays_the_entra_scenario() {
    let (_driver, client, owned) = open_app_on_owned_server("Checked").await;
    let everyone = |kind: &'static str| {
        let scim = &owned.scim;
        async move {
            let mut ids: Vec<String> = scim
                .list(
                    kind,
                    &ListParams {
                        count: Some(1000),
                        ..Default::default()
                    },
                )
                .await
                .expect("list")
                .value
                .resources
                .iter()
                .filter_map(|r| r.id_string())
                .collect();
            ids.sort();
            ids
        }
    };
    let (users_before, groups_before) = (everyone("Users").await, everyone("Groups").await);
    click(&client, "[data-section=server]").await;
    click(&client, "[data-testid=run-check]").await;
    let summary = wait_for_text(&client, "[data-testid=check-summary]", "pass").await;
    assert!(
        summary.contains("0 deviation"),
        "the demo's rfc profile deviates in nothing: {summary}"
    );
    let items = wait_for_text(&client, "[data-testid=check-items]", "Filter: eq").await;
    assert!(items.contains("userName is case-insensitive"), "{items}");
    save_screenshot(&client, "server-check.png").await;
    let check_base = std::env::temp_dir().join(format!("scimx-e2e-check-{}", std::process::id()));
    click(&client, "[data-testid=export-check]").await;
    // Typed without an extension: the Markdown report gets `.md`, its JSON lies beside it.
    answer_save_dialog(
        "Export the server check (Markdown, and JSON beside it)",
        &check_base,
        None,
    )
    .await;
    // The notice names the files, so a notice left from an earlier export cannot satisfy the wait.
    let check_json = check_base.with_extension("json");
    wait_for_text(&client, "main", &check_json.to_string_lossy()).await;
    let check_md =
        std::fs::read_to_string(check_base.with_extension("md")).expect("the check report");
    let _ = std::fs::remove_file(check_base.with_extension("md"));
    let _ = std::fs::remove_file(check_base.with_extension("json"));
    assert!(
        check_md.starts_with("# SCIM server check") && check_md.contains("0 deviations"),
        "{check_md}"
    );

    click(&client, "[data-testid=tab-scenarios]").await;
    wait_for_text(
        &client,
        "[data-testid=scenario-steps]",
        "Joiner: create the user",
    )
    .await;
    click(&client, "[data-testid=start-scenario]").await;
    click(&client, "[data-testid=confirm-start]").await;
    click(&client, "[data-testid=play-scenario]").await;
    let report = wait_for_text(
        &client,
        "[data-testid=scenario-report]",
        "Every step passed",
    )
    .await;
    let steps = wait_for_text(&client, "[data-testid=scenario-steps]", "Leaver: delete").await;
    assert!(steps.contains("PATCH") && steps.contains("✓"), "{steps}");
    click(&client, "[data-testid=cleanup-scenario]").await;
    wait_for_text(
        &client,
        "[data-testid=scenario-report]",
        "Every test resource was deleted",
    )
    .await;
    save_screenshot(&client, "scenario.png").await;

    let base = std::env::temp_dir().join(format!("scimx-e2e-scenario-{}", std::process::id()));
    click(&client, "[data-testid=export-scenario]").await;
    answer_save_dialog(
        "Export the scenario run (Markdown, and JSON beside it)",
        &base.with_extension("md"),
        None,
    )
    .await;
    let json_path = base.with_extension("json");
    wait_for_text(&client, "main", &json_path.to_string_lossy()).await;
    let md = std::fs::read_to_string(base.with_extension("md")).expect("the Markdown report");
    let json = std::fs::read_to_string(base.with_extension("json")).expect("the JSON report");
    let _ = std::fs::remove_file(base.with_extension("md"));
    let _ = std::fs::remove_file(base.with_extension("json"));
    assert!(
        md.contains("# Provisioning scenario: Entra ID: joiner, mover, leaver"),
        "{md}"
    );
    assert!(
        md.contains("every step passed") && md.contains("every test resource deleted"),
        "{report}\n{md}"
    );
    assert!(json.contains("\"finished\": true"), "{json}");

    // The server, read apart from the window: the scenario's resources existed (their ids are in
    // the report) and are gone, and the directory is as it was before the scenario.
    let run: Value = serde_json::from_str(&json).expect("the JSON report");
    let created: Vec<(String, String)> = run["ids"]
        .as_object()
        .expect("the report lists the ids it created")
        .iter()
        .map(|(name, id)| (name.clone(), id.as_str().unwrap_or_default().to_owned()))
        .collect();
    assert!(!created.is_empty(), "{json}");
    for (name, id) in &created {
        let kind = if name.starts_with("group:") {
            "Groups"
        } else {
            "Users"
        };
        let gone = owned
            .scim
            .get(kind, id)
            .await
            .expect_err("deleted by the cleanup");
        assert_eq!(gone.status(), Some(404), "{name} {id}: {gone}");
    }
    assert_eq!(
        everyone("Users").await,
        users_before,
        "no user left over or lost"
    );
    assert_eq!(
        everyone("Groups").await,
        groups_before,
        "no group left over or lost"
    );

    client.close().await.expect("close the session");
}

/// The daily loop in the real window: Ctrl+K, part of an email, Enter opens that user with their
/// access above the fold; Deactivate shows the outcome as a table, and the server has the change.
#[tokio::test(flavor = "multi_thread")]
async fn the_palette_finds_a_user_by_email_and_the_outcome_table_shows_the_deactivation() {
    let (_driver, client, owned) = open_app_on_owned_server("Daily").await;
    // Someone active, found by the local part of their email.
    let page = owned
        .scim
        .list(
            "Users",
            &ListParams {
                filter: Some("active eq true".into()),
                count: Some(5),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let user = page.value.resources[3].0.clone();
    let user_name = user["userName"].as_str().expect("userName").to_owned();
    let email = user["emails"][0]["value"]
        .as_str()
        .expect("an email")
        .to_owned();
    let part = email.split('@').next().unwrap_or(&email).to_owned();
    let body = client.find(Locator::Css("body")).await.expect("body");
    body.send_keys("\u{E009}k\u{E000}").await.expect("Ctrl+K");
    wait_for_text(&client, "[data-testid=command-palette]", "").await;
    type_into(&client, "[data-testid=command-palette] input", &part).await;
    wait_for_text(
        &client,
        "[data-testid=command-palette] [role=option]",
        &user_name,
    )
    .await;
    save_screenshot(&client, "palette-find.png").await;
    type_into(&client, "[data-testid=command-palette] input", "\u{E007}").await;
    wait_for_text(&client, "[data-testid=detail-username]", &user_name).await;
    // Access comes first, visible without scrolling the pane.
    let fold = client
        .execute(
            "const h = [...document.querySelectorAll('[data-testid=detail-pane] h3')]; \
             const groups = h.find(x => /^groups/i.test(x.textContent.trim())); \
             return { first: h[0]?.textContent ?? '', visible: !!groups && groups.getBoundingClientRect().bottom < window.innerHeight };",
            vec![],
        )
        .await
        .expect("headings");
    assert!(
        fold["visible"].as_bool() == Some(true),
        "groups below the fold: {fold}"
    );
    assert!(
        fold["first"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("group"),
        "access first: {fold}"
    );
    save_screenshot(&client, "daily-user.png").await;
    click(&client, "[data-testid=toggle-active]").await;
    wait_for_text(&client, "[data-testid=predicted-diff]", "active").await;
    click(&client, "[data-testid=review-request]").await;
    click(&client, "[data-testid=send-request]").await;
    let table = wait_for_text(&client, "[data-testid=actual-diff]", "Server").await;
    assert!(
        table.contains("Predicted") && table.contains("active"),
        "{table}"
    );
    save_screenshot(&client, "daily-outcome.png").await;
    let after = owned.find("Users", "userName", &user_name).await;
    assert_eq!(after["active"], false, "the server has the change");
    client.close().await.expect("close the session");
}

/// SCIM Tap in the real window: a tap in front of the open connection, requests pushed through it
/// by a client of the test, seen live with their words, one opened, the capture exported as HAR.
#[tokio::test(flavor = "multi_thread")]
async fn the_tap_screen_shows_an_idps_requests_live_and_exports_them() {
    let (_driver, client, _owned) = open_app_on_owned_server("Tapped").await;
    click(&client, "[data-section=tap]").await;
    wait_for_text(
        &client,
        "main",
        "See what an identity provider really sends",
    )
    .await;
    replace_text(&client, "[data-testid=tap-listen]", "127.0.0.1:0").await;
    click(&client, "[data-testid=tap-start]").await;
    let url = wait_for_text(&client, "[data-testid=tap-url]", "http://127.0.0.1:").await;
    let url = url.trim().to_owned();
    // The IdP: its own token passes through to the application, which checks it.
    let idp = ScimClient::new(ClientConfig::new(
        &url,
        Auth::Bearer(Secret::new("e2e-owned-token-7c1d")),
    ))
    .expect("a client of the tap");
    let created = idp
        .create(
            "Users",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "tapped.e2e@example.com", "active": true}),
        )
        .await
        .expect("create through the tap");
    let id = created.body.expect("a body")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    idp.delete("Users", &id, None)
        .await
        .expect("delete through the tap");
    let table = wait_for_text(
        &client,
        "[data-testid=tap-table]",
        "delete user tapped.e2e@example.com",
    )
    .await;
    assert!(
        table.contains("create user tapped.e2e@example.com"),
        "{table}"
    );
    click(
        &client,
        "[data-testid=tap-table] tbody tr[data-seq='1'] td:nth-child(3)",
    )
    .await;
    let detail = wait_for_text(&client, "[data-testid=tap-detail]", "POST 201").await;
    assert!(
        !detail.contains("e2e-owned-token-7c1d"),
        "the token is masked: {detail}"
    );
    save_screenshot(&client, "tap-live.png").await;
    let har = std::env::temp_dir().join(format!("scimx-e2e-tap-{}.har", std::process::id()));
    click(&client, "[data-testid=tap-export-har]").await;
    answer_save_dialog("Export the capture", &har, None).await;
    wait_for_text(&client, "main", &har.to_string_lossy()).await;
    let text = std::fs::read_to_string(&har).expect("the HAR");
    let _ = std::fs::remove_file(&har);
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["log"]["version"], "1.2");
    assert_eq!(
        doc["log"]["entries"].as_array().map(Vec::len),
        Some(2),
        "{text}"
    );
    assert!(
        !text.contains("e2e-owned-token-7c1d"),
        "the token reached the HAR"
    );
    click(&client, "[data-testid=tap-stop]").await;
    wait_for_text(&client, "[data-testid=tap-controls]", "Start tap").await;
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .expect("a port");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens after Stop"
    );
    client.close().await.expect("close the session");
}

/// Finds and clicks `css`, again if the element was replaced in between (virtual tables re-render
/// their rows as data arrives, which makes a found row stale a moment later).
async fn click(client: &Client, css: &str) {
    let mut last = String::new();
    for _ in 0..30 {
        match client.find(Locator::Css(css)).await {
            Ok(el) => match el.click().await {
                Ok(()) => return,
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("click {css}: {last}");
}

/// Answers the system's Save dialog titled `title` — the real GTK dialog the click opened — as a
/// person would: its name field holds the suggested name, which is replaced by the whole `path`,
/// and Enter saves. A picture of the screen with the dialog on it goes to `target/e2e/<shot>`.
async fn answer_save_dialog(title: &str, path: &std::path::Path, shot: Option<&str>) {
    answer_file_dialog(title, path, shot, true).await;
}

/// Answers a Save (`save`) or Open dialog titled `title` with `path`: typed whole (in an Open
/// dialog a leading `/` opens GTK's location field), then Enter.
async fn answer_file_dialog(title: &str, path: &std::path::Path, shot: Option<&str>, save: bool) {
    let xdotool = |args: &[&str]| {
        std::process::Command::new("xdotool")
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("xdotool (make system-deps installs it): {e}"))
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let window = loop {
        // xdotool matches a regular expression: the title is matched literally.
        let literal: String = title
            .chars()
            .flat_map(|c| {
                let special = "\\^$.|?*+()[]{}".contains(c);
                special.then_some('\\').into_iter().chain([c])
            })
            .collect();
        let found = xdotool(&["search", "--onlyvisible", "--name", &format!("^{literal}$")]);
        let ids = String::from_utf8_lossy(&found.stdout).trim().to_owned();
        if let Some(id) = ids.lines().next().filter(|id| !id.is_empty()) {
            break id.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no dialog titled {title:?} appeared"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    xdotool(&["windowfocus", "--sync", &window]);
    // GTK fills the name field and selects it once the dialog has mapped.
    tokio::time::sleep(Duration::from_millis(700)).await;
    if let Some(shot) = shot {
        let dir = target_dir().join("e2e");
        std::fs::create_dir_all(&dir).expect("target/e2e");
        let _ = std::process::Command::new("import")
            .args(["-window", "root"])
            .arg(dir.join(shot))
            .status();
    }
    if save {
        xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    }
    xdotool(&["type", "--delay", "10", &path.to_string_lossy()]);
    xdotool(&["key", "--clearmodifiers", "Return"]);
}

/// Replaces the text of the field `css` with `text`.
async fn replace_text(client: &Client, css: &str, text: &str) {
    let field = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.expect("clear");
    field
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Filters the users to the active ones whose userName starts with `prefix` and opens the first.
async fn open_first_active_user(client: &Client, prefix: &str) {
    type_into(
        client,
        "[data-testid=filter-input]",
        &format!("active eq true and userName sw \"{prefix}\"\u{E007}"),
    )
    .await;
    wait_for_text(client, "[data-testid=users-count]", "matching the filter").await;
    // Wait for the filtered rows (all active) before picking the first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    click(
        client,
        "[data-testid=users-table] tbody tr[data-row] td:nth-child(1)",
    )
    .await;
}

async fn type_into(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// The keychain part of the product, end to end: a connection added in the window with a token is
/// usable after the app restarts, because the token came back from the OS keychain (a private
/// gnome-keyring that `make e2e` starts).
#[tokio::test(flavor = "multi_thread")]
async fn a_connection_added_in_the_window_works_after_a_restart() {
    let server = scim_demo_server::DemoServer::start(scim_demo_server::DemoConfig {
        token: Some("e2e-token-51f0".into()),
        seed: scim_demo_server::SeedOptions {
            users: 42,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .expect("a token-protected SCIM server");
    let profile = std::env::temp_dir().join(format!("scimx-e2e-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);

    // First run: add the connection and open it.
    {
        let (_driver, client) =
            connect(TauriDriver::start_in(&profile).expect("tauri-driver")).await;
        wait_for_text(&client, "[data-testid=users-count]", "250 users").await;
        click(&client, "[data-testid=connection-name]").await;
        click(&client, "[data-testid=add-connection]").await;
        type_into(&client, "[data-testid=conn-name]", "Staging").await;
        type_into(&client, "[data-testid=conn-url]", &server.base_url).await;
        type_into(&client, "[data-testid=conn-token]", "e2e-token-51f0").await;
        click(&client, "[data-testid=conn-save]").await;
        let report = wait_for_text(&client, "[data-testid=test-report]", "Connected").await;
        assert!(report.contains("PATCH"), "{report}");
        save_screenshot(&client, "connection-added.png").await;
        click(&client, "[data-testid=open-saved]").await;
        wait_for_text(&client, "[data-testid=connection-name]", "Staging").await;
        wait_for_text(&client, "[data-testid=users-count]", "42 users").await;
        client.close().await.expect("close the first run");
    }
    let saved = std::fs::read_to_string(profile.join("config/scim-explorer/connections.json"))
        .expect("connections file");
    assert!(
        saved.contains("Staging") && !saved.contains("e2e-token-51f0"),
        "saved without the token: {saved}"
    );

    // Second run: the same user restarts the app and opens the saved connection.
    {
        let (_driver, client) =
            connect(TauriDriver::start_in(&profile).expect("tauri-driver")).await;
        wait_for_text(&client, "[data-testid=users-count]", "250 users").await;
        click(&client, "[data-testid=connection-name]").await;
        click(&client, "[data-connection=Staging]").await;
        wait_for_text(&client, "[data-testid=connection-name]", "Staging").await;
        wait_for_text(&client, "[data-testid=users-count]", "42 users").await;
        save_screenshot(&client, "connection-after-restart.png").await;
        client.close().await.expect("close the second run");
    }
    let _ = std::fs::remove_dir_all(&profile);
}
