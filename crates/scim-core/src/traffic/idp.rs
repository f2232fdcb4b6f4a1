//! Which identity provider sent a request: from its User-Agent when that names one (certain), else
//! from the shapes only one IdP sends (a guess, said so). Across a session the evidence adds up.

use serde::Serialize;
use serde_json::Value;

use super::{endpoint_of, SeenRequest};
use crate::names::get_ci;

/// The identity providers (and clients) recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Idp {
    Okta,
    /// Entra ID in its default (legacy) mode.
    EntraLegacy,
    /// Entra ID with the `aadOptscim062020` flag.
    EntraAadOptscim062020,
    OneLogin,
    Authentik,
    Google,
    /// SCIM Explorer itself (its scenario player, its checks).
    ScimExplorer,
}

impl Idp {
    pub const ALL: [Idp; 7] = [
        Idp::Okta,
        Idp::EntraLegacy,
        Idp::EntraAadOptscim062020,
        Idp::OneLogin,
        Idp::Authentik,
        Idp::Google,
        Idp::ScimExplorer,
    ];

    /// The IdP a [`Self::label`] names.
    pub fn from_label(label: &str) -> Option<Idp> {
        Self::ALL.into_iter().find(|i| i.label() == label)
    }

    pub fn label(self) -> &'static str {
        match self {
            Idp::Okta => "Okta",
            Idp::EntraLegacy => "Entra ID (legacy)",
            Idp::EntraAadOptscim062020 => "Entra ID (aadOptscim062020)",
            Idp::OneLogin => "OneLogin",
            Idp::Authentik => "authentik",
            Idp::Google => "Google",
            Idp::ScimExplorer => "SCIM Explorer",
        }
    }
}

/// A recognised sender, how sure, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdpGuess {
    pub idp: Idp,
    /// False when it rests on request shapes alone.
    pub certain: bool,
    pub why: String,
}

/// The IdP a User-Agent names, if any.
pub fn from_user_agent(user_agent: &str) -> Option<Idp> {
    let ua = user_agent.to_ascii_lowercase();
    if ua.contains("okta") {
        Some(Idp::Okta)
    } else if ua.contains("azure") || ua.contains("microsoft") || ua.contains("entra") {
        Some(Idp::EntraLegacy)
    } else if ua.contains("onelogin") {
        Some(Idp::OneLogin)
    } else if ua.contains("authentik") {
        Some(Idp::Authentik)
    } else if ua.contains("google") {
        Some(Idp::Google)
    } else if ua.contains("scim-explorer") {
        Some(Idp::ScimExplorer)
    } else {
        None
    }
}

/// What the request's shape says, if it says anything: `(idp, why)`.
pub fn from_shape(request: &SeenRequest<'_>) -> Option<(Idp, String)> {
    let query = request.query.unwrap_or("");
    if query.to_ascii_lowercase().contains("aadoptscim062020") {
        return Some((
            Idp::EntraAadOptscim062020,
            "the URL carries Entra's aadOptscim062020 flag".into(),
        ));
    }
    let method = request.method.to_ascii_uppercase();
    let (endpoint, id) = endpoint_of(request.path);
    let groups = endpoint.is_some_and(|e| e.eq_ignore_ascii_case("Groups"));
    if method == "GET" && groups && query.contains("excludedAttributes=members") {
        return Some((
            Idp::EntraAadOptscim062020,
            "groups are looked up with excludedAttributes=members, as Entra ID does".into(),
        ));
    }
    let body = request.body?;
    if method == "PATCH" {
        let ops = get_ci(body.as_object()?, "Operations")?.as_array()?;
        let op_names: Vec<&str> = ops
            .iter()
            .filter_map(|o| o.get("op").and_then(Value::as_str))
            .collect();
        if op_names
            .iter()
            .any(|o| matches!(*o, "Add" | "Replace" | "Remove"))
        {
            return Some((
                Idp::EntraLegacy,
                "PATCH ops are capitalised (`Replace`), as Entra ID's default mode sends them"
                    .into(),
            ));
        }
        let value_list_removal = ops.iter().any(|o| {
            o.get("op").and_then(Value::as_str) == Some("remove")
                && o.get("path").and_then(Value::as_str) == Some("members")
                && o.get("value").is_some()
        });
        if value_list_removal {
            return Some((
                Idp::Authentik,
                "members are removed by a value list with lowercase ops, as authentik sends it"
                    .into(),
            ));
        }
        // Dotted keys (`name.givenName`) or an extension attribute as one flat URN key with a
        // plain value, in a pathless replace: how Entra's aadOptscim062020 mode writes changes.
        let dotted = ops.iter().any(|o| {
            o.get("path").is_none()
                && o.get("value").and_then(Value::as_object).is_some_and(|v| {
                    v.iter().any(|(k, value)| {
                        (k.contains('.') && !k.starts_with("urn:"))
                            || (k.starts_with("urn:") && !value.is_object())
                    })
                })
        });
        if dotted {
            return Some((
                Idp::EntraAadOptscim062020,
                "a pathless replace with dotted or flat URN keys (`name.givenName`), as Entra's aadOptscim062020 mode sends".into(),
            ));
        }
        return None;
    }
    if method == "PUT" && !groups && id.is_some() {
        return Some((
            Idp::Okta,
            "users are updated with a PUT of the whole user, as Okta (and authentik) do".into(),
        ));
    }
    None
}

