//! The descheduler (sigs.k8s.io/descheduler) as a policy: from a read-only
//! snapshot of the cluster it decides which pods to evict so that the
//! scheduler can place them better; the control plane carries the evictions
//! out (`control/descheduler.rs`).
//!
//! Kubernetes never moves a running pod by itself. The descheduler runs every
//! `interval` and, strategy by strategy, picks pods to evict through the
//! eviction API, which refuses evictions that would break a
//! PodDisruptionBudget. Each evicted pod's controller creates a replacement
//! that goes back through the scheduler. One file per strategy:
//!
//! | strategy | file | evicts |
//! |---|---|---|
//! | RemoveDuplicates | `remove_duplicates.rs` | surplus pods of one owner on one node |
//! | LowNodeUtilization | `low_node_utilization.rs` | from nodes above the target, lowest priority first, while underused nodes have room |
//! | HighNodeUtilization | `high_node_utilization.rs` | everything from underused nodes, so they can be emptied |
//! | RemovePodsViolatingTopologySpreadConstraint | `topology_spread.rs` | the fewest pods that restore a service's zone `max-skew` |
//!
//! They run in that order in one descheduling pass; the eviction limits
//! (per node and per pass) and the budgets carry from one strategy to the
//! next, as upstream's shared pod evictor does. See `docs/descheduler.md`.

mod evictor;
mod high_node_utilization;
mod low_node_utilization;
mod node_utilization;
mod remove_duplicates;
mod topology_spread;

pub use evictor::{Evictor, Refusal};

use crate::cluster::{Node, NodeId, Pod, PodId, PodPhase, PodSpec};
use crate::engine::SimTime;

/// Priority of the `system-cluster-critical` class. Pods at or above it are
/// never evicted (the DefaultEvictor's system-critical protection).
pub const SYSTEM_CRITICAL_PRIORITY: i32 = 2_000_000_000;

/// The descheduler's settings, validated from the scenario's `[descheduler]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeschedulerSpec {
    /// Time between passes (`--descheduling-interval`).
    pub interval: SimTime,
    /// At most this many evictions from one node per pass (`maxNoOfPodsToEvictPerNode`).
    pub max_pods_to_evict_per_node: Option<u32>,
    /// At most this many evictions per pass (`maxNoOfPodsToEvictTotal`).
    pub max_pods_to_evict_total: Option<u32>,
    /// Pods with at least this priority are never evicted (DefaultEvictor
    /// `priorityThreshold`); system-critical pods never are anyway.
    pub priority_threshold: Option<i32>,
    pub remove_duplicates: Option<RemoveDuplicatesArgs>,
    pub low_node_utilization: Option<LowNodeUtilizationArgs>,
    pub high_node_utilization: Option<HighNodeUtilizationArgs>,
    pub topology_spread: Option<TopologySpreadArgs>,
}

impl DeschedulerSpec {
    /// The strategies enabled, in the order a pass runs them.
    pub fn strategies(&self) -> Vec<Strategy> {
        let mut v = Vec::new();
        if self.remove_duplicates.is_some() {
            v.push(Strategy::RemoveDuplicates);
        }
        if self.low_node_utilization.is_some() {
            v.push(Strategy::LowNodeUtilization);
        }
        if self.high_node_utilization.is_some() {
            v.push(Strategy::HighNodeUtilization);
        }
        if self.topology_spread.is_some() {
            v.push(Strategy::TopologySpread);
        }
        v
    }

    /// The lowest priority that is protected from eviction.
    pub fn protected_priority(&self) -> i32 {
        self.priority_threshold
            .map_or(SYSTEM_CRITICAL_PRIORITY, |t| {
                t.min(SYSTEM_CRITICAL_PRIORITY)
            })
    }
}

/// Percentages of a node's allocatable (0–100) per resource; a resource left
/// out is not part of the test.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Thresholds {
    pub cpu: Option<f64>,
    pub memory: Option<f64>,
    pub pods: Option<f64>,
}

impl Thresholds {
    /// Per resource in the order cpu, memory, pods.
    pub fn as_array(&self) -> [Option<f64>; 3] {
        [self.cpu, self.memory, self.pods]
    }

    pub fn is_empty(&self) -> bool {
        self.as_array().iter().all(Option::is_none)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LowNodeUtilizationArgs {
    /// A schedulable node at or below these on every resource given is underused.
    pub thresholds: Thresholds,
    /// A node above these on any resource given is overused; evictions stop
    /// once it is at or below them.
    pub target_thresholds: Thresholds,
    /// Act only when more than this many nodes are underused.
    pub number_of_nodes: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HighNodeUtilizationArgs {
    /// A node at or below these on every resource given is underused and emptied.
    pub thresholds: Thresholds,
    pub number_of_nodes: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RemoveDuplicatesArgs {
    /// Owner kinds whose pods are never treated as duplicates.
    pub exclude_owner_kinds: Vec<OwnerKind>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopologySpreadArgs {}

/// The kind of controller that owns a pod, as the descheduler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OwnerKind {
    /// A service (a Deployment's ReplicaSet) or a trace's long-running pod.
    ReplicaSet,
    /// A job or a trace's batch task.
    Job,
}

impl OwnerKind {
    pub const NAMES: &'static [&'static str] = &["ReplicaSet", "Job"];
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ReplicaSet" => Some(Self::ReplicaSet),
            "Job" => Some(Self::Job),
            _ => None,
        }
    }
}

/// One descheduler strategy (a Balance plugin upstream).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strategy {
    RemoveDuplicates,
    LowNodeUtilization,
    HighNodeUtilization,
    TopologySpread,
}

