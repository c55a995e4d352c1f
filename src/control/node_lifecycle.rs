//! Node lifecycle: a machine dies; after `node-monitor-grace` the control
//! plane marks it NotReady; after `eviction-timeout` its pods are evicted and
//! their controllers replace them. A machine that comes back first restarts
//! its pods in place.

use crate::cluster::{NodeId, Outcome, PodPhase};
use crate::simulation::{Event, Simulation};

impl Simulation<'_> {
    pub(crate) fn fail_node(&mut self, node: NodeId) -> bool {
        let now = self.now;
        let n = self.cluster.node(node);
        if !n.up || n.removed {
            let name = n.name.clone();
            self.rec.log(
                now,
                "ignored",
                name,
                "fail-node: the node is already down or removed",
            );
            return false;
        }
        self.cluster.set_node_up(node, false);
        let n = &mut self.cluster.nodes[node.index()];
        n.epoch += 1;
        n.failures += 1;
        n.down_since = Some(now);
        let (epoch, name) = (n.epoch, n.name.clone());
        let pods = n.pods.clone();
        let mut stopped = 0;
        for pod in pods {
            if matches!(
                self.cluster.pod(pod).phase,
                PodPhase::Running | PodPhase::Starting
            ) {
                self.halt(pod);
                self.cluster.set_phase(pod, PodPhase::Lost);
                stopped += 1;
            }
        }
        self.rec.log(
            now,
            "node-failed",
            name,
            format!("{stopped} pods stopped; the control plane has not noticed yet"),
        );
        let grace = self.scenario.control.node_monitor_grace;
        self.queue
            .push(now + grace, Event::NodeNotReady { node, epoch });
        self.disruption_node_failed(node);
        true
    }

    pub(crate) fn node_not_ready(&mut self, node: NodeId, epoch: u32) {
        let n = &mut self.cluster.nodes[node.index()];
        if n.epoch != epoch || n.up || n.removed {
            return;
        }
        n.api_ready = false;
        let name = n.name.clone();
        self.topology_domains_changed();
        let timeout = self.scenario.control.eviction_timeout;
        self.rec.log(
            self.now,
            "node-not-ready",
            name,
            format!(
                "no heartbeat for {}; pods will be evicted in {timeout}",
                self.scenario.control.node_monitor_grace
            ),
        );
        self.queue
            .push(self.now + timeout, Event::EvictNodePods { node, epoch });
    }

    pub(crate) fn evict_node_pods(&mut self, node: NodeId, epoch: u32) {
        let n = self.cluster.node(node);
        if n.epoch != epoch || n.up || n.removed {
            return;
        }
        let name = n.name.clone();
        let pods = n.pods.clone();
        let mut evicted = 0;
        for pod in pods {
            if self.cluster.pod(pod).phase == PodPhase::Lost {
                self.remove_lost_pod(pod, Outcome::Failed);
                evicted += 1;
            }
        }
        self.rec.log(
            self.now,
            "pods-evicted",
            name,
            format!("{evicted} pods evicted from the NotReady node; controllers replace them"),
        );
    }

    /// Takes a pod that is bound but not running (its node is dead) out of the
    /// cluster for good and tells its controller.
    pub(crate) fn remove_lost_pod(&mut self, pod: crate::cluster::PodId, outcome: Outcome) {
        let now = self.now;
        self.cluster.pod_mut(pod).ended_at.get_or_insert(now);
        let snapshot = self.pod_snapshot(pod);
        self.finish_pod(pod, outcome);
        self.rec.evictions += 1;
        self.controller_pod_gone(&snapshot);
    }

    pub(crate) fn recover_node(&mut self, node: NodeId) {
        let now = self.now;
        let n = self.cluster.node(node);
        if n.up || n.removed {
            let name = n.name.clone();
            self.rec
                .log(now, "ignored", name, "recover-node: the node is not down");
            return;
        }
        self.cluster.set_node_up(node, true);
        let n = &mut self.cluster.nodes[node.index()];
        n.epoch += 1;
        n.api_ready = true;
        if let Some(since) = n.down_since.take() {
            n.downtime = n.downtime + (now - since);
        }
        let name = n.name.clone();
        let pods = n.pods.clone();
        let mut restarted = 0;
        for pod in pods {
            if self.cluster.pod(pod).phase == PodPhase::Lost {
                if self.cluster.pod(pod).run_started.is_some() {
                    self.cluster.pod_mut(pod).restarts += 1;
                    self.rec.restarts += 1;
                }
                self.start_pod(pod);
                restarted += 1;
            }
        }
        self.rec.log(
            now,
            "node-recovered",
            name,
            format!("Ready again; {restarted} pods still bound to it restart in place"),
        );
        self.capacity_grew();
    }

    pub(crate) fn remove_node(&mut self, node: NodeId) {
        let now = self.now;
        if self.cluster.node(node).removed {
            return;
        }
        self.partition_node_lost(node, "was removed");
        let pods = self.cluster.node(node).pods.clone();
        let mut stopped = 0;
        for pod in pods {
            match self.cluster.pod(pod).phase {
                PodPhase::Running | PodPhase::Starting => {
                    self.halt(pod);
                    self.cluster.set_phase(pod, PodPhase::Lost);
                    self.remove_lost_pod(pod, Outcome::Failed);
                    stopped += 1;
                }
                PodPhase::Lost => {
                    self.remove_lost_pod(pod, Outcome::Failed);
                    stopped += 1;
                }
                PodPhase::Terminating => {
                    let outcome = self.cluster.pod(pod).outcome.unwrap_or(Outcome::Evicted);
                    self.finish_pod(pod, outcome);
                }
                PodPhase::Pending | PodPhase::Done => {}
            }
        }
        self.cluster.set_node_up(node, false);
        let n = &mut self.cluster.nodes[node.index()];
        n.removed = true;
        n.api_ready = false;
        n.removed_at = Some(now);
        n.epoch += 1;
        if let Some(since) = n.down_since.take() {
            n.downtime = n.downtime + (now - since);
        }
        let name = n.name.clone();
        self.rec.log(
            now,
            "node-removed",
            name,
            format!("left the cluster; {stopped} pods stopped and are replaced"),
        );
        self.topology_domains_changed();
    }

    pub(crate) fn drain_node(&mut self, node: NodeId) {
        let now = self.now;
        if self.cluster.node(node).removed {
            return;
        }
        self.cluster.nodes[node.index()].unschedulable = true;
        self.topology_domains_changed();
        let pods = self.cluster.node(node).pods.clone();
        let mut evicted = 0;
        let mut held = 0;
        for pod in pods {
            match self.cluster.pod(pod).phase {
                PodPhase::Running | PodPhase::Starting => {
                    // Through the eviction API: a PodDisruptionBudget may refuse.
                    if self.drain_evict(pod) {
                        evicted += 1;
                    } else {
                        held += 1;
                    }
                }
                PodPhase::Lost => {
                    self.remove_lost_pod(pod, Outcome::Failed);
                    evicted += 1;
                }
                _ => {}
            }
        }
        let name = self.cluster.node(node).name.clone();
        let note = self.drain_held_back(node, held);
        self.rec.log(
            now,
            "node-drained",
            name,
            format!("cordoned; {evicted} pods evicted gracefully and recreated elsewhere{note}"),
        );
    }

    pub(crate) fn uncordon_node(&mut self, node: NodeId) {
        let n = &mut self.cluster.nodes[node.index()];
        if n.removed || !n.unschedulable {
            return;
        }
        n.unschedulable = false;
        let name = n.name.clone();
        self.rec
            .log(self.now, "node-uncordoned", name, "schedulable again");
        self.capacity_grew();
    }

    /// Stops a bound, live pod gracefully: it leaves at once for its
    /// controller but holds its node's resources for the termination grace.
    pub(crate) fn terminate(&mut self, pod: crate::cluster::PodId, outcome: Outcome) {
        self.halt(pod);
        self.cluster.set_phase(pod, PodPhase::Terminating);
        let p = self.cluster.pod_mut(pod);
        p.outcome = Some(outcome);
        p.ended_at.get_or_insert(self.now);
        let grace = self.scenario.control.termination_grace;
        let epoch = self.cluster.pod(pod).epoch;
        self.queue
            .push(self.now + grace, Event::PodTerminated { pod, epoch });
    }

    pub(crate) fn pod_terminated(&mut self, pod: crate::cluster::PodId, epoch: u32) {
        let p = self.cluster.pod(pod);
        if p.epoch != epoch || p.phase != PodPhase::Terminating {
            return;
        }
        let outcome = p.outcome.unwrap_or(Outcome::Evicted);
        self.finish_pod(pod, outcome);
        self.capacity_grew();
    }
}
