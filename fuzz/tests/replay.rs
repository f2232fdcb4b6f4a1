//! Every input kept for a fuzz target run through its body on stable, one test per target: the seed
//! corpus (`corpus_seed/`, committed), the crash and slow inputs found so far (`regressions/`,
//! committed; `artifacts/` where cargo-fuzz left new ones) and, on a machine that has fuzzed, the
//! corpus libFuzzer grew (`corpus/`, not committed). `make test` runs it; a panic names the file.

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["corpus_seed", "regressions", "artifacts", "corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        files.extend(entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()));
    }
    files.sort();
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    let files = inputs(target);
    assert!(
        !files.is_empty(),
        "{target} has no seed corpus: add inputs under fuzz/corpus_seed/{target}/"
    );
    let mut failures = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("read a corpus file");
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {target} inputs fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

macro_rules! replays {
    ($($target:ident,)*) => {
        $( #[test] fn $target() { replay(stringify!($target), scim_core_fuzz::$target::run); } )*
    };
}

replays! {
    bulk_response,
    csv_writer,
    curl_quote,
    datetime,
    dialects,
    diff_pairs,
    filter_parse,
    html_body,
    list_response,
    patch_apply,
    path_parse,
    raw_page,
    retry_after,
    secrets_mask,
    stored_files,
}
