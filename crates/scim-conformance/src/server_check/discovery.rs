//! What discovery says: the documents the server serves and the capabilities it declares.

use super::*;

impl Checker<'_> {
    pub(super) fn discovery_items(&mut self) {
        let d = self.discovery;
        let (outcome, detail) = if d.config_declared {
            (Outcome::Pass, "ServiceProviderConfig read".to_owned())
        } else {
            (
                Outcome::Deviation,
                "ServiceProviderConfig could not be read: capabilities are guesses".to_owned(),
            )
        };
        self.record(
            "discovery.config",
            "discovery",
            "ServiceProviderConfig",
            outcome,
            detail,
        );
        let warnings: Vec<String> = d.warnings.iter().map(|w| w.message.clone()).collect();
        let outcome = if warnings.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Deviation
        };
        self.record(
            "discovery.documents",
            "discovery",
            "Discovery documents (ResourceTypes, Schemas)",
            outcome,
            if warnings.is_empty() {
                format!(
                    "{} resource types, {} schemas",
                    d.resource_types.len(),
                    d.schemas.schemas.len()
                )
            } else {
                warnings.join("; ")
            },
        );
        if !self.has_groups() {
            self.record(
                "discovery.groups",
                "discovery",
                "Groups endpoint",
                Outcome::Unsupported,
                "No Group resource type is declared",
            );
        }
    }
}
