//! Per-pod and per-node records, and the assembly of a run's result.

use super::{
    percentile_nearest_rank, pool_records, LogEntry, PoolRecord, Recorder, Sample, ServiceRecord,
    SummaryRow,
};
use crate::cluster::{Cluster, Outcome, PodKind};
use crate::engine::SimTime;

/// One row of `pods.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct PodRecord {
    /// The pod's serial number: unique in the run, in creation order.
    pub pod: u64,
    pub owner: String,
    pub kind: PodKind,
    pub task: u32,
    pub attempt: u32,
    /// The node it ran on (or last was bound to); empty if never bound.
    pub node: String,
    pub submit: SimTime,
    pub bind: Option<SimTime>,
    pub start: Option<SimTime>,
    pub end: Option<SimTime>,
    pub outcome: Outcome,
    pub restarts: u32,
    pub cpu_m: u64,
    pub mem: u64,
    pub priority: i32,
    /// For pods pending at the end: the scheduler's last reason.
    pub reason: String,
}

/// One row of `nodes.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRecord {
    pub node: String,
    pub pool: String,
    pub zone: String,
    pub cpu_m: u64,
    pub mem: u64,
    pub max_pods: u32,
    pub added: SimTime,
    pub removed: Option<SimTime>,
    pub failures: u32,
    pub downtime: SimTime,
    pub binds: u64,
    pub status_at_end: String,
    pub pods_at_end: u32,
}

/// One row of `zones.csv`: how one service was spread across zones.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSpread {
    pub service: String,
    /// Samples taken while the service had desired replicas.
    pub samples: u32,
    /// Mean and largest zone skew over those samples (`None`: no sample).
    pub zone_skew_mean: Option<f64>,
    pub zone_skew_max: u32,
    /// Running replicas per zone at the end, `zone=count` by zone name.
    pub running_by_zone: String,
}

/// Everything one (policy, seed) run produced. `pods` holds the pod records
/// when they were kept in memory, in the order the pods ended, then the pods
/// still alive at the horizon in creation order; it is empty when they were
/// streamed to a file.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub policy: String,
    pub seed: u64,
    pub summary: SummaryRow,
    pub pods: Vec<PodRecord>,
    /// The pod records went to a file as the run went (see `PodSink`); `pods` is empty.
    pub pods_streamed: bool,
    pub nodes: Vec<NodeRecord>,
    pub samples: Vec<Sample>,
    pub log: Vec<LogEntry>,
    /// Per-service samples, for `service-load.csv` (empty when no service
    /// has a load or an HPA).
    pub service_load: Vec<super::ServiceSample>,
    /// One record per scenario service (`services.csv`).
    pub services: Vec<ServiceRecord>,
    /// One record per pool (`pools.csv`).
    pub pools: Vec<PoolRecord>,
    /// Per scenario service: its spread across zones.
    pub spread: Vec<ServiceSpread>,
}

fn pct(num: u128, den: u128) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 * 100.0 / den as f64
    }
}

/// Where pod records go as pods end: kept in memory (the default, for the
/// library and tests) or streamed to `pods.csv` (the command line), so that a
/// long replay does not keep a record of every pod it ever ran.
pub trait PodSink: Send {
    fn record(&mut self, r: &PodRecord) -> Result<(), String>;
    /// Called once at the end; returns the records it kept in memory, or
    /// `None` if it wrote them somewhere.
    fn close(&mut self) -> Result<Option<Vec<PodRecord>>, String>;
}

/// Keeps every record in memory.
#[derive(Debug, Default)]
pub struct MemorySink {
    pub pods: Vec<PodRecord>,
}

impl PodSink for MemorySink {
    fn record(&mut self, r: &PodRecord) -> Result<(), String> {
        self.pods.push(r.clone());
        Ok(())
    }
    fn close(&mut self) -> Result<Option<Vec<PodRecord>>, String> {
        Ok(Some(std::mem::take(&mut self.pods)))
    }
}

