//! The scenario file: what cluster, what workload, what happens to it, and
//! which policies to compare. Read in two stages: raw serde structs that
//! mirror the file ([`raw`]), then validation into the typed [`Scenario`]
//! below, with every problem reported at its file, line and field.
//!
//! The format is documented in `docs/scenario-format.md`.

mod error;
pub mod raw;
// A scenario error is built at most once per file read; its size on the cold path does not matter.
#[allow(clippy::result_large_err)]
mod validate;
mod values;

pub use error::{field_path_at, ScenarioError};
pub use values::{parse_rate, Cpu, Dur, Mem, Rate};

use crate::cluster::{Resources, Taint, Toleration};
use crate::engine::SimTime;
use crate::policy::ProfileSpec;
use crate::workload::trace::{ReplayOptions, Scales, TraceFiles, TraceFormat};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A trace to replay: which reader, which files, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSpec {
    /// Names the trace's owners and, when it builds nodes, their pool.
    pub name: String,
    pub format: TraceFormat,
    pub files: TraceFiles,
    pub scales: Scales,
    pub replay: ReplayOptions,
    /// Create the cluster's nodes from the trace's machine events.
    pub build_cluster: bool,
    /// For nodes the trace creates: zones (round-robin), pod limit, price.
    pub zones: Vec<String>,
    pub max_pods: u32,
    pub cost_per_hour: f64,
    /// Applied to every pod of the trace.
    pub startup: SimTime,
    pub tolerations: Vec<Toleration>,
    pub node_selector: BTreeMap<String, String>,
}

/// Kubernetes' defaults for the control plane's timings (see `docs/kubernetes-model.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct ControlPlaneConfig {
    /// A silent node is marked NotReady after this long: 50 s since Kubernetes 1.32, 40 s before.
    pub node_monitor_grace: SimTime,
    /// Pods on a NotReady node are evicted after this long (the default toleration of 300 s).
    pub eviction_timeout: SimTime,
    /// An evicted or deleted pod holds its node's resources this long while it shuts down.
    pub termination_grace: SimTime,
    /// A failed job pod is recreated after base × 2^(failures − 1), capped at max.
    pub job_backoff_base: SimTime,
    pub job_backoff_max: SimTime,
    /// A job task is given up after more than this many failures.
    pub job_backoff_limit: u32,
}

impl Default for ControlPlaneConfig {
    fn default() -> Self {
        ControlPlaneConfig {
            node_monitor_grace: SimTime::from_secs(50),
            eviction_timeout: SimTime::from_mins(5),
            termination_grace: SimTime::from_secs(30),
            job_backoff_base: SimTime::from_secs(10),
            job_backoff_max: SimTime::from_mins(6),
            job_backoff_limit: 6,
        }
    }
}

/// A group of identical nodes named `<name>-<index>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pool {
    pub name: String,
    pub count: u32,
    pub allocatable: Resources,
    /// Nodes take zones round-robin by index.
    pub zones: Vec<String>,
    pub max_pods: u32,
    pub cost_per_hour: f64,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
}

/// What every pod of a service or job asks of the scheduler.
#[derive(Clone, Debug, PartialEq)]
pub struct PodTemplate {
    pub requests: Resources,
    pub priority: i32,
    pub startup: SimTime,
    pub tolerations: Vec<Toleration>,
    pub node_selector: BTreeMap<String, String>,
}

/// A long-running workload whose controller keeps `replicas` pods.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: String,
    pub replicas: u32,
    pub template: PodTemplate,
}

/// A batch workload: `count` pods arriving over time, each running to completion.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub name: String,
    pub count: u32,
    pub template: PodTemplate,
    pub arrival: Arrival,
    pub duration: DurationDist,
}

/// When a job's pods arrive.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrival {
    /// Exponential gaps with the given rate (events per second), from time 0.
    Poisson { rate_per_s: f64 },
    /// One pod every `interval`, the first at `start`.
    Every { interval: SimTime, start: SimTime },
    /// All pods at `at`.
    AtOnce { at: SimTime },
}

/// How long a job pod runs once started. Parameters in seconds.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationDist {
    Constant {
        value: f64,
    },
    Exponential {
        mean: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    /// `ln X ~ Normal(ln median, sigma)`.
    LogNormal {
        median: f64,
        sigma: f64,
    },
    Weibull {
        scale: f64,
        shape: f64,
    },
    /// Pareto type I: minimum `scale`, tail index `shape`.
    Pareto {
        scale: f64,
        shape: f64,
    },
}

/// Something that happens to the cluster at a set time.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioEvent {
    pub at: SimTime,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The machine dies; with `duration`, it comes back after that long.
    FailNode {
        node: String,
        duration: Option<SimTime>,
    },
    RecoverNode {
        node: String,
    },
    /// The node leaves for good; its pods stop at once and are replaced.
    RemoveNode {
        node: String,
    },
    /// Cordon, then evict every pod gracefully.
    DrainNode {
        node: String,
    },
    /// Make a cordoned node schedulable again.
    UncordonNode {
        node: String,
    },
    FailZone {
        zone: String,
        duration: Option<SimTime>,
    },
    RecoverZone {
        zone: String,
    },
    /// Scale out: `count` new nodes of pool index `pool`.
    AddNodes {
        pool: usize,
        count: u32,
    },
    /// Change the declared replicas of service index `service`.
    ScaleService {
        service: usize,
        replicas: u32,
    },
}

impl Action {
    /// The name used in the scenario file.
    pub fn name(&self) -> &'static str {
        match self {
            Action::FailNode { .. } => "fail-node",
            Action::RecoverNode { .. } => "recover-node",
            Action::RemoveNode { .. } => "remove-node",
            Action::DrainNode { .. } => "drain-node",
            Action::UncordonNode { .. } => "uncordon-node",
            Action::FailZone { .. } => "fail-zone",
            Action::RecoverZone { .. } => "recover-zone",
            Action::AddNodes { .. } => "add-nodes",
            Action::ScaleService { .. } => "scale-service",
        }
    }
}

/// Every action name the file accepts.
pub const ACTIONS: &[&str] = &[
    "fail-node",
    "recover-node",
    "remove-node",
    "drain-node",
    "uncordon-node",
    "fail-zone",
    "recover-zone",
    "add-nodes",
    "scale-service",
];

/// A validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub horizon: SimTime,
    pub sample_every: SimTime,
    pub policies: Vec<String>,
    pub control: ControlPlaneConfig,
    pub pools: Vec<Pool>,
    pub services: Vec<Service>,
    pub jobs: Vec<Job>,
    /// Sorted by time; events at the same time keep their file order.
    pub events: Vec<ScenarioEvent>,
    pub profiles: Vec<ProfileSpec>,
    /// Real traces to replay.
    pub traces: Vec<TraceSpec>,
    /// The folder relative paths in the file are resolved against.
    pub base_dir: PathBuf,
    /// Where it was read from (a path, or `<built-in NAME>`).
    pub source: String,
    /// The file's text, copied into the output folder for provenance.
    pub text: String,
}

#[allow(clippy::result_large_err)]
impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ScenarioError::whole_file(&file, format!("cannot read the scenario: {e}"))
        })?;
        Self::parse(&text, &file)
    }

    /// Validates scenario text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        validate::parse(text, file)
    }

    /// Every node name the cluster starts with, in node-id order.
    pub fn initial_node_names(&self) -> Vec<String> {
        self.pools
            .iter()
            .flat_map(|p| (0..p.count).map(move |i| format!("{}-{i}", p.name)))
            .collect()
    }
}
