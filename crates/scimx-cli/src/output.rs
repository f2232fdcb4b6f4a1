//! Output formats of `scimx`: aligned tables for people, CSV (RFC 4180) and JSON for scripts.

use serde_json::Value;

/// Columns for a resource listing: header and how to read the cell.
pub struct Column {
    pub header: &'static str,
    pub read: fn(&Value) -> String,
}

/// A top-level attribute, found in any case (SCIM names are case-insensitive).
fn attr<'a>(r: &'a Value, name: &str) -> Option<&'a Value> {
    scim_core::names::get_ci(r.as_object()?, name)
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub fn user_columns() -> Vec<Column> {
    vec![
        Column {
            header: "id",
            read: |r| text(attr(r, "id")),
        },
        Column {
            header: "userName",
            read: |r| text(attr(r, "userName")),
        },
        Column {
            header: "displayName",
            read: |r| text(attr(r, "displayName")),
        },
        Column {
            header: "active",
            read: |r| text(attr(r, "active")),
        },
        Column {
            header: "email",
            read: |r| {
                scim_core::resource::emails_in(r)
                    .first()
                    .map(|e| (*e).to_owned())
                    .unwrap_or_default()
            },
        },
        Column {
            header: "externalId",
            read: |r| text(attr(r, "externalId")),
        },
    ]
}

/// The top-level attributes [`user_columns`] read.
pub const USER_ATTRIBUTES: &[&str] = &[
    "id",
    "userName",
    "displayName",
    "active",
    "emails",
    "externalId",
];

/// The top-level attributes [`group_columns`] read.
pub const GROUP_ATTRIBUTES: &[&str] = &["id", "displayName", "members", "externalId"];

pub fn group_columns() -> Vec<Column> {
    vec![
        Column {
            header: "id",
            read: |r| text(attr(r, "id")),
        },
        Column {
            header: "displayName",
            read: |r| text(attr(r, "displayName")),
        },
        Column {
            header: "members",
            read: |r| match attr(r, "members") {
                Some(Value::Array(m)) => m.len().to_string(),
                _ => String::new(),
            },
        },
        Column {
            header: "externalId",
            read: |r| text(attr(r, "externalId")),
        },
    ]
}

pub use scim_services::export::csv_field;

/// One CSV record (RFC 4180, CRLF-terminated), each cell quoted as needed and made safe to open in
/// a spreadsheet.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_field(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// An aligned text table of `rows` under the columns' headers.
pub fn table_of(columns: &[Column], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
                .max(c.header.len())
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = line(columns.iter().map(|c| c.header).collect());
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_what_rfc_4180_requires() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn a_user_is_one_csv_record_of_the_columns() {
        let user = json!({"id": "1", "userName": "a,b", "active": true, "emails": [{"value": "x@y"}, {"value": "p@y", "primary": true}]});
        let cells: Vec<String> = user_columns().iter().map(|c| (c.read)(&user)).collect();
        assert_eq!(csv_line(&cells), "1,\"a,b\",,true,p@y,\r\n");
    }

    #[test]
    fn attribute_names_are_read_in_any_case() {
        let user = json!({"ID": "7", "UserName": "u", "Active": false});
        let cells: Vec<String> = user_columns().iter().map(|c| (c.read)(&user)).collect();
        assert_eq!(cells[..4], ["7", "u", "", "false"]);
    }

    #[test]
    fn the_columns_read_only_what_the_listing_parses() {
        // Every column must find its attribute in the projected copy the listing builds.
        let user = json!({"id": "1", "userName": "u", "displayName": "U", "active": false, "emails": [{"value": "e@x"}], "externalId": "x1", "title": "t"});
        let raw = serde_json::value::to_raw_value(&user).expect("raw");
        let projected = scim_core::raw_list::raw_only(&raw, USER_ATTRIBUTES);
        for c in user_columns() {
            assert_eq!((c.read)(&projected), (c.read)(&user), "{}", c.header);
        }
    }
}
