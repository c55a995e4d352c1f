//! The cluster as a whole, and the only methods that change it.
//!
//! Every mutation goes through a method here so the running totals (what the
//! metrics integrate over time) can never disagree with the nodes and pods.

use super::topology::Contribution;
use super::{
    Node, NodeId, Nominations, Pod, PodId, PodPhase, PodSpec, Resources, SpecId, TopologyIndex,
};

/// Running totals kept in step with every change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Allocatable resources of nodes whose machine is up.
    pub up_capacity: Resources,
    /// Requests of pods bound to nodes whose machine is up.
    pub up_requested: Resources,
    pub pods_pending: u32,
    pub pods_starting: u32,
    pub pods_running: u32,
    pub pods_lost: u32,
    pub pods_terminating: u32,
}

/// Nodes, pods and the pod specs they share.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub pods: Vec<Pod>,
    pub specs: Vec<PodSpec>,
    totals: Totals,
    /// Slots of ended pods, ready for reuse.
    free: Vec<PodId>,
    next_serial: u64,
    /// Pods per owner, node and zone, for topology spread and anti-affinity.
    pub topology: TopologyIndex,
    /// Pods nominated to a node by preemption, waiting for its victims to leave.
    pub nominations: Nominations,
    /// Bound pods per priority (for preemption: are there lower-priority pods at all?).
    bound_priorities: std::collections::BTreeMap<i32, u32>,
}

impl Cluster {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn pod(&self, id: PodId) -> &Pod {
        &self.pods[id.index()]
    }

    pub fn pod_mut(&mut self, id: PodId) -> &mut Pod {
        &mut self.pods[id.index()]
    }

    pub fn spec(&self, id: SpecId) -> &PodSpec {
        &self.specs[id.0 as usize]
    }

    pub fn spec_of(&self, pod: PodId) -> &PodSpec {
        self.spec(self.pods[pod.index()].spec)
    }

    pub fn add_spec(&mut self, spec: PodSpec) -> SpecId {
        self.specs.push(spec);
        SpecId((self.specs.len() - 1) as u32)
    }

