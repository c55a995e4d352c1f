//! Disruptions beyond single scenario events: failure models (random node
//! failures, zone outages, failure plans), network partitions, vertical
//! resizes and rolling maintenance drains, and the per-service health they
//! are measured by. One state struct and one event type hold them, so the
//! simulation carries them in one field and one [`Event`] variant; each
//! concept lives in its own file:
//!
//! - `random_failures.rs`: node and zone clocks (`[[failures]]` models `nodes`, `zones`);
//! - `failure_plan.rs`: a failure plan replayed from a file (model `plan`);
//! - `partition.rs`: `partition-node` / `partition-zone`;
//! - `resize.rs`: `resize-node` / `resize-pool`;
//! - `maintenance.rs`: `rolling-drain`.
//!
//! Hooks called from the rest of the control plane (all O(1) when no
//! disruption is under way): a node was added, a machine failed, a service's
//! replicas changed, a pod started or stopped running.

use super::failure_plan::PlanCursor;
use super::maintenance::RollingDrain;
use super::partition::Partitions;
use super::random_failures::Clocks;
use crate::cluster::{NodeId, PodPhase};
use crate::metrics::{RecoverySummary, RunResult, ServiceHealth, ServiceRecord};
use crate::scenario::{Action, Scenario};
use crate::simulation::{Event, Role, Simulation};

/// What the disruption handlers remember between events.
pub struct Disruptions {
    pub(crate) health: ServiceHealth,
    pub(crate) clocks: Clocks,
    pub(crate) plans: Vec<PlanCursor>,
    pub(crate) partitions: Partitions,
    pub(crate) drains: Vec<RollingDrain>,
}

impl Disruptions {
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        Disruptions {
            health: ServiceHealth::new(scenario.services.len()),
            clocks: Clocks::new(scenario, seed),
            plans: Vec::new(),
            partitions: Partitions::default(),
            drains: Vec::new(),
        }
    }
}

/// The disruption handlers' timers, carried by [`Event::Disruption`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisruptionEvent {
    /// A node's failure clock fires.
    NodeFails { node: NodeId },
    /// A node's repair time is over; `epoch` is the node's epoch after the
    /// failure its clock caused (`None` if the node was already down).
    NodeRepaired { node: NodeId, epoch: Option<u32> },
    /// Zone clock number `zone` starts an outage.
    ZoneFails { zone: u32 },
    /// Zone clock number `zone`'s outage is over.
    ZoneRepaired { zone: u32 },
    /// The rows of plan cursor `plan` due now, from row `row`.
    PlanRows { plan: u32, row: u32 },
    /// `node-monitor-grace` after a partition began.
    PartitionNotReady { node: NodeId, serial: u32 },
    /// `eviction-timeout` after the partitioned node was marked NotReady.
    PartitionEvict { node: NodeId, serial: u32 },
    /// The partition is over.
    PartitionHeal { node: NodeId, serial: u32 },
    /// A resize's downtime is over (scenario event number `event`).
    ResizeDone {
        node: NodeId,
        epoch: u32,
        event: u32,
    },
    /// Rolling drain number `drain` starts its next batch.
    DrainBatch { drain: u32 },
    /// Rolling drain number `drain` checks whether its batch is empty.
    DrainCheck { drain: u32 },
    /// Rolling drain number `drain` uncordons its batch.
    DrainUncordon { drain: u32 },
}

/// What the disruptions add to a run's result.
pub struct DisruptionTotals {
    services: Vec<ServiceRecord>,
    recovery: RecoverySummary,
    duplicated_pod_s: f64,
}

impl DisruptionTotals {
    /// Fills the result's `services` and the summary's recovery columns.
    pub fn apply(self, r: &mut RunResult) {
        r.services = self.services;
        r.summary.failures = self.recovery.failures;
        r.summary.failures_unrecovered = self.recovery.unrecovered;
        r.summary.recovery_mean_s = self.recovery.recovery_mean_s;
        r.summary.recovery_max_s = self.recovery.recovery_max_s;
        r.summary.duplicated_pod_s = self.duplicated_pod_s;
    }
}

