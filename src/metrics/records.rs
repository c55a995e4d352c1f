//! Per-pod and per-node records, and the assembly of a run's result.

use super::{percentile_nearest_rank, LogEntry, Recorder, Sample, SummaryRow};
use crate::cluster::{Cluster, Outcome, PodKind, PodPhase};
use crate::engine::SimTime;
use crate::scenario::Scenario;

/// One row of `pods.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct PodRecord {
    pub pod: u32,
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

/// Everything one (policy, seed) run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub policy: String,
    pub seed: u64,
    pub summary: SummaryRow,
    pub pods: Vec<PodRecord>,
    pub nodes: Vec<NodeRecord>,
    pub samples: Vec<Sample>,
    pub log: Vec<LogEntry>,
}

fn pct(num: u128, den: u128) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 * 100.0 / den as f64
    }
}

/// Builds the result at the end of a run. `reason` gives the scheduler's
/// last reason for a pending pod.
pub fn assemble(
    scenario: &Scenario,
    policy: &str,
    seed: u64,
    end: SimTime,
    cluster: &Cluster,
    rec: Recorder,
    reason: impl Fn(crate::cluster::PodId) -> String,
) -> RunResult {
    let owner_name = |kind: PodKind, owner: u32| match kind {
        PodKind::Service => scenario.services[owner as usize].name.clone(),
        PodKind::Job => scenario.jobs[owner as usize].name.clone(),
    };
    let mut pods = Vec::with_capacity(cluster.pods.len());
    let mut waits = Vec::new();
    let (mut completed, mut running, mut pending, mut failed, mut evicted, mut deleted) =
        (0, 0, 0, 0, 0, 0);
    for p in &cluster.pods {
        let outcome = match (p.phase, p.outcome) {
            (PodPhase::Pending, _) => Outcome::Pending,
            (PodPhase::Starting | PodPhase::Running, _) => Outcome::Running,
            (PodPhase::Lost, _) => Outcome::Failed,
            (_, Some(o)) => o,
            (_, None) => Outcome::Failed,
        };
        match outcome {
            Outcome::Completed => completed += 1,
            Outcome::Running => running += 1,
            Outcome::Pending => pending += 1,
            Outcome::Failed => failed += 1,
            Outcome::Evicted => evicted += 1,
            Outcome::Deleted => deleted += 1,
        }
        if let Some(s) = p.started_at {
            waits.push((s - p.submit).as_secs_f64());
        }
        let spec = cluster.spec(p.spec);
        pods.push(PodRecord {
            pod: p.id.0,
            owner: owner_name(p.kind, p.owner),
            kind: p.kind,
            task: p.task,
            attempt: p.attempt,
            node: p
                .last_node
                .map(|n| cluster.node(n).name.clone())
                .unwrap_or_default(),
            submit: p.submit,
            bind: p.bound_at,
            start: p.started_at,
            end: p.ended_at,
            outcome,
            restarts: p.restarts,
            cpu_m: spec.requests.cpu_m,
            mem: spec.requests.mem,
            priority: spec.priority,
            reason: if outcome == Outcome::Pending {
                reason(p.id)
            } else {
                String::new()
            },
        });
    }
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
                pool: scenario.pools[n.pool as usize].name.clone(),
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
    let summary = SummaryRow {
        policy: policy.to_string(),
        seed,
        pods_submitted: cluster.pods.len() as u64,
        pods_completed: completed,
        pods_pending_at_end: pending,
        pods_failed: failed,
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
        pods_running_at_end: running,
        pods_evicted: evicted,
        pods_deleted: deleted,
        tasks_failed: rec.tasks_failed,
        mem_alloc_mean_pct: pct(rec.mem_requested_integral, rec.mem_capacity_integral),
        cost,
    };
    RunResult {
        policy: policy.to_string(),
        seed,
        summary,
        pods,
        nodes,
        samples: rec.samples,
        log: rec.log,
    }
}
