//! The connections file, its secrets and sharing, against a temporary folder and an in-memory keychain.

use super::*;
use crate::secrets::MemoryStore;

fn store() -> (tempfile::TempDir, Connections) {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = Connections::new(dir.path(), Arc::new(MemoryStore::default()));
    (dir, c)
}

#[test]
fn view_settings_survive_a_rename_and_an_edit_and_travel_in_an_export() {
    let (_d, c) = store();
    let saved = c
        .add(
            Connection::bearer("Stage", "https://stage.example/scim"),
            None,
        )
        .expect("add");
    let rules = vec![crate::roles::RoleRule {
        category: "Access".into(),
        kind: crate::roles::RuleKind::Prefix,
        pattern: "Access:".into(),
    }];
    let view = ViewSettings {
        role_rules: Some(rules.clone()),
        user_columns: Some(vec!["userName".into()]),
        ..ViewSettings::default()
    };
    c.save_view(&saved.id, view.clone()).expect("save");
    c.rename("Stage", "Stage EU").expect("rename");
    assert_eq!(c.view("Stage EU").expect("view"), view);
    // The form sends no view settings: an edit keeps them.
    let mut edited = c.find("Stage EU").unwrap();
    edited.view = ViewSettings::default();
    edited.read_only = true;
    c.update(edited).expect("edit");
    assert_eq!(c.view("Stage EU").unwrap().rules(), rules);
    let (_d2, other) = store();
    other.import(&c.export().unwrap()).expect("import");
    assert_eq!(other.view("Stage EU").unwrap(), view);
    // A rule that cannot be applied is refused before it is saved.
    let broken = ViewSettings {
        role_rules: Some(vec![crate::roles::RoleRule {
            category: "Bad".into(),
            kind: crate::roles::RuleKind::Regex,
            pattern: "(".into(),
        }]),
        ..ViewSettings::default()
    };
    assert!(c.save_view(&saved.id, broken).is_err());
    assert_eq!(c.view("Stage EU").unwrap(), view, "nothing lost");
}

#[test]
fn an_imported_view_no_screen_could_have_saved_is_dropped_and_the_connection_kept() {
    let (_d, c) = store();
    let text = serde_json::json!({
        "version": 1,
        "connections": [{
            "id": "shared", "name": "Shared", "baseUrl": "https://shared.example/scim",
            "auth": {"kind": "bearer"},
            "view": {"roleRules": [{"category": "Bad", "kind": "regex", "pattern": "("}],
                     "userColumns": ["userName"]}
        }]
    })
    .to_string();
    assert_eq!(c.import(&text).unwrap(), vec!["Shared".to_owned()]);
    assert_eq!(c.view("Shared").unwrap(), ViewSettings::default());
}

#[test]
fn a_connection_is_saved_without_its_secret() {
    let (_d, c) = store();
    let saved = c
        .add(
            Connection::bearer("Netdata Prod", "https://app.netdata.cloud/api/v2/scim/"),
            Some(Secret::new("tok-1234567890")),
        )
        .expect("add");
    assert_eq!(saved.id, "netdata-prod");
    assert_eq!(saved.base_url, "https://app.netdata.cloud/api/v2/scim");
    let text = std::fs::read_to_string(c.path()).expect("file");
    assert!(text.contains("\"version\": 1") && text.contains("Netdata Prod"));
    assert!(!text.contains("tok-1234567890"));
    assert_eq!(
        c.secret_store()
            .get("netdata-prod/token")
            .expect("get")
            .map(|s| s.expose().to_owned()),
        Some("tok-1234567890".into())
    );
}

#[test]
fn names_are_unique_and_inputs_validated() {
    let (_d, c) = store();
    c.add(
        Connection::bearer("Staging", "https://s.example/scim"),
        None,
    )
    .expect("add");
    assert!(c
        .add(
            Connection::bearer("staging", "https://s.example/scim"),
            None
        )
        .expect_err("duplicate")
        .message
        .contains("already exists"));
    assert!(c
        .add(Connection::bearer("X", "ftp://nope"), None)
        .expect_err("bad url")
        .message
        .contains("https://"));
    let mut colored = Connection::bearer("Y", "https://y.example");
    colored.color = Some("red".into());
    assert!(c
        .add(colored, None)
        .expect_err("bad colour")
        .message
        .contains("#1e88e5"));
}

#[test]
fn a_corrupt_file_is_reported_and_left_untouched() {
    let (_d, c) = store();
    std::fs::create_dir_all(c.path().parent().expect("dir")).expect("dir");
    std::fs::write(c.path(), "{ not json").expect("write");
    let err = c
        .add(Connection::bearer("A", "https://a.example"), None)
        .expect_err("corrupt");
    assert_eq!(err.kind, ErrorKind::Storage);
    assert!(err.message.contains("left untouched"));
    assert_eq!(
        std::fs::read_to_string(c.path()).expect("read"),
        "{ not json"
    );
}

