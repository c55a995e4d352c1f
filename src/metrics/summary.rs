//! One row of `summary.csv`: a run's headline numbers.

/// Column names of `summary.csv`, in order. The first nineteen are a contract
/// other tools rely on; later columns are appended, never inserted.
pub const SUMMARY_COLUMNS: &[&str] = &[
    "policy",
    "seed",
    "pods_submitted",
    "pods_completed",
    "pods_pending_at_end",
    "pods_failed",
    "evictions",
    "restarts",
    "wait_mean_s",
    "wait_p50_s",
    "wait_p95_s",
    "wait_p99_s",
    "wait_max_s",
    "cpu_alloc_mean_pct",
    "imbalance_mean",
    "availability_pct",
    "lost_work_core_s",
    "node_hours",
    "events",
    "pods_running_at_end",
    "pods_evicted",
    "pods_deleted",
    "tasks_failed",
    "mem_alloc_mean_pct",
    "cost",
    "hpa_scale_ups",
    "hpa_scale_downs",
    "demand_core_s",
    "unmet_demand_core_s",
    "descheduler_evictions",
    "migrations",
    "failures",
    "failures_unrecovered",
    "recovery_mean_s",
    "recovery_max_s",
    "duplicated_pod_s",
    "nodes_added",
    "nodes_removed",
    "pods_preempted",
    "preemptions",
    "preempted_work_core_s",
    "zone_skew_mean",
    "zone_skew_max",
];

/// A run's headline numbers. Definitions are in `docs/outputs.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    pub policy: String,
    pub seed: u64,
    pub pods_submitted: u64,
    pub pods_completed: u64,
    pub pods_pending_at_end: u64,
    pub pods_failed: u64,
    pub evictions: u64,
    pub restarts: u64,
    pub wait_mean_s: Option<f64>,
    pub wait_p50_s: Option<f64>,
    pub wait_p95_s: Option<f64>,
    pub wait_p99_s: Option<f64>,
    pub wait_max_s: Option<f64>,
    pub cpu_alloc_mean_pct: f64,
    pub imbalance_mean: f64,
    /// `None` when the scenario declares no service replicas.
    pub availability_pct: Option<f64>,
    pub lost_work_core_s: f64,
    pub node_hours: f64,
    pub events: u64,
    pub pods_running_at_end: u64,
    pub pods_evicted: u64,
    pub pods_deleted: u64,
    pub tasks_failed: u64,
    pub mem_alloc_mean_pct: f64,
    pub cost: f64,
    pub hpa_scale_ups: u64,
    pub hpa_scale_downs: u64,
    /// `None` when no service has a `load`.
    pub demand_core_s: Option<f64>,
    pub unmet_demand_core_s: Option<f64>,
    pub descheduler_evictions: u64,
    pub migrations: u64,
    /// Failures (machines taken down by one event count once).
    pub failures: u64,
    /// Failures that hit a service not yet whole again at the horizon.
    pub failures_unrecovered: u64,
    /// Time from a failure until every service it hit is whole again, over
    /// the failures that hit a service and were recovered from.
    pub recovery_mean_s: Option<f64>,
    pub recovery_max_s: Option<f64>,
    /// Pod-seconds during which a pod evicted from a partitioned node and its
    /// replacement both ran.
    pub duplicated_pod_s: f64,
    /// Nodes added after time 0 (cluster autoscaler, add-nodes, a trace).
    pub nodes_added: u64,
    /// Nodes removed (cluster autoscaler, remove-node, a trace).
    pub nodes_removed: u64,
    pub pods_preempted: u64,
    pub preemptions: u64,
    pub preempted_work_core_s: f64,
    /// `None` when no sample measured a service with desired replicas.
    pub zone_skew_mean: Option<f64>,
    pub zone_skew_max: u64,
}

fn f3(v: f64) -> String {
    format!("{v:.3}")
}

fn opt(v: Option<f64>) -> String {
    v.map(f3).unwrap_or_default()
}

