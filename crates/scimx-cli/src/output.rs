//! Output formats of `scimx`: aligned tables for people, CSV (RFC 4180) and JSON for scripts.

use serde_json::Value;

/// Columns for a resource listing: header and how to read the cell.
pub struct Column {
    pub header: &'static str,
    pub read: fn(&Value) -> String,
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
            read: |r| text(r.get("id")),
        },
        Column {
            header: "userName",
            read: |r| text(r.get("userName")),
        },
        Column {
            header: "displayName",
            read: |r| text(r.get("displayName")),
        },
        Column {
            header: "active",
            read: |r| text(r.get("active")),
        },
        Column {
            header: "email",
            read: |r| {
                scim_core::Resource::new(r.clone())
                    .emails()
                    .first()
                    .map(|e| (*e).to_owned())
                    .unwrap_or_default()
            },
        },
        Column {
            header: "externalId",
            read: |r| text(r.get("externalId")),
        },
    ]
}

pub fn group_columns() -> Vec<Column> {
    vec![
        Column {
            header: "id",
            read: |r| text(r.get("id")),
        },
        Column {
            header: "displayName",
            read: |r| text(r.get("displayName")),
        },
        Column {
            header: "members",
            read: |r| match r.get("members") {
                Some(Value::Array(m)) => m.len().to_string(),
                _ => String::new(),
            },
        },
        Column {
            header: "externalId",
            read: |r| text(r.get("externalId")),
        },
    ]
}

pub use scim_services::export::csv_field;

pub fn csv(resources: &[Value], columns: &[Column]) -> String {
    let mut out = String::new();
    out.push_str(
        &columns
            .iter()
            .map(|c| csv_field(c.header))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    for r in resources {
        out.push_str(
            &columns
                .iter()
                .map(|c| csv_field(&(c.read)(r)))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

pub fn table(resources: &[Value], columns: &[Column]) -> String {
    let rows: Vec<Vec<String>> = resources
        .iter()
        .map(|r| columns.iter().map(|c| (c.read)(r)).collect())
        .collect();
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
    for row in &rows {
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
    fn csv_has_a_header_then_one_row_per_resource() {
        let out = csv(
            &[json!({"id": "1", "userName": "a,b", "active": true})],
            &user_columns(),
        );
        assert_eq!(
            out,
            "id,userName,displayName,active,email,externalId\r\n1,\"a,b\",,true,,\r\n"
        );
    }
}