impl Simulation<'_> {
    /// Starts the zone clocks and failure plans (node clocks start as nodes
    /// are added). Called once the initial nodes and scenario events exist.
    pub(crate) fn start_disruptions(&mut self) {
        self.start_zone_clocks();
        self.start_plans();
    }

    pub(crate) fn disruption_event(&mut self, e: DisruptionEvent) {
        match e {
            DisruptionEvent::NodeFails { node } => self.node_clock_fails(node),
            DisruptionEvent::NodeRepaired { node, epoch } => self.node_clock_repaired(node, epoch),
            DisruptionEvent::ZoneFails { zone } => self.zone_clock_fails(zone as usize),
            DisruptionEvent::ZoneRepaired { zone } => self.zone_clock_repaired(zone as usize),
            DisruptionEvent::PlanRows { plan, row } => self.plan_rows(plan as usize, row as usize),
            DisruptionEvent::PartitionNotReady { node, serial } => {
                self.partition_not_ready(node, serial)
            }
            DisruptionEvent::PartitionEvict { node, serial } => self.partition_evict(node, serial),
            DisruptionEvent::PartitionHeal { node, serial } => self.partition_heal(node, serial),
            DisruptionEvent::ResizeDone { node, epoch, event } => {
                self.resize_done(node, epoch, event as usize)
            }
            DisruptionEvent::DrainBatch { drain } => self.drain_batch(drain as usize),
            DisruptionEvent::DrainCheck { drain } => self.drain_check(drain as usize),
            DisruptionEvent::DrainUncordon { drain } => self.drain_uncordon(drain as usize),
        }
    }

    /// Schedules a disruption timer.
    pub(crate) fn push_disruption(&mut self, at: crate::engine::SimTime, e: DisruptionEvent) {
        self.queue.push(at, Event::Disruption(e));
    }

    /// Carries out scenario event number `index`, one of the disruption actions.
    pub(crate) fn disruption_action(&mut self, index: usize) {
        let action = self.scenario.events[index].action.clone();
        match action {
            Action::PartitionNode { node, duration } => match self.node_id(&node) {
                Some(id) => self.partition_node(id, duration),
                None => self.ignore_missing(&node),
            },
            Action::PartitionZone { zone, duration } => self.partition_zone(&zone, duration),
            Action::ResizeNode { node, downtime, .. } => match self.node_id(&node) {
                Some(id) => self.resize_nodes(&[id], downtime, index),
                None => self.ignore_missing(&node),
            },
            Action::ResizePool { pool, downtime, .. } => {
                let ids: Vec<NodeId> = self
                    .cluster
                    .nodes
                    .iter()
                    .filter(|n| n.pool as usize == pool && !n.removed)
                    .map(|n| n.id)
                    .collect();
                self.resize_nodes(&ids, downtime, index)
            }
            Action::RollingDrain {
                pool,
                batch,
                pause,
                duration,
            } => self.start_rolling_drain(pool, batch, pause, duration),
            _ => {}
        }
    }

    fn ignore_missing(&mut self, name: &str) {
        self.rec.log(
            self.now,
            "ignored",
            name.to_string(),
            "no such node at this time",
        );
    }

    /// Nodes of `zone` (not removed) whose machine is up, in id order.
    pub(crate) fn up_nodes_of_zone(&self, zone: &str) -> Vec<NodeId> {
        self.cluster
            .nodes
            .iter()
            .filter(|n| !n.removed && n.up && n.zone == zone)
            .map(|n| n.id)
            .collect()
    }

    /// Hook: a node joined the cluster.
    pub(crate) fn disruption_node_added(&mut self, node: NodeId) {
        self.start_node_clock(node);
    }

    /// Hook, at the end of a successful `fail_node`: the pods it stopped
    /// (now lost) tell which services the failure hit; a partition of the
    /// node ends with its machine.
    pub(crate) fn disruption_node_failed(&mut self, node: NodeId) {
        let mut hit = Vec::new();
        for &pod in &self.cluster.node(node).pods {
            let p = self.cluster.pod(pod);
            if p.phase == PodPhase::Lost {
                if let Role::Service(svc) = self.owners[p.owner as usize].role {
                    hit.push(svc);
                }
            }
        }
        let (now, event) = (self.now, self.rec.events);
        self.disruptions.health.failure(now, event, &hit);
        self.partition_node_lost(node, "failed");
    }

    /// Hook: service `svc`'s running or desired replicas changed.
    pub(crate) fn service_changed(&mut self, svc: usize) {
        let s = &self.services[svc];
        let (running, desired) = (s.running, s.desired);
        self.disruptions
            .health
            .update(svc, self.now, running, desired);
    }

    /// At the horizon: closes what is still open and returns the totals.
    pub(crate) fn finish_disruptions(&mut self) -> DisruptionTotals {
        let now = self.now;
        self.disruptions.health.finish(now);
        self.close_partitions_at_end();
        let names: Vec<String> = self
            .scenario
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect();
        DisruptionTotals {
            services: self.disruptions.health.records(&names),
            recovery: self.disruptions.health.summary(),
            duplicated_pod_s: self.disruptions.partitions.duplicated_us as f64 / 1e6,
        }
    }
}