    /// Adds a node (its `id` is overwritten). It arrives up and Ready.
    pub fn add_node(&mut self, mut node: Node) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        node.id = id;
        node.up = true;
        node.api_ready = true;
        node.removed = false;
        node.requested = Resources::ZERO;
        node.requested_for_scoring = Resources::ZERO;
        node.pods.clear();
        self.topology.add_node(&node.zone);
        self.totals.up_capacity.add(&node.allocatable);
        self.nodes.push(node);
        id
    }

    /// Adds a pod in phase Pending; its `id`, `serial` and `epoch` are
    /// assigned here. A free slot is reused, with an epoch above any its
    /// earlier pod used, so stale timers for that pod stay stale.
    pub fn add_pod(&mut self, mut pod: Pod) -> PodId {
        pod.phase = PodPhase::Pending;
        pod.node = None;
        pod.serial = self.next_serial;
        self.next_serial += 1;
        self.totals.pods_pending += 1;
        match self.free.pop() {
            Some(id) => {
                pod.id = id;
                pod.epoch = self.pods[id.index()].epoch.wrapping_add(1);
                self.pods[id.index()] = pod;
                id
            }
            None => {
                let id = PodId(self.pods.len() as u32);
                pod.id = id;
                pod.epoch = 0;
                self.pods.push(pod);
                id
            }
        }
    }

    /// Ends a pod for good: unbinds it if bound and frees its slot. The
    /// caller records it first.
    pub fn release_pod(&mut self, pod: PodId) {
        self.nominations.remove(pod);
        self.unbind(pod);
        self.set_phase(pod, PodPhase::Done);
        let p = &mut self.pods[pod.index()];
        p.epoch = p.epoch.wrapping_add(1);
        self.free.push(pod);
    }

    /// The lowest priority of any bound pod.
    pub fn lowest_bound_priority(&self) -> Option<i32> {
        self.bound_priorities.keys().next().copied()
    }

    /// How many pods were ever created.
    pub fn pods_created(&self) -> u64 {
        self.next_serial
    }

    /// Pods that have not ended, in creation order.
    pub fn live_pods(&self) -> Vec<PodId> {
        let mut v: Vec<&Pod> = self
            .pods
            .iter()
            .filter(|p| p.phase != PodPhase::Done)
            .collect();
        v.sort_by_key(|p| p.serial);
        v.into_iter().map(|p| p.id).collect()
    }

    /// Moves a pod to `phase`, keeping the phase counters right.
    pub fn set_phase(&mut self, pod: PodId, phase: PodPhase) {
        let old = self.pods[pod.index()].phase;
        if old == phase {
            return;
        }
        if let Some(c) = self.counter(old) {
            *c -= 1;
        }
        if let Some(c) = self.counter(phase) {
            *c += 1;
        }
        let before = Contribution::of(&self.pods[pod.index()]);
        self.pods[pod.index()].phase = phase;
        self.topology_moved(pod, before);
    }

    /// Tells the topology index that `pod` changed from `before`.
    fn topology_moved(&mut self, pod: PodId, before: Contribution) {
        let p = &self.pods[pod.index()];
        self.topology.update(p.owner, before, Contribution::of(p));
    }

    /// The live-phase counter for `phase`; ended pods are not counted.
    fn counter(&mut self, phase: PodPhase) -> Option<&mut u32> {
        Some(match phase {
            PodPhase::Pending => &mut self.totals.pods_pending,
            PodPhase::Starting => &mut self.totals.pods_starting,
            PodPhase::Running => &mut self.totals.pods_running,
            PodPhase::Lost => &mut self.totals.pods_lost,
            PodPhase::Terminating => &mut self.totals.pods_terminating,
            PodPhase::Done => return None,
        })
    }

    /// Binds a pod to a node: the node's requests grow by the pod's.
    pub fn bind(&mut self, pod: PodId, node: NodeId) {
        let spec = self.pods[pod.index()].spec;
        let req = self.specs[spec.0 as usize].requests;
        *self
            .bound_priorities
            .entry(self.specs[spec.0 as usize].priority)
            .or_insert(0) += 1;
        let n = &mut self.nodes[node.index()];
        n.requested.add(&req);
        n.requested_for_scoring.add(&req.non_zero_for_scoring());
        n.pods.push(pod);
        n.binds += 1;
        if n.up {
            self.totals.up_requested.add(&req);
        }
        let before = Contribution::of(&self.pods[pod.index()]);
        let p = &mut self.pods[pod.index()];
        p.node = Some(node);
        p.last_node = Some(node);
        self.topology_moved(pod, before);
    }

    /// Releases a pod's requests from its node.
    pub fn unbind(&mut self, pod: PodId) {
        let before = Contribution::of(&self.pods[pod.index()]);
        let Some(node) = self.pods[pod.index()].node.take() else {
            return;
        };
        self.topology_moved(pod, before);
        let spec = self.pods[pod.index()].spec;
        let req = self.specs[spec.0 as usize].requests;
        let prio = self.specs[spec.0 as usize].priority;
        if let Some(c) = self.bound_priorities.get_mut(&prio) {
            *c -= 1;
            if *c == 0 {
                self.bound_priorities.remove(&prio);
            }
        }
        let n = &mut self.nodes[node.index()];
        n.requested.sub(&req);
        n.requested_for_scoring.sub(&req.non_zero_for_scoring());
        if let Some(i) = n.pods.iter().position(|p| *p == pod) {
            n.pods.remove(i);
        }
        if n.up {
            self.totals.up_requested.sub(&req);
        }
    }

    /// The machine stops or starts; the totals follow.
    pub fn set_node_up(&mut self, node: NodeId, up: bool) {
        let n = &mut self.nodes[node.index()];
        if n.up == up {
            return;
        }
        n.up = up;
        if up {
            self.totals.up_capacity.add(&n.allocatable);
            self.totals.up_requested.add(&n.requested);
        } else {
            self.totals.up_capacity.sub(&n.allocatable);
            self.totals.up_requested.sub(&n.requested);
        }
    }

    /// Checks every invariant the totals promise; for tests and debug builds.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut t = Totals::default();
        for n in &self.nodes {
            let mut req = Resources::ZERO;
            for p in &n.pods {
                if self.pods[p.index()].node != Some(n.id) {
                    return Err(format!(
                        "pod {} listed on {} but bound elsewhere",
                        p.0, n.name
                    ));
                }
                req.add(&self.spec_of(*p).requests);
            }
            if req != n.requested {
                return Err(format!(
                    "{}: requested {:?} but pods sum to {req:?}",
                    n.name, n.requested
                ));
            }
            if !n.allocatable.covers(&n.requested) {
                return Err(format!(
                    "{} over-committed: {:?} > {:?}",
                    n.name, n.requested, n.allocatable
                ));
            }
            if n.pods.len() > n.max_pods as usize {
                return Err(format!(
                    "{} holds {} pods, max {}",
                    n.name,
                    n.pods.len(),
                    n.max_pods
                ));
            }
            if n.up {
                t.up_capacity.add(&n.allocatable);
                t.up_requested.add(&n.requested);
            }
        }
        for p in &self.pods {
            match p.phase {
                PodPhase::Pending => t.pods_pending += 1,
                PodPhase::Starting => t.pods_starting += 1,
                PodPhase::Running => t.pods_running += 1,
                PodPhase::Lost => t.pods_lost += 1,
                PodPhase::Terminating => t.pods_terminating += 1,
                PodPhase::Done => {}
            }
            let bound = p.node.is_some();
            let should_be_bound = matches!(
                p.phase,
                PodPhase::Starting | PodPhase::Running | PodPhase::Lost | PodPhase::Terminating
            );
            if bound != should_be_bound {
                return Err(format!("pod {} in {:?} but bound={bound}", p.id.0, p.phase));
            }
        }
        if t != self.totals {
            return Err(format!(
                "totals drifted: kept {:?}, actual {t:?}",
                self.totals
            ));
        }
        self.topology.check(&self.pods, self.nodes.len())
    }
}