/// Builds the result at the end of a run from the recorder (which has seen
/// every pod end) and the cluster's nodes.
pub fn assemble(
    policy: &str,
    seed: u64,
    end: SimTime,
    cluster: &Cluster,
    pool_names: &[String],
    mut rec: Recorder,
    pods: Option<Vec<PodRecord>>,
) -> RunResult {
    let mut waits = std::mem::take(&mut rec.waits);
    waits.sort_by(|a, b| a.total_cmp(b));
    let wait_mean = (!waits.is_empty()).then(|| waits.iter().sum::<f64>() / waits.len() as f64);

    let mut node_hours = 0.0;
    let mut cost = 0.0;
    let nodes: Vec<NodeRecord> = cluster
        .nodes
        .iter()
        .map(|n| {
            let gone = n.removed_at.unwrap_or(end).min(end);
            let hours = (gone - n.added_at).as_secs_f64() / 3600.0;
            node_hours += hours;
            cost += hours * n.cost_per_hour;
            let downtime = n.downtime + n.down_since.map_or(SimTime::ZERO, |d| gone - d);
            NodeRecord {
                node: n.name.clone(),
                pool: pool_names[n.pool as usize].clone(),
                zone: n.zone.clone(),
                cpu_m: n.allocatable.cpu_m,
                mem: n.allocatable.mem,
                max_pods: n.max_pods,
                added: n.added_at,
                removed: n.removed_at,
                failures: n.failures,
                downtime,
                binds: n.binds,
                status_at_end: n.status().to_string(),
                pods_at_end: n.pods.len() as u32,
            }
        })
        .collect();

    let imbalance_mean = if rec.samples.is_empty() {
        0.0
    } else {
        rec.samples.iter().map(|s| s.imbalance_pct).sum::<f64>() / rec.samples.len() as f64
    };
    let pools = pool_records(cluster, pool_names, end);
    let count = |o: Outcome| rec.outcomes[o as usize];
    let summary = SummaryRow {
        policy: policy.to_string(),
        seed,
        pods_submitted: cluster.pods_created(),
        pods_completed: count(Outcome::Completed),
        pods_pending_at_end: count(Outcome::Pending),
        pods_failed: count(Outcome::Failed),
        evictions: rec.evictions,
        restarts: rec.restarts,
        wait_mean_s: wait_mean,
        wait_p50_s: percentile_nearest_rank(&waits, 50.0),
        wait_p95_s: percentile_nearest_rank(&waits, 95.0),
        wait_p99_s: percentile_nearest_rank(&waits, 99.0),
        wait_max_s: waits.last().copied(),
        cpu_alloc_mean_pct: pct(rec.cpu_requested_integral, rec.cpu_capacity_integral),
        imbalance_mean,
        availability_pct: (rec.replicas_desired_integral > 0).then(|| {
            pct(
                rec.replicas_available_integral,
                rec.replicas_desired_integral,
            )
        }),
        lost_work_core_s: rec.lost_work as f64 / 1e3 / 1e6,
        node_hours,
        events: rec.events,
        pods_running_at_end: count(Outcome::Running),
        pods_evicted: count(Outcome::Evicted),
        pods_deleted: count(Outcome::Deleted),
        tasks_failed: rec.tasks_failed,
        mem_alloc_mean_pct: pct(rec.mem_requested_integral, rec.mem_capacity_integral),
        cost,
        hpa_scale_ups: rec.hpa_scale_ups,
        hpa_scale_downs: rec.hpa_scale_downs,
        demand_core_s: rec.has_load.then(|| rec.demand as f64 / 1e3 / 1e6),
        unmet_demand_core_s: rec.has_load.then(|| rec.unmet_demand as f64 / 1e3 / 1e6),
        descheduler_evictions: rec.descheduler_evictions,
        migrations: rec.migrations,
        failures: 0,
        failures_unrecovered: 0,
        recovery_mean_s: None,
        recovery_max_s: None,
        duplicated_pod_s: 0.0,
        nodes_added: pools.iter().map(|p| p.nodes_added as u64).sum(),
        nodes_removed: pools.iter().map(|p| p.nodes_removed as u64).sum(),
        pods_preempted: count(Outcome::Preempted),
        preemptions: rec.preemptions,
        preempted_work_core_s: rec.preempted_work as f64 / 1e3 / 1e6,
        zone_skew_mean: {
            let measured: Vec<f64> = rec
                .samples
                .iter()
                .filter(|s| s.services_measured > 0)
                .map(|s| s.zone_skew)
                .collect();
            (!measured.is_empty()).then(|| measured.iter().sum::<f64>() / measured.len() as f64)
        },
        zone_skew_max: rec
            .samples
            .iter()
            .map(|s| s.zone_skew_max as u64)
            .max()
            .unwrap_or(0),
    };
    RunResult {
        policy: policy.to_string(),
        seed,
        summary,
        pods_streamed: pods.is_none(),
        pods: pods.unwrap_or_default(),
        nodes,
        samples: rec.samples,
        log: rec.log,
        service_load: rec.service_samples,
        services: Vec::new(),
        pools,
        spread: Vec::new(),
    }
}
