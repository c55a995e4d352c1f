//! Network partitions (`partition-node`, `partition-zone`): the node is cut
//! off from the control plane while its machine and pods keep running.
//!
//! What Kubernetes does, with its defaults: the node stops reporting; after
//! `node-monitor-grace` (50 s) the node controller marks it NotReady (no new
//! pods); after `eviction-timeout` (300 s, the `unreachable` taint's
//! toleration) it evicts the node's pods. The API server marks them for
//! deletion, but the kubelet cannot be told, so their containers keep
//! running, while their ReplicaSet or Job, which no longer counts them,
//! creates replacements elsewhere: for a while two copies run. When the
//! node is reachable again the kubelet sees its pods were deleted and stops
//! them (within their termination grace period).
//!
//! In podsim an evicted pod of a partitioned node moves to `Terminating`
//! and leaves its controller at the eviction, as after a drain; it keeps
//! its node's resources, and its containers stop when the partition ends
//! (its `end_s`), its resources `termination-grace` later. The time during
//! which such a pod and its replacement both ran is `duplicated_pod_s`.

use super::disruptions::DisruptionEvent;
use crate::cluster::{NodeId, Outcome, PodId, PodPhase};
use crate::engine::SimTime;
use crate::simulation::{Event, Role, Simulation};
use std::collections::BTreeMap;

/// An evicted pod still running on a partitioned node.
struct Evicted {
    pod: PodId,
    /// The pod's serial, to tell its slot was not reused.
    serial: u64,
    /// Its entry in `Partitions::dups`, if it was running when evicted.
    dup: Option<usize>,
}

/// A node cut off now.
struct Cut {
    serial: u32,
    evicted: Vec<Evicted>,
}

/// The time a pod evicted from a partitioned node and its replacement both ran.
struct Dup {
    /// (owner, task) of the replacement not yet running.
    key: Option<(u32, u32)>,
    replacement: Option<PodId>,
    started: Option<SimTime>,
    stopped: Option<SimTime>,
    closed: bool,
}

/// Every partition of a run.
#[derive(Default)]
pub(crate) struct Partitions {
    cut: BTreeMap<NodeId, Cut>,
    next_serial: u32,
    /// A replacement not yet running, by (owner, task) → its `dups` entry.
    waiting: BTreeMap<(u32, u32), usize>,
    /// Replacements running → their `dups` entry.
    running: BTreeMap<PodId, usize>,
    dups: Vec<Dup>,
    /// Σ of the overlaps, µs.
    pub duplicated_us: u128,
}

impl Partitions {
    /// Whether `node` is cut off from the control plane now.
    pub fn is_cut(&self, node: NodeId) -> bool {
        self.cut.contains_key(&node)
    }

    /// The evicted pod's copy stopped at `end`: adds the overlap with its
    /// replacement's run and forgets both.
    fn close(&mut self, d: usize, end: SimTime) {
        let dup = &mut self.dups[d];
        if dup.closed {
            return;
        }
        dup.closed = true;
        if let Some(key) = dup.key.take() {
            if self.waiting.get(&key) == Some(&d) {
                self.waiting.remove(&key);
            }
        }
        if let Some(r) = dup.replacement {
            if self.running.get(&r) == Some(&d) {
                self.running.remove(&r);
            }
        }
        if let Some(start) = dup.started {
            let stop = dup.stopped.map_or(end, |s| s.min(end));
            self.duplicated_us += (stop - start).0 as u128;
        }
    }
}

