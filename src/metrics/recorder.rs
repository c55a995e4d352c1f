//! The recorder: integrates cluster totals over time and keeps the time series and the event log.

use crate::cluster::Totals;
use crate::engine::SimTime;

/// One row of the time series, taken every `sample-every`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub t: SimTime,
    pub nodes_ready: u32,
    pub nodes_down: u32,
    pub pods_running: u32,
    pub pods_pending: u32,
    pub pods_starting: u32,
    pub cpu_alloc_pct: f64,
    pub mem_alloc_pct: f64,
    pub imbalance_pct: f64,
    pub replicas_running: u64,
    pub replicas_desired: u64,
    /// Nodes the cluster autoscaler requested that are not Ready yet.
    pub nodes_provisioning: u32,
    /// Mean over services with desired replicas of their zone skew (max −
    /// min running replicas over the zones they may run in).
    pub zone_skew: f64,
    /// The largest zone skew of any such service.
    pub zone_skew_max: u32,
    /// How many services the zone skew was taken over.
    pub services_measured: u32,
}

/// A service's zone skew summed over the samples that measured it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SkewTotals {
    pub sum: u64,
    pub samples: u32,
    pub max: u32,
}

/// A meaningful change, for `events.csv`, chart markers and explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub t: SimTime,
    pub kind: &'static str,
    /// The node (or pool, zone, service) concerned.
    pub subject: String,
    pub detail: String,
}

/// Accumulates everything a run's outputs need, one state change at a time.
#[derive(Debug, Default)]
pub struct Recorder {
    last: SimTime,
    /// ∫ requested CPU (millicores·µs) and ∫ allocatable CPU of up nodes.
    pub cpu_requested_integral: u128,
    pub cpu_capacity_integral: u128,
    pub mem_requested_integral: u128,
    pub mem_capacity_integral: u128,
    /// ∫ Σ_services min(running, desired) dt and ∫ Σ desired dt (replica·µs).
    pub replicas_available_integral: u128,
    pub replicas_desired_integral: u128,
    pub samples: Vec<Sample>,
    pub log: Vec<LogEntry>,
    /// Pods evicted by the control plane (node lifecycle, drains, node removal).
    pub evictions: u64,
    /// Containers restarted in place after their node came back.
    pub restarts: u64,
    /// Work of job pods thrown away when they stopped early, in millicore·µs.
    pub lost_work: u128,
    /// Job tasks given up after too many failures.
    pub tasks_failed: u64,
    pub events: u64,
    /// Pods recorded so far, by outcome (indexed by `Outcome as usize`).
    pub outcomes: [u64; 7],
    /// Wait (start − submit, seconds) of every pod that started.
    pub waits: Vec<f64>,
    /// Some service has a `load`: the demand columns of the summary apply.
    pub has_load: bool,
    /// ∫ the services' CPU demand dt, and ∫ the part of it above what their
    /// running replicas can serve at their requests dt (millicore·µs).
    pub demand: u128,
    pub unmet_demand: u128,
    /// Times an HPA raised or lowered its service's replicas.
    pub hpa_scale_ups: u64,
    pub hpa_scale_downs: u64,
    /// Per-service samples (services with a load or an HPA), every sample time.
    pub service_samples: Vec<super::ServiceSample>,
    /// Pods the descheduler evicted (also counted in `evictions`).
    pub descheduler_evictions: u64,
    /// Pods evicted by the descheduler whose replacement got scheduled.
    pub migrations: u64,
    /// Preemptions: pods nominated after evicting lower-priority pods.
    pub preemptions: u64,
    /// Work of job pods thrown away by preemption, in millicore·µs (part of `lost_work`).
    pub preempted_work: u128,
    /// Zone skew per scenario service, over the samples.
    pub zone_skew: Vec<SkewTotals>,
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Integrates the state that held from the last change until `now`. Call
    /// before changing anything at `now`.
    pub fn advance(&mut self, now: SimTime, totals: &Totals, available: u64, desired: u64) {
        if now <= self.last {
            return;
        }
        let dt = (now.0 - self.last.0) as u128;
        self.cpu_requested_integral += totals.up_requested.cpu_m as u128 * dt;
        self.cpu_capacity_integral += totals.up_capacity.cpu_m as u128 * dt;
        self.mem_requested_integral += totals.up_requested.mem as u128 * dt;
        self.mem_capacity_integral += totals.up_capacity.mem as u128 * dt;
        self.replicas_available_integral += available as u128 * dt;
        self.replicas_desired_integral += desired as u128 * dt;
        self.last = now;
    }

    pub fn log(
        &mut self,
        t: SimTime,
        kind: &'static str,
        subject: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.log.push(LogEntry {
            t,
            kind,
            subject: subject.into(),
            detail: detail.into(),
        });
    }

    /// Records work lost by a job pod of `cpu_m` millicores that ran for `ran`.
    pub fn lose_work(&mut self, cpu_m: u64, ran: SimTime) {
        self.lost_work += cpu_m as u128 * ran.0 as u128;
    }
}
