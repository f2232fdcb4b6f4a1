//! The transport over real sockets, against servers of the tests' own: TLS (a certificate from an
//! unknown authority refused by default, accepted with the opt-in, trusted through a CA bundle),
//! Basic auth, a forward proxy with its credentials, and a server that never answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use scim_client::{Auth, ClientConfig, ClientError, ListParams, ScimClient, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

const LIST: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"wire.user@example.com"}]}"#;

/// Reads one HTTP/1.1 request head; returns its request line and headers.
async fn read_head<S: AsyncReadExt + Unpin>(
    stream: &mut S,
) -> Option<(String, Vec<(String, String)>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = text.split("\r\n");
    let line = lines.next()?.to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some((line, headers))
}

async fn answer<S: AsyncWriteExt + Unpin>(stream: &mut S, status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// A certificate authority and a leaf for 127.0.0.1 it signed: (CA PEM, server config).
fn authority() -> (String, rustls::ServerConfig) {
    authority_for(&["127.0.0.1", "localhost"], false)
}

/// A certificate authority and a leaf it signed for `names`, expired a year ago when `expired`.
fn authority_for(names: &[&str], expired: bool) -> (String, rustls::ServerConfig) {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "SCIM Explorer test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .expect("leaf params");
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let leaf = params
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .expect("leaf certificate");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocols")
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .expect("server config");
    (ca_cert.pem(), config)
}

/// An HTTPS SCIM server that answers every request with one list page.
async fn tls_server(config: rustls::ServerConfig) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to answer.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if read_head(&mut tls).await.is_some() {
                    answer(&mut tls, "200 OK", LIST).await;
                }
            });
        }
    });
    format!("https://127.0.0.1:{}/scim/v2", addr.port())
}

async fn list_users(mut config: ClientConfig) -> Result<usize, ClientError> {
    // A refused handshake is final: retrying it only makes the test slower.
    config.max_retries = 0;
    let client = ScimClient::new(config)?;
    let page = client.list("Users", &ListParams::default()).await?;
    Ok(page.value.resources.len())
}

/// A company CA installed in the operating system's trust store is trusted with no bundle on the
/// connection (the client reads the system's roots besides the bundled web roots). The system store
/// here is a file of this test's own, through `SSL_CERT_FILE`, as OpenSSL-style systems name it.
#[tokio::test]
async fn a_ca_in_the_system_trust_store_is_trusted() {
    let (ca_pem, config) = authority();
    let url = tls_server(config).await;
    let store = tempfile::NamedTempFile::new().expect("store");
    std::fs::write(store.path(), &ca_pem).expect("write the store");
    // nextest runs each test in its own process: the variable is this test's alone.
    std::env::set_var("SSL_CERT_FILE", store.path());
    std::env::remove_var("SSL_CERT_DIR");
    assert_eq!(
        list_users(ClientConfig::new(&url, Auth::None))
            .await
            .expect("trusted through the system store"),
        1
    );
}

/// What is wrong with a certificate is said in words a person can act on, not rustls' variant names.
#[tokio::test]
async fn certificate_problems_are_named_in_words() {
    let refusal = |pem: Option<String>, url: String| async move {
        let mut config = ClientConfig::new(&url, Auth::None);
        config.ca_bundle_pem = pem.map(String::into_bytes);
        list_users(config).await.expect_err("refused").to_string()
    };
    let (_, config) = authority();
    let unknown = refusal(None, tls_server(config).await).await;
    assert!(
        unknown.contains("signed by an authority this computer does not trust"),
        "{unknown}"
    );
    assert!(!unknown.contains("UnknownIssuer"), "{unknown}");

    let (ca, config) = authority_for(&["127.0.0.1"], true);
    let expired = refusal(Some(ca), tls_server(config).await).await;
    assert!(expired.contains("has expired"), "{expired}");

    let (ca, config) = authority_for(&["scim.other.example"], false);
    let wrong = refusal(Some(ca), tls_server(config).await).await;
    assert!(wrong.contains("for another host name"), "{wrong}");
    assert!(
        wrong.contains("127.0.0.1"),
        "names the host it was asked for: {wrong}"
    );
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused_unless_trusted_or_opted_out() {
    let (ca_pem, config) = authority();
    let url = tls_server(config).await;

    let refused = list_users(ClientConfig::new(&url, Auth::None))
        .await
        .expect_err("an unknown issuer is refused by default");
    let message = refused.to_string();
    assert!(
        message.to_lowercase().contains("certificate"),
        "the refusal names the certificate: {message}"
    );

    let mut opted_out = ClientConfig::new(&url, Auth::None);
    opted_out.accept_invalid_certs = true;
    assert_eq!(
        list_users(opted_out.clone())
            .await
            .expect("the opt-in accepts it"),
        1
    );
    let client = ScimClient::new(opted_out).expect("client");
    assert!(
        client
            .transport_warning()
            .is_some_and(|w| w.contains("not checked")),
        "the opt-in is shown as a warning on the connection"
    );

    let mut trusted = ClientConfig::new(&url, Auth::None);
    trusted.ca_bundle_pem = Some(ca_pem.into_bytes());
    assert_eq!(
        list_users(trusted)
            .await
            .expect("the CA bundle makes it trusted"),
        1
    );

    // Another authority's bundle does not make this server trusted.
    let (other_ca, _) = authority();
    let mut wrong = ClientConfig::new(&url, Auth::None);
    wrong.ca_bundle_pem = Some(other_ca.into_bytes());
    list_users(wrong)
        .await
        .expect_err("a bundle of another authority is no trust");
}

/// A plain-HTTP server that requires `Authorization: <expected>` and records what it was sent.
async fn auth_server(expected: String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let expected = expected.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let Some((_, headers)) = read_head(&mut tcp).await else {
                    return;
                };
                let auth = headers
                    .iter()
                    .find(|(k, _)| k == "authorization")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                log.lock().unwrap().push(auth.clone());
                if auth == expected {
                    answer(&mut tcp, "200 OK", LIST).await;
                } else {
                    answer(&mut tcp, "401 Unauthorized", r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"bad credentials"}"#).await;
                }
            });
        }
    });
    (format!("http://127.0.0.1:{}/scim/v2", addr.port()), seen)
}

