//! A node (host): what it offers, what is bound to it, and its health as the
//! machine and as the control plane see it.

use super::{PodId, Resources, Taint};
use crate::engine::SimTime;
use std::collections::BTreeMap;
use std::fmt;

/// Index of a node in [`Cluster::nodes`](super::Cluster::nodes), in creation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The node's state as a person would name it, derived from the machine's
/// health and the control plane's view of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeStatus {
    /// Up, Ready and schedulable.
    Ready,
    /// The machine is dead but the control plane has not noticed yet (within
    /// `node-monitor-grace`): the scheduler may still bind pods to it.
    Down,
    /// The control plane marked it NotReady: no new pods; its pods are evicted
    /// after `eviction-timeout`.
    NotReady,
    /// Up and Ready but unschedulable (cordoned, for example for a drain).
    Cordoned,
    /// Gone for good.
    Removed,
}

impl fmt::Display for NodeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ready => "Ready",
            Self::Down => "Down",
            Self::NotReady => "NotReady",
            Self::Cordoned => "Cordoned",
            Self::Removed => "Removed",
        })
    }
}

/// One host.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: NodeId,
    /// `<pool>-<index>`.
    pub name: String,
    /// Index of the pool in the scenario.
    pub pool: u32,
    pub zone: String,
    pub allocatable: Resources,
    pub max_pods: u32,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub cost_per_hour: f64,

    /// Sum of the requests of every pod bound here (as the scheduler counts them).
    pub requested: Resources,
    /// The same with the scheduler's non-zero defaults, used only for scoring.
    pub requested_for_scoring: Resources,
    /// Pods bound here, in bind order.
    pub pods: Vec<PodId>,

    /// The machine is running.
    pub up: bool,
    /// The control plane believes the node is Ready.
    pub api_ready: bool,
    /// Cordoned: no new pods.
    pub unschedulable: bool,
    pub removed: bool,
    /// Bumped on every failure and recovery, so timers set for an earlier
    /// incarnation can tell they are stale.
    pub epoch: u32,

    pub added_at: SimTime,
    pub removed_at: Option<SimTime>,
    pub failures: u32,
    pub down_since: Option<SimTime>,
    pub downtime: SimTime,
    /// Pods ever bound here.
    pub binds: u64,
}

impl Node {
    /// Whether the scheduler may place new pods here (its view, which lags the machine's).
    pub fn schedulable(&self) -> bool {
        self.api_ready && !self.unschedulable && !self.removed
    }

    pub fn status(&self) -> NodeStatus {
        if self.removed {
            NodeStatus::Removed
        } else if !self.up && self.api_ready {
            NodeStatus::Down
        } else if !self.api_ready {
            NodeStatus::NotReady
        } else if self.unschedulable {
            NodeStatus::Cordoned
        } else {
            NodeStatus::Ready
        }
    }

    /// Free allocatable resources (what is not yet requested).
    pub fn free(&self) -> Resources {
        self.allocatable.saturating_minus(&self.requested)
    }

    /// Number of pods bound here.
    pub fn pod_count(&self) -> u32 {
        self.pods.len() as u32
    }
}
