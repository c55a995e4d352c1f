//! The scenario file exactly as written: serde structs that reject unknown
//! keys. Validation into typed values happens in [`super::validate`].

use super::values::{Cpu, Dur, Mem, Rate};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawScenario {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub seed: Option<u64>,
    pub horizon: Spanned<Dur>,
    pub sample_every: Option<Spanned<Dur>>,
    pub policies: Option<Spanned<Vec<Spanned<String>>>>,
    pub control_plane: Option<RawControlPlane>,
    #[serde(default)]
    pub pools: Vec<RawPool>,
    #[serde(default)]
    pub services: Vec<RawService>,
    #[serde(default)]
    pub jobs: Vec<RawJob>,
    #[serde(default)]
    pub events: Vec<RawEvent>,
    #[serde(default)]
    pub profiles: Vec<RawProfile>,
    #[serde(default)]
    pub traces: Vec<RawTrace>,
    pub descheduler: Option<RawDescheduler>,
    #[serde(default)]
    pub failures: Vec<super::failure::RawFailure>,
    pub cluster_autoscaler: Option<Spanned<RawClusterAutoscaler>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawTrace {
    pub name: Option<Spanned<String>>,
    pub format: Spanned<String>,
    pub pods: Option<Spanned<String>>,
    pub nodes: Option<Spanned<String>>,
    pub cpu_scale: Option<Spanned<Cpu>>,
    pub memory_scale: Option<Spanned<Mem>>,
    pub from: Option<Spanned<Dur>>,
    pub until: Option<Spanned<Dur>>,
    pub time_scale: Option<Spanned<f64>>,
    pub sample: Option<Spanned<f64>>,
    pub every_nth_job: Option<Spanned<u32>>,
    #[serde(default)]
    pub strict: bool,
    pub reorder_window: Option<Spanned<u32>>,
    pub build_cluster: Option<bool>,
    pub zones: Option<Spanned<Vec<String>>>,
    pub max_pods: Option<Spanned<u32>>,
    pub cost_per_hour: Option<Spanned<f64>>,
    pub startup: Option<Dur>,
    #[serde(default)]
    pub tolerations: Vec<Spanned<String>>,
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    pub preemption_policy: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawControlPlane {
    pub node_monitor_grace: Option<Dur>,
    pub eviction_timeout: Option<Dur>,
    pub termination_grace: Option<Dur>,
    pub job_backoff_base: Option<Dur>,
    pub job_backoff_max: Option<Spanned<Dur>>,
    pub job_backoff_limit: Option<u32>,
    pub hpa_sync_period: Option<Spanned<Dur>>,
    pub hpa_tolerance: Option<Spanned<f64>>,
    pub pod_max_in_unschedulable: Option<Spanned<Dur>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPool {
    pub name: Spanned<String>,
    pub count: Spanned<u32>,
    pub cpu: Spanned<Cpu>,
    pub memory: Spanned<Mem>,
    pub zones: Option<Spanned<Vec<String>>>,
    pub max_pods: Option<Spanned<u32>>,
    pub cost_per_hour: Option<Spanned<f64>>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub taints: Vec<Spanned<String>>,
    pub min_count: Option<Spanned<u32>>,
    pub max_count: Option<Spanned<u32>>,
    pub expander_priority: Option<Spanned<i32>>,
    pub provisioning_time: Option<Spanned<Dur>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawService {
    pub name: Spanned<String>,
    pub replicas: u32,
    pub cpu: Cpu,
    pub memory: Mem,
    #[serde(default)]
    pub priority: i32,
    pub startup: Option<Dur>,
    #[serde(default)]
    pub tolerations: Vec<Spanned<String>>,
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    pub load: Option<Spanned<RawLoad>>,
    pub hpa: Option<Spanned<RawHpa>>,
    pub min_available: Option<Spanned<IntOrPercent>>,
    pub max_skew: Option<Spanned<u32>>,
    #[serde(default)]
    pub topology_spread: Vec<RawSpread>,
    #[serde(default)]
    pub anti_affinity: Vec<RawAntiAffinity>,
    pub preemption_policy: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawJob {
    pub name: Spanned<String>,
    pub count: u32,
    pub cpu: Option<Spanned<Cpu>>,
    pub memory: Option<Spanned<Mem>>,
    pub sizes: Option<Spanned<Vec<RawSize>>>,
    #[serde(default)]
    pub priority: i32,
    pub startup: Option<Dur>,
    #[serde(default)]
    pub tolerations: Vec<Spanned<String>>,
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    #[serde(default)]
    pub topology_spread: Vec<RawSpread>,
    #[serde(default)]
    pub anti_affinity: Vec<RawAntiAffinity>,
    pub preemption_policy: Option<Spanned<String>>,
    pub arrival: Spanned<RawArrival>,
    pub duration: Spanned<RawDist>,
}

/// One `topology-spread` entry of a service or job.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSpread {
    pub max_skew: Spanned<i64>,
    pub topology_key: Spanned<String>,
    pub when_unsatisfiable: Spanned<String>,
    pub min_domains: Option<Spanned<i64>>,
    pub node_taints_policy: Option<Spanned<String>>,
}

/// One `anti-affinity` entry of a service or job.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAntiAffinity {
    pub topology_key: Spanned<String>,
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub weight: Option<Spanned<i64>>,
}

/// One entry of a job's `sizes` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSize {
    pub cpu: Spanned<Cpu>,
    pub memory: Spanned<Mem>,
    pub weight: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawArrival {
    pub process: Spanned<String>,
    pub rate: Option<Rate>,
    pub interval: Option<Dur>,
    pub at: Option<Dur>,
    pub start: Option<Dur>,
    // diurnal
    pub mean_rate: Option<Rate>,
    pub amplitude: Option<Spanned<f64>>,
    pub peak: Option<Spanned<Dur>>,
    pub hourly: Option<Spanned<Vec<f64>>>,
    pub time_of_day: Option<Spanned<Dur>>,
    // bursty
    pub on_rate: Option<Rate>,
    pub off_rate: Option<Rate>,
    pub mean_on: Option<Spanned<Dur>>,
    pub mean_off: Option<Spanned<Dur>>,
    // trace
    pub file: Option<Spanned<String>>,
    pub format: Option<Spanned<String>>,
    pub from: Option<Dur>,
    pub time_scale: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDist {
    pub dist: Spanned<String>,
    pub value: Option<Dur>,
    pub mean: Option<Dur>,
    pub min: Option<Dur>,
    pub max: Option<Dur>,
    pub median: Option<Dur>,
    pub sigma: Option<f64>,
    pub scale: Option<Dur>,
    pub shape: Option<f64>,
    // empirical
    pub file: Option<Spanned<String>>,
    pub format: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEvent {
    pub at: Spanned<Dur>,
    pub action: Spanned<String>,
    pub node: Option<Spanned<String>>,
    pub pool: Option<Spanned<String>>,
    pub zone: Option<Spanned<String>>,
    pub service: Option<Spanned<String>>,
    pub count: Option<Spanned<u32>>,
    pub replicas: Option<Spanned<u32>>,
    pub duration: Option<Spanned<Dur>>,
    pub cpu: Option<Spanned<Cpu>>,
    pub memory: Option<Spanned<Mem>>,
    pub batch: Option<Spanned<super::failure::Batch>>,
    pub pause: Option<Spanned<Dur>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawProfile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub filters: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub scorers: Vec<RawScorer>,
    pub select: Option<Spanned<String>>,
    pub tie_break: Option<Spanned<String>>,
    pub percentage_of_nodes_to_score: Option<Spanned<u32>>,
    pub preemption: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawScorer {
    pub plugin: Spanned<String>,
    #[serde(default = "one")]
    pub weight: Spanned<i64>,
}

fn one() -> Spanned<i64> {
    Spanned::new(0..0, 1)
}

mod hpa;
pub use hpa::{RawHpa, RawLoad, RawLoadStep, RawScalingPolicy, RawScalingRules};
/// `[descheduler]`: the descheduler's settings and its strategies, each
/// enabled by its own sub-table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDescheduler {
    pub interval: Option<Spanned<Dur>>,
    pub max_pods_to_evict_per_node: Option<u32>,
    pub max_pods_to_evict_total: Option<u32>,
    pub priority_threshold: Option<i32>,
    pub remove_duplicates: Option<RawRemoveDuplicates>,
    pub low_node_utilization: Option<RawLowNodeUtilization>,
    pub high_node_utilization: Option<RawHighNodeUtilization>,
    pub remove_pods_violating_topology_spread_constraint: Option<RawTopologySpread>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRemoveDuplicates {
    #[serde(default)]
    pub exclude_owner_kinds: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLowNodeUtilization {
    pub thresholds: Spanned<RawThresholds>,
    pub target_thresholds: Spanned<RawThresholds>,
    #[serde(default)]
    pub number_of_nodes: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawHighNodeUtilization {
    pub thresholds: Spanned<RawThresholds>,
    #[serde(default)]
    pub number_of_nodes: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawTopologySpread {}

/// Percentages of allocatable per resource.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawThresholds {
    pub cpu: Option<Spanned<f64>>,
    pub memory: Option<Spanned<f64>>,
    pub pods: Option<Spanned<f64>>,
}

/// A PodDisruptionBudget's `min-available`: a count (`2`) or a whole
/// percentage (`"50%"`), as Kubernetes' IntOrString.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntOrPercent(pub crate::policy::disruption_budget::MinAvailable);

impl<'de> Deserialize<'de> for IntOrPercent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use crate::policy::disruption_budget::MinAvailable;
        use serde::de::{self, Visitor};
        struct V;
        impl Visitor<'_> for V {
            type Value = IntOrPercent;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a count of pods such as 2, or a percentage such as \"50%\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrPercent, E> {
                u32::try_from(v)
                    .map(|n| IntOrPercent(MinAvailable::Count(n)))
                    .map_err(|_| {
                        E::custom(format!(
                            "invalid min-available {v}: a count of pods must be 0 or more"
                        ))
                    })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrPercent, E> {
                let bad = || {
                    E::custom(format!(
                        "invalid min-available {v:?}: write a count of pods such as 2, or a whole percentage from \"0%\" to \"100%\""
                    ))
                };
                let p = v.trim().strip_suffix('%').ok_or_else(bad)?;
                match p.parse::<u32>() {
                    Ok(p) if p <= 100 => Ok(IntOrPercent(MinAvailable::Percent(p))),
                    _ => Err(bad()),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The `[cluster-autoscaler]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawClusterAutoscaler {
    pub scan_interval: Option<Spanned<Dur>>,
    pub expander: Option<Spanned<String>>,
    pub provisioning_time: Option<Spanned<Dur>>,
    pub scale_down_enabled: Option<bool>,
    pub scale_down_utilization_threshold: Option<Spanned<f64>>,
    pub scale_down_unneeded_time: Option<Spanned<Dur>>,
    pub scale_down_delay_after_add: Option<Spanned<Dur>>,
    pub max_nodes_total: Option<Spanned<u32>>,
    pub max_scale_down_parallelism: Option<Spanned<u32>>,
    pub max_drain_parallelism: Option<Spanned<u32>>,
    pub scale_down_non_empty_candidates_count: Option<Spanned<u32>>,
    pub expendable_pods_priority_cutoff: Option<Spanned<i32>>,
    pub unremovable_node_recheck_timeout: Option<Spanned<Dur>>,
}