impl Simulation<'_> {
    /// Whether the node is cut off from the control plane (for tests).
    pub fn is_partitioned(&self, node: NodeId) -> bool {
        self.disruptions.partitions.is_cut(node)
    }

    pub(crate) fn partition_zone(&mut self, zone: &str, duration: SimTime) {
        let ids = self.up_nodes_of_zone(zone);
        self.rec.log(
            self.now,
            "zone-partitioned",
            zone.to_string(),
            format!(
                "{} nodes of the zone are cut off from the control plane for {duration}",
                ids.len()
            ),
        );
        for id in ids {
            self.partition_node(id, duration);
        }
    }

    pub(crate) fn partition_node(&mut self, node: NodeId, duration: SimTime) {
        let n = self.cluster.node(node);
        let name = n.name.clone();
        if !n.up || n.removed || self.disruptions.partitions.is_cut(node) {
            self.rec.log(
                self.now,
                "ignored",
                name,
                "partition-node: the node is down, removed or already cut off",
            );
            return;
        }
        let p = &mut self.disruptions.partitions;
        let serial = p.next_serial;
        p.next_serial += 1;
        p.cut.insert(
            node,
            Cut {
                serial,
                evicted: Vec::new(),
            },
        );
        self.rec.log(
            self.now,
            "node-partitioned",
            name,
            format!(
                "cut off from the control plane for {duration}; its machine and pods keep running"
            ),
        );
        let grace = self.scenario.control.node_monitor_grace;
        self.push_disruption(
            self.now + grace,
            DisruptionEvent::PartitionNotReady { node, serial },
        );
        self.push_disruption(
            self.now + duration,
            DisruptionEvent::PartitionHeal { node, serial },
        );
    }

    fn current_cut(&self, node: NodeId, serial: u32) -> bool {
        self.disruptions
            .partitions
            .cut
            .get(&node)
            .is_some_and(|c| c.serial == serial)
    }

    pub(crate) fn partition_not_ready(&mut self, node: NodeId, serial: u32) {
        if !self.current_cut(node, serial) {
            return;
        }
        let n = &mut self.cluster.nodes[node.index()];
        n.api_ready = false;
        let name = n.name.clone();
        let cp = &self.scenario.control;
        self.rec.log(
            self.now,
            "node-not-ready",
            name,
            format!(
                "unreachable: no heartbeat for {}; its pods, still running, will be evicted in {}",
                cp.node_monitor_grace, cp.eviction_timeout
            ),
        );
        self.push_disruption(
            self.now + cp.eviction_timeout,
            DisruptionEvent::PartitionEvict { node, serial },
        );
    }

    /// The node controller evicts the partitioned node's pods: each leaves
    /// its controller (which replaces it) but keeps running on the node.
    pub(crate) fn partition_evict(&mut self, node: NodeId, serial: u32) {
        if !self.current_cut(node, serial) {
            return;
        }
        let pods = self.cluster.node(node).pods.clone();
        let mut evicted = Vec::new();
        for pod in pods {
            let phase = self.cluster.pod(pod).phase;
            if !matches!(phase, PodPhase::Running | PodPhase::Starting) {
                continue;
            }
            // It stops counting for its controller; a job pod's work so far
            // is thrown away (its replacement starts over).
            self.halt(pod);
            self.cluster.set_phase(pod, PodPhase::Terminating);
            let p = self.cluster.pod_mut(pod);
            p.outcome = Some(Outcome::Evicted);
            p.ended_at = None; // its containers run on until the partition ends
            let snapshot = *p;
            self.rec.evictions += 1;
            // The pod its controller creates in its place.
            let key = match self.owners[snapshot.owner as usize].role {
                Role::Service(svc) => {
                    let next = self.services[svc].serial;
                    self.controller_pod_gone(&snapshot);
                    (self.services[svc].serial > next).then_some((snapshot.owner, next))
                }
                _ => {
                    self.controller_pod_gone(&snapshot);
                    Some((snapshot.owner, snapshot.task))
                }
            };
            let dup = (phase == PodPhase::Running).then(|| {
                let parts = &mut self.disruptions.partitions;
                let d = parts.dups.len();
                parts.dups.push(Dup {
                    key,
                    replacement: None,
                    started: None,
                    stopped: None,
                    closed: key.is_none(),
                });
                if let Some(k) = key {
                    parts.waiting.insert(k, d);
                }
                d
            });
            evicted.push(Evicted {
                pod,
                serial: snapshot.serial,
                dup,
            });
        }
        let count = evicted.len();
        if let Some(cut) = self.disruptions.partitions.cut.get_mut(&node) {
            cut.evicted.extend(evicted);
        }
        let name = self.cluster.node(node).name.clone();
        self.rec.log(
            self.now,
            "pods-evicted",
            name,
            format!(
                "{count} pods evicted from the unreachable node; controllers replace them while they keep running there"
            ),
        );
    }

    /// The pods evicted from `node` that still hold their slot.
    fn still_evicted(&self, node: NodeId, evicted: &[Evicted]) -> Vec<(PodId, Option<usize>)> {
        evicted
            .iter()
            .filter(|e| {
                let p = self.cluster.pod(e.pod);
                p.serial == e.serial && p.phase == PodPhase::Terminating && p.node == Some(node)
            })
            .map(|e| (e.pod, e.dup))
            .collect()
    }

    pub(crate) fn partition_heal(&mut self, node: NodeId, serial: u32) {
        if !self.current_cut(node, serial) {
            return;
        }
        let Some(cut) = self.disruptions.partitions.cut.remove(&node) else {
            return;
        };
        let now = self.now;
        let grace = self.scenario.control.termination_grace;
        let stale = self.still_evicted(node, &cut.evicted);
        for &(pod, _) in &stale {
            // The kubelet learns its pods were deleted and stops them.
            let p = self.cluster.pod_mut(pod);
            p.ended_at = Some(now);
            let epoch = p.epoch;
            self.queue
                .push(now + grace, Event::PodTerminated { pod, epoch });
        }
        for e in &cut.evicted {
            if let Some(d) = e.dup {
                self.disruptions.partitions.close(d, now);
            }
        }
        let n = &mut self.cluster.nodes[node.index()];
        n.api_ready = true;
        let name = n.name.clone();
        self.rec.log(
            now,
            "partition-healed",
            name,
            format!(
                "reachable and Ready again; {} evicted pods still running there are stopped",
                stale.len()
            ),
        );
        self.capacity_grew();
    }

    /// Hook: the partitioned node's machine failed or the node was removed
    /// (`why`): the partition ends with it, and the evicted pods still
    /// running there stop now.
    pub(crate) fn partition_node_lost(&mut self, node: NodeId, why: &str) {
        let Some(cut) = self.disruptions.partitions.cut.remove(&node) else {
            return;
        };
        let now = self.now;
        let stale = self.still_evicted(node, &cut.evicted);
        for &(pod, _) in &stale {
            self.cluster.pod_mut(pod).ended_at = Some(now);
            self.finish_pod(pod, Outcome::Evicted);
        }
        for e in &cut.evicted {
            if let Some(d) = e.dup {
                self.disruptions.partitions.close(d, now);
            }
        }
        let name = self.cluster.node(node).name.clone();
        self.rec.log(
            now,
            "partition-ended",
            name,
            format!(
                "the node {why} while cut off; {} evicted pods still running there stop",
                stale.len()
            ),
        );
    }

    /// Hook: `pod` starts running. If it replaces a pod evicted from a
    /// partitioned node, the overlap starts.
    pub(crate) fn partition_pod_running(&mut self, pod: PodId) {
        let parts = &mut self.disruptions.partitions;
        if parts.waiting.is_empty() {
            return;
        }
        let p = self.cluster.pod(pod);
        if let Some(d) = parts.waiting.remove(&(p.owner, p.task)) {
            let dup = &mut parts.dups[d];
            dup.key = None;
            dup.replacement = Some(pod);
            dup.started = Some(self.now);
            parts.running.insert(pod, d);
        }
    }

    /// Hook: `pod` stops running (halted, or its work done).
    pub(crate) fn partition_pod_stopped(&mut self, pod: PodId) {
        let parts = &mut self.disruptions.partitions;
        if parts.running.is_empty() {
            return;
        }
        if let Some(d) = parts.running.remove(&pod) {
            parts.dups[d].stopped.get_or_insert(self.now);
        }
    }

    /// At the horizon: evicted pods still running on partitioned nodes are
    /// counted up to now.
    pub(crate) fn close_partitions_at_end(&mut self) {
        let now = self.now;
        let parts = &mut self.disruptions.partitions;
        for d in 0..parts.dups.len() {
            parts.close(d, now);
        }
    }
}
