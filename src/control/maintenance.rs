//! Maintenance (`rolling-drain`): the nodes of a pool are drained a batch
//! at a time, as a node upgrade does (`kubectl drain`, then `kubectl
//! uncordon`, one node or a share of the pool at a time).
//!
//! A batch's nodes are cordoned and their pods evicted gracefully at once.
//! The batch is *drained* when none of its nodes holds a pod any more (every
//! evicted pod has finished terminating, `termination-grace` later); its
//! nodes then stay cordoned for the maintenance itself (`duration`), are
//! uncordoned together, and the next batch starts `pause` later. The nodes
//! are the pool's nodes present when the drain starts, in node order; nodes
//! added later are not drained, and nodes removed meanwhile are skipped.

use super::disruptions::DisruptionEvent;
use crate::cluster::{NodeId, PodPhase};
use crate::engine::SimTime;
use crate::scenario::Batch;
use crate::simulation::Simulation;

/// One rolling drain under way.
pub(crate) struct RollingDrain {
    pool: usize,
    nodes: Vec<NodeId>,
    /// Index of the next node to drain.
    next: usize,
    batch: usize,
    /// The batch being drained or maintained.
    current: Vec<NodeId>,
    pause: SimTime,
    duration: SimTime,
}

impl Simulation<'_> {
    pub(crate) fn start_rolling_drain(
        &mut self,
        pool: usize,
        batch: Batch,
        pause: SimTime,
        duration: SimTime,
    ) {
        let nodes: Vec<NodeId> = self
            .cluster
            .nodes
            .iter()
            .filter(|n| n.pool as usize == pool && !n.removed)
            .map(|n| n.id)
            .collect();
        let size = batch.size(nodes.len());
        self.rec.log(
            self.now,
            "maintenance-started",
            self.scenario.pools[pool].name.clone(),
            format!(
                "rolling drain of {} nodes, {size} at a time ({batch}); each batch stays cordoned {duration} once empty, the next starts {pause} after",
                nodes.len()
            ),
        );
        let d = self.disruptions.drains.len();
        self.disruptions.drains.push(RollingDrain {
            pool,
            nodes,
            next: 0,
            batch: size,
            current: Vec::new(),
            pause,
            duration,
        });
        self.drain_batch(d);
    }

    /// Cordons the next batch and evicts its pods.
    pub(crate) fn drain_batch(&mut self, d: usize) {
        let mut batch = Vec::new();
        let dr = &mut self.disruptions.drains[d];
        while batch.len() < dr.batch && dr.next < dr.nodes.len() {
            let id = dr.nodes[dr.next];
            dr.next += 1;
            if !self.cluster.node(id).removed {
                batch.push(id);
            }
        }
        if batch.is_empty() {
            let pool = self.scenario.pools[self.disruptions.drains[d].pool]
                .name
                .clone();
            self.rec.log(
                self.now,
                "maintenance-finished",
                pool,
                "every node of the rolling drain is done",
            );
            return;
        }
        for &id in &batch {
            self.drain_node(id);
        }
        self.disruptions.drains[d].current = batch;
        let grace = self.scenario.control.termination_grace;
        self.push_disruption(
            self.now + grace,
            DisruptionEvent::DrainCheck { drain: d as u32 },
        );
    }

    /// Is the batch empty? If a pod was bound to one of its nodes after the
    /// cordon (a profile without the `node-unschedulable` filter), it is
    /// evicted too and the batch checked again a grace period later.
    pub(crate) fn drain_check(&mut self, d: usize) {
        let batch = self.disruptions.drains[d].current.clone();
        let mut busy = false;
        for &id in &batch {
            let n = self.cluster.node(id);
            if n.removed || n.pods.is_empty() {
                continue;
            }
            busy = true;
            let live = n.pods.iter().any(|&p| {
                matches!(
                    self.cluster.pod(p).phase,
                    PodPhase::Running | PodPhase::Starting | PodPhase::Lost
                )
            });
            if live {
                self.drain_node(id);
            }
        }
        if busy {
            let wait = self
                .scenario
                .control
                .termination_grace
                .max(SimTime::from_secs(1));
            self.push_disruption(
                self.now + wait,
                DisruptionEvent::DrainCheck { drain: d as u32 },
            );
            return;
        }
        let duration = self.disruptions.drains[d].duration;
        for &id in &batch {
            if self.cluster.node(id).removed {
                continue;
            }
            let name = self.cluster.node(id).name.clone();
            self.rec.log(
                self.now,
                "node-maintenance",
                name,
                format!("drained: no pods left; cordoned for maintenance for {duration}"),
            );
        }
        self.push_disruption(
            self.now + duration,
            DisruptionEvent::DrainUncordon { drain: d as u32 },
        );
    }

    /// The batch's maintenance is over: uncordon it; the next batch follows
    /// after the pause.
    pub(crate) fn drain_uncordon(&mut self, d: usize) {
        let batch = std::mem::take(&mut self.disruptions.drains[d].current);
        for id in batch {
            self.uncordon_node(id);
        }
        let dr = &self.disruptions.drains[d];
        if dr.next < dr.nodes.len() {
            let at = self.now + dr.pause;
            self.push_disruption(at, DisruptionEvent::DrainBatch { drain: d as u32 });
        } else {
            self.drain_batch(d);
        }
    }
}
