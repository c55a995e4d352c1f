//! Per-service samples for `service-load.csv`: the load, the replicas and how
//! well they serve it, for every service that has a `load` or an `hpa`.

use crate::engine::SimTime;

/// One service at one sample time (the state after every event at `t`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceSample {
    pub t: SimTime,
    pub service: String,
    /// The load's CPU demand at `t`, millicores.
    pub demand_m: u64,
    /// The declared replicas (the HPA's last decision).
    pub desired: u32,
    /// Replicas by phase: running (serving), starting, waiting for a node,
    /// and on a dead node the control plane has not yet given up on.
    pub running: u32,
    pub starting: u32,
    pub pending: u32,
    pub lost: u32,
    /// One replica's CPU request, millicores.
    pub request_m: u64,
}

impl ServiceSample {
    /// What the running replicas can serve at their requests, millicores.
    pub fn capacity_m(&self) -> u64 {
        self.running as u64 * self.request_m
    }

    /// Demand above what the running replicas can serve, millicores.
    pub fn unmet_m(&self) -> u64 {
        self.demand_m.saturating_sub(self.capacity_m())
    }

    /// 100 × demand / (running × request): the average CPU use of a running
    /// replica in percent of its request; `None` with no running replica.
    pub fn utilization_pct(&self) -> Option<f64> {
        (self.capacity_m() > 0).then(|| self.demand_m as f64 * 100.0 / self.capacity_m() as f64)
    }
}