/// The sender of one request.
pub fn guess(request: &SeenRequest<'_>) -> Option<IdpGuess> {
    let named = request.user_agent.and_then(from_user_agent);
    // SCIM Explorer's scenario player imitates IdPs: the shape says which one.
    if named == Some(Idp::ScimExplorer) {
        if let Some((idp, why)) = from_shape(request) {
            return Some(IdpGuess {
                idp,
                certain: false,
                why: format!("{why} (sent by SCIM Explorer, imitating it)"),
            });
        }
    }
    if let Some(idp) = named {
        // Entra's User-Agent is the same in both modes: the shape tells them apart.
        let idp = match (idp, from_shape(request)) {
            (Idp::EntraLegacy, Some((Idp::EntraAadOptscim062020, _))) => Idp::EntraAadOptscim062020,
            _ => idp,
        };
        return Some(IdpGuess {
            idp,
            certain: true,
            why: format!("User-Agent: {}", request.user_agent.unwrap_or_default()),
        });
    }
    from_shape(request).map(|(idp, why)| IdpGuess {
        idp,
        certain: false,
        why,
    })
}

/// The sender of a session: a User-Agent that names one wins; otherwise the shape seen most often
/// (a guess). `guesses` are each request's, in order.
pub fn of_session<'a>(guesses: impl Iterator<Item = &'a IdpGuess>) -> Option<IdpGuess> {
    let mut counts: Vec<(Idp, usize, &IdpGuess)> = Vec::new();
    let mut certain: Option<&IdpGuess> = None;
    for g in guesses {
        if g.certain
            && g.idp != Idp::ScimExplorer
            && certain.is_none_or(|c| c.idp == Idp::EntraLegacy)
        {
            certain = Some(g);
        }
        match counts.iter_mut().find(|(i, _, _)| *i == g.idp) {
            Some(entry) => entry.1 += 1,
            None => counts.push((g.idp, 1, g)),
        }
    }
    if let Some(c) = certain {
        return Some(c.clone());
    }
    counts
        .into_iter()
        .filter(|(i, _, _)| *i != Idp::ScimExplorer)
        .max_by_key(|(_, n, _)| *n)
        .map(|(_, _, g)| IdpGuess {
            certain: false,
            ..g.clone()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seen<'a>(
        method: &'a str,
        path: &'a str,
        ua: Option<&'a str>,
        body: Option<&'a Value>,
    ) -> SeenRequest<'a> {
        SeenRequest {
            method,
            path,
            query: None,
            user_agent: ua,
            content_type: None,
            body,
            body_unreadable: false,
        }
    }

    #[test]
    fn a_user_agent_is_certain_and_a_shape_is_a_guess() {
        let g = guess(&seen("GET", "/Users", Some("Okta SCIM Client 1.0.0"), None)).unwrap();
        assert_eq!((g.idp, g.certain), (Idp::Okta, true));
        let legacy = json!({"Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
        let g = guess(&seen("PATCH", "/Users/1", None, Some(&legacy))).unwrap();
        assert_eq!((g.idp, g.certain), (Idp::EntraLegacy, false));
        let authentik =
            json!({"Operations": [{"op": "remove", "path": "members", "value": [{"value": "u"}]}]});
        assert_eq!(
            guess(&seen("PATCH", "/Groups/1", None, Some(&authentik)))
                .unwrap()
                .idp,
            Idp::Authentik
        );
        // Entra's User-Agent with the 2020 shape is the 2020 mode, still certain.
        let dotted = json!({"Operations": [{"op": "replace", "value": {"name.givenName": "Ana"}}]});
        let g = guess(&seen(
            "PATCH",
            "/Users/1",
            Some("Azure AD SCIM Client"),
            Some(&dotted),
        ))
        .unwrap();
        assert_eq!((g.idp, g.certain), (Idp::EntraAadOptscim062020, true));
        assert_eq!(guess(&seen("GET", "/Users", Some("curl/8"), None)), None);
    }

    #[test]
    fn a_session_takes_the_named_sender_or_the_commonest_shape() {
        let shape = |idp| IdpGuess {
            idp,
            certain: false,
            why: String::new(),
        };
        let named = IdpGuess {
            idp: Idp::OneLogin,
            certain: true,
            why: String::new(),
        };
        let all = [shape(Idp::Okta), named.clone(), shape(Idp::Okta)];
        assert_eq!(of_session(all.iter()), Some(named));
        let all = [shape(Idp::Okta), shape(Idp::Authentik), shape(Idp::Okta)];
        assert_eq!(of_session(all.iter()).unwrap().idp, Idp::Okta);
        assert_eq!(of_session([].iter()), None);
    }
}
