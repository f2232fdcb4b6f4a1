//! Replay: a capture turned into steps to send again to another server (staging, the demo server,
//! another tenant) — the recorded requests in order, each expecting the recorded status and the
//! recorded resulting resource; ids the new server assigns replace the recorded ones in every later
//! path and body. Step by step or to the end, with expected against actual, and a cleanup of what
//! the replay created.

use std::collections::HashMap;

use scim_client::forward::{ForwardAuth, ForwardRequest};
use scim_client::{Method, ScimClient};
use serde::Serialize;
use serde_json::Value;

use crate::capture::TapExchange;
use crate::har::split_base;

/// One recorded request to send again.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayStep {
    pub method: String,
    /// After the base path (`/Users/42?x`), with the recorded ids.
    pub path: String,
    pub body: Option<String>,
    pub expected_status: u16,
    /// The resource the recorded answer held, when it held one.
    pub expected_resource: Option<Value>,
    pub words: Vec<String>,
}

/// What a replayed step did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepOutcome {
    pub index: usize,
    pub method: String,
    /// As sent (ids rewritten).
    pub path: String,
    pub expected_status: u16,
    pub actual_status: Option<u16>,
    /// Attributes whose values differ from the recorded resource (server-owned ones aside).
    pub differences: Vec<String>,
    pub error: Option<String>,
}

impl StepOutcome {
    pub fn passed(&self) -> bool {
        self.error.is_none()
            && self.actual_status == Some(self.expected_status)
            && self.differences.is_empty()
    }
}

/// A replay in progress.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
    pub steps: Vec<ReplayStep>,
    pub outcomes: Vec<StepOutcome>,
    /// Recorded id → the id the new server gave.
    pub ids: HashMap<String, String>,
    /// Resources the replay created (`Users/…`), deleted by [`Replay::cleanup`].
    pub created: Vec<(String, String)>,
    pub leftovers: Vec<String>,
    /// Recorded exchanges not replayed (refused by the tap, discovery, unreadable), and why.
    pub skipped: Vec<String>,
}

/// Server-owned attributes: not compared.
const SERVER_OWNED: &[&str] = &["id", "meta", "schemas"];

fn resource_of(body: Option<&str>) -> Option<Value> {
    let v: Value = serde_json::from_str(body?).ok()?;
    (v.get("id").is_some()).then_some(v)
}

impl Replay {
    /// The steps of a capture: every forwarded request on a resource endpoint, in order.
    pub fn plan(exchanges: &[TapExchange]) -> Self {
        let mut steps = Vec::new();
        let mut skipped = Vec::new();
        for e in exchanges {
            let (_, relative) = split_base(&e.path);
            let what = format!("{} {}", e.method, e.path);
            let Some(status) = e.status.filter(|_| e.error.is_none()) else {
                skipped.push(format!(
                    "{what}: not forwarded ({})",
                    e.error.as_deref().unwrap_or("no answer")
                ));
                continue;
            };
            let endpoint = relative
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("");
            if ["ServiceProviderConfig", "ResourceTypes", "Schemas", ""]
                .iter()
                .any(|d| d.eq_ignore_ascii_case(endpoint))
            {
                skipped.push(format!("{what}: discovery, not replayed"));
                continue;
            }
            if e.request_body
                .as_deref()
                .is_some_and(|b| b.contains("••••••") || b.ends_with(" bytes in all)"))
            {
                skipped.push(format!("{what}: its body was masked or cut when recorded, so it cannot be sent again as it was"));
                continue;
            }
            let path = match &e.query {
                Some(q) => format!("{relative}?{q}"),
                None => relative.to_owned(),
            };
            steps.push(ReplayStep {
                method: e.method.clone(),
                path,
                body: e.request_body.clone(),
                expected_status: status,
                expected_resource: resource_of(e.response_body.as_deref()),
                words: e.words.clone(),
            });
        }
        Self {
            steps,
            outcomes: Vec::new(),
            ids: HashMap::new(),
            created: Vec::new(),
            leftovers: Vec::new(),
            skipped,
        }
    }