impl Strategy {
    /// Upstream's plugin name.
    pub fn name(self) -> &'static str {
        match self {
            Self::RemoveDuplicates => "RemoveDuplicates",
            Self::LowNodeUtilization => "LowNodeUtilization",
            Self::HighNodeUtilization => "HighNodeUtilization",
            Self::TopologySpread => "RemovePodsViolatingTopologySpreadConstraint",
        }
    }
}

/// What the descheduler knows of one owner (service, job, trace workload).
#[derive(Clone, Debug)]
pub struct OwnerView<'a> {
    pub kind: OwnerKind,
    /// Healthy pods its PodDisruptionBudget requires, if it has one.
    pub budget_required: Option<u32>,
    /// Its pods that are running (Ready) and not being deleted.
    pub healthy: u32,
    /// The `maxSkew` of its zone topology-spread constraint, if any.
    pub max_skew: Option<u32>,
    /// Its live pods, for the topology strategy (services only; empty otherwise).
    pub pods: &'a [PodId],
}

/// A read-only snapshot of what the descheduler reads: nodes, pods, their
/// specs and owners, as the API server would list them.
pub struct ClusterView<'a> {
    pub nodes: &'a [Node],
    pub pods: &'a [Pod],
    pub specs: &'a [PodSpec],
    /// Indexed by a pod's `owner`.
    pub owners: Vec<OwnerView<'a>>,
}

impl ClusterView<'_> {
    pub fn pod(&self, id: PodId) -> &Pod {
        &self.pods[id.index()]
    }

    pub fn spec_of(&self, id: PodId) -> &PodSpec {
        &self.specs[self.pod(id).spec.0 as usize]
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The nodes the descheduler works on: Ready in the API (a dead machine
    /// the control plane has not noticed yet still looks Ready), in id order.
    pub fn ready_nodes(&self) -> Vec<NodeId> {
        self.nodes
            .iter()
            .filter(|n| n.api_ready && !n.removed)
            .map(|n| n.id)
            .collect()
    }
}

/// One decided eviction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eviction {
    pub pod: PodId,
    pub node: NodeId,
    pub strategy: Strategy,
}

/// The outcome of one pass: the evictions to carry out, in order, and what
/// was refused.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub evictions: Vec<Eviction>,
    /// Evictions the PodDisruptionBudgets refused.
    pub refused_by_budget: u32,
    /// Evictions refused because a node's or the pass's limit was reached.
    pub refused_by_limit: u32,
    /// Why nothing was done, when the pass did not run its strategies.
    pub skipped: Option<&'static str>,
}

/// Decides one descheduling pass over the snapshot.
pub fn plan(view: &ClusterView, spec: &DeschedulerSpec) -> Plan {
    let ready = view.ready_nodes();
    // Upstream aborts a pass on a cluster of 0 or 1 Ready nodes: every
    // eviction would be a disruption with nowhere better to go.
    if ready.len() <= 1 {
        return Plan {
            skipped: Some("0 or 1 Ready nodes: evicting would only disrupt"),
            ..Plan::default()
        };
    }
    let mut ev = Evictor::new(view, spec);
    for strategy in spec.strategies() {
        match strategy {
            Strategy::RemoveDuplicates => remove_duplicates::run(
                view,
                &ready,
                spec.remove_duplicates.as_ref().unwrap(),
                &mut ev,
            ),
            Strategy::LowNodeUtilization => low_node_utilization::run(
                view,
                &ready,
                spec.low_node_utilization.as_ref().unwrap(),
                &mut ev,
            ),
            Strategy::HighNodeUtilization => high_node_utilization::run(
                view,
                &ready,
                spec.high_node_utilization.as_ref().unwrap(),
                &mut ev,
            ),
            Strategy::TopologySpread => topology_spread::run(view, &ready, &mut ev),
        }
    }
    ev.into_plan()
}

/// Pods the DefaultEvictor would consider: bound, running or starting (not
/// already terminating, not on a dead machine), below the protected
/// priority, and not already evicted earlier in this pass.
pub(crate) fn is_evictable(view: &ClusterView, ev: &Evictor, pod: PodId) -> bool {
    let p = view.pod(pod);
    matches!(p.phase, PodPhase::Running | PodPhase::Starting)
        && p.node.is_some()
        && view.spec_of(pod).priority < ev.protected_priority()
        && !ev.is_evicted(pod)
}
