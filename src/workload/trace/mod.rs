//! Real cluster traces: one reader per format, all streaming.
//!
//! A reader turns a trace's files into two streams in the trace's own time:
//! **pod items** (a pod is submitted; or, for formats that learn a task's
//! run time only when it ends, a task ended) and **machine events** (a machine
//! is added, fails, recovers, is removed). [`replay::PodReplay`] then applies
//! what the scenario asked for (a time window, a time scale, a sample of
//! jobs), restores time order within a bounded window, and counts bad rows.
//! Nothing here holds a whole trace in memory.
//!
//! Column meanings follow the traces' authors; see `docs/traces.md`.

pub mod alibaba_2017;
pub mod alibaba_2018;
pub mod alibaba_gpu_2023;
pub mod azure_vm;
mod files;
pub mod google_2011;
mod headerless;
pub mod podsim;
pub mod replay;

pub mod convert;
pub mod stats;

pub use files::{expand_paths, field, open_text, CsvRows};
pub use replay::{MachineReplay, PodReplay, ReplayOptions, ReplayStats};

use crate::cluster::{PodKind, Resources};
use crate::engine::SimTime;
use std::fmt;
use std::path::PathBuf;

/// The trace formats podsim reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TraceFormat {
    /// podsim's own CSV (see `docs/traces.md`).
    Podsim,
    /// Alibaba cluster-trace-v2018: `container_meta.csv` or `batch_task.csv`,
    /// and `machine_meta.csv` (see [`alibaba_2018`]).
    Alibaba2018,
    /// Google cluster-data 2011: `task_events` and `machine_events` part
    /// files (see [`google_2011`]).
    Google2011,
    /// Azure public VM traces V1 and V2: `vmtable.csv` (see [`azure_vm`]).
    AzureVm,
    /// Alibaba cluster-trace-gpu-v2023 ("openb"): a pod list and a node list.
    AlibabaGpu2023,
    /// Alibaba cluster-trace-v2017: `batch_task.csv` and `server_event.csv`.
    Alibaba2017,
}

impl TraceFormat {
    pub const NAMES: &'static [&'static str] = &[
        "podsim",
        "alibaba-2018",
        "alibaba-2017",
        "google-2011",
        "alibaba-gpu-2023",
        "azure-vm",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "podsim" => Some(Self::Podsim),
            "alibaba-2018" => Some(Self::Alibaba2018),
            "google-2011" => Some(Self::Google2011),
            "azure-vm" => Some(Self::AzureVm),
            "alibaba-gpu-2023" => Some(Self::AlibabaGpu2023),
            "alibaba-2017" => Some(Self::Alibaba2017),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Podsim => "podsim",
            Self::Alibaba2018 => "alibaba-2018",
            Self::Google2011 => "google-2011",
            Self::AzureVm => "azure-vm",
            Self::AlibabaGpu2023 => "alibaba-gpu-2023",
            Self::Alibaba2017 => "alibaba-2017",
        }
    }

    /// Whether the format describes machines (so it can build the cluster).
    pub fn has_machines(self) -> bool {
        match self {
            Self::Podsim
            | Self::Alibaba2018
            | Self::Google2011
            | Self::AlibabaGpu2023
            | Self::Alibaba2017 => true,
            Self::AzureVm => false,
        }
    }
}

impl fmt::Display for TraceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the full scale of a normalized value means, for formats that
/// normalize CPU or memory: Google's 1.0, Alibaba's 100. Formats with
/// absolute units (cores, MiB) ignore these; each reader's doc says which
/// scale it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scales {
    /// Millicores that a normalized CPU at full scale stands for.
    pub cpu_m: u64,
    /// Bytes that a normalized memory at full scale stands for.
    pub memory: u64,
}

impl Default for Scales {
    /// A 2011-era Google machine of capacity 1.0 is taken as 32 cores and
    /// 128 GiB; Alibaba's normalized memory likewise as 128 GiB. These are
    /// assumptions, not facts the traces publish: set them in the scenario.
    fn default() -> Self {
        Scales {
            cpu_m: 32_000,
            memory: 128 << 30,
        }
    }
}

/// How a trace pod runs once it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceRun {
    /// It runs this long, then completes.
    For(SimTime),
    /// It runs until the end of the simulation (the trace saw no end).
    Forever,
    /// Its run time comes later, in a [`PodItem::End`] with the same key.
    UntilEnd,
}

