//! Discovery (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas` turned into what
//! the rest of the app relies on. A missing or broken endpoint yields conservative defaults and a
//! warning, never a failed connection.

use scim_core::messages::{ListResponse, ResourceType, ServiceProviderConfig};
use scim_core::schema::{Schema, SchemaRegistry};
use scim_core::Warning;

use crate::client::ScimClient;
use crate::error::ClientError;

/// What a server declares about itself, with the deviations noticed while reading it.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub config: ServiceProviderConfig,
    /// False when `/ServiceProviderConfig` could not be read (capabilities are then guesses).
    pub config_declared: bool,
    pub resource_types: Vec<ResourceType>,
    pub schemas: SchemaRegistry,
    pub warnings: Vec<Warning>,
}

impl ScimClient {
    /// Reads the three discovery endpoints. Fails only on authentication errors (401/403), which
    /// every later request would hit too; anything else degrades to defaults with a warning.
    pub async fn discover(&self) -> Result<Discovery, ClientError> {
        let mut warnings = Vec::new();
        let note = |what: &str, e: &ClientError, warnings: &mut Vec<Warning>| {
            warnings.push(Warning::new(
                "discovery.unavailable",
                format!("{what} could not be read ({e}); conservative defaults are used"),
            ));
        };
        let auth_failure = |e: &ClientError| matches!(e.status(), Some(401 | 403));

        let (config, config_declared) = match self.get_json(&["ServiceProviderConfig"]).await {
            Ok(r) => match r.body.as_ref().map(ServiceProviderConfig::from_json) {
                Some(Ok(t)) => {
                    warnings.extend(t.warnings);
                    (t.value, true)
                }
                Some(Err(e)) => {
                    warnings.push(Warning::new(
                        "discovery.badConfig",
                        format!("/ServiceProviderConfig is malformed: {e}"),
                    ));
                    (ServiceProviderConfig::default(), false)
                }
                None => (ServiceProviderConfig::default(), false),
            },
            Err(e) if auth_failure(&e) => return Err(e),
            Err(e) => {
                note("/ServiceProviderConfig", &e, &mut warnings);
                (
                    ServiceProviderConfig {
                        index_paging: true,
                        filter: true,
                        ..Default::default()
                    },
                    false,
                )
            }
        };

        let mut resource_types = Vec::new();
        match self.get_json(&["ResourceTypes"]).await {
            Ok(r) => {
                if let Some(Ok(list)) = r.body.as_ref().map(ListResponse::from_json) {
                    warnings.extend(
                        list.warnings.into_iter().map(|w| {
                            Warning::new(w.code, format!("/ResourceTypes: {}", w.message))
                        }),
                    );
                    for item in list.value.resources {
                        match ResourceType::from_json(&item.0) {
                            Ok(mut rt) => {
                                // One form everywhere: `/Groups`, whatever the server wrote.
                                let endpoint = scim_core::messages::relative_endpoint(
                                    &rt.name,
                                    &rt.endpoint,
                                    self.base_url(),
                                );
                                warnings.extend(endpoint.warnings);
                                rt.endpoint = endpoint.value;
                                resource_types.push(rt);
                            }
                            Err(e) => warnings.push(Warning::new("discovery.badResourceType", e)),
                        }
                    }
                }
            }
            Err(e) if auth_failure(&e) => return Err(e),
            Err(e) => note("/ResourceTypes", &e, &mut warnings),
        }

        let mut schemas = SchemaRegistry::builtin();
        match self.get_json(&["Schemas"]).await {
            Ok(r) => {
                if let Some(Ok(list)) = r.body.as_ref().map(ListResponse::from_json) {
                    warnings.extend(
                        list.warnings
                            .into_iter()
                            .map(|w| Warning::new(w.code, format!("/Schemas: {}", w.message))),
                    );
                    for item in list.value.resources {
                        match Schema::from_json(&item.0) {
                            Ok(s) => {
                                warnings.extend(s.warnings);
                                schemas.insert(s.value);
                            }
                            Err(e) => warnings.push(Warning::new("discovery.badSchema", e)),
                        }
                    }
                }
            }
            Err(e) if auth_failure(&e) => return Err(e),
            Err(e) => note("/Schemas", &e, &mut warnings),
        }

        Ok(Discovery {
            config,
            config_declared,
            resource_types,
            schemas,
            warnings,
        })
    }
}
