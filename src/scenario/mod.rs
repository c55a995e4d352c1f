//! The scenario file: what cluster, what workload, what happens to it, and
//! which policies to compare. Read in two stages: raw serde structs that
//! mirror the file ([`raw`]), then validation into the typed [`Scenario`]
//! below, with every problem reported at its file, line and field.
//!
//! The format is documented in `docs/scenario-format.md`.

mod error;
pub mod failure;
mod placement;
pub mod raw;
// A scenario error is built at most once per file read; its size on the cold path does not matter.
mod autoscaler;
#[allow(clippy::result_large_err)]
mod validate;
mod values;

pub use autoscaler::{ClusterAutoscalerConfig, Expander, NodeGroup};
pub use error::{field_path_at, inline_path_at, ScenarioError};
pub use failure::{Batch, FailureModel, FailurePlan, FailureTarget, PlannedFailure};
pub use values::{parse_rate, Cpu, Dur, Mem, Rate};

use crate::cluster::{Constraints, Resources, Taint, Toleration};
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
    /// Whether the trace's pods may preempt lower-priority pods.
    pub preemption: crate::cluster::PreemptionPolicy,
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
    /// How often the horizontal pod autoscaler syncs each HPA (15 s).
    pub hpa_sync_period: SimTime,
    /// The HPA holds the count while |usage ratio − 1| is at most this (0.1).
    pub hpa_tolerance: f64,
    /// A pod that could preempt but found no victims is retried after this
    /// long even if nothing else changed (kube-scheduler's
    /// `podMaxInUnschedulablePodsDuration`, 5 min).
    pub pod_max_in_unschedulable: SimTime,
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
            hpa_sync_period: SimTime::from_secs(15),
            hpa_tolerance: 0.1,
            pod_max_in_unschedulable: SimTime::from_mins(5),
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
    /// Set when the pool is a node group of the cluster autoscaler.
    pub node_group: Option<NodeGroup>,
}

/// What every pod of a service or job asks of the scheduler.
#[derive(Clone, Debug, PartialEq)]
pub struct PodTemplate {
    pub requests: Resources,
    pub priority: i32,
    pub startup: SimTime,
    pub tolerations: Vec<Toleration>,
    pub node_selector: BTreeMap<String, String>,
    /// Topology spread, anti-affinity and preemption policy.
    pub constraints: Constraints,
}

/// A long-running workload whose controller keeps `replicas` pods.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: String,
    pub replicas: u32,
    pub template: PodTemplate,
    /// The CPU its users demand over time (what the HPA measures).
    pub load: Option<crate::workload::load::LoadCurve>,
    /// A horizontal pod autoscaler on its CPU utilization.
    pub hpa: Option<crate::policy::hpa::HpaSpec>,
    /// Its PodDisruptionBudget: the fewest pods kept healthy through
    /// voluntary evictions (descheduler, drains).
    pub min_available: Option<crate::policy::disruption_budget::MinAvailable>,
    /// A zone topology-spread `maxSkew`, repaired by the descheduler's
    /// RemovePodsViolatingTopologySpreadConstraint.
    pub max_skew: Option<u32>,
}

/// A batch workload: `count` pods arriving over time, each running to completion.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub name: String,
    pub count: u32,
    /// For a job with a `sizes` table, `requests` is the first size's; each
    /// task's own requests come from [`Job::sizes`].
    pub template: PodTemplate,
    pub arrival: Arrival,
    pub duration: DurationDist,
    /// The requests each task draws from, by weight: one entry for a job
    /// written with `cpu` and `memory`, the table's entries for `sizes`.
    pub sizes: Vec<JobSize>,
}

/// One entry of a job's `sizes` table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobSize {
    pub requests: Resources,
    /// Relative weight, finite and greater than zero.
    pub weight: f64,
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
    /// A Poisson process whose rate follows a daily curve (non-homogeneous;
    /// sampled exactly by thinning).
    Diurnal(DailyCurve),
    /// A two-state Markov-modulated Poisson process: on and off periods of
    /// exponential length, each with its own rate.
    Bursty(OnOff),
    /// The submit times of a trace's pods, in order.
    Trace(TraceArrivals),
}

