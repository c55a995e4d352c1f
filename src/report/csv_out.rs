//! CSV writers. Every file is written to a temporary name and renamed into
//! place, so a crash never leaves a half-written file that looks whole.

use crate::engine::SimTime;
use crate::metrics::{PodRecord, PodSink, RunResult, SUMMARY_COLUMNS};
use crate::scenario::Scenario;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A failure to write an output file.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct OutputError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

fn out_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError {
        path: path.display().to_string(),
        source,
    }
}

/// A file that appears under its name only when complete.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    buf: Vec<u8>,
}

impl AtomicFile {
    pub fn new(dest: &Path) -> Self {
        let mut tmp = dest.as_os_str().to_owned();
        tmp.push(".partial");
        AtomicFile {
            tmp: PathBuf::from(tmp),
            dest: dest.to_path_buf(),
            buf: Vec::new(),
        }
    }

    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Writes the temporary file, flushes it, then renames it into place.
    pub fn commit(self) -> Result<(), OutputError> {
        if let Some(parent) = self.dest.parent() {
            fs::create_dir_all(parent).map_err(out_err(parent))?;
        }
        let mut f = fs::File::create(&self.tmp).map_err(out_err(&self.tmp))?;
        f.write_all(&self.buf).map_err(out_err(&self.tmp))?;
        f.sync_all().map_err(out_err(&self.tmp))?;
        drop(f);
        fs::rename(&self.tmp, &self.dest).map_err(out_err(&self.dest))
    }
}

/// Like [`AtomicFile`], but streaming: bytes go to `<dest>.partial` as they
/// are written, and [`commit`](Self::commit) flushes, syncs and renames it into
/// place. Dropped without a commit, it removes the partial file.
pub struct AtomicWriter {
    tmp: PathBuf,
    dest: PathBuf,
    w: Option<io::BufWriter<fs::File>>,
}

impl AtomicWriter {
    pub fn create(dest: &Path) -> Result<Self, OutputError> {
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(out_err(parent))?;
        }
        let mut tmp = dest.as_os_str().to_owned();
        tmp.push(".partial");
        let tmp = PathBuf::from(tmp);
        let f = fs::File::create(&tmp).map_err(out_err(&tmp))?;
        Ok(AtomicWriter {
            tmp,
            dest: dest.to_path_buf(),
            w: Some(io::BufWriter::with_capacity(1 << 16, f)),
        })
    }

    /// The name written to until the commit.
    pub fn partial_path(&self) -> &Path {
        &self.tmp
    }

    pub fn commit(mut self) -> Result<(), OutputError> {
        let Some(w) = self.w.take() else {
            return Ok(());
        };
        let f = w
            .into_inner()
            .map_err(|e| out_err(&self.tmp)(e.into_error()))?;
        f.sync_all().map_err(out_err(&self.tmp))?;
        drop(f);
        fs::rename(&self.tmp, &self.dest).map_err(out_err(&self.dest))
    }
}

impl Write for AtomicWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.w {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("already committed")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.w {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicWriter {
    fn drop(&mut self) {
        if self.w.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), OutputError> {
    let mut file = AtomicFile::new(path);
    {
        let mut w = csv::Writer::from_writer(file.buffer());
        let to_io = |e: csv::Error| OutputError {
            path: path.display().to_string(),
            source: io::Error::other(e.to_string()),
        };
        w.write_record(header).map_err(to_io)?;
        for r in rows {
            w.write_record(&r).map_err(to_io)?;
        }
        w.flush().map_err(|e| out_err(path)(e))?;
    }
    file.commit()
}

fn secs(t: SimTime) -> String {
    let us = t.as_micros();
    if us.is_multiple_of(1_000_000) {
        (us / 1_000_000).to_string()
    } else {
        format!("{:.6}", t.as_secs_f64())
    }
}

fn opt_secs(t: Option<SimTime>) -> String {
    t.map(secs).unwrap_or_default()
}

/// Columns of `pods.csv`.
pub const POD_COLUMNS: &[&str] = &[
    "pod",
    "owner",
    "kind",
    "node",
    "submit_s",
    "start_s",
    "end_s",
    "outcome",
    "task",
    "attempt",
    "bind_s",
    "restarts",
    "cpu_m",
    "memory_bytes",
    "priority",
    "reason",
];

fn pod_row(p: &PodRecord) -> Vec<String> {
    vec![
        p.pod.to_string(),
        p.owner.clone(),
        p.kind.to_string(),
        p.node.clone(),
        secs(p.submit),
        opt_secs(p.start),
        opt_secs(p.end),
        p.outcome.to_string(),
        p.task.to_string(),
        p.attempt.to_string(),
        opt_secs(p.bind),
        p.restarts.to_string(),
        p.cpu_m.to_string(),
        p.mem.to_string(),
        p.priority.to_string(),
        p.reason.clone(),
    ]
}

/// Streams pod records to `pods.csv` as pods end, so a long run keeps no
/// record in memory. The file is written under a temporary name and renamed
/// into place by [`PodSink::close`].
pub struct CsvPodSink {
    tmp: PathBuf,
    dest: PathBuf,
    w: csv::Writer<io::BufWriter<fs::File>>,
    closed: bool,
}

impl Drop for CsvPodSink {
    /// A run that fails leaves no partial file behind.
    fn drop(&mut self) {
        if !self.closed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

impl CsvPodSink {
    pub fn create(dest: &Path) -> Result<Self, OutputError> {
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(out_err(parent))?;
        }
        let mut tmp = dest.as_os_str().to_owned();
        tmp.push(".partial");
        let tmp = PathBuf::from(tmp);
        let f = fs::File::create(&tmp).map_err(out_err(&tmp))?;
        let mut w = csv::Writer::from_writer(io::BufWriter::with_capacity(1 << 16, f));
        w.write_record(POD_COLUMNS).map_err(|e| OutputError {
            path: tmp.display().to_string(),
            source: io::Error::other(e.to_string()),
        })?;
        Ok(CsvPodSink {
            tmp,
            dest: dest.to_path_buf(),
            w,
            closed: false,
        })
    }
}

impl PodSink for CsvPodSink {
    fn record(&mut self, r: &PodRecord) -> Result<(), String> {
        self.w
            .write_record(pod_row(r))
            .map_err(|e| format!("cannot write {}: {e}", self.tmp.display()))
    }

