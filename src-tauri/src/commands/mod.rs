//! Tauri commands grouped by domain. Each is a few lines over `scim-services`.

pub mod app;
pub mod audit;
pub mod browse;
pub mod connections;
pub mod directory;
pub mod files;
pub mod server;
pub mod tap;
pub mod writes;
