//! Pods: their scheduling requirements (a shared [`PodSpec`]) and their lifecycle.

use super::{Constraints, NodeId, Resources, Toleration};
use crate::engine::SimTime;
use std::collections::BTreeMap;
use std::fmt;

/// Index of a pod in [`Cluster::pods`](super::Cluster::pods); pods are numbered in creation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodId(pub u32);

impl PodId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a shared pod spec. All pods of one service or job share one, so
/// the scheduler can remember per spec that nothing fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpecId(pub u32);

/// What the scheduler needs to know about a pod.
#[derive(Clone, Debug, PartialEq)]
pub struct PodSpec {
    pub requests: Resources,
    /// Higher runs first and (later) may preempt lower.
    pub priority: i32,
    pub tolerations: Vec<Toleration>,
    /// Labels a node must carry, all of them.
    pub node_selector: BTreeMap<String, String>,
    /// Time from bind to running (image pull, container start).
    pub startup: SimTime,
    /// Topology spread, anti-affinity and preemption policy (default: none).
    pub constraints: Constraints,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodKind {
    /// Long-running; its controller keeps the declared number alive.
    Service,
    /// Runs to completion.
    Job,
}

impl fmt::Display for PodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Service => "service",
            Self::Job => "job",
        })
    }
}

/// Where a pod is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodPhase {
    /// Waiting for the scheduler.
    Pending,
    /// Bound; containers starting (`startup`).
    Starting,
    Running,
    /// Bound to a node whose machine is dead; the control plane has not yet evicted it.
    Lost,
    /// Evicted or deleted; its containers are shutting down and still hold the node's resources.
    Terminating,
    /// Finished and recorded; the slot is free for a new pod.
    Done,
}

/// How a pod ended, as written in `pods.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// A job pod ran to completion.
    Completed = 0,
    /// Still running (or starting) at the horizon.
    Running,
    /// Never placed, or waiting, at the horizon.
    Pending,
    /// Removed gracefully by the control plane from a live node (drain).
    Evicted,
    /// Its node died or was removed under it: its work stopped abruptly.
    Failed,
    /// Deleted by its controller when a service scaled down.
    Deleted,
    /// Evicted by the scheduler to make room for a higher-priority pod.
    Preempted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Running => "running",
            Self::Pending => "pending",
            Self::Evicted => "evicted",
            Self::Failed => "failed",
            Self::Deleted => "deleted",
            Self::Preempted => "preempted",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One pod. A replacement is a new pod with the same owner.
///
/// `id` is the pod's slot in [`Cluster::pods`](super::Cluster::pods); a slot
/// is reused once its pod has ended and been recorded, so memory follows the
/// number of live pods, not the length of the workload. `serial` numbers pods
/// in creation order and is what the outputs call the pod.
#[derive(Clone, Copy, Debug)]
pub struct Pod {
    pub id: PodId,
    pub serial: u64,
    pub spec: SpecId,
    pub kind: PodKind,
    /// The owning service, job or trace workload (an index into the simulation's owner table).
    pub owner: u32,
    /// Job pods: which task of the job this pod runs. Services: the replica's serial.
    pub task: u32,
    /// 0 for a task's first pod, then 1, 2, ... for its replacements.
    pub attempt: u32,
    pub phase: PodPhase,
    /// Set when the pod is done (or at the horizon).
    pub outcome: Option<Outcome>,
    pub node: Option<NodeId>,
    /// Last node the pod was bound to (kept after it leaves, for the output).
    pub last_node: Option<NodeId>,
    pub submit: SimTime,
    pub bound_at: Option<SimTime>,
    /// First time it was running.
    pub started_at: Option<SimTime>,
    /// When its current run began (it restarts from scratch after a crash).
    pub run_started: Option<SimTime>,
    /// When its containers stopped for good.
    pub ended_at: Option<SimTime>,
    /// Job pods: how long the work takes once running.
    pub work: Option<SimTime>,
    /// Bumped whenever the pod stops or restarts so stale timers are ignored.
    pub epoch: u32,
    /// Containers restarted in place after their node came back.
    pub restarts: u32,
}