    fn close(&mut self) -> Result<Option<Vec<PodRecord>>, String> {
        let tmp = self.tmp.display().to_string();
        let err = |e: &dyn std::fmt::Display| format!("cannot write {tmp}: {e}");
        self.w.flush().map_err(|e| err(&e))?;
        self.w.get_ref().get_ref().sync_all().map_err(|e| err(&e))?;
        self.closed = true;
        fs::rename(&self.tmp, &self.dest)
            .map_err(|e| format!("cannot write {}: {e}", self.dest.display()))?;
        Ok(None)
    }
}

/// Writes the files of one run into `dir`: `timeseries.csv`, `nodes.csv`,
/// `events.csv`, and `pods.csv` unless the run already streamed it there.
pub fn write_run(dir: &Path, r: &RunResult) -> Result<(), OutputError> {
    if !r.pods_streamed {
        write_csv(
            &dir.join("pods.csv"),
            POD_COLUMNS,
            r.pods.iter().map(pod_row),
        )?;
    }
    write_csv(
        &dir.join("timeseries.csv"),
        &[
            "t_s",
            "nodes_ready",
            "pods_running",
            "pods_pending",
            "cpu_alloc_pct",
            "mem_alloc_pct",
            "nodes_down",
            "pods_starting",
            "imbalance_pct",
            "replicas_available",
            "replicas_desired",
            "nodes_provisioning",
            "zone_skew",
            "zone_skew_max",
        ],
        r.samples.iter().map(|s| {
            vec![
                secs(s.t),
                s.nodes_ready.to_string(),
                s.pods_running.to_string(),
                s.pods_pending.to_string(),
                format!("{:.3}", s.cpu_alloc_pct),
                format!("{:.3}", s.mem_alloc_pct),
                s.nodes_down.to_string(),
                s.pods_starting.to_string(),
                format!("{:.3}", s.imbalance_pct),
                s.replicas_running.to_string(),
                s.replicas_desired.to_string(),
                s.nodes_provisioning.to_string(),
                format!("{:.3}", s.zone_skew),
                s.zone_skew_max.to_string(),
            ]
        }),
    )?;
    write_csv(
        &dir.join("nodes.csv"),
        &[
            "node",
            "pool",
            "zone",
            "cpu_m",
            "memory_bytes",
            "max_pods",
            "added_s",
            "removed_s",
            "failures",
            "downtime_s",
            "pods_bound",
            "status_at_end",
            "pods_at_end",
        ],
        r.nodes.iter().map(|n| {
            vec![
                n.node.clone(),
                n.pool.clone(),
                n.zone.clone(),
                n.cpu_m.to_string(),
                n.mem.to_string(),
                n.max_pods.to_string(),
                secs(n.added),
                opt_secs(n.removed),
                n.failures.to_string(),
                secs(n.downtime),
                n.binds.to_string(),
                n.status_at_end.clone(),
                n.pods_at_end.to_string(),
            ]
        }),
    )?;
    write_csv(
        &dir.join("pools.csv"),
        &[
            "pool",
            "nodes_start",
            "nodes_end",
            "nodes_min",
            "nodes_max",
            "nodes_added",
            "nodes_removed",
            "node_hours",
            "cost",
        ],
        r.pools.iter().map(|p| {
            vec![
                p.pool.clone(),
                p.nodes_start.to_string(),
                p.nodes_end.to_string(),
                p.nodes_min.to_string(),
                p.nodes_max.to_string(),
                p.nodes_added.to_string(),
                p.nodes_removed.to_string(),
                format!("{:.3}", p.node_hours),
                format!("{:.2}", p.cost),
            ]
        }),
    )?;
    write_csv(
        &dir.join("zones.csv"),
        &[
            "service",
            "samples",
            "zone_skew_mean",
            "zone_skew_max",
            "running_by_zone_at_end",
        ],
        r.spread.iter().map(|z| {
            vec![
                z.service.clone(),
                z.samples.to_string(),
                z.zone_skew_mean
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or_default(),
                z.zone_skew_max.to_string(),
                z.running_by_zone.clone(),
            ]
        }),
    )?;
    write_csv(
        &dir.join("events.csv"),
        &["t_s", "event", "subject", "detail"],
        r.log.iter().map(|e| {
            vec![
                secs(e.t),
                e.kind.to_string(),
                e.subject.clone(),
                e.detail.clone(),
            ]
        }),
    )?;
    if !r.service_load.is_empty() {
        write_csv(
            &dir.join("service-load.csv"),
            SERVICE_LOAD_COLUMNS,
            r.service_load.iter().map(service_row),
        )?;
    }
    Ok(())
}

/// Columns of `service-load.csv` (written only when a service has a load or an HPA).
pub const SERVICE_LOAD_COLUMNS: &[&str] = &[
    "t_s",
    "service",
    "demand_cores",
    "replicas_desired",
    "replicas_running",
    "replicas_starting",
    "replicas_pending",
    "replicas_lost",
    "utilization_pct",
    "unmet_cores",
];

fn service_row(s: &crate::metrics::ServiceSample) -> Vec<String> {
    let cores = |m: u64| format!("{:.3}", m as f64 / 1000.0);
    vec![
        secs(s.t),
        s.service.clone(),
        cores(s.demand_m),
        s.desired.to_string(),
        s.running.to_string(),
        s.starting.to_string(),
        s.pending.to_string(),
        s.lost.to_string(),
        s.utilization_pct()
            .map(|u| format!("{u:.3}"))
            .unwrap_or_default(),
        cores(s.unmet_m()),
    ]
}

/// Columns of `services.csv`: one row per (policy, seed, service).
pub const SERVICE_COLUMNS: &[&str] = &[
    "policy",
    "seed",
    "service",
    "availability_pct",
    "replicas_desired_at_end",
    "failures",
    "failures_unrecovered",
    "recovery_mean_s",
    "recovery_max_s",
];

/// Writes everything for a scenario under `<out>/<scenario name>/`:
/// `summary.csv`, `services.csv`, `timings.csv` (wall-clock, kept apart because it varies),
/// a copy of the scenario, and each run's files under `<policy>/seed-<seed>/`.
/// Returns the scenario's output folder.
pub fn write_scenario_outputs(
    out: &Path,
    scenario: &Scenario,
    results: &[RunResult],
    wall_ms: &[f64],
) -> Result<PathBuf, OutputError> {
    let dir = out.join(&scenario.name);
    for r in results {
        write_run(&dir.join(&r.policy).join(format!("seed-{}", r.seed)), r)?;
    }
    write_csv(
        &dir.join("summary.csv"),
        SUMMARY_COLUMNS,
        results.iter().map(|r| r.summary.to_record()),
    )?;
    write_csv(
        &dir.join("services.csv"),
        SERVICE_COLUMNS,
        results.iter().flat_map(|r| {
            r.services.iter().map(|s| {
                let opt = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_default();
                vec![
                    r.policy.clone(),
                    r.seed.to_string(),
                    s.service.clone(),
                    opt(s.availability_pct),
                    s.replicas_desired_at_end.to_string(),
                    s.failures.to_string(),
                    s.unrecovered.to_string(),
                    opt(s.recovery_mean_s),
                    opt(s.recovery_max_s),
                ]
            })
        }),
    )?;
    write_csv(
        &dir.join("timings.csv"),
        &["policy", "seed", "wall_ms", "events", "events_per_s"],
        results.iter().zip(wall_ms).map(|(r, ms)| {
            vec![
                r.policy.clone(),
                r.seed.to_string(),
                format!("{ms:.3}"),
                r.summary.events.to_string(),
                format!("{:.0}", r.summary.events as f64 / (ms / 1e3).max(1e-9)),
            ]
        }),
    )?;
    let mut copy = AtomicFile::new(&dir.join("scenario.toml"));
    copy.buffer().extend_from_slice(scenario.text.as_bytes());
    copy.commit()?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writer_appears_only_when_committed() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("sub/out.csv");
        let mut w = AtomicWriter::create(&dest).unwrap();
        w.write_all(b"a,b\n").unwrap();
        let partial = w.partial_path().to_path_buf();
        assert!(partial.exists() && !dest.exists());
        w.commit().unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "a,b\n");
        assert!(!partial.exists());

        // Dropped without a commit: the old file stays, the partial goes.
        let mut w = AtomicWriter::create(&dest).unwrap();
        w.write_all(b"half").unwrap();
        drop(w);
        assert_eq!(fs::read_to_string(&dest).unwrap(), "a,b\n");
        assert!(!partial.exists());
    }
}
