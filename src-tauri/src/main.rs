//! Entry point of the SCIM Explorer desktop app; everything else lives in the library.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    scim_explorer_lib::run();
}
