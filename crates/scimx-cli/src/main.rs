//! `scimx`: the command-line shell over scim-services.
fn main() {}
