//! Vertical scale-up (`resize-node`, `resize-pool`): a node is stopped,
//! given more CPU and memory, and started again, as when a cloud VM changes
//! machine type. It is down for the event's `duration` and its pods are lost
//! exactly as in a failure (the control plane notices after
//! `node-monitor-grace` and evicts after `eviction-timeout`; if the node is
//! back before that, its pods restart in place). It comes back bigger.
//!
//! Contrast with scaling out (`add-nodes`): no new node, no new name, but a
//! restart that stops every pod on the node.

use super::disruptions::DisruptionEvent;
use crate::cluster::{NodeId, Resources};
use crate::engine::SimTime;
use crate::scenario::Action;
use crate::simulation::Simulation;

fn show(r: Resources) -> String {
    format!("{}m CPU, {} MiB", r.cpu_m, r.mem >> 20)
}

impl Simulation<'_> {
    /// Restarts `nodes` for scenario event number `event`'s resize.
    pub(crate) fn resize_nodes(&mut self, nodes: &[NodeId], downtime: SimTime, event: usize) {
        for &node in nodes {
            let n = self.cluster.node(node);
            let name = n.name.clone();
            if !n.up || n.removed {
                self.rec.log(
                    self.now,
                    "ignored",
                    name,
                    "resize: the node is down or removed",
                );
                continue;
            }
            self.rec.log(
                self.now,
                "node-resizing",
                name,
                format!("stops for a resize; back bigger in {downtime}"),
            );
            if self.fail_node(node) {
                let epoch = self.cluster.node(node).epoch;
                self.push_disruption(
                    self.now + downtime,
                    DisruptionEvent::ResizeDone {
                        node,
                        epoch,
                        event: event as u32,
                    },
                );
            }
        }
    }

    /// The downtime is over: the node gets its new size and comes back. A
    /// node that something else brought back, failed again or removed in the
    /// meantime is left as it is. A resize never shrinks a resource.
    pub(crate) fn resize_done(&mut self, node: NodeId, epoch: u32, event: usize) {
        let target = match &self.scenario.events[event].action {
            Action::ResizeNode { allocatable, .. } | Action::ResizePool { allocatable, .. } => {
                *allocatable
            }
            _ => return,
        };
        let n = &mut self.cluster.nodes[node.index()];
        if n.removed || n.up || n.epoch != epoch {
            let name = n.name.clone();
            self.rec.log(
                self.now,
                "ignored",
                name,
                "resize: the node came back, failed again or was removed during its downtime; not resized",
            );
            return;
        }
        // The machine is down, so its capacity is not in the cluster's
        // totals: changing it here keeps them right when it comes up.
        let before = n.allocatable;
        n.allocatable = Resources::new(before.cpu_m.max(target.cpu_m), before.mem.max(target.mem));
        let (after, name) = (n.allocatable, n.name.clone());
        self.rec.log(
            self.now,
            "node-resized",
            name,
            format!("{} -> {}", show(before), show(after)),
        );
        self.recover_node(node);
    }
}
