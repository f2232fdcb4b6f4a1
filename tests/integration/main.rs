//! Cross-crate integration tests: the client against the embedded demo server over real HTTP.

mod auth_log;
mod client_demo;
mod compare;
mod hostile;
mod oversized;
mod pacing;
mod profiles;
mod quirks;
mod server_check;
mod streaming;
mod tap;
mod version;
mod wire;
mod writes;