/// A pod as a trace describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct TracePod {
    /// Unique among the trace's pods that have not ended yet: used to match
    /// a later [`PodItem::End`] (a task resubmitted after it ended may reuse it).
    pub key: String,
    /// The job, task group or application it belongs to.
    pub owner: String,
    pub kind: PodKind,
    /// Trace time of submission.
    pub submit: SimTime,
    pub run: TraceRun,
    pub requests: Resources,
    pub priority: i32,
}

/// One item of a pod stream, in trace-time order.
#[derive(Clone, Debug, PartialEq)]
pub enum PodItem {
    Pod(TracePod),
    /// The pod `key` ended at `t` after running `ran` (its observed run time).
    End {
        key: String,
        t: SimTime,
        ran: SimTime,
    },
}

impl PodItem {
    /// The trace time at which the item takes effect.
    pub fn time(&self) -> SimTime {
        match self {
            PodItem::Pod(p) => p.submit,
            PodItem::End { t, .. } => *t,
        }
    }
}

/// What happens to a machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachineChange {
    /// A machine joins with this capacity (or, if it exists, comes back).
    Add(Resources),
    Fail,
    Recover,
    Remove,
    /// Its capacity changes.
    Resize(Resources),
}

impl MachineChange {
    pub fn name(&self) -> &'static str {
        match self {
            MachineChange::Add(_) => "add",
            MachineChange::Fail => "fail",
            MachineChange::Recover => "recover",
            MachineChange::Remove => "remove",
            MachineChange::Resize(_) => "resize",
        }
    }
}

/// A machine event, in trace time.
#[derive(Clone, Debug, PartialEq)]
pub struct MachineEvent {
    pub t: SimTime,
    pub machine: String,
    pub change: MachineChange,
}

/// A row that could not be used: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    pub file: String,
    pub line: u64,
    pub message: String,
    /// The row is sound but describes nothing to replay (a task that never
    /// asked for resources, a status podsim does not model): it is counted
    /// apart from bad rows, and `strict` does not stop on it.
    pub left_out: bool,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A problem that stops reading a trace: a missing file, a file that is not
/// the format named, a bad row under `strict`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct TraceError {
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl TraceError {
    pub fn new(file: impl Into<String>, line: Option<u64>, message: impl Into<String>) -> Self {
        TraceError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl From<BadRow> for TraceError {
    fn from(b: BadRow) -> Self {
        TraceError {
            file: b.file,
            line: Some(b.line),
            message: b.message,
        }
    }
}

pub type PodStream = Box<dyn Iterator<Item = Result<PodItem, BadRow>> + Send>;
pub type MachineStream = Box<dyn Iterator<Item = Result<MachineEvent, BadRow>> + Send>;

/// The files of one trace, as the scenario names them (globs expanded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceFiles {
    /// The pods, tasks, containers or VMs.
    pub pods: Vec<PathBuf>,
    /// The machines: a node list or a machine event log.
    pub nodes: Vec<PathBuf>,
}

/// Opens the pod stream of a trace.
pub fn open_pods(
    format: TraceFormat,
    files: &TraceFiles,
    scales: &Scales,
) -> Result<PodStream, TraceError> {
    match format {
        TraceFormat::Podsim => podsim::open_pods(&files.pods, scales),
        TraceFormat::Alibaba2018 => alibaba_2018::open_pods(&files.pods, scales),
        TraceFormat::Google2011 => google_2011::open_pods(&files.pods, scales),
        TraceFormat::AzureVm => azure_vm::open_pods(&files.pods, scales),
        TraceFormat::AlibabaGpu2023 => alibaba_gpu_2023::open_pods(&files.pods, scales),
        TraceFormat::Alibaba2017 => alibaba_2017::open_pods(&files.pods, scales),
    }
}

/// Opens the machine stream of a trace, if its files describe machines.
pub fn open_nodes(
    format: TraceFormat,
    files: &TraceFiles,
    scales: &Scales,
) -> Result<Option<MachineStream>, TraceError> {
    if files.nodes.is_empty() {
        return Ok(None);
    }
    match format {
        TraceFormat::Podsim => podsim::open_nodes(&files.nodes, scales).map(Some),
        TraceFormat::Alibaba2018 => alibaba_2018::open_nodes(&files.nodes, scales).map(Some),
        TraceFormat::Google2011 => google_2011::open_nodes(&files.nodes, scales).map(Some),
        TraceFormat::AzureVm => Err(TraceError::new(
            files.nodes[0].display().to_string(),
            None,
            "the azure-vm format has no machine file",
        )),
        TraceFormat::AlibabaGpu2023 => alibaba_gpu_2023::open_nodes(&files.nodes, scales).map(Some),
        TraceFormat::Alibaba2017 => alibaba_2017::open_nodes(&files.nodes, scales).map(Some),
    }
}