impl SummaryRow {
    /// The row as CSV fields, in [`SUMMARY_COLUMNS`] order, with fixed
    /// decimals so the file is byte-identical between runs.
    pub fn to_record(&self) -> Vec<String> {
        vec![
            self.policy.clone(),
            self.seed.to_string(),
            self.pods_submitted.to_string(),
            self.pods_completed.to_string(),
            self.pods_pending_at_end.to_string(),
            self.pods_failed.to_string(),
            self.evictions.to_string(),
            self.restarts.to_string(),
            opt(self.wait_mean_s),
            opt(self.wait_p50_s),
            opt(self.wait_p95_s),
            opt(self.wait_p99_s),
            opt(self.wait_max_s),
            f3(self.cpu_alloc_mean_pct),
            f3(self.imbalance_mean),
            opt(self.availability_pct),
            f3(self.lost_work_core_s),
            f3(self.node_hours),
            self.events.to_string(),
            self.pods_running_at_end.to_string(),
            self.pods_evicted.to_string(),
            self.pods_deleted.to_string(),
            self.tasks_failed.to_string(),
            f3(self.mem_alloc_mean_pct),
            format!("{:.2}", self.cost),
            self.hpa_scale_ups.to_string(),
            self.hpa_scale_downs.to_string(),
            opt(self.demand_core_s),
            opt(self.unmet_demand_core_s),
            self.descheduler_evictions.to_string(),
            self.migrations.to_string(),
            self.failures.to_string(),
            self.failures_unrecovered.to_string(),
            opt(self.recovery_mean_s),
            opt(self.recovery_max_s),
            f3(self.duplicated_pod_s),
            self.nodes_added.to_string(),
            self.nodes_removed.to_string(),
            self.pods_preempted.to_string(),
            self.preemptions.to_string(),
            f3(self.preempted_work_core_s),
            opt(self.zone_skew_mean),
            self.zone_skew_max.to_string(),
        ]
    }

    /// A numeric column by name, for comparisons across seeds.
    pub fn value(&self, column: &str) -> Option<f64> {
        Some(match column {
            "pods_submitted" => self.pods_submitted as f64,
            "pods_completed" => self.pods_completed as f64,
            "pods_pending_at_end" => self.pods_pending_at_end as f64,
            "pods_failed" => self.pods_failed as f64,
            "evictions" => self.evictions as f64,
            "restarts" => self.restarts as f64,
            "wait_mean_s" => self.wait_mean_s?,
            "wait_p50_s" => self.wait_p50_s?,
            "wait_p95_s" => self.wait_p95_s?,
            "wait_p99_s" => self.wait_p99_s?,
            "wait_max_s" => self.wait_max_s?,
            "cpu_alloc_mean_pct" => self.cpu_alloc_mean_pct,
            "imbalance_mean" => self.imbalance_mean,
            "availability_pct" => self.availability_pct?,
            "lost_work_core_s" => self.lost_work_core_s,
            "node_hours" => self.node_hours,
            "events" => self.events as f64,
            "pods_running_at_end" => self.pods_running_at_end as f64,
            "pods_evicted" => self.pods_evicted as f64,
            "pods_deleted" => self.pods_deleted as f64,
            "tasks_failed" => self.tasks_failed as f64,
            "mem_alloc_mean_pct" => self.mem_alloc_mean_pct,
            "cost" => self.cost,
            "hpa_scale_ups" => self.hpa_scale_ups as f64,
            "hpa_scale_downs" => self.hpa_scale_downs as f64,
            "demand_core_s" => self.demand_core_s?,
            "unmet_demand_core_s" => self.unmet_demand_core_s?,
            "descheduler_evictions" => self.descheduler_evictions as f64,
            "migrations" => self.migrations as f64,
            "failures" => self.failures as f64,
            "failures_unrecovered" => self.failures_unrecovered as f64,
            "recovery_mean_s" => self.recovery_mean_s?,
            "recovery_max_s" => self.recovery_max_s?,
            "duplicated_pod_s" => self.duplicated_pod_s,
            "nodes_added" => self.nodes_added as f64,
            "nodes_removed" => self.nodes_removed as f64,
            "pods_preempted" => self.pods_preempted as f64,
            "preemptions" => self.preemptions as f64,
            "preempted_work_core_s" => self.preempted_work_core_s,
            "zone_skew_mean" => self.zone_skew_mean?,
            "zone_skew_max" => self.zone_skew_max as f64,
            _ => return None,
        })
    }
}
