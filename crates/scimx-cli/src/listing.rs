//! `scimx users|groups list`: every resource, written as its page arrives and in the server's
//! order, so listing a million users holds a few pages rather than the directory (the load keeps
//! only the ids it has seen, to drop repeats). Only the aligned table waits for the end: its widths
//! depend on every row, so it keeps the cells, never the resources.

use std::io::{BufWriter, ErrorKind as IoErrorKind, Stdout, Write};

use scim_client::{CancelFlag, ListParams, LoadOptions, RequestLog};
use scim_core::raw_list::{raw_only, RawResource};
use scim_services::AppError;

use crate::output::{self, Column};
use crate::{client, connections, load_limits, warn, Format, Target};

/// Writes pages to stdout in one format as they come.
struct Writer {
    out: BufWriter<Stdout>,
    format: Format,
    columns: Vec<Column>,
    /// The top-level attributes the columns read: only they are parsed.
    attributes: &'static [&'static str],
    written: usize,
    /// The aligned table's cells, written at the end.
    rows: Vec<Vec<String>>,
}

impl Writer {
    fn new(endpoint: &str, format: Format) -> Self {
        let (columns, attributes) = if endpoint == "Users" {
            (output::user_columns(), output::USER_ATTRIBUTES)
        } else {
            (output::group_columns(), output::GROUP_ATTRIBUTES)
        };
        Self {
            out: BufWriter::with_capacity(256 * 1024, std::io::stdout()),
            format,
            columns,
            attributes,
            written: 0,
            rows: Vec::new(),
        }
    }

    fn cells(&self, raw: &RawResource) -> Vec<String> {
        let value = raw_only(raw, self.attributes);
        self.columns.iter().map(|c| (c.read)(&value)).collect()
    }

    /// What comes before the first resource (also written for an empty listing, at the end).
    fn opening(&mut self) -> std::io::Result<()> {
        match self.format {
            Format::Csv => {
                let header: Vec<&str> = self.columns.iter().map(|c| c.header).collect();
                self.out.write_all(output::csv_line(&header).as_bytes())
            }
            Format::Json => self.out.write_all(b"["),
            Format::Jsonl | Format::Table => Ok(()),
        }
    }

    fn page(&mut self, page: Vec<RawResource>) -> std::io::Result<()> {
        for raw in page {
            if self.written == 0 {
                self.opening()?;
            }
            match self.format {
                Format::Csv => {
                    let cells = self.cells(&raw);
                    self.out.write_all(output::csv_line(&cells).as_bytes())?;
                }
                Format::Json => {
                    self.out
                        .write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
                    self.out.write_all(raw.get().as_bytes())?;
                }
                // One resource per line: a server's pretty-printed resource is written compactly.
                Format::Jsonl => {
                    if raw.get().contains('\n') {
                        let compact = serde_json::to_string(&scim_core::raw_list::raw_value(&raw))
                            .unwrap_or_default();
                        self.out.write_all(compact.as_bytes())?;
                    } else {
                        self.out.write_all(raw.get().as_bytes())?;
                    }
                    self.out.write_all(b"\n")?;
                }
                Format::Table => {
                    let cells = self.cells(&raw);
                    self.rows.push(cells);
                }
            }
            self.written += 1;
        }
        // Each page goes out whole: a reader of the pipe sees progress, not a 256 KiB buffer's worth.
        self.out.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if self.written == 0 {
            self.opening()?;
        }
        match self.format {
            Format::Json if self.written == 0 => self.out.write_all(b"]\n")?,
            Format::Json => self.out.write_all(b"\n]\n")?,
            Format::Table => {
                let text = output::table_of(&self.columns, &self.rows);
                self.out.write_all(text.as_bytes())?;
            }
            Format::Csv | Format::Jsonl => {}
        }
        self.out.flush()
    }
}

pub(crate) async fn list(
    endpoint: &str,
    target: &Target,
    filter: Option<String>,
    format: Format,
    log_file: Option<std::path::PathBuf>,
    max_resources: Option<usize>,
) -> Result<(), AppError> {
    if let Some(f) = &filter {
        // Check the filter locally first: a precise message beats the server's 400.
        scim_core::filter::parse_filter(f)
            .map_err(|e| AppError::invalid_input(format!("invalid filter: {e}")))?;
    }
    let log = RequestLog::default();
    // Recorded only when asked for (`--log`): keeping each page's start for the log costs CPU and
    // memory a listing has no use for.
    let c = match &log_file {
        Some(_) => client(target)?.with_log(log.clone()),
        None => client(target)?,
    };
    let limits = load_limits(target, max_resources)?;
    let options = LoadOptions {
        params: ListParams {
            filter,
            ..Default::default()
        },
        max_resources: limits.max_resources,
        omit_count: limits.omit_count,
        ..LoadOptions::default()
    };
    // A progress bar on long loads, only for a person watching (never in pipes or CI logs).
    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} {msg} · {eta} left")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(endpoint.to_lowercase());
        bar
    });
    let on_progress = |p: scim_client::Progress| {
        if let Some(bar) = &bar {
            if let Some(total) = p.total {
                bar.set_length(total as u64);
            }
            bar.set_position(p.loaded as u64);
            let rate = p.loaded as f64 / p.elapsed_secs.max(0.001);
            bar.set_message(format!("{} · {rate:.0}/s", endpoint.to_lowercase()));
        }
    };
    let mut writer = Writer::new(endpoint, format);
    // A reader that hung up (`scimx users list | head`) ends the listing quietly, as for any tool.
    let mut hung_up = false;
    let mut sink = |page: Vec<RawResource>| {
        writer.page(page).map_err(|e| {
            hung_up = e.kind() == IoErrorKind::BrokenPipe;
            e.to_string()
        })
    };
    let result = c
        .stream_all(
            endpoint,
            &options,
            &CancelFlag::default(),
            &on_progress,
            &mut sink,
        )
        .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if hung_up {
        return Ok(());
    }
    warn(&result.warnings);
    if result.count_refused {
        if let Some(name) = &target.connection {
            let saved = connections().find(name)?;
            // Remembered so the next run asks without `count` straight away.
            let _ = scim_services::connections::remember_omit_count(
                &scim_services::connections::config_dir(),
                &saved.id,
            );
        }
    }
    if let Some(path) = &log_file {
        scim_services::export::write_file(&path.to_string_lossy(), log.export_json().as_bytes())?;
    }
    let written = result.streamed.unwrap_or(0);
    if let Some(e) = result.error {
        if written > 0 {
            eprintln!(
                "error: stopped after {written} of {} resources; the output above is incomplete",
                result.total.map_or("?".to_owned(), |t| t.to_string())
            );
        }
        return Err(e.into());
    }
    match writer.finish() {
        Err(e) if e.kind() == IoErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(AppError::from(scim_client::ClientError::Output(
            e.to_string(),
        ))),
        Ok(()) => Ok(()),
    }
}
