//! Filters: the RFC 7644 §3.4.2.2 examples parse, print canonically and evaluate as the RFC says;
//! bad filters get messages that say what and where.

use scim_core::filter::{attr, evaluate, parse_filter, CompareOp, EvalOptions, Filter};

use crate::fixture;

#[test]
fn rfc_examples_parse_print_and_evaluate() {
    let user = fixture("rfc7643/8.3-enterprise-user.json");
    let cases = fixture("rfc7644/3.4.2.2-filters.json");
    for case in cases.as_array().expect("cases") {
        let text = case["filter"].as_str().expect("filter");
        let parsed = parse_filter(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            parsed.to_string(),
            case["canonical"].as_str().expect("canonical"),
            "canonical form of {text}"
        );
        assert_eq!(
            parse_filter(&parsed.to_string()).expect("reparse"),
            parsed,
            "reparse of {text}"
        );
        let matched = evaluate(&parsed, &user, &EvalOptions::default())
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            matched,
            case["matchesEnterpriseUser"].as_bool().expect("bool"),
            "evaluation of {text}"
        );
    }
}

#[test]
fn and_binds_tighter_than_or() {
    let f = parse_filter(r#"a eq 1 or b eq 2 and c eq 3"#).expect("parse");
    assert!(matches!(f, Filter::Or { ref right, .. } if matches!(**right, Filter::And { .. })));
}

#[test]
fn keywords_are_case_insensitive() {
    let f = parse_filter(r#"userName EQ "a" AND NOT (title PR) Or active Eq TRUE"#).expect("parse");
    assert_eq!(
        f.to_string(),
        r#"userName eq "a" and not (title pr) or active eq true"#
    );
}

#[test]
fn string_escapes_round_trip() {
    let f = parse_filter(r#"displayName eq "say \"hi\" \\ \u00e9""#).expect("parse");
    let Filter::Compare { value, .. } = &f else {
        panic!("compare")
    };
    assert_eq!(value.to_string(), r#""say \"hi\" \\ é""#);
    assert_eq!(parse_filter(&f.to_string()).expect("reparse"), f);
}

#[test]
fn missing_operator_names_the_attribute_and_column() {
    let err = parse_filter(r#"userName "ana""#).expect_err("invalid");
    assert!(
        err.message.starts_with("expected a comparison operator"),
        "{err}"
    );
    assert!(err.message.contains("`userName`"), "{err}");
    assert_eq!(err.column, 10);
    assert_eq!((err.span.start, err.span.end), (9, 14));
}

#[test]
fn unknown_operator_is_named() {
    let err = parse_filter(r#"userName equals "ana""#).expect_err("invalid");
    assert!(
        err.to_string()
            .contains("`equals` is not a comparison operator"),
        "{err}"
    );
}

#[test]
fn unquoted_value_suggests_quotes() {
    let err = parse_filter("userName eq ana").expect_err("invalid");
    assert!(err.message.contains("quote it: \"ana\""), "{err}");
    assert_eq!(err.column, 13);
}

#[test]
fn unclosed_parenthesis_points_at_it() {
    let err = parse_filter(r#"(userName eq "a""#).expect_err("invalid");
    assert_eq!(err.message, "this `(` is never closed");
    assert_eq!(err.column, 1);
}

#[test]
fn unterminated_string_is_reported() {
    let err = parse_filter(r#"userName eq "ana"#).expect_err("invalid");
    assert!(err.message.contains("never closed"), "{err}");
    assert_eq!(err.column, 13);
}

#[test]
fn nested_value_filters_are_rejected() {
    let err = parse_filter(r#"emails[type[value eq "x"]]"#).expect_err("invalid");
    assert!(err.message.contains("cannot contain another"), "{err}");
}

#[test]
fn trailing_garbage_is_reported() {
    let err = parse_filter(r#"userName eq "a" title pr"#).expect_err("invalid");
    assert!(
        err.message.contains("expected `and`, `or` or the end"),
        "{err}"
    );
    assert_eq!(err.column, 17);
}

#[test]
fn single_quotes_get_a_specific_message() {
    let err = parse_filter("userName eq 'ana'").expect_err("invalid");
    assert!(err.message.contains("double quotes"), "{err}");
}

#[test]
fn empty_filter_is_an_error() {
    assert_eq!(
        parse_filter("   ").expect_err("empty").message,
        "the filter is empty"
    );
}

#[test]
fn ordering_on_booleans_is_an_invalid_filter() {
    let f = parse_filter("active gt true").expect("parses");
    let err = evaluate(
        &f,
        &serde_json::json!({"active": true}),
        &EvalOptions::default(),
    )
    .expect_err("invalid");
    assert!(err.0.contains("cannot order booleans"));
}

#[test]
fn case_exact_attributes_compare_exactly() {
    let r = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "externalId": "ABC", "userName": "Ana"});
    let eval = |text: &str| {
        evaluate(
            &parse_filter(text).expect("parse"),
            &r,
            &EvalOptions::default(),
        )
        .expect("eval")
    };
    assert!(!eval(r#"externalId eq "abc""#));
    assert!(eval(r#"externalId eq "ABC""#));
    assert!(eval(r#"userName eq "ANA""#));
}

#[test]
fn numbers_compare_numerically() {
    let r = serde_json::json!({"age": 9});
    let f = parse_filter("age lt 10").expect("parse");
    assert!(evaluate(&f, &r, &EvalOptions::default()).expect("eval"));
}

#[test]
fn null_means_unassigned() {
    let r = serde_json::json!({"title": null});
    let eval = |text: &str| {
        evaluate(
            &parse_filter(text).expect("parse"),
            &r,
            &EvalOptions::default(),
        )
        .expect("eval")
    };
    assert!(eval("title eq null"));
    assert!(eval("nickName eq null"));
    assert!(!eval("title pr"));
}

#[test]
fn builder_output_matches_parsed_text() {
    let built = attr("userName")
        .eq("ana")
        .and(attr("emails").matching(attr("type").eq("work")))
        .or(attr("active").op(CompareOp::Eq, false).not());
    let parsed =
        parse_filter(r#"userName eq "ana" and emails[type eq "work"] or not (active eq false)"#)
            .expect("parse");
    assert_eq!(built, parsed);
}

#[test]
fn builder_understands_urn_paths() {
    let built =
        attr("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value").pr();
    assert_eq!(
        built.to_string(),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr"
    );
    let Filter::Present { attr } = built else {
        panic!("present")
    };
    assert_eq!(attr.sub.as_deref(), Some("value"));
}

/// A filter or path typed or pasted by a user (or read from a file) is bounded in length, nesting
/// and chain length, so a 100 kB one gets a message instead of overflowing the stack.
#[test]
fn huge_and_deep_filters_are_refused_with_a_message() {
    use scim_core::filter::{MAX_NESTING, MAX_SOURCE_BYTES, MAX_TERMS};
    use scim_core::patch::parse_path;
    let long = format!("userName eq \"{}\"", "a".repeat(100_000));
    let e = parse_filter(&long).expect_err("too long");
    assert!(e.message.contains("at most 16384"), "{}", e.message);
    assert!(parse_path(&format!("x{}", "a".repeat(MAX_SOURCE_BYTES))).is_err());
    // Within the length, but nested deeper than the parser, evaluator and printer may recurse.
    let deep = format!("{}userName pr{}", "not (".repeat(3000), ")".repeat(3000));
    let e = parse_filter(&deep[..MAX_SOURCE_BYTES.min(deep.len())]).expect_err("too deep");
    assert!(e.message.contains("nest more than 32"), "{}", e.message);
    let nested_ok = format!(
        "{}userName pr{}",
        "(".repeat(MAX_NESTING),
        ")".repeat(MAX_NESTING)
    );
    let parsed = parse_filter(&nested_ok).expect("at the limit");
    assert_eq!(parsed.to_string(), "userName pr");
    // A chain of `or`s is a tree as deep as the chain.
    let chain = vec!["a pr"; MAX_TERMS + 1].join(" or ");
    let e = parse_filter(&chain).expect_err("too many terms");
    assert!(
        e.message.contains("more than 1000 comparisons"),
        "{}",
        e.message
    );
    let chain = vec!["a pr"; MAX_TERMS].join(" or ");
    let f = parse_filter(&chain).expect("at the limit");
    let user = serde_json::json!({"a": "x"});
    assert_eq!(evaluate(&f, &user, &EvalOptions::default()), Ok(true));
    assert!(parse_path(&format!("emails[{}]", ["(".repeat(40)].join(""))).is_err());
}