#[tokio::test]
async fn basic_auth_goes_on_the_wire_as_rfc_7617_says_and_a_wrong_password_is_a_clear_401() {
    // "explorer:pässwörd-1" in UTF-8, base64 — worked out by hand, not by the code under test.
    let expected = "Basic ZXhwbG9yZXI6cMOkc3N3w7ZyZC0x".to_owned();
    let (url, seen) = auth_server(expected.clone()).await;
    let basic = |password: &str| {
        ClientConfig::new(
            &url,
            Auth::Basic {
                user: "explorer".into(),
                password: Secret::new(password),
            },
        )
    };
    assert_eq!(
        list_users(basic("pässwörd-1"))
            .await
            .expect("right password"),
        1
    );
    let err = list_users(basic("wrong"))
        .await
        .expect_err("wrong password");
    assert_eq!(err.status(), Some(401), "{err}");
    assert!(
        !err.to_string().contains("wrong"),
        "the password is not in the message: {err}"
    );
    assert_eq!(seen.lock().unwrap()[0], expected);
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy_with_its_credentials() {
    // A forward proxy that answers for the origin itself: the origin port has nobody listening, so
    // only a request that went through the proxy can succeed.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let proxy_addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::<(String, Vec<(String, String)>)>::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                if let Some(head) = read_head(&mut tcp).await {
                    log.lock().unwrap().push(head);
                    answer(&mut tcp, "200 OK", LIST).await;
                }
            });
        }
    });
    let origin = format!(
        "http://127.0.0.1:{}/scim/v2",
        scim_explorer_tests::free_port()
    );
    let mut config = ClientConfig::new(&origin, Auth::Bearer(Secret::new("origin-token-4d2")));
    config.proxy = Some(format!("http://{proxy_addr}"));
    config.proxy_auth = Some(("proxy-user".into(), Secret::new("proxy-pass")));
    assert_eq!(list_users(config).await.expect("through the proxy"), 1);
    let seen = seen.lock().unwrap();
    let (line, headers) = &seen[0];
    assert!(
        line.starts_with(&format!("GET {origin}/Users")),
        "an absolute-URI request to the proxy: {line}"
    );
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    // "proxy-user:proxy-pass", base64.
    assert_eq!(
        header("proxy-authorization"),
        Some("Basic cHJveHktdXNlcjpwcm94eS1wYXNz")
    );
    assert_eq!(header("authorization"), Some("Bearer origin-token-4d2"));
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_times_out_with_a_message() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    tokio::spawn(async move {
        // Accepts, reads nothing, answers nothing, keeps the socket open.
        while let Ok((tcp, _)) = listener.accept().await {
            keep.lock().unwrap().push(tcp);
        }
    });
    let mut config = ClientConfig::new(format!("http://{addr}/scim/v2"), Auth::None);
    config.timeout = Duration::from_secs(1);
    let err = list_users(config).await.expect_err("no answer");
    assert!(
        matches!(err, ClientError::Network { timeout: true, .. }),
        "a timeout, not another failure: {err:?}"
    );
    assert!(
        err.to_string().to_lowercase().contains("time"),
        "the message says it timed out: {err}"
    );
}
