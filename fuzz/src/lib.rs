//! The fuzz targets' bodies as plain functions: libFuzzer calls them from `fuzz_targets/`, and
//! `tests/replay.rs` runs every kept input through them on stable, so `make test` replays the corpora.

pub mod bulk_response;
pub mod csv_writer;
pub mod curl_quote;
pub mod datetime;
pub mod dialects;
pub mod diff_pairs;
pub mod filter_parse;
pub mod html_body;
pub mod list_response;
pub mod patch_apply;
pub mod path_parse;
pub mod raw_page;
pub mod retry_after;
pub mod secrets_mask;
pub mod stored_files;
