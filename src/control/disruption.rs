//! PodDisruptionBudgets in the control plane: the eviction API's check, and
//! drains that wait for it.
//!
//! `kubectl drain` evicts each pod through the eviction API; when a budget
//! refuses (HTTP 429) it retries that pod every 5 s until it goes (no
//! timeout by default). podsim models that: a drain evicts every pod its
//! budget lets go, then retries the others on the node every
//! [`DRAIN_RETRY`] — by then the replacements of the pods already evicted
//! may be running, which frees budget. The retries stop once the node's
//! pods are all gone, or if the node is uncordoned, removed or fails
//! (the node lifecycle then takes over).

use crate::cluster::{NodeId, Outcome, PodId, PodPhase};
use crate::engine::SimTime;
use crate::policy::disruption_budget::eviction_allowed;
use crate::simulation::{Event, Role, Simulation};

/// kubectl drain's wait before asking again for a pod a budget held back.
pub const DRAIN_RETRY: SimTime = SimTime::from_secs(5);

impl Simulation<'_> {
    /// Whether the eviction API would let `pod` go now: only a service with
    /// a `min-available` has a budget.
    pub(crate) fn eviction_allowed(&self, pod: PodId) -> bool {
        let p = self.cluster.pod(pod);
        let Role::Service(svc) = self.owners[p.owner as usize].role else {
            return true;
        };
        let Some(min) = self.scenario.services[svc].min_available else {
            return true;
        };
        let s = &self.services[svc];
        eviction_allowed(
            min.required(s.desired),
            s.running,
            p.phase == PodPhase::Running,
        )
    }

    /// Evicts a running or starting pod for a drain if its budget allows.
    /// Returns whether it went.
    pub(crate) fn drain_evict(&mut self, pod: PodId) -> bool {
        if !self.eviction_allowed(pod) {
            return false;
        }
        self.terminate(pod, Outcome::Evicted);
        self.rec.evictions += 1;
        let snapshot = self.pod_snapshot(pod);
        self.controller_pod_gone(&snapshot);
        true
    }

    /// Some of a drained node's pods were held back: try again later. Returns
    /// the note for the drain's log line.
    pub(crate) fn drain_held_back(&mut self, node: NodeId, held: u32) -> String {
        if held == 0 {
            return String::new();
        }
        if self.desched.draining.insert(node) {
            self.queue
                .push(self.now + DRAIN_RETRY, Event::DrainRetry { node });
        }
        format!(
            "; {held} held back by PodDisruptionBudgets, retried every {}",
            DRAIN_RETRY
        )
    }

    pub(crate) fn drain_retry(&mut self, node: NodeId) {
        self.desched.draining.remove(&node);
        let n = self.cluster.node(node);
        if n.removed || !n.unschedulable || !n.up {
            return;
        }
        let pods = n.pods.clone();
        let (mut evicted, mut held) = (0u32, 0u32);
        for pod in pods {
            if matches!(
                self.cluster.pod(pod).phase,
                PodPhase::Running | PodPhase::Starting
            ) {
                if self.drain_evict(pod) {
                    evicted += 1;
                } else {
                    held += 1;
                }
            }
        }
        if evicted > 0 {
            let name = self.cluster.node(node).name.clone();
            let note = self.drain_held_back(node, held);
            self.rec.log(
                self.now,
                "drain-evicted",
                name,
                format!("{evicted} pods evicted once their PodDisruptionBudgets allowed{note}"),
            );
        } else {
            self.drain_held_back(node, held);
        }
    }
}
