//! libFuzzer entry for `csv_writer`; what it checks is in `src/csv_writer.rs`, which tests/replay.rs runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scim_core_fuzz::csv_writer::run(data));