    pub fn finished(&self) -> bool {
        self.outcomes.len() >= self.steps.len()
    }

    pub fn passed(&self) -> bool {
        self.finished() && self.outcomes.iter().all(StepOutcome::passed)
    }

    /// `text` with every recorded id the new server replaced, in one pass: a new id that equals
    /// another recorded one (servers that count up) is never replaced again.
    fn rewrite(&self, text: &str) -> String {
        let mut ids: Vec<(&String, &String)> =
            self.ids.iter().filter(|(o, _)| !o.is_empty()).collect();
        // Longest first, so an id that is a prefix of another never cuts it.
        ids.sort_by_key(|(old, _)| std::cmp::Reverse(old.len()));
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        'scan: while !rest.is_empty() {
            for (old, new) in &ids {
                if let Some(after) = rest.strip_prefix(old.as_str()) {
                    out.push_str(new);
                    rest = after;
                    continue 'scan;
                }
            }
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    /// Sends the next step to `target` (its base path, its secret).
    pub async fn step(&mut self, target: &ScimClient) {
        let index = self.outcomes.len();
        let Some(step) = self.steps.get(index).cloned() else {
            return;
        };
        let base = target.base_url().to_owned();
        let base_path = base
            .split_once("://")
            .and_then(|(_, rest)| {
                rest.find('/')
                    .map(|i| rest[i..].trim_end_matches('/').to_owned())
            })
            .unwrap_or_default();
        let path = self.rewrite(&step.path);
        let body = step.body.as_deref().map(|b| self.rewrite(b));
        let request = ForwardRequest {
            method: Method::from_bytes(step.method.as_bytes()).unwrap_or(Method::GET),
            path_and_query: format!("{base_path}{path}"),
            headers: vec![
                ("content-type".into(), b"application/scim+json".to_vec()),
                (
                    "accept".into(),
                    b"application/scim+json, application/json".to_vec(),
                ),
            ],
            body: bytes::Bytes::from(body.unwrap_or_default()),
            auth: ForwardAuth::Connection,
        };
        let mut outcome = StepOutcome {
            index,
            method: step.method.clone(),
            path: path.clone(),
            expected_status: step.expected_status,
            actual_status: None,
            differences: Vec::new(),
            error: None,
        };
        match target.forward(request).await {
            Ok(answer) => {
                outcome.actual_status = Some(answer.status);
                let actual = resource_of(std::str::from_utf8(&answer.body).ok());
                if let (Some(expected), Some(actual)) = (&step.expected_resource, &actual) {
                    if let (Some(old), Some(new)) = (expected["id"].as_str(), actual["id"].as_str())
                    {
                        if old != new && !self.ids.contains_key(old) {
                            self.ids.insert(old.to_owned(), new.to_owned());
                        }
                    }
                    let expected: Value =
                        serde_json::from_str(&self.rewrite(&expected.to_string()))
                            .unwrap_or(Value::Null);
                    outcome.differences = differences(&expected, actual);
                } else if step.expected_resource.is_some() && (200..300).contains(&answer.status) {
                    outcome
                        .differences
                        .push("the recorded answer held a resource; this one none".into());
                }
                if step.method.eq_ignore_ascii_case("POST") && answer.status == 201 {
                    if let Some(id) = actual.as_ref().and_then(|a| a["id"].as_str()) {
                        let endpoint = path
                            .trim_start_matches('/')
                            .split(['/', '?'])
                            .next()
                            .unwrap_or("")
                            .to_owned();
                        self.created.push((endpoint, id.to_owned()));
                    }
                }
                if step.method.eq_ignore_ascii_case("DELETE") && answer.status < 300 {
                    let target_path = path.trim_start_matches('/').to_owned();
                    self.created
                        .retain(|(e, id)| format!("{e}/{id}") != target_path);
                }
            }
            Err(e) => outcome.error = Some(e.to_string()),
        }
        self.outcomes.push(outcome);
    }

    /// Every remaining step.
    pub async fn run_all(&mut self, target: &ScimClient) {
        while !self.finished() {
            self.step(target).await;
        }
    }

    /// Deletes what the replay created and did not delete itself; says what could not be.
    pub async fn cleanup(&mut self, target: &ScimClient) {
        for (endpoint, id) in std::mem::take(&mut self.created).into_iter().rev() {
            match target.delete(&endpoint, &id, None).await {
                Ok(()) | Err(scim_client::ClientError::Http { status: 404, .. }) => {}
                Err(e) => self.leftovers.push(format!("{endpoint}/{id}: {e}")),
            }
        }
    }

    /// The replay as Markdown: each step, expected against actual.
    pub fn to_markdown(&self) -> String {
        let passed = self.outcomes.iter().filter(|o| o.passed()).count();
        let mut out = format!(
            "# Replay of a SCIM Tap capture\n\n- Steps: {} ({} replayed, {passed} as recorded)\n- Not replayed: {}\n\n| # | Request | Expected | Actual | Differences |\n|---|---|---|---|---|\n",
            self.steps.len(),
            self.outcomes.len(),
            self.skipped.len()
        );
        for o in &self.outcomes {
            out.push_str(&format!(
                "| {} | {} {} | {} | {} | {} |\n",
                o.index + 1,
                o.method,
                o.path.replace('|', "\\|"),
                o.expected_status,
                o.actual_status
                    .map_or_else(|| o.error.clone().unwrap_or_default(), |s| s.to_string()),
                o.differences.join("; ").replace('|', "\\|")
            ));
        }
        for s in &self.skipped {
            out.push_str(&format!("\n- not replayed: {s}"));
        }
        for l in &self.leftovers {
            out.push_str(&format!("\n- left behind: {l}"));
        }
        out
    }
}

/// The top-level attributes whose values differ (server-owned ones, and `$ref`s inside, aside).
fn differences(expected: &Value, actual: &Value) -> Vec<String> {
    let strip = |v: &Value| -> Value {
        let mut v = v.clone();
        strip_refs(&mut v);
        v
    };
    let (Some(e), Some(a)) = (expected.as_object(), actual.as_object()) else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = e.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !SERVER_OWNED.iter().any(|s| s.eq_ignore_ascii_case(k)))
        .filter(|k| e.get(*k).map(strip) != a.get(*k).map(strip))
        .map(|k| match (e.get(k), a.get(k)) {
            (Some(x), Some(y)) => format!("{k}: recorded {x}, now {y}"),
            (Some(x), None) => format!("{k}: recorded {x}, now absent"),
            (None, Some(y)) => format!("{k}: not recorded, now {y}"),
            (None, None) => k.clone(),
        })
        .collect()
}

