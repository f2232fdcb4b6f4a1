//! The inbox: the demo server, empty or seeded in any profile, listening where an identity provider
//! can reach it, so an integrator sees what their IdP sends before any application exists. It is a
//! demo server on a private loopback port with a tap in front on the address the user chose; it
//! requires a bearer token it generates (shown once) and can rotate.

use std::net::SocketAddr;

use scim_client::{Auth, ClientConfig, ScimClient};
use scim_demo_server::{DemoConfig, DemoServer, Profile, SeedData, SeedOptions};

use crate::capture::Capture;
use crate::proxy::{RunningTap, TapConfig, TapError};

/// How to run an inbox.
#[derive(Debug, Clone)]
pub struct InboxConfig {
    pub listen: SocketAddr,
    pub profile: Profile,
    /// Seeded users (0: an empty directory, as a new application has).
    pub users: usize,
    pub capacity: usize,
}

/// A running inbox. The token is in `token` once, for the caller to show; it is never logged.
#[derive(Debug)]
pub struct Inbox {
    pub tap: RunningTap,
    pub token: String,
    server: DemoServer,
    config: InboxConfig,
}

impl Inbox {
    pub async fn start(config: InboxConfig) -> Result<Self, TapError> {
        let token = crate::token::generate().map_err(TapError::Setup)?;
        Self::start_with_token(config, token, Capture::default()).await
    }

    async fn start_with_token(
        config: InboxConfig,
        token: String,
        capture: Capture,
    ) -> Result<Self, TapError> {
        // An empty inbox is empty: no generated groups either, as a new application has none.
        let data = (config.users == 0).then(|| SeedData {
            users: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
        });
        let server = DemoServer::start(DemoConfig {
            profile: config.profile,
            seed: SeedOptions {
                users: config.users,
                ..SeedOptions::default()
            },
            data,
            token: Some(token.clone()),
            ..DemoConfig::default()
        })
        .await
        .map_err(|e| TapError::Setup(e.to_string()))?;
        // The IdP's own Authorization passes through: the demo server checks the token.
        let upstream = ScimClient::new(ClientConfig::new(&server.base_url, Auth::None))
            .map_err(|e| TapError::Setup(e.to_string()))?;
        let mut tap_config = TapConfig::new(config.listen, upstream);
        tap_config.capacity = config.capacity;
        let capture = if capture.is_empty() {
            Capture::new(config.capacity)
        } else {
            capture
        };
        let tap = RunningTap::start_with(tap_config, capture).await?;
        Ok(Self {
            tap,
            token,
            server,
            config,
        })
    }

    /// A new token: the old one stops working at once. The directory starts over (the inbox is a
    /// scratch space); the capture is kept.
    pub async fn rotate_token(self) -> Result<Self, TapError> {
        let token = crate::token::generate().map_err(TapError::Setup)?;
        let capture = self.tap.capture.clone();
        let mut config = self.config.clone();
        config.listen = self.tap.addr;
        self.tap.stop().await;
        self.server.stop().await;
        Self::start_with_token(config, token, capture).await
    }

    pub async fn stop(self) {
        self.tap.stop().await;
        self.server.stop().await;
    }
}