#[test]
fn a_newer_file_is_not_overwritten() {
    let (_d, c) = store();
    std::fs::create_dir_all(c.path().parent().expect("dir")).expect("dir");
    std::fs::write(c.path(), r#"{"version": 9, "connections": []}"#).expect("write");
    let err = c.list().expect_err("newer");
    assert!(
        err.message.contains("newer SCIM Explorer"),
        "{}",
        err.message
    );
}

#[test]
fn removing_a_connection_deletes_its_secret_and_rotation_replaces_it() {
    let (_d, c) = store();
    c.add(
        Connection::bearer("Demo", "https://d.example"),
        Some(Secret::new("old")),
    )
    .expect("add");
    c.rotate("demo", &Secret::new("new")).expect("rotate");
    assert_eq!(
        c.secret_store()
            .get("demo/token")
            .expect("get")
            .map(|s| s.expose().to_owned()),
        Some("new".into())
    );
    c.remove("Demo").expect("remove");
    assert!(c.list().expect("list").is_empty());
    assert!(c.secret_store().get("demo/token").expect("get").is_none());
}

#[test]
fn proxy_credentials_go_to_the_keychain_and_urls_with_credentials_are_refused() {
    let (dir, c) = store();
    let mut conn = Connection::bearer("Corp", "https://scim.example/v2");
    conn.proxy = Some("http://bob:s3cret-PROXY@proxy.example:3128".into());
    let saved = c.add(conn, Some(Secret::new("tok"))).expect("add");
    assert_eq!(saved.proxy.as_deref(), Some("http://proxy.example:3128"));
    assert_eq!(saved.proxy_user.as_deref(), Some("bob"));
    let file = std::fs::read_to_string(dir.path().join("connections.json")).expect("file");
    assert!(!file.contains("s3cret-PROXY"), "{file}");
    assert_eq!(
        c.secret_store()
            .get(&proxy_account(&saved.id))
            .expect("store")
            .map(|s| s.expose().to_owned()),
        Some("s3cret-PROXY".to_owned())
    );
    let client = c.client("Corp").expect("client");
    assert!(client.config().proxy_auth.is_some());
    let e = c
        .add(
            Connection::bearer("Inline", "https://u:p@scim.example/v2"),
            None,
        )
        .expect_err("credentials in the URL");
    assert!(e.message.contains("user name or password"), "{}", e.message);
    let mut oauth = Connection::bearer("OAuth", "https://scim.example/v2");
    oauth.auth = AuthKind::OAuth2 {
        token_url: "http://idp.example/token".into(),
        client_id: "c".into(),
        scope: None,
    };
    let e = c.add(oauth, None).expect_err("plain http token URL");
    assert!(e.message.contains("must use https"), "{}", e.message);
}

#[test]
fn an_import_that_weakens_security_needs_a_confirmation() {
    let (_d, a) = store();
    let mut risky = Connection::bearer("Lab", "https://lab.example");
    risky.accept_invalid_certs = true;
    risky.proxy = Some("http://proxy.example:3128".into());
    a.add(risky, None).expect("add");
    a.add(Connection::bearer("Prod", "https://p.example"), None)
        .expect("add");
    let exported = a.export().expect("export");
    let (_d2, b) = store();
    let e = b.import(&exported).expect_err("refused");
    assert!(
        e.message.contains("accepts invalid certificates"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("proxy http://proxy.example:3128"),
        "{}",
        e.message
    );
    assert!(b.list().expect("list").is_empty(), "nothing imported");
    let asked = b.import_with(&exported, false).expect("ask");
    assert_eq!(asked.needs_confirmation.len(), 2);
    assert!(asked.added.is_empty());
    let done = b.import_with(&exported, true).expect("confirmed");
    assert_eq!(done.added, vec!["Lab".to_owned(), "Prod".to_owned()]);
    assert!(b.find("Lab").expect("lab").accept_invalid_certs);
}

#[test]
fn export_and_import_carry_no_secret() {
    let (_d, a) = store();
    a.add(
        Connection::bearer("Prod", "https://p.example"),
        Some(Secret::new("SECRET-prod-token")),
    )
    .expect("add");
    let exported = a.export().expect("export");
    assert!(!exported.contains("SECRET-prod-token"));
    let (_d2, b) = store();
    assert_eq!(
        b.import(&exported).expect("import"),
        vec!["Prod".to_owned()]
    );
    assert!(b
        .client("Prod")
        .expect_err("no token yet")
        .message
        .contains("Replace token"));
}
