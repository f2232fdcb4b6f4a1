//! `make bench`: the protocol core against its floor, as ratios from one run.
//!
//! - Directory diff of two 100k-user / 2k-group snapshots (5% of users changed, memberships moved)
//!   versus parsing both snapshots with serde_json: the diff should cost at most twice the parse.
//! - Filter evaluation over 100k users versus parsing those users.
//!
//! Prints a Markdown table on stdout (the Makefile writes it into docs/BENCHMARKS.md).

use std::hint::black_box;
use std::time::{Duration, Instant};

use scim_core::diff::{diff_directories, Directory, MatchKey};
use scim_core::filter::{evaluate, parse_filter, EvalOptions};
use serde_json::{json, Value};

const USERS: usize = 100_000;
const GROUPS: usize = 2_000;
const CHANGED_PERCENT: usize = 5;
const RUNS: usize = 3;
const DEPARTMENTS: [&str; 4] = ["Operations", "Sales", "Finance", "IT"];

fn user(i: usize, generation: u32) -> Value {
    let given = ["Ana", "Ben", "Carl", "Dana", "Eve", "Femi", "Gus", "Hana"][i % 8];
    let family = [
        "Diaz", "Okafor", "Ruiz", "Lee", "Novak", "Adeyemi", "Berg", "Sato",
    ][(i / 8) % 8];
    let title = if generation == 0 {
        "Field engineer"
    } else {
        "Senior field engineer"
    };
    let user_name = format!(
        "{}.{}{}@example.com",
        given.to_lowercase(),
        family.to_lowercase(),
        i
    );
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "id": format!("{i:08x}-7f76-453a-919d-413861904646"),
        "externalId": format!("00u{i:010}"),
        "userName": user_name,
        "name": {"givenName": given, "familyName": family, "formatted": format!("{given} {family}")},
        "displayName": format!("{given} {family}"),
        "title": title,
        "userType": "Employee",
        "active": !i.is_multiple_of(17),
        "emails": [{"value": user_name, "type": "work", "primary": true}],
        "phoneNumbers": [{"value": format!("+1 555 {:04}", i % 10_000), "type": "work"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": format!("{i}"), "department": DEPARTMENTS[i % 4],
            "manager": {"value": format!("{:08x}-7f76-453a-919d-413861904646", i / 10)}
        },
        "meta": {"resourceType": "User", "created": "2024-01-23T04:56:22Z", "lastModified": format!("2025-0{}-13T04:42:34Z", 1 + generation), "version": format!("W/\"{i}-{generation}\"")}
    })
}

fn group(g: usize, members: &[usize]) -> Value {
    let kind = if g.is_multiple_of(2) {
        "Profile"
    } else {
        "Project"
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": format!("g{g:06}"),
        "displayName": format!("{kind}: Group {g}"),
        "members": members.iter().map(|&i| json!({"value": format!("{i:08x}-7f76-453a-919d-413861904646", ), "type": "User"})).collect::<Vec<_>>(),
        "meta": {"resourceType": "Group"}
    })
}

/// Snapshot text as JSON lines, the way snapshots are stored.
fn snapshot(changed: bool) -> (String, String) {
    let mut users = String::new();
    for i in 0..USERS {
        // Side B: 5% of users changed; the first 0.5% removed and as many new ones added.
        let removed = changed && i < USERS / 200;
        if removed {
            continue;
        }
        let generation = u32::from(changed && i % (100 / CHANGED_PERCENT) == 0);
        users.push_str(&user(i, generation).to_string());
        users.push('\n');
    }
    if changed {
        for i in USERS..USERS + USERS / 200 {
            users.push_str(&user(i, 0).to_string());
            users.push('\n');
        }
    }
    let mut groups = String::new();
    for g in 0..GROUPS {
        // Each user is in 3 groups; on side B every 10th group gains and loses a few members.
        let mut members: Vec<usize> = (0..USERS)
            .filter(|i| i % GROUPS == g || (i * 7) % GROUPS == g || (i * 13) % GROUPS == g)
            .collect();
        if changed && g % 10 == 0 {
            members.retain(|i| i % 3 != 0);
            members.extend((0..5).map(|k| (g * 31 + k) % USERS));
        }
        groups.push_str(&group(g, &members).to_string());
        groups.push('\n');
    }
    (users, groups)
}

fn parse_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = black_box(f());
        best = best.min(start.elapsed());
        last = Some(out);
    }
    (best, last.expect("RUNS > 0"))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    eprintln!("generating two snapshots of {USERS} users and {GROUPS} groups…");
    let (users_a, groups_a) = snapshot(false);
    let (users_b, groups_b) = snapshot(true);
    let bytes = users_a.len() + groups_a.len() + users_b.len() + groups_b.len();

    let (parse_time, parsed) = best(|| {
        (
            parse_lines(&users_a),
            parse_lines(&groups_a),
            parse_lines(&users_b),
            parse_lines(&groups_b),
        )
    });
    let (ua, ga, ub, gb) = &parsed;
    let (diff_time, diff) = best(|| {
        diff_directories(
            &Directory {
                users: ua,
                groups: ga,
            },
            &Directory {
                users: ub,
                groups: gb,
            },
            MatchKey::Id,
        )
    });
    eprintln!(
        "diff: {} users changed/added/removed, {} groups, {} membership changes",
        diff.users.len(),
        diff.groups.len(),
        diff.memberships.len()
    );

    let filter = parse_filter(r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"] and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales""#).expect("filter");
    let (parse_users_time, _) = best(|| parse_lines(&users_a));
    let (eval_time, matched) = best(|| {
        ua.iter()
            .filter(|u| evaluate(&filter, u, &EvalOptions::default()).unwrap_or(false))
            .count()
    });
    eprintln!("filter matched {matched} users");

    let diff_ratio = diff_time.as_secs_f64() / parse_time.as_secs_f64();
    let eval_ratio = eval_time.as_secs_f64() / parse_users_time.as_secs_f64();
    println!("| Benchmark | Ours | Floor (serde_json parse) | Ratio | Target |");
    println!("|---|---|---|---|---|");
    println!(
        "| Directory diff, 2 × ({USERS} users + {GROUPS} groups), {CHANGED_PERCENT}% changed, {} MB of JSON lines ({} changes narrated) | {} | {} (parse both snapshots) | **{:.2}** | ≤ 2 |",
        bytes / 1_000_000,
        diff.users.len() + diff.groups.len() + diff.memberships.len(),
        ms(diff_time),
        ms(parse_time),
        diff_ratio
    );
    println!(
        "| Filter evaluation over {USERS} users (3 conditions, a value path, an extension attribute; {matched} matches) | {} ({:.0} ns/user) | {} (parse those users) | **{:.2}** | — |",
        ms(eval_time),
        eval_time.as_secs_f64() * 1e9 / USERS as f64,
        ms(parse_users_time),
        eval_ratio
    );
}
