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