impl Arrival {
    /// Every process name the file accepts.
    pub const NAMES: &'static [&'static str] =
        &["poisson", "every", "at-once", "diurnal", "bursty", "trace"];
}

/// A daily arrival-rate curve: `rate(t) = mean_per_s × shape(time of day)`,
/// where the shape averages 1 over a day.
#[derive(Clone, Debug, PartialEq)]
pub struct DailyCurve {
    /// The rate averaged over a day, events per second.
    pub mean_per_s: f64,
    pub shape: DailyShape,
    /// The time of day at simulated time 0 (under 24 h).
    pub time_of_day: SimTime,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DailyShape {
    /// `1 + amplitude × cos(2π (time of day − peak) / 1 day)`, amplitude in [0, 1].
    Sine { amplitude: f64, peak: SimTime },
    /// Hour `h` (0–23) of the day has factor `f[h]`; the 24 factors average 1
    /// (the file's weights divided by their mean).
    Hourly(Vec<f64>),
}

impl DailyCurve {
    pub const DAY_S: f64 = 86_400.0;

    /// The rate (events per second) at simulated time `t` seconds.
    pub fn rate_at(&self, t: f64) -> f64 {
        let day = (t + self.time_of_day.as_secs_f64()).rem_euclid(Self::DAY_S);
        self.mean_per_s * self.shape_at(day)
    }

    /// The curve's factor at `day` seconds after midnight.
    fn shape_at(&self, day: f64) -> f64 {
        match &self.shape {
            DailyShape::Sine { amplitude, peak } => {
                let phase = (day - peak.as_secs_f64()) / Self::DAY_S;
                (1.0 + amplitude * (std::f64::consts::TAU * phase).cos()).max(0.0)
            }
            DailyShape::Hourly(f) => f[((day / 3600.0) as usize).min(f.len() - 1)],
        }
    }

    /// The highest rate of the day (the thinning bound).
    pub fn peak_rate(&self) -> f64 {
        self.mean_per_s
            * match &self.shape {
                DailyShape::Sine { amplitude, .. } => 1.0 + amplitude,
                DailyShape::Hourly(f) => f.iter().copied().fold(0.0, f64::max),
            }
    }

    /// The expected number of arrivals between simulated times `a` and `b`
    /// seconds (`a ≤ b`), the integral of the rate.
    pub fn expected_between(&self, a: f64, b: f64) -> f64 {
        let tod = self.time_of_day.as_secs_f64();
        match &self.shape {
            DailyShape::Sine { amplitude, peak } => {
                let w = std::f64::consts::TAU / Self::DAY_S;
                let p = peak.as_secs_f64();
                let s = |t: f64| ((t + tod - p) * w).sin() / w;
                self.mean_per_s * ((b - a) + amplitude * (s(b) - s(a)))
            }
            DailyShape::Hourly(_) => {
                // Piecewise constant: sum whole and partial hours.
                let mut total = 0.0;
                let mut t = a;
                while t < b {
                    let day = (t + tod).rem_euclid(Self::DAY_S);
                    let next_hour = t + (3600.0 - day.rem_euclid(3600.0));
                    let end = next_hour.min(b);
                    total += self.rate_at(t) * (end - t);
                    t = end;
                }
                total
            }
        }
    }
}

/// A two-state Markov-modulated Poisson process.
#[derive(Clone, Debug, PartialEq)]
pub struct OnOff {
    /// Arrival rate while on, events per second (> 0).
    pub on_rate_per_s: f64,
    /// Arrival rate while off, events per second (≥ 0).
    pub off_rate_per_s: f64,
    /// Mean lengths of on and off periods, seconds (> 0).
    pub mean_on_s: f64,
    pub mean_off_s: f64,
}

impl OnOff {
    /// The long-run share of time spent on.
    pub fn on_fraction(&self) -> f64 {
        self.mean_on_s / (self.mean_on_s + self.mean_off_s)
    }

    /// The long-run arrival rate, events per second.
    pub fn mean_rate(&self) -> f64 {
        let p = self.on_fraction();
        p * self.on_rate_per_s + (1.0 - p) * self.off_rate_per_s
    }

