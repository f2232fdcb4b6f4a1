//! Presentation mode, applied where the app serves data: while it is on, every row, detail, JSON
//! document, log entry and report cell leaves Rust masked by [`crate::masking`], so the UI has
//! nothing to mask (and nothing unmasked to leak in a screen share). Ids and keys are never masked:
//! the screens still select, open and page by them.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::masking::{mask_cell, mask_json, mask_text};

/// The switch, shared by every command of the app.
#[derive(Debug, Default)]
pub struct Presentation(AtomicBool);

impl Presentation {
    pub fn set(&self, on: bool) {
        self.0.store(on, Ordering::Relaxed);
    }

    pub fn on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `value` as it may be shown now: masked while presenting.
    pub fn apply<T: Present>(&self, mut value: T) -> T {
        if self.on() {
            value.mask();
        }
        value
    }
}

/// A value the app serves, which knows which of its parts name people.
pub trait Present {
    fn mask(&mut self);
}

impl<T: Present> Present for Vec<T> {
    fn mask(&mut self) {
        self.iter_mut().for_each(Present::mask);
    }
}

impl<T: Present> Present for Option<T> {
    fn mask(&mut self) {
        if let Some(v) = self {
            v.mask();
        }
    }
}

fn json_opt(s: &mut Option<String>) {
    if let Some(t) = s {
        *t = mask_json(t);
    }
}

fn text_opt(s: &mut Option<String>) {
    if let Some(t) = s {
        *t = mask_text(t);
    }
}

/// A table window and the columns its cells are in (the query's).
#[derive(Debug)]
pub struct Rows<'a>(pub crate::table::RowsWindow, pub &'a [String]);

impl Present for Rows<'_> {
    fn mask(&mut self) {
        for row in &mut self.0.rows {
            for (cell, column) in row.cells.iter_mut().zip(self.1) {
                if let Some(v) = cell {
                    *v = mask_cell(column, v);
                }
            }
        }
    }
}

impl Present for crate::directory::ResourceDetail {
    fn mask(&mut self) {
        self.label = mask_cell("displayName", &self.label);
        self.json = mask_json(&self.json);
        // The formatted view read again from the masked document: the same rules, nothing missed.
        if let Ok(masked) = serde_json::from_str(&self.json) {
            self.sections = crate::resource_view::sections(&self.endpoint, &masked);
        }
        for m in self.members.iter_mut().flatten() {
            *m = mask_cell("displayName", m);
        }
        for m in &mut self.missing_members {
            *m = mask_cell("displayName", m);
        }
        // A user's key (an email, a userName, the IdP's id) is theirs alone.
        if let Some(v) = self.identity.as_mut().and_then(|i| i.value.as_mut()) {
            *v = scim_base::masking::mask_words(v);
        }
    }
}

impl Present for crate::members::MembersWindow {
    fn mask(&mut self) {
        for m in &mut self.rows {
            if m.kind != crate::members::MemberKind::Group {
                m.label = mask_cell("displayName", &m.label);
            }
        }
    }
}

impl Present for crate::roles::MatrixWindow {
    fn mask(&mut self) {
        for r in &mut self.rows {
            r.user_name = mask_cell("userName", &r.user_name);
            if let Some(d) = &mut r.display_name {
                *d = mask_cell("displayName", d);
            }
        }
    }
}

impl Present for crate::request_log::LogEntry {
    fn mask(&mut self) {
        self.url = mask_text(&self.url);
        json_opt(&mut self.request_body);
        json_opt(&mut self.response_body);
        text_opt(&mut self.error);
        self.curl = mask_text(&self.curl);
    }
}

impl Present for crate::find::FoundResource {
    fn mask(&mut self) {
        self.label = mask_cell("userName", &self.label);
        text_opt(&mut self.detail);
    }
}

impl Present for crate::tap::TapRow {
    fn mask(&mut self) {
        self.path = mask_text(&self.path);
        text_opt(&mut self.query);
        json_opt(&mut self.request_body);
        json_opt(&mut self.response_body);
        text_opt(&mut self.error);
        for w in &mut self.words {
            *w = mask_text(w);
        }
    }
}

impl Present for crate::tap::ReplayView {
    fn mask(&mut self) {
        for step in &mut self.done {
            step.path = mask_text(&step.path);
            for w in step.words.iter_mut().chain(step.differences.iter_mut()) {
                *w = mask_text(w);
            }
        }
        self.markdown = mask_text(&self.markdown);
    }
}

impl Present for crate::change_log::ChangeRow {
    fn mask(&mut self) {
        self.label = mask_cell("userName", &self.label);
        self.summary = mask_text(&self.summary);
        self.json = mask_json(&self.json);
    }
}

impl Present for crate::writes::FieldDiff {
    fn mask(&mut self) {
        // The attribute the path starts with says whether the value is personal.
        let root = self
            .path
            .split(['.', '['])
            .next()
            .unwrap_or(&self.path)
            .to_owned();
        for v in [&mut self.before, &mut self.after].into_iter().flatten() {
            *v = mask_json_or_cell(&root, v);
        }
    }
}

/// A value shown as JSON text (`"Ana"`, `{"value": …}`) or as plain text.
fn mask_json_or_cell(column: &str, v: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(v) {
        Ok(mut parsed) if !parsed.is_string() => {
            crate::masking::mask_value(&mut parsed, crate::masking::is_sensitive(column));
            serde_json::to_string(&parsed).unwrap_or_default()
        }
        Ok(serde_json::Value::String(s)) => {
            serde_json::to_string(&mask_cell(column, &s)).unwrap_or_default()
        }
        _ => mask_cell(column, v),
    }
}