/// Removes `$ref` (absolute URLs of the server that answered) everywhere.
fn strip_refs(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.remove("$ref");
            o.values_mut().for_each(strip_refs);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_refs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_rewritten_in_one_pass_so_a_chain_of_ids_never_compounds() {
        let mut replay = Replay::plan(&[]);
        replay.ids.insert("u-1".into(), "u-2".into());
        replay.ids.insert("u-2".into(), "u-3".into());
        replay.ids.insert("u-10".into(), "x".into());
        assert_eq!(
            replay.rewrite("/Users/u-1 members u-2 u-10 ü"),
            "/Users/u-2 members u-3 x ü"
        );
    }

    #[test]
    fn differences_ignore_what_the_server_owns() {
        let recorded = serde_json::json!({"id": "1", "meta": {"created": "a"}, "userName": "ana", "members": [{"value": "u", "$ref": "http://a/Users/u"}]});
        let now = serde_json::json!({"id": "2", "meta": {"created": "b"}, "userName": "ana", "members": [{"value": "u", "$ref": "http://b/Users/u"}]});
        assert!(differences(&recorded, &now).is_empty());
        let changed = serde_json::json!({"id": "2", "userName": "Ana", "title": "x"});
        assert_eq!(
            differences(&recorded, &changed).len(),
            3,
            "userName, members, title"
        );
    }
}
