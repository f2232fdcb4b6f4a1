//! What the audit and server screens keep between calls, owned by the open directory like its
//! table and matrix: the comparison being read, the report being shown, the scenario being played.
//! Each is replaced by the next one and goes when the directory closes; the shells only ask.

use std::path::Path;

use scim_audit::compare::{
    CompareSummary, Comparison, DiffQuery, DiffWindow, LineDetail, MatchBy, SideSpec,
};
use scim_audit::reports::{
    self, ExportFormat, Provenance, Report, ReportKind, ReportQuery, ReportRows, ReportView,
};
use scim_audit::snapshot::Snapshot;
use scim_conformance::scenarios::{self, RunState};

use super::*;

impl Directory {
    /// One side of a comparison: a snapshot file, this directory now, or another saved connection now.
    async fn side(
        &self,
        connections: &crate::connections::Connections,
        spec: &SideSpec,
    ) -> Result<(Snapshot, String), AppError> {
        match spec {
            SideSpec::Snapshot { path } => {
                let snap = Snapshot::read(Path::new(path))?;
                let label = format!(
                    "Snapshot {} of {}",
                    snap.header.taken_at, snap.header.connection
                );
                Ok((snap, label))
            }
            SideSpec::Live => Ok((self.data().await?, format!("{} (now)", self.name))),
            SideSpec::Connection { name } => {
                let other = Directory::open_saved(connections, name).await?;
                Ok((other.read_now().await?, format!("{name} (now)")))
            }
        }
    }

    /// Compares A with B (what changed from A to B) and keeps the result for the windows below.
    pub async fn compare(
        &self,
        connections: &crate::connections::Connections,
        a: &SideSpec,
        b: &SideSpec,
        by: MatchBy,
    ) -> Result<CompareSummary, AppError> {
        let (left, left_label) = self.side(connections, a).await?;
        let (right, right_label) = self.side(connections, b).await?;
        let computed = tokio::task::spawn_blocking(move || {
            Comparison::new(left, left_label, right, right_label, by)
        })
        .await
        .map_err(|e| AppError::internal(format!("the comparison stopped: {e}")))?;
        let summary = computed.summary.clone();
        *self.comparison.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(computed));
        Ok(summary)
    }

    fn comparison(&self) -> Result<Arc<Comparison>, AppError> {
        self.comparison
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| AppError::invalid_input("Nothing is being compared yet."))
    }

    pub fn diff_window(&self, query: &DiffQuery) -> Result<DiffWindow, AppError> {
        Ok(self.comparison()?.window(query))
    }

    pub fn diff_line(&self, index: u32) -> Result<LineDetail, AppError> {
        self.comparison()?.detail(index)
    }

    /// The selected lines as CSV (provenance first); `mask` hides the people they name.
    pub fn diff_csv(&self, query: &DiffQuery, mask: bool) -> Result<String, AppError> {
        Ok(self.comparison()?.to_csv(query, mask))
    }

    /// Builds `report` over a snapshot file, or over this directory when `snapshot` is absent, and
    /// keeps it for [`Directory::report_rows`] and [`Directory::report_bytes`].
    pub async fn run_report(
        &self,
        report: ReportKind,
        snapshot: Option<&Path>,
    ) -> Result<ReportView, AppError> {
        let snap = match snapshot {
            Some(path) => Snapshot::read(path)?,
            None => self.data().await?,
        };
        let provenance = Provenance::of_snapshot(&snap);
        let key = self.identity_key().key;
        let built = tokio::task::spawn_blocking(move || {
            reports::build_keyed(&report, &snap.users, &snap.groups, provenance, key)
        })
        .await
        .map_err(|e| AppError::internal(format!("the report stopped: {e}")))??;
        let view = built.view();
        *self.report.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(built));
        Ok(view)
    }

    /// The report being shown.
    pub fn shown_report(&self) -> Result<Arc<Report>, AppError> {
        self.report
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| AppError::invalid_input("No report has been run yet."))
    }

    pub fn report_rows(&self, query: &ReportQuery) -> Result<ReportRows, AppError> {
        Ok(self.shown_report()?.window(query))
    }

    /// The shown report as `format`, masked when asked.
    pub fn report_bytes(&self, format: ExportFormat, mask: bool) -> Result<Vec<u8>, AppError> {
        let shown = self.shown_report()?;
        let r = if mask {
            reports::masked(&shown)
        } else {
            (*shown).clone()
        };
        reports::encode(&r, format)
    }

    /// Starts a run of scenario `name` here (nothing is sent yet); refused on a read-only connection.
    pub async fn start_scenario(&self, name: &str) -> Result<RunState, AppError> {
        if self.read_only() {
            return Err(AppError::invalid_input(
                "This connection is read-only: a scenario writes, so it cannot run here.",
            ));
        }
        let run = scenarios::start(self.client(), name)?;
        *self.scenario.lock().await = Some(run.clone());
        Ok(run)
    }

    /// Plays the next step of the current run.
    pub async fn step_scenario(&self) -> Result<RunState, AppError> {
        let mut guard = self.scenario.lock().await;
        let run = guard
            .as_mut()
            .ok_or_else(|| AppError::invalid_input("No scenario is running."))?;
        scenarios::step(self.client(), run).await?;
        Ok(run.clone())
    }

    /// Deletes what the current run created.
    pub async fn cleanup_scenario(&self) -> Result<RunState, AppError> {
        let mut guard = self.scenario.lock().await;
        let run = guard
            .as_mut()
            .ok_or_else(|| AppError::invalid_input("No scenario has run."))?;
        scenarios::cleanup(self.client(), run).await;
        Ok(run.clone())
    }

    /// The current run, for its report.
    pub async fn scenario_run(&self) -> Result<RunState, AppError> {
        self.scenario
            .lock()
            .await
            .clone()
            .ok_or_else(|| AppError::invalid_input("No scenario has run."))
    }
}