impl Present for crate::writes::PlannedRequest {
    fn mask(&mut self) {
        self.url = mask_text(&self.url);
        if !self.body.is_empty() {
            self.body = mask_json(&self.body);
        }
    }
}

impl Present for crate::writes::WritePreview {
    fn mask(&mut self) {
        self.label = mask_cell("userName", &self.label);
        self.requests.mask();
        self.before = mask_json(&self.before);
        json_opt(&mut self.predicted);
        self.changes.mask();
    }
}

impl Present for crate::writes::WriteOutcome {
    fn mask(&mut self) {
        self.label = mask_cell("userName", &self.label);
        for r in &mut self.responses {
            r.url = mask_text(&r.url);
            json_opt(&mut r.body);
        }
        json_opt(&mut self.after);
        self.actual.mask();
        self.mismatches.mask();
    }
}

impl Present for crate::writes::CreateOutcome {
    fn mask(&mut self) {
        match self {
            crate::writes::CreateOutcome::Created { outcome } => outcome.mask(),
            crate::writes::CreateOutcome::Conflict { message, .. } => *message = mask_text(message),
        }
    }
}

impl Present for crate::writes::BatchOutcome {
    fn mask(&mut self) {
        self.requests.mask();
        for i in &mut self.items {
            i.label = mask_cell("userName", &i.label);
            i.actual.mask();
            i.mismatches.mask();
        }
    }
}

impl Present for crate::writes::UndoPreview {
    fn mask(&mut self) {
        self.label = mask_cell("userName", &self.label);
        self.requests.mask();
    }
}

impl Present for crate::compare::DiffWindow {
    fn mask(&mut self) {
        for l in &mut self.lines {
            if let Some(person) = &mut l.person {
                let hidden = mask_cell("userName", person);
                l.narration = l.narration.replace(person.as_str(), &hidden);
                if l.category == scim_audit::compare::DiffCategory::User {
                    l.label = hidden.clone();
                }
                *person = hidden;
            }
            l.narration = mask_text(&l.narration);
        }
    }
}

impl Present for crate::compare::LineDetail {
    fn mask(&mut self) {
        self.narration = mask_text(&self.narration);
        json_opt(&mut self.a);
        json_opt(&mut self.b);
        self.fields.mask();
    }
}

/// A window of report rows and the report's columns.
#[derive(Debug)]
pub struct ReportCells<'a>(pub crate::reports::ReportRows, pub &'a [String]);

impl Present for ReportCells<'_> {
    fn mask(&mut self) {
        for row in &mut self.0.rows {
            for (cell, column) in row.iter_mut().zip(self.1) {
                *cell = mask_cell(column, cell);
            }
        }
    }
}

impl Present for crate::server_check::ProbeExchange {
    fn mask(&mut self) {
        self.url = mask_text(&self.url);
        json_opt(&mut self.request_body);
        json_opt(&mut self.response_body);
    }
}

impl Present for crate::server_check::CheckReport {
    fn mask(&mut self) {
        for i in &mut self.items {
            i.detail = mask_text(&i.detail);
            i.exchanges.mask();
        }
    }
}

impl Present for crate::scenarios::RunState {
    fn mask(&mut self) {
        for s in &mut self.steps {
            s.exchanges.mask();
            json_opt(&mut s.resource);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{RowsWindow, TableRow};

    #[test]
    fn served_values_are_masked_only_while_presenting_and_ids_never() {
        let window = RowsWindow {
            total: 1,
            matched: 1,
            offset: 0,
            rows: vec![TableRow {
                id: "2819c223-7f76-453a-919d-413861904646".into(),
                cells: vec![
                    Some("ana@example.com".into()),
                    Some("Field engineer".into()),
                ],
            }],
        };
        let columns = vec!["userName".to_owned(), "title".to_owned()];
        let p = Presentation::default();
        let Rows(plain, _) = p.apply(Rows(window.clone(), &columns));
        assert_eq!(plain, window, "off: untouched");
        p.set(true);
        let Rows(masked, _) = p.apply(Rows(window.clone(), &columns));
        assert_eq!(masked.rows[0].id, window.rows[0].id, "ids stay usable");
        assert_eq!(
            masked.rows[0].cells,
            vec![Some("a•••@e•••.com".into()), Some("Field engineer".into())]
        );
        let mut diff = crate::writes::FieldDiff {
            path: "name.givenName".into(),
            before: Some("\"Ana\"".into()),
            after: Some("\"Anna\"".into()),
        };
        diff.mask();
        let json = r#"{"id":"u1","userName":"ana@example.com","phoneNumbers":[{"value":"+34 600 111 222"}]}"#;
        let mut detail = crate::directory::ResourceDetail {
            id: "u1".into(),
            label: "ana@example.com".into(),
            json: json.into(),
            etag: None,
            groups: vec![],
            groups_computed: false,
            missing_members: vec![],
            undeclared: vec![],
            members: None,
            endpoint: "Users".into(),
            sections: crate::resource_view::sections("Users", &serde_json::from_str(json).unwrap()),
            identity: Some(crate::directory::IdentityLine {
                key: scim_core::identity::SsoKey::Email,
                value: Some("ana@example.com".into()),
                meaning: String::new(),
                why: String::new(),
            }),
        };
        detail.mask();
        assert!(
            !format!("{:?}", detail.identity).contains("ana@"),
            "the sign-on key is masked: {:?}",
            detail.identity
        );
        let shown = format!("{:?}", detail.sections);
        assert!(
            !shown.contains("ana@") && !shown.contains("600 111"),
            "the formatted view is masked like the JSON: {shown}"
        );
        assert_eq!(detail.id, "u1");
        assert_eq!(
            (diff.before.as_deref(), diff.after.as_deref()),
            (Some("\"A•••\""), Some("\"A•••\""))
        );
    }
}