    /// The asymptotic variance of the count per unit time,
    /// `lim Var N(T) / T = λ̄ + 2 (λ_on − λ_off)² α β / (α + β)³` with switching
    /// rates α = 1/mean-on, β = 1/mean-off: above λ̄ (a Poisson process's
    /// value) whenever the rates differ.
    pub fn count_variance_rate(&self) -> f64 {
        let (a, b) = (1.0 / self.mean_on_s, 1.0 / self.mean_off_s);
        let d = self.on_rate_per_s - self.off_rate_per_s;
        self.mean_rate() + 2.0 * d * d * a * b / (a + b).powi(3)
    }
}

/// Arrival times read from a trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceArrivals {
    pub format: TraceFormat,
    pub files: Vec<PathBuf>,
    /// Trace time that becomes simulated time 0; earlier pods are skipped.
    pub from: SimTime,
    /// Simulated time = (trace time − from) × time_scale.
    pub time_scale: f64,
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
    /// The run times of a trace's pods, resampled.
    Empirical(EmpiricalSample),
}

impl DurationDist {
    /// Every distribution name the file accepts.
    pub const NAMES: &'static [&'static str] = &[
        "constant",
        "exponential",
        "uniform",
        "lognormal",
        "weibull",
        "pareto",
        "empirical",
    ];
}

/// Values taken from a trace for an empirical distribution: a seeded
/// reservoir sample of at most [`EmpiricalSample::MAX_VALUES`] of them, sorted.
#[derive(Clone, PartialEq)]
pub struct EmpiricalSample {
    /// Where they came from, for messages.
    pub source: String,
    /// The values kept, in microseconds, sorted.
    pub values: std::sync::Arc<[u64]>,
    /// How many usable values the trace held (more than kept if it held
    /// more than the bound).
    pub seen: u64,
    /// Rows that could not be read and were skipped.
    pub bad_rows: u64,
    /// Pods whose run time the trace does not know (they run to its end).
    pub no_run_time: u64,
}

impl EmpiricalSample {
    /// The most values kept: 100,000 (800 KB). A uniform sample of this many
    /// pins every quantile of the trace's distribution within about ±0.5
    /// percentage points (the KS bound 1.63/√n at 99 % confidence).
    pub const MAX_VALUES: usize = 100_000;
}

impl std::fmt::Debug for EmpiricalSample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "EmpiricalSample({}: {} values kept of {})",
            self.source,
            self.values.len(),
            self.seen
        )
    }
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
    /// The node is cut off from the control plane for `duration`; its
    /// machine and pods keep running.
    PartitionNode {
        node: String,
        duration: SimTime,
    },
    /// Every node of the zone is cut off from the control plane.
    PartitionZone {
        zone: String,
        duration: SimTime,
    },
    /// Vertical scale-up: the node restarts (down for `downtime`) and comes
    /// back with `allocatable`.
    ResizeNode {
        node: String,
        allocatable: Resources,
        downtime: SimTime,
    },
    /// Every node of pool index `pool` is resized at once.
    ResizePool {
        pool: usize,
        allocatable: Resources,
        downtime: SimTime,
    },
    /// Maintenance: drain the pool's nodes `batch` at a time; each batch stays
    /// cordoned `duration` after it is empty, then the next starts `pause` later.
    RollingDrain {
        pool: usize,
        batch: Batch,
        pause: SimTime,
        duration: SimTime,
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
            Action::PartitionNode { .. } => "partition-node",
            Action::PartitionZone { .. } => "partition-zone",
            Action::ResizeNode { .. } => "resize-node",
            Action::ResizePool { .. } => "resize-pool",
            Action::RollingDrain { .. } => "rolling-drain",
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
    "partition-node",
    "partition-zone",
    "resize-node",
    "resize-pool",
    "rolling-drain",
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
    /// The descheduler, if the scenario runs one (`[descheduler]`).
    pub descheduler: Option<crate::policy::descheduler::DeschedulerSpec>,
    /// Failure models (`[[failures]]`), in file order.
    pub failures: Vec<FailureModel>,
    /// The cluster autoscaler, on when some pool has a `max-count`.
    pub cluster_autoscaler: Option<ClusterAutoscalerConfig>,
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
