//! The scenario's timed events, carried out by the control plane.

use crate::cluster::NodeId;
use crate::engine::SimTime;
use crate::scenario::Action;
use crate::simulation::{Event, Simulation};

impl Simulation<'_> {
    fn named(&self, name: &str) -> Option<NodeId> {
        self.node_by_name.get(name).copied()
    }

    fn fail_and_schedule_recovery(&mut self, node: NodeId, duration: Option<SimTime>) {
        if self.fail_node(node) {
            if let Some(d) = duration {
                let epoch = self.cluster.node(node).epoch;
                self.queue
                    .push(self.now + d, Event::RecoverNode { node, epoch });
            }
        }
    }

    pub(crate) fn scenario_event(&mut self, index: usize) {
        let action = self.scenario.events[index].action.clone();
        let now = self.now;
        // Names were checked against the cluster's timeline when the scenario
        // was read, so a lookup can only miss if that check has a bug; the
        // event is then recorded as ignored rather than crashing the run.
        let lookup = |sim: &mut Self, name: &str| {
            let id = sim.named(name);
            if id.is_none() {
                sim.rec.log(
                    now,
                    "ignored",
                    name.to_string(),
                    "no such node at this time",
                );
            }
            id
        };
        match action {
            Action::FailNode { node, duration } => {
                if let Some(id) = lookup(self, &node) {
                    self.fail_and_schedule_recovery(id, duration);
                }
            }
            Action::RecoverNode { node } => {
                if let Some(id) = lookup(self, &node) {
                    self.recover_node(id);
                }
            }
            Action::RemoveNode { node } => {
                if let Some(id) = lookup(self, &node) {
                    self.remove_node(id);
                }
            }
            Action::DrainNode { node } => {
                if let Some(id) = lookup(self, &node) {
                    self.drain_node(id);
                }
            }
            Action::UncordonNode { node } => {
                if let Some(id) = lookup(self, &node) {
                    self.uncordon_node(id);
                }
            }
            Action::FailZone { zone, duration } => {
                let ids: Vec<NodeId> = self.zone_nodes(&zone, |n| n.up);
                self.rec.log(
                    now,
                    "zone-failed",
                    zone.clone(),
                    format!("{} nodes of the zone go down", ids.len()),
                );
                for id in ids {
                    self.fail_and_schedule_recovery(id, duration);
                }
            }
            Action::RecoverZone { zone } => {
                let ids: Vec<NodeId> = self.zone_nodes(&zone, |n| !n.up);
                self.rec.log(
                    now,
                    "zone-recovered",
                    zone.clone(),
                    format!("{} nodes of the zone come back", ids.len()),
                );
                for id in ids {
                    self.recover_node(id);
                }
            }
            Action::AddNodes { pool, count } => {
                let mut names = Vec::new();
                for _ in 0..count {
                    let id = self.add_node(pool);
                    names.push(self.cluster.node(id).name.clone());
                }
                self.rec.log(
                    now,
                    "nodes-added",
                    self.scenario.pools[pool].name.clone(),
                    format!("scale out by {count}: {}", names.join(", ")),
                );
                self.capacity_grew();
            }
            Action::ScaleService { service, replicas } => {
                let from = self.services[service].desired;
                self.rec.log(
                    now,
                    "service-scaled",
                    self.scenario.services[service].name.clone(),
                    format!("desired replicas {from} -> {replicas}"),
                );
                self.set_desired(service, replicas);
            }
            Action::PartitionNode { .. }
            | Action::PartitionZone { .. }
            | Action::ResizeNode { .. }
            | Action::ResizePool { .. }
            | Action::RollingDrain { .. } => self.disruption_action(index),
        }
    }

    fn zone_nodes(&self, zone: &str, pred: impl Fn(&crate::cluster::Node) -> bool) -> Vec<NodeId> {
        self.cluster
            .nodes
            .iter()
            .filter(|n| !n.removed && n.zone == zone && pred(n))
            .map(|n| n.id)
            .collect()
    }
}
