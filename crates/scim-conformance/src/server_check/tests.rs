//! The report's own rules: quirks, counts, saving and loading.

use super::*;

fn item(id: &str, outcome: Outcome) -> CheckItem {
    CheckItem {
        id: id.into(),
        group: "writes".into(),
        title: id.into(),
        outcome,
        detail: String::new(),
        exchanges: Vec::new(),
    }
}

#[test]
fn quirks_come_from_what_the_check_found() {
    let mut report = CheckReport {
        base_url: "http://x".into(),
        ran_at: "t".into(),
        writes: true,
        items: vec![
            item("groups.remove", Outcome::Deviation),
            item("groups.remove.valueList", Outcome::Note),
            item("patch.response", Outcome::Pass),
        ],
        leftovers: Vec::new(),
        quirks: ServerQuirks::default(),
    };
    assert_eq!(
        report.quirks(),
        ServerQuirks {
            remove_members_by_value_list: true,
            patch_unsupported: false
        }
    );
    report.items[2].outcome = Outcome::Unsupported;
    assert!(report.quirks().patch_unsupported);
    assert_eq!(report.deviations().count(), 1);
    let md = report.to_markdown();
    assert!(md.contains("| groups.remove | Deviation |"), "{md}");
}

#[test]
fn a_saved_report_round_trips_and_lives_under_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved_path(dir.path(), "Demo directory");
    assert!(path.ends_with("checks/demo-directory.json"));
    let report = CheckReport {
        base_url: "http://x".into(),
        ran_at: "t".into(),
        writes: false,
        items: vec![item("filter.eq", Outcome::Pass)],
        leftovers: Vec::new(),
        quirks: ServerQuirks::default(),
    };
    save(&path, &report).unwrap();
    assert_eq!(load(&path), Some(report));
}
