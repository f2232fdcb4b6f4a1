//! Secrets masked in what a write shows (previews, outcomes, undo previews): the one place that
//! decides how a password typed into a PATCH appears on screen — as `********`, never as itself.

use scim_core::secrets::SecretAttributes;
use serde_json::Value;

use crate::change_log::MASK;
use crate::writes::{
    BatchOutcome, CreateOutcome, ExchangeResult, FieldDiff, PlannedRequest, UndoPreview,
    WriteOutcome, WritePreview,
};

/// Implemented by everything a write hands to a screen.
pub trait MaskSecrets {
    fn mask_secrets(&mut self, secrets: &SecretAttributes);
}

/// Pretty JSON text with its secrets masked; text that is not JSON is left as it is.
fn mask_json_text(text: &mut String, secrets: &SecretAttributes) {
    if let Ok(mut v) = serde_json::from_str::<Value>(text) {
        let before = v.clone();
        secrets.mask(&mut v, MASK);
        if v != before {
            *text = serde_json::to_string_pretty(&v).unwrap_or_default();
        }
    }
}

fn mask_diffs(diffs: &mut [FieldDiff], secrets: &SecretAttributes) {
    for d in diffs.iter_mut().filter(|d| secrets.is_secret_path(&d.path)) {
        for side in [&mut d.before, &mut d.after].into_iter().flatten() {
            *side = format!("\"{MASK}\"");
        }
    }
}

/// A server never returns a secret (`returned: never`), so its absence after a write is expected,
/// not a deviation from the prediction.
pub fn without_secret_mismatches(
    diffs: Vec<FieldDiff>,
    secrets: &SecretAttributes,
) -> Vec<FieldDiff> {
    diffs
        .into_iter()
        .filter(|d| !secrets.is_secret_path(&d.path))
        .collect()
}

fn mask_requests(requests: &mut [PlannedRequest], secrets: &SecretAttributes) {
    for r in requests {
        mask_json_text(&mut r.body, secrets);
    }
}

fn mask_responses(responses: &mut [ExchangeResult], secrets: &SecretAttributes) {
    for body in responses.iter_mut().filter_map(|r| r.body.as_mut()) {
        mask_json_text(body, secrets);
    }
}

impl MaskSecrets for WritePreview {
    fn mask_secrets(&mut self, secrets: &SecretAttributes) {
        mask_requests(&mut self.requests, secrets);
        mask_json_text(&mut self.before, secrets);
        if let Some(p) = self.predicted.as_mut() {
            mask_json_text(p, secrets);
        }
        mask_diffs(&mut self.changes, secrets);
    }
}

impl MaskSecrets for WriteOutcome {
    fn mask_secrets(&mut self, secrets: &SecretAttributes) {
        mask_responses(&mut self.responses, secrets);
        if let Some(a) = self.after.as_mut() {
            mask_json_text(a, secrets);
        }
        mask_diffs(&mut self.actual, secrets);
        self.mismatches = without_secret_mismatches(std::mem::take(&mut self.mismatches), secrets);
    }
}

impl MaskSecrets for CreateOutcome {
    fn mask_secrets(&mut self, secrets: &SecretAttributes) {
        if let CreateOutcome::Created { outcome } = self {
            outcome.mask_secrets(secrets);
        }
    }
}

impl MaskSecrets for BatchOutcome {
    fn mask_secrets(&mut self, secrets: &SecretAttributes) {
        mask_requests(&mut self.requests, secrets);
        for item in &mut self.items {
            mask_diffs(&mut item.actual, secrets);
            item.mismatches =
                without_secret_mismatches(std::mem::take(&mut item.mismatches), secrets);
        }
    }
}

impl MaskSecrets for UndoPreview {
    fn mask_secrets(&mut self, secrets: &SecretAttributes) {
        mask_requests(&mut self.requests, secrets);
    }
}
