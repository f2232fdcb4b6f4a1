//! The report's own rules: quirks, counts, saving and loading.

use super::*;

fn item(id: &str, outcome: Outcome) -> CheckItem {
    CheckItem {
        id: id.into(),
        group: "writes".into(),
        title: id.into(),
        outcome,
        detail: String::new(),
        assumption: None,
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

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn a_sort_is_judged_both_ways_and_against_what_was_seen() {
    use super::read::sort_verdict;
    let up = names(&["ana", "Ben", "carl"]);
    let down = names(&["zoe", "yan", "xu"]);
    let seen = names(&["carl", "ana"]);
    assert_eq!(sort_verdict(&up, &down, &[], &seen, true).0, Outcome::Pass);
    assert_eq!(sort_verdict(&up, &down, &[], &seen, false).0, Outcome::Note);
    // Descending answered in ascending order: the list is the server's own order.
    let (outcome, detail) = sort_verdict(&up, &up, &[], &seen, true);
    assert_eq!(outcome, Outcome::Deviation, "{detail}");
    assert!(detail.contains("descending"), "{detail}");
    assert_eq!(
        sort_verdict(&up, &up, &[], &seen, false).0,
        Outcome::Unsupported
    );
    // A seen user sorts before the first page: each page sorted on its own.
    let (outcome, detail) =
        sort_verdict(&names(&["bob", "cy"]), &down, &[], &names(&["abe"]), true);
    assert_eq!(outcome, Outcome::Deviation);
    assert!(detail.contains("`abe`"), "{detail}");
    // The second page starts before the first ended: each page sorted on its own.
    let (outcome, detail) = sort_verdict(&up, &down, &names(&["abe", "zed"]), &[], true);
    assert_eq!(outcome, Outcome::Deviation);
    assert!(detail.contains("second sorted page"), "{detail}");
    assert_eq!(
        sort_verdict(&up, &down, &names(&["dan"]), &[], true).0,
        Outcome::Pass
    );
    // Unsorted.
    let (outcome, detail) = sort_verdict(&names(&["bob", "abe"]), &down, &[], &seen, true);
    assert_eq!(outcome, Outcome::Deviation);
    assert!(detail.contains("`bob` before `abe`"), "{detail}");
    // A case-sensitive or locale collation is a note, not "unsorted".
    let (outcome, detail) = sort_verdict(
        &names(&["Zed", "ann"]),
        &names(&["ann", "Zed"]),
        &[],
        &[],
        true,
    );
    assert_eq!(outcome, Outcome::Deviation, "{detail}");
    assert!(detail.contains("case-sensitively"), "{detail}");
    let (outcome, _) = sort_verdict(
        &names(&["émile", "eve"]),
        &names(&["zoe", "eve"]),
        &[],
        &[],
        true,
    );
    assert_eq!(outcome, Outcome::Note);
    // Too few users to show an order.
    assert_eq!(
        sort_verdict(&names(&["a", "A"]), &names(&["a"]), &[], &[], true).0,
        Outcome::Note
    );
}
